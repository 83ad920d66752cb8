"""The parts of `digest check`: links and images in the built pages, and the feeds.

Each check returns Problems; `digest.check` runs them and reports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One thing to fix, located by file (and line where known)."""

    kind: str  # content, duplicate-source, link, anchor, image, outside, feed, xml, output
    file: str
    line: int | None
    message: str
    severity: str = "error"  # or "warning": reported, but the check still passes

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message} [{self.kind}]"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
