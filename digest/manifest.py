"""What each output tree holds, stored in the cache folder.

A record has the tree's files (path -> input key), the fingerprint of the inputs
it was built from, until when it stays valid (the next scheduled article), and
the build's report. A tree's marker file names its record, so a tree and its
record cannot drift apart: a tree whose record is missing is rebuilt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from digest.output import manifest_id

KEEP_RECORDS = 4
SUFFIX = ".tree"
FORMAT = 2  # records of another format are not read: their trees are built again


@dataclass
class TreeRecord:
    files: dict[str, str]
    inputs: str = ""
    until: str | None = None  # ISO date when a scheduled article becomes due
    report: dict[str, Any] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # path -> hash of the bytes
    shape: str = ""  # see build._shape_key
    fingerprints: list[str] = field(default_factory=list)  # of the articles shown

    def fallen_due(self, moment: datetime) -> bool:
        """Whether a scheduled article has become due since the tree was built."""
        if not self.until:
            return False
        return moment >= datetime.fromisoformat(self.until)


class ManifestStore:
    """Records as `<id>.tree` files: a JSON head (the small fields), then the files as
    path, key and hash, NUL-separated (no path holds a NUL), then the fingerprints.
    Splitting that text is several times faster than parsing a JSON object of 20,000
    entries, and every build but an up-to-date one reads one or two records."""

    def __init__(self, cache_dir: Path, *, enabled: bool = True) -> None:
        self.folder = cache_dir / "trees"
        self.enabled = enabled

    def load(self, identifier: str | None) -> TreeRecord | None:
        if not self.enabled or not identifier or not identifier.isalnum():
            return None
        try:
            text = (self.folder / f"{identifier}{SUFFIX}").read_bytes().decode(
                "utf-8", "surrogateescape")
            # A path may hold a newline, the JSON head and the fingerprints do not.
            head_line, _, rest = text.partition("\n")
            listing, _, shown = rest.rpartition("\n")
            head = json.loads(head_line)
            if head.pop("format", None) != FORMAT:
                return None
            parts = listing.split("\0") if listing else []
            if len(parts) % 3:
                return None
            paths = parts[0::3]
            files = dict(zip(paths, parts[1::3], strict=True))
            hashes = {path: digest for path, digest in zip(paths, parts[2::3], strict=True)
                      if digest}
            return TreeRecord(files, hashes=hashes, fingerprints=shown.split(), **head)
        except (OSError, ValueError, TypeError, AttributeError):
            return None

    def save(self, record: TreeRecord) -> str:
        """Store a record; keep only the newest few (output and spare)."""
        identifier = manifest_id(record.files)
        if not self.enabled:
            return identifier
        hashes = record.hashes
        listing = "\0".join([f"{path}\0{key}\0{hashes.get(path, '')}"
                              for path, key in record.files.items()])
        head = {"format": FORMAT, "inputs": record.inputs, "until": record.until,
                "report": record.report, "shape": record.shape}
        text = f"{json.dumps(head, sort_keys=True)}\n{listing}\n{' '.join(record.fingerprints)}"
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{identifier}{SUFFIX}"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(text.encode("utf-8", "surrogateescape"))
        temporary.replace(target)
        old = sorted(self.folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        for stale in old[:-KEEP_RECORDS]:
            if stale != target:
                stale.unlink(missing_ok=True)
        return identifier
