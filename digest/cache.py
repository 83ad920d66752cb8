"""The persistent build cache: parsed, rendered and sanitized articles by content hash.

A cache entry is keyed by the file's bytes and path, digest's version, the
Markdown/sanitizer settings and the site settings that reading depends on, so a
stale entry can never be used. Entries are JSON in one SQLite file (no pickle:
a cache restored from elsewhere cannot run code). Deleting the folder is safe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from contextlib import closing
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from digest import __version__
from digest.content import FileResult, Settings
from digest.errors import ContentError
from digest.markup import SETTINGS_KEY
from digest.models import Article, Source, Tag

SCHEMA = 1


@functools.cache
def code_key() -> str:
    """digest's own code: a change to it (even at one version) invalidates what it made."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def salt(settings: Settings) -> bytes:
    return repr((SCHEMA, code_key(), SETTINGS_KEY, settings.timezone, settings.host,
                 settings.base_path)).encode()


def file_key(salt_bytes: bytes, rel: str, data: bytes) -> str:
    digest = hashlib.blake2b(salt_bytes, digest_size=20)
    digest.update(rel.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def _encode(result: FileResult) -> str | None:
    """JSON for a result, or None when it would not come back identical."""
    article = None
    if result.article is not None:
        a = result.article
        article = asdict(a)
        article["date"] = a.date.isoformat()
        article["updated"] = a.updated.isoformat() if a.updated else None
    errors = [[e.path, e.line, e.field, e.message] for e in result.errors]
    text = json.dumps({"article": article, "errors": errors, "warnings": result.warnings},
                      ensure_ascii=False, separators=(",", ":"))
    if article is not None and json.loads(text)["article"]["extra"] != result.article.extra:
        return None  # e.g. dates inside extra: not cached, rendered each time
    return text


def _decode(text: str, tz: ZoneInfo) -> FileResult:
    data: dict[str, Any] = json.loads(text)
    result = FileResult(errors=[ContentError(*e) for e in data["errors"]],
                        warnings=data["warnings"])
    a = data["article"]
    if a is not None:
        a["date"] = datetime.fromisoformat(a["date"]).astimezone(tz)
        if a["updated"]:
            a["updated"] = datetime.fromisoformat(a["updated"]).astimezone(tz)
        a["tags"] = tuple(Tag(**t) for t in a["tags"])
        a["authors"] = tuple(a["authors"])
        a["source"] = Source(**a["source"]) if a["source"] else None
        result.article = Article(**a)
    return result


class ArticleCache:
    """Cached FileResults in <cache_dir>/articles.sqlite."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.salt = salt(settings)
        self.tz = ZoneInfo(settings.timezone)
        self.hits = 0
        self._pending: list[tuple[str, str]] = []

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.folder / "articles.sqlite")
        db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT)")
        return db

    def key(self, rel: str, data: bytes) -> str:
        return file_key(self.salt, rel, data)

    def get_many(self, keys: list[str]) -> dict[str, FileResult]:
        """The cached results among `keys`."""
        if not (self.folder / "articles.sqlite").exists():
            return {}
        found: dict[str, FileResult] = {}
        try:
            with closing(self._connect()) as db:
                for start in range(0, len(keys), 900):
                    chunk = keys[start:start + 900]
                    marks = ",".join("?" * len(chunk))
                    for key, value in db.execute(
                            f"SELECT key, value FROM entries WHERE key IN ({marks})", chunk):
                        found[key] = _decode(value, self.tz)
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError):
            return {}  # a damaged cache is ignored; the build renders everything again
        self.hits = len(found)
        return found

    def put(self, key: str, result: FileResult) -> None:
        text = _encode(result)
        if text is not None:
            self._pending.append((key, text))

    def save(self, keep: set[str]) -> None:
        """Store new entries and forget those no build input uses any more."""
        try:
            with closing(self._connect()) as db, db:
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", self._pending)
                stale = [k for (k,) in db.execute("SELECT key FROM entries") if k not in keep]
                db.executemany("DELETE FROM entries WHERE key = ?", [(k,) for k in stale])
        except sqlite3.DatabaseError:
            (self.folder / "articles.sqlite").unlink(missing_ok=True)
        self._pending.clear()
