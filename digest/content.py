"""content/**/*.md -> [Article]: walk, split front matter, validate, render, sanitize.

Every problem is collected as a ContentError (file, line, field, how to fix it),
so a build reports all of them at once.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from digest.errors import ContentError

if TYPE_CHECKING:
    from digest.cache import ArticleCache
    from digest.config import Config
from digest.frontmatter import decode, split
from digest.markup import MarkupError, Renderer
from digest.models import Article, Source, Tag, tag_key
from digest.text import clean, first_paragraph, nothing_to_clean, slugify, truncate
from digest.yamldoc import Field

KNOWN_FIELDS = ("title", "date", "updated", "tags", "summary", "source", "dateline", "authors",
                "image", "lang", "slug", "id", "draft", "extra")
MAX_BODY_CHARS = 500_000
# Device names Windows refuses as file names (a clone of the site there would break).
RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                  *(f"lpt{n}" for n in range(1, 10))}
_EDITION_ID = re.compile(r"\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[-_]")
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_DATE_HINT = "write it as 2024-03-26, 2024-03-26 21:57 or 2024-03-26T21:57:13+02:00"


@dataclass(frozen=True)
class Settings:
    """What reading one file needs to know about the site (picklable, for workers)."""

    root: str
    timezone: str
    host: str
    base_path: str
    typographer: bool = False

    @classmethod
    def of(cls, config: Config) -> Settings:
        return cls(str(config.root), config.timezone, config.host, config.base_path,
                   config.typographer)


@dataclass
class FileResult:
    article: Article | None = None
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # As the build cache keeps it (head, rest, HTML; see digest.stored), made by a worker.
    stored: tuple[str, str, str] | None = None
    entry: tuple[str, str] | None = None  # (fingerprint, list entry HTML), made by a worker


@dataclass
class LoadResult:
    articles: list[Article]
    errors: list[ContentError]
    warnings: list[str]
    drafts: int = 0
    scheduled: int = 0
    cached: int = 0  # articles that came from the build cache
    next_change: datetime | None = None  # when the first scheduled article is due
    notes: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # editors' notes
    entries: dict[str, str] = field(default_factory=dict)  # list entries made while reading


class _Reader:
    """Turns one file's fields into an Article, collecting every problem on the way."""

    def __init__(self, path: str, settings: Settings, result: FileResult) -> None:
        self.path, self.settings, self.result = path, settings, result
        self.tz = ZoneInfo(settings.timezone)

    def error(self, line: int | None, name: str | None, message: str) -> None:
        self.result.errors.append(ContentError(self.path, line, name, message))

    def text(self, item: Field, value: Any = None) -> str | None:
        value = item.value if value is None else value
        if not isinstance(value, str):
            shown = item.raw if item.raw is not None else value
            self.error(item.line, item.key, f"must be text, but YAML read {shown!r} as "
                       f"{type(value).__name__}; quote it: {item.key}: \"{shown}\"")
            return None
        value, removed = clean(value)
        if removed:
            self.result.warnings.append(f"{self.path}:{item.line}: {item.key}: removed "
                                        f"{removed} control character(s)")
        return unicodedata.normalize("NFC", value.strip())

    def when(self, item: Field) -> datetime | None:
        value = item.value
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.error(item.line, item.key, f"{value!r} is not a date; {_DATE_HINT}")
                return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=self.tz) if value.tzinfo is None else value
        if isinstance(value, date):
            return datetime.combine(value, time(0, 0), self.tz)
        self.error(item.line, item.key, f"{item.raw or value!r} is not a date; {_DATE_HINT}")
        return None

    def url(self, item: Field, value: Any, *, relative_ok: bool = False) -> str | None:
        text = self.text(item, value)
        if text is None:
            return None
        parts = urlsplit(text)
        if parts.scheme in ("http", "https") and parts.netloc:
            return text
        if relative_ok and not parts.scheme and not parts.netloc and text:
            return text
        self.error(item.line, item.key, f"{text!r} is not an http(s) URL; write it like "
                   "https://example.org/story")
        return None

    def string_list(self, item: Field) -> list[str]:
        values = item.value
        if isinstance(values, str) and item.key == "authors":
            values = [values]
        if not isinstance(values, list):
            self.error(item.line, item.key, f"must be a list, like {item.key}: [one, two]")
            return []
        out = []
        for value in values:
            text = self.text(item, "" if value is None else value)
            if text:
                out.append(text)
            elif text == "":
                self.error(item.line, item.key, "has an empty entry")
        return out

    def boolean(self, item: Field) -> bool:
        if not isinstance(item.value, bool) or item.surprise():
            self.error(item.line, item.key, item.surprise() or "must be true or false")
            return False
        return item.value


def read_article(data: bytes, rel: str, settings: Settings, renderer: Renderer) -> FileResult:
    """Validate and render one article file's bytes."""
    result = FileResult()
    try:
        fields, body, body_line = split(rel, decode(rel, data))
    except ContentError as error:
        result.errors.append(error)
        return result
    reader = _Reader(rel, settings, result)
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for item in fields:
        lines[item.key] = item.line
        if item.key not in KNOWN_FIELDS and item.surprise():
            reader.error(item.line, item.key, str(item.surprise()))
            continue
        if item.key not in KNOWN_FIELDS:
            close = difflib.get_close_matches(item.key, KNOWN_FIELDS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else "; put custom fields under extra:"
            result.warnings.append(f"{rel}:{item.line}: {item.key}: unknown field{hint}")
            continue
        if item.error:
            hint = f"; {_DATE_HINT}" if item.key in ("date", "updated") else ""
            reader.error(item.line, item.key, f"{item.error}{hint}")
            continue
        if item.value is None:
            continue
        values[item.key] = _convert(reader, item)
    for required in ("title", "date"):
        if required not in lines:
            reader.error(1, required, f"is required; add a line '{required}: …' to the "
                         "front matter")
    if len(body) > MAX_BODY_CHARS:
        reader.error(body_line, None, f"the body is {len(body):,} characters; the limit is "
                     f"{MAX_BODY_CHARS:,}")
    if result.errors or None in (values.get("title"), values.get("date")):
        if not result.errors:
            reader.error(lines.get("title", 1), "title", "must not be empty")
        return result
    # The body is the file's text as it is: when the file's bytes hold nothing to clean,
    # neither does the body (field values may, through YAML's escapes, and are cleaned).
    body, removed = (body, 0) if nothing_to_clean(data) else clean(body)
    if removed:
        result.warnings.append(f"{rel}:{body_line}: body: removed {removed} control "
                               "character(s)")
    try:
        body_html = renderer.render(body)
    except MarkupError as error:
        reader.error(body_line, "body", str(error))
        return result
    return _assemble(reader, values, lines, body_html, rel)


def _convert(reader: _Reader, item: Field) -> Any:
    key = item.key
    if key in ("title", "summary", "dateline", "id"):
        return reader.text(item) or None
    if key in ("date", "updated"):
        return reader.when(item)
    if key == "tags":
        return reader.string_list(item)
    if key == "authors":
        return tuple(reader.string_list(item))
    if key == "draft":
        return reader.boolean(item)
    if key == "image":
        return reader.url(item, item.value, relative_ok=True)
    if key == "lang":
        text = reader.text(item)
        if text is not None and not _LANG.fullmatch(text):
            reader.error(item.line, key, f"{text!r} is not a language tag like en or pt-BR")
            return None
        return text
    if key == "slug":
        text = reader.text(item)
        if text is not None and (not text or slugify(text) != text.lower()):
            suggestion = slugify(text)
            hint = f"; did you mean '{suggestion}'?" if suggestion else ""
            reader.error(item.line, key, f"{text!r} is not a slug: use letters, digits and "
                         f"'-' only{hint}")
            return None
        if text and text.lower() in RESERVED_NAMES:
            reader.error(item.line, key, f"{text!r} is a reserved file name on Windows; "
                         "choose another slug")
            return None
        return text.lower() if text else None
    if key == "source":
        return _source(reader, item)
    if key == "extra":
        if not isinstance(item.value, dict):
            reader.error(item.line, key, "must be a mapping of custom fields")
            return None
        return item.value
    raise AssertionError(key)


def _source(reader: _Reader, item: Field) -> Source | None:
    if isinstance(item.value, str):
        name = reader.text(item)
        return Source(name) if name else None
    if not isinstance(item.value, dict) or set(item.value) - {"name", "url"}:
        reader.error(item.line, "source", "must be a name, or a mapping like "
                     "{name: Reuters, url: https://…}")
        return None
    name = reader.text(item, item.value.get("name", ""))
    url = reader.url(item, item.value["url"]) if item.value.get("url") else None
    if not name and url:
        name = urlsplit(url).hostname
    return Source(name, url) if name else None


def _assemble(reader: _Reader, values: dict[str, Any], lines: dict[str, int], body_html: str,
              rel: str) -> FileResult:
    settings, result = reader.settings, reader.result
    when: datetime = values["date"].astimezone(reader.tz)
    updated = values.get("updated")
    slug = values.get("slug") or file_slug(rel)
    if not slug or slug in RESERVED_NAMES:
        reader.error(1, "slug", f"the file name gives {'no slug' if not slug else repr(slug)}, "
                     "which cannot be a URL segment; add a 'slug:' field")
        return result
    tags: dict[str, Tag] = {}
    for name in values.get("tags") or []:
        tag_slug = slugify(name)
        if tag_key(name) not in tags and tag_slug:
            tags[tag_key(name)] = Tag(name, tag_slug)
    article_id = values.get("id") or (
        f"tag:{settings.host},{when:%Y-%m-%d}:{settings.base_path}{slug}")
    summary = values.get("summary") or first_paragraph(body_html)
    result.article = Article(
        source_path=rel, title=values["title"], date=when, slug=slug, id=article_id,
        body_html=body_html, summary=truncate(summary, 1000), tags=tuple(tags.values()),
        updated=updated.astimezone(reader.tz) if updated else None, source=values.get("source"),
        dateline=values.get("dateline"), authors=values.get("authors") or (),
        image=values.get("image"), lang=values.get("lang"), draft=values.get("draft", False),
        extra=values.get("extra") or {}, lines=lines,
    )
    return result


def file_slug(rel: str) -> str:
    """The slug an article file gets when it sets none: its name without a date prefix."""
    return slugify(_DATE_PREFIX.sub("", Path(rel).stem))


def find_files(content_dir: Path, root: Path) -> tuple[list[tuple[str, str]], list[ContentError]]:
    """Every article file under content_dir, sorted; symlinks out of the folder are refused."""
    found: list[tuple[str, str]] = []  # (path, path relative to root)
    errors: list[ContentError] = []
    content_real = content_dir.resolve()

    def symlink(entry: os.DirEntry[str], rel: str) -> None:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            errors.append(ContentError(rel, None, None, "is a symbolic link to a folder; "
                                       "content/ must hold the folders themselves"))
            return
        if not entry.name.endswith(".md"):
            return
        try:
            target = Path(entry.path).resolve(strict=True)
        except (OSError, RuntimeError):
            errors.append(ContentError(rel, None, None, "is a broken or looping symbolic link"))
            return
        if not target.is_relative_to(content_real):
            errors.append(ContentError(rel, None, None, "is a symbolic link to a file outside "
                                       f"{content_dir.name}/; copy the file in instead"))
            return
        found.append((entry.path, rel))

    def walk(folder: str, rel_folder: str, top: bool) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                rel = f"{rel_folder}/{name}"
                if entry.is_symlink():
                    symlink(entry, rel)
                elif entry.is_dir(follow_symlinks=False):
                    if not (top and name == "editions"):  # editors' notes, read apart
                        walk(entry.path, rel, False)
                elif name.endswith(".md"):
                    found.append((entry.path, rel))

    walk(str(content_dir), _rel(content_dir, root), True)
    found.sort(key=lambda pair: pair[1])
    return found, errors


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def finish(results: Iterable[FileResult], errors: list[ContentError], *, drafts: bool,
           now: datetime) -> LoadResult:
    """Gather per-file results: drop drafts and scheduled items, unify tag spellings."""
    load = LoadResult([], list(errors), [])
    spelling: dict[str, str] = {}
    for result in results:
        load.errors += result.errors
        load.warnings += result.warnings
        article = result.article
        if article is None:
            continue
        if article.draft and not drafts:
            load.drafts += 1
            continue
        if article.date > now and not drafts:
            load.scheduled += 1
            if load.next_change is None or article.date < load.next_change:
                load.next_change = article.date
            continue
        for tag in article.tags:
            spelling.setdefault(tag.key, tag.name)
        load.articles.append(article)
    load.articles = [respell(article, spelling) for article in load.articles]
    return load


def respell(article: Article, spelling: dict[str, str]) -> Article:
    """The article with its tags spelled as the site spells them (tag key -> name): the
    first spelling read of each tag."""
    if all(spelling[tag.key] == tag.name for tag in article.tags):
        return article
    return article.with_tags(tuple(Tag(spelling[tag.key], slugify(spelling[tag.key]))
                                   for tag in article.tags))


Finisher = Callable[[FileResult], None]
Mapper = Callable[[list[tuple[bytes, str]], Settings, "Finisher | None"], list[FileResult]]


def read_all(items: list[tuple[bytes, str]], settings: Settings,
             each: Finisher | None = None) -> list[FileResult]:
    """Render articles in this process (the default mapper); then `each(result)`, which
    the caller uses to share more per-article work out to the workers."""
    renderer = Renderer(settings.typographer)
    results = [read_article(data, rel, settings, renderer) for data, rel in items]
    if each is not None:
        for result in results:
            each(result)
    return results


Signature = tuple[int, int, int, int]  # size, mtime, ctime (ns), inode


def signature(status: os.stat_result) -> Signature:
    """What changes when a file is written: enough to trust it unchanged without reading."""
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


@dataclass
class Sources:
    """Every article file: its bytes, read once, unless the caller knew them unchanged."""

    items: list[tuple[bytes | None, str]]  # (data, path relative to the site root)
    errors: list[ContentError]
    notes: list[tuple[bytes, str]] = field(default_factory=list)  # editors' notes
    paths: list[str] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)

    def data(self, index: int) -> bytes:
        """The bytes of item `index`, read now if the scan skipped them."""
        data, rel = self.items[index]
        if data is None:
            with open(self.paths[index], "rb") as handle:
                data = handle.read()
            self.items[index] = (data, rel)
        return data


def read_file(path: str) -> tuple[Signature, bytes]:
    """A file's signature and bytes (the signature of the bytes read). os.open and os.read
    rather than open(): no file object or buffer, a third less time for 10,000 files."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        status = os.fstat(handle)
        data = os.read(handle, status.st_size + 1)  # a short read is the end of the file
        if len(data) > status.st_size:  # it grew since: read the rest
            parts = [data]
            while part := os.read(handle, 1 << 20):
                parts.append(part)
            data = b"".join(parts)
    finally:
        os.close(handle)
    return signature(status), data


def scan(content_dir: Path, settings: Settings,
         unchanged: Callable[[str, Signature], bool] | None = None) -> Sources:
    """Find and read every article file under content_dir; files that `unchanged` says
    are as they were (by their signature) are not read."""
    if not content_dir.is_dir():
        error = ContentError(_rel(content_dir, Path(settings.root)), None, None,
                             "the content folder does not exist; create it and add articles")
        return Sources([], [error])
    files, errors = find_files(content_dir, Path(settings.root))
    sources = Sources([], errors)
    for path, rel in files:
        try:
            mark = signature(os.stat(path))
            data = None
            if not (unchanged and unchanged(rel, mark)):
                mark, data = read_file(path)
        except OSError as error:
            errors.append(ContentError(rel, None, None, f"cannot read: {error.strerror}"))
            continue
        sources.items.append((data, rel))
        sources.paths.append(path)
        sources.signatures.append(mark)
    notes_dir = content_dir / "editions"
    notes, _ = find_files(notes_dir, Path(settings.root)) if notes_dir.is_dir() else ([], [])
    for path, rel in notes:
        try:
            with open(path, "rb") as handle:
                sources.notes.append((handle.read(), rel))
        except OSError as error:
            errors.append(ContentError(rel, None, None, f"cannot read: {error.strerror}"))
    return sources


def read_notes(sources: Sources, renderer: Renderer) -> tuple[dict[str, tuple[str | None, str]],
                                                            list[ContentError]]:
    """Editors' notes, content/editions/<edition id>.md -> {id: (title, html)}."""
    notes: dict[str, tuple[str | None, str]] = {}
    errors: list[ContentError] = []
    for data, rel in sources.notes:
        edition_id = Path(rel).stem
        if not _EDITION_ID.fullmatch(edition_id):
            errors.append(ContentError(rel, None, None, "an editor's note is named after its "
                                       "edition: 2024-03-26.md (daily) or 2024-W13.md (weekly)"))
            continue
        try:
            text = decode(rel, data)
            title = None
            if text.startswith("---\n"):
                fields, text, _ = split(rel, text)
                title = next((str(f.value) for f in fields if f.key == "title" and f.value),
                             None)
            notes[edition_id] = (title, renderer.render(clean(text)[0]))
        except ContentError as error:
            errors.append(error)
        except MarkupError as error:
            errors.append(ContentError(rel, None, "body", str(error)))
    return notes, errors


def load(sources: Sources, settings: Settings, *, drafts: bool, now: datetime,
         mapper: Mapper = read_all, cache: ArticleCache | None = None,
         keys: list[str] | None = None,
         entry: Callable[[Article], tuple[str, str] | None] | None = None) -> LoadResult:
    """Every article of `sources`, validated and rendered.

    `mapper` renders the files the cache does not have (possibly in other processes);
    `keys` are the files' cache keys when the caller has them already. `entry(article)`,
    when given, makes the article's list entry in the same process, as (key, HTML).
    """
    items = sources.items
    if keys is None:
        keys = cache.keys(sources) if cache else []
    cached = cache.get_many(keys) if cache else {}
    missing = [i for i, key in enumerate(keys) if key not in cached] if cache \
        else list(range(len(items)))
    work = [(sources.data(i), items[i][1]) for i in missing]

    def each(result: FileResult) -> None:  # in the process that read the file
        if cache is not None:
            result.stored = cache.encode(result)
        # Drafts and scheduled articles get one too (finish leaves them out; the entry
        # store forgets their entries): rare, and not worth a second copy of that rule.
        if entry is not None and result.article is not None:
            result.entry = entry(result.article)

    fresh = dict(zip(missing, mapper(work, settings, each), strict=True))
    results = [fresh[i] if i in fresh else cached[keys[i]] for i in range(len(items))]
    if cache:  # the caller saves them (ArticleCache.save) when it has a moment
        for i, result in fresh.items():
            cache.put(keys[i], result)
    loaded = finish(results, sources.errors, drafts=drafts, now=now)
    loaded.cached = len(items) - len(missing)
    loaded.entries = dict(result.entry for result in fresh.values() if result.entry)
    if sources.notes:
        loaded.notes, note_errors = read_notes(sources, Renderer(settings.typographer))
        loaded.errors += note_errors
    return loaded
