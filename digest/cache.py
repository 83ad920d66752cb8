"""The persistent build cache: parsed, rendered and sanitized articles by content hash.

A cache entry is keyed by the file's bytes and path, digest's version, the
Markdown/sanitizer settings and the site settings that reading depends on, so a
stale entry can never be used. Entries are JSON in one SQLite file (no pickle:
a cache restored from elsewhere cannot run code). Deleting the folder is safe.

A build reads every cached article, but renders few of them again: see digest.stored.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from zoneinfo import ZoneInfo

from digest import __version__, stored
from digest.content import FileResult, Settings, Signature, Sources
from digest.markup import SETTINGS_KEY
from digest.models import Tag

SCHEMA = 5
RACY_NS = 2_000_000_000  # files changed this close to the index's writing are read again


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
                 settings.base_path, settings.typographer)).encode()


def content_hash(data: bytes) -> str:
    """A file's bytes (an article's, an output file's), fingerprinted. SHA-256, which
    processors run in hardware, takes about half the time of BLAKE2 over the 200 MB of
    a site of 10,000 articles."""
    return hashlib.sha256(data).hexdigest()[:40]


def file_key(salt_bytes: bytes, rel: str, data_hash: str) -> str:
    """A cache key: the file's bytes (by hash) and path, and what reading depends on."""
    digest = hashlib.blake2b(salt_bytes, digest_size=20)
    digest.update(f"{rel}\0{data_hash}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _forget_all_but(db: sqlite3.Connection, tables: tuple[str, ...], column: str,
                    keep: set[str]) -> None:
    """Delete the rows of `tables` whose `column` is not in `keep`. The tables hold the
    same values of `column` (their rows are added and forgotten together): the first
    table's are read."""
    stale = [(key,) for (key,) in db.execute(f"SELECT {column} FROM {tables[0]}")
             if key not in keep]
    for table in tables:
        db.executemany(f"DELETE FROM {table} WHERE {column} = ?", stale)


class ArticleCache:
    """Cached FileResults in <cache_dir>/articles.sqlite."""

    encode = staticmethod(stored.encode)  # a plain function: workers get it by name

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.salt = salt(settings)
        self.tz = ZoneInfo(settings.timezone)
        self.hits = 0
        self._pending: list[tuple[str, str, str, str]] = []
        self._reader = stored.RestReader(folder / "articles.sqlite")
        self._index: dict[str, tuple[Signature, str]] | None = None
        self._trusted_before = 0
        self._seen: dict[str, tuple[Signature, str]] = {}  # this build's files

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.folder / "articles.sqlite")
        (version,), = db.execute("PRAGMA user_version")
        if version != SCHEMA:  # rows laid out by another digest: forgotten
            for table in ("articles", "bodies", "entries"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute(f"PRAGMA user_version = {SCHEMA}")
        # Heads apart from the rest: a build reads every head, from a table that is small.
        db.execute("CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, head TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS bodies "
                   "(key TEXT PRIMARY KEY, rest TEXT, body TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, size INTEGER, "
                   "mtime INTEGER, ctime INTEGER, inode INTEGER, hash TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        return db

    def _load_index(self) -> dict[str, tuple[Signature, str]]:
        """path -> (signature, content hash) of every file the last build read."""
        if self._index is not None:
            return self._index
        self._index = {}
        if not (self.folder / "articles.sqlite").exists():
            return self._index
        try:
            with closing(self._connect()) as db:
                row = db.execute("SELECT value FROM meta WHERE name = 'files_written'").fetchone()
                # A file written in the last moments before the index may have changed again
                # within the clock's resolution: such files are read again (as git does).
                self._trusted_before = int(row[0]) - RACY_NS if row else 0
                for rel, size, mtime, ctime, inode, data_hash in db.execute(
                        "SELECT rel, size, mtime, ctime, inode, hash FROM files"):
                    self._index[rel] = ((size, mtime, ctime, inode), data_hash)
        except sqlite3.DatabaseError:
            self._index = {}
        return self._index

    def unchanged(self, rel: str, mark: Signature) -> bool:
        """Whether the file is, by its signature, exactly as the last build read it."""
        known = self._load_index().get(rel)
        return known is not None and known[0] == mark and mark[1] < self._trusted_before

    def keys(self, sources: Sources) -> list[str]:
        """The cache key of every source file (hashing only the files that were read)."""
        index = self._load_index()
        keys = []
        for (data, rel), mark in zip(sources.items, sources.signatures, strict=True):
            data_hash = index[rel][1] if data is None else content_hash(data)
            self._seen[rel] = (mark, data_hash)
            keys.append(file_key(self.salt, rel, data_hash))
        return keys

    def get_many(self, keys: list[str]) -> dict[str, FileResult]:
        """The cached results among `keys`, their articles StoredArticles."""
        if not (self.folder / "articles.sqlite").exists():
            return {}
        wanted = set(keys)
        found: dict[str, FileResult] = {}
        tags: dict[tuple[str, str], Tag] = {}
        try:
            with closing(self._connect()) as db:
                # One pass over the table: a build forgets the rows it does not use, so
                # nearly every row is wanted, and a scan costs less than lookups by key.
                for key, text in db.execute("SELECT key, head FROM articles"):
                    if key in wanted:
                        head, result = stored.decode_head(text, self.tz, tags)
                        if head is not None:
                            result.article = stored.stored_article(head, key, self._reader)
                        found[key] = result
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError, IndexError):
            return {}  # a damaged cache is ignored; the build renders everything again
        self.hits = len(found)
        return found

    def get_some(self, keys: list[str]) -> dict[str, FileResult]:
        """The cached results among a few `keys`, looked up one by one."""
        found: dict[str, FileResult] = {}
        tags: dict[tuple[str, str], Tag] = {}
        try:
            with closing(self._connect()) as db:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    marks = ", ".join("?" * len(chunk))
                    for key, text, rest, body in db.execute(
                            "SELECT key, head, rest, body FROM articles JOIN bodies USING (key) "
                            f"WHERE key IN ({marks})", chunk):
                        found[key] = stored.decode(text, rest, body, self.tz, tags)
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError, IndexError):
            return {}
        return found

    def put(self, key: str, result: FileResult) -> None:
        encoded = result.stored if result.stored is not None else stored.encode(result)
        if encoded is not None:
            self._pending.append((key, *encoded))

    def save(self, keep: set[str]) -> None:
        """Store new entries and forget those no build input uses any more."""
        try:
            with closing(self._connect()) as db, db:
                # Forgetting first lets the new rows take the pages it frees: a build that
                # replaces every row (a new digest, other settings) then leaves the file
                # its size, not twice it (and the Pages workflow's cache with it).
                _forget_all_but(db, ("articles", "bodies"), "key", keep)
                rows = [row for row in self._pending if row[0] in keep]
                db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?)",
                               [(key, head) for key, head, _, _ in rows])
                db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)",
                               [(key, rest, body) for key, _, rest, body in rows])
                self._save_index(db)
        except sqlite3.DatabaseError:
            (self.folder / "articles.sqlite").unlink(missing_ok=True)
        self._pending.clear()

    def remember_files(self) -> None:
        """Save the index of files alone: after a build that had nothing to do but had to
        read files again to know it (copied, checked out, touched), so the next one need
        not."""
        try:
            with closing(self._connect()) as db, db:
                self._save_index(db)
        except sqlite3.DatabaseError:
            pass  # the next build reads the files again

    def _save_index(self, db: sqlite3.Connection) -> None:
        """Remember the files this build read, with the time (see _load_index)."""
        index = self._load_index()
        if self._seen == index and all(mark[1] < self._trusted_before
                                       for mark, _ in self._seen.values()):
            return  # the same files, all trusted: keep the time they were first seen
        # Every row is then as of now: a file this build did not read was trusted (written
        # well before the last index, so before this one too), and one it read again
        # unchanged has the row it had. Only the rows that differ are written.
        seen = self._seen
        db.executemany("DELETE FROM files WHERE rel = ?",
                       [(rel,) for rel in index if rel not in seen])
        db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                       [(rel, *mark, data_hash) for rel, (mark, data_hash) in seen.items()
                        if index.get(rel) != (mark, data_hash)])
        db.execute("INSERT OR REPLACE INTO meta VALUES ('files_written', ?)",
                   (str(time.time_ns()),))


class EntryStore:
    """Rendered list entries (entry.html) by article fingerprint, for one site key (the
    templates, config and digest's code), in the same SQLite file: a rebuild that
    re-renders a thousand list pages takes their entries from here."""

    def __init__(self, folder: Path, site_key: str) -> None:
        self.path = folder / "articles.sqlite"
        self.site_key = site_key

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS list_entries "
                   "(fingerprint TEXT PRIMARY KEY, site TEXT, html TEXT)")
        return db

    def load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            with closing(self._connect()) as db:
                return dict(db.execute("SELECT fingerprint, html FROM list_entries "
                                       "WHERE site = ?", (self.site_key,)))
        except sqlite3.DatabaseError:
            return {}

    def save(self, new: dict[str, str], keep: set[str]) -> None:
        """Add new entries; forget those of other site keys and of articles not in `keep`."""
        if not self.path.parent.is_dir():
            return
        try:
            with closing(self._connect()) as db, db:
                db.execute("DELETE FROM list_entries WHERE site != ?", (self.site_key,))
                # Forgotten before the new rows are added, as in ArticleCache.save.
                _forget_all_but(db, ("list_entries",), "fingerprint", keep)
                db.executemany("INSERT OR REPLACE INTO list_entries VALUES (?, ?, ?)",
                               [(key, self.site_key, html) for key, html in new.items()
                                if key in keep])
        except sqlite3.DatabaseError:
            pass  # entries are only a shortcut: the next build renders them again
