"""What each output tree holds, stored in the cache folder.

A record has the tree's files (path -> input key), the fingerprint of the inputs
it was built from, until when it stays valid (the next scheduled article), and
the build's report. A tree's marker file names its record, so a tree and its
record cannot drift apart: a tree whose record is missing is rebuilt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from digest.output import manifest_id

KEEP_RECORDS = 4


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
    def __init__(self, cache_dir: Path, *, enabled: bool = True) -> None:
        self.folder = cache_dir / "trees"
        self.enabled = enabled

    def load(self, identifier: str | None) -> TreeRecord | None:
        if not self.enabled or not identifier or not identifier.isalnum():
            return None
        try:
            data = json.loads((self.folder / f"{identifier}.json").read_text(encoding="utf-8"))
            return TreeRecord(**data)
        except (OSError, ValueError, TypeError):
            return None

    def save(self, record: TreeRecord) -> str:
        """Store a record; keep only the newest few (output and spare)."""
        identifier = manifest_id(record.files)
        if not self.enabled:
            return identifier
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{identifier}.json"
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps({f.name: getattr(record, f.name) for f in fields(record)},
                                        sort_keys=True, ensure_ascii=False),
                             encoding="utf-8")
        temporary.replace(target)
        old = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        for stale in old[:-KEEP_RECORDS]:
            if stale != target:
                stale.unlink(missing_ok=True)
        return identifier
