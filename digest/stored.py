"""How the build cache keeps an article: its head, what planning the site reads, decoded
for every article of a build; and the rest with its HTML, decoded only in the process that
renders a page showing the article, when first read (StoredArticle)."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.content import FileResult
from digest.errors import ContentError, DigestError
from digest.models import Article, Source, Tag

# An article is stored as two JSON lists of its fields in these orders (names would cost
# a third of the decoding), and its HTML, stored apart as text (a body as JSON would cost
# more to decode than everything else). The head holds what planning the site reads.
_HEAD = ("source_path", "title", "date", "slug", "id", "summary", "tags", "updated", "image",
         "lang", "draft", "digest", "shape")
_REST = ("source", "dateline", "authors", "extra", "lines")
_ORDER = tuple(f.name for f in fields(Article))
assert sorted((*_HEAD, *_REST, "body_html")) == sorted(_ORDER)
_DATE, _UPDATED, _TAGS = (_HEAD.index(name) for name in ("date", "updated", "tags"))
_SOURCE, _AUTHORS = (_REST.index(name) for name in ("source", "authors"))

Encoded = tuple[str, str, str]  # head, rest, HTML


def encode(result: FileResult) -> Encoded | None:
    """The result as JSON (with the article's head), its rest as JSON, and the article's
    HTML; None when it would not come back identical."""
    head = rest = None
    body = ""
    if result.article is not None:
        a = result.article
        head = [getattr(a, name) for name in _HEAD]
        head[_DATE] = a.date.isoformat()
        head[_UPDATED] = a.updated.isoformat() if a.updated else None
        head[_TAGS] = [[tag.name, tag.slug] for tag in a.tags]
        rest = [[a.source.name, a.source.url] if a.source else None, a.dateline,
                list(a.authors), a.extra, a.lines]
        body = a.body_html
    errors = [[e.path, e.line, e.field, e.message] for e in result.errors]
    try:
        text = json.dumps([head, errors, result.warnings], ensure_ascii=False,
                          separators=(",", ":"))
        rest_text = json.dumps(rest, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None  # e.g. dates inside extra: not cached, read each time
    if result.article is not None and result.article.extra and \
            json.loads(rest_text)[_REST.index("extra")] != result.article.extra:
        return None  # e.g. tuples inside extra would come back as lists
    return text, rest_text, body


def decode_head(text: str, tz: ZoneInfo,
                 tags: dict[tuple[str, str], Tag]) -> tuple[list[object] | None, FileResult]:
    """The head's values, ready for an Article, and the result without its article;
    `tags` shares equal Tags between articles."""
    head, errors, warnings = json.loads(text)
    result = FileResult(errors=[ContentError(*e) for e in errors], warnings=warnings)
    if head is not None:
        head[_DATE] = datetime.fromisoformat(head[_DATE]).astimezone(tz)
        if head[_UPDATED]:
            head[_UPDATED] = datetime.fromisoformat(head[_UPDATED]).astimezone(tz)
        shared = []
        for name, slug in head[_TAGS]:
            tag = tags.get((name, slug))
            if tag is None:
                tag = tags[name, slug] = Tag(name, slug)
            shared.append(tag)
        head[_TAGS] = tuple(shared)
    return head, result


def _assemble(head: dict[str, object], rest_text: str, body: str) -> Article:
    """The Article from its head's values (by name), its rest as JSON and its HTML."""
    rest = json.loads(rest_text)
    rest[_SOURCE] = Source(*rest[_SOURCE]) if rest[_SOURCE] else None
    rest[_AUTHORS] = tuple(rest[_AUTHORS])
    values = {**head, **dict(zip(_REST, rest, strict=True)), "body_html": body}
    return Article(*[values[name] for name in _ORDER])


def decode(text: str, rest_text: str, body: str, tz: ZoneInfo,
            tags: dict[tuple[str, str], Tag]) -> FileResult:
    """The FileResult that encode stored, whole."""
    head, result = decode_head(text, tz, tags)
    if head is not None:
        result.article = _assemble(dict(zip(_HEAD, head, strict=True)), rest_text, body)
    return result


class CacheChanged(DigestError):
    """The build cache lost an article the build had read from it."""


class RestReader:
    """Reads the rest and HTML of stored articles by key, on a connection of the process
    that asks: a render worker forked from the build opens its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def read(self, key: str, source_path: str) -> tuple[str, str]:
        if self._db is None or self._pid != os.getpid():
            self._db, self._pid = sqlite3.connect(self.path, timeout=30), os.getpid()
        try:
            # fetchall: the statement finishes, so no read lock outlives the call
            rows = self._db.execute("SELECT rest, body FROM bodies WHERE key = ?",
                                    (key,)).fetchall()
        except sqlite3.DatabaseError:
            rows = []
        if not rows:
            raise CacheChanged(f"{source_path}: the build cache ({self.path}) changed while "
                               "the site was building; build again")
        return rows[0]


class _Later:
    """A field of a StoredArticle that is decoded on first use, with the rest."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, article: StoredArticle | None, owner: type | None = None) -> object:
        return self if article is None else getattr(article.whole(), self.name)


class StoredArticle(Article):
    """An Article from the cache whose head (see _HEAD) is decoded and whose other fields
    are decoded when first read, in the process that reads them. It holds no copy of its
    HTML meanwhile, and it is equal to the Article it was stored from."""

    __slots__ = ("_key", "_reader", "_whole")

    body_html = _Later()
    source = _Later()
    dateline = _Later()
    authors = _Later()
    extra = _Later()
    lines = _Later()

    def whole(self) -> Article:
        """This article, every field decoded."""
        if self._whole is None:
            rest, body = self._reader.read(self._key, self.source_path)
            head = {name: getattr(self, name) for name in _HEAD}
            object.__setattr__(self, "_whole", _assemble(head, rest, body))
        return self._whole

    def with_tags(self, tags: tuple[Tag, ...]) -> StoredArticle:
        head = [getattr(self, name) for name in _HEAD]
        head[_TAGS] = tags
        return stored_article(head, self._key, self._reader)

    def __eq__(self, other: object) -> bool:  # unhashable, as an Article (its extra is a dict)
        return self.whole() == (other.whole() if isinstance(other, StoredArticle) else other)


# Slots set straight through their descriptors: a frozen dataclass's own __init__ takes
# longer, and a StoredArticle has no value for its other fields yet.
_SETTERS = (*(Article.__dict__[name].__set__ for name in _HEAD),
            *(StoredArticle.__dict__[name].__set__ for name in ("_key", "_reader", "_whole")))


def stored_article(head: list[object], key: str, reader: RestReader) -> StoredArticle:
    article = StoredArticle.__new__(StoredArticle)
    for put, value in zip(_SETTERS, (*head, key, reader, None), strict=True):
        put(article, value)
    return article
