"""config.yaml -> Config: every field typed, documented and validated.

Unknown keys are errors with a "did you mean" hint; every error names the key
and the line. Paths are resolved against the folder that holds config.yaml.
"""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import ConfigError
from digest.output import safe_relative
from digest.yamldoc import Field, YamlError, load_mapping

PERMALINK_FIELDS = {"year", "month", "day", "slug"}


def _doc(text: str, **kwargs: Any) -> Any:
    return field(metadata={"doc": text}, **kwargs)


FEED_FORMATS = ("rss", "atom", "json")


@dataclass(frozen=True)
class FeedConfig:
    """The `feeds:` section."""

    items: int = _doc("How many of the newest articles each feed holds.", default=20)
    per_tag: bool = _doc("Write an RSS feed for every tag at /tags/<slug>/feed.xml.", default=True)
    full_content: bool = _doc("Put each article's full HTML in the feeds.", default=True)
    formats: tuple[str, ...] = _doc(
        "Feed formats to write: rss (always), atom (the site's and the editions' feeds) and "
        "json (JSON Feed, for the site and every tag).", default=FEED_FORMATS)


@dataclass(frozen=True)
class CurationConfig:
    """The `curation:` section, for `digest import`."""

    furniture: tuple[str, ...] = _doc(
        "Extra lines digest import drops from raw article text: regular expressions, "
        "matched case-insensitively against a whole line; added to the built-in list.",
        default=())


@dataclass(frozen=True)
class Config:
    """A validated site configuration."""

    title: str = _doc("The site's name, shown in the masthead and the feeds.")
    base_url: str = _doc("Absolute URL the site is served from; may have a path.")
    description: str = _doc("One line about the site, for feeds and search engines.", default="")
    language: str = _doc("Language of the site (BCP 47 tag, e.g. en, uk, pt-BR).", default="en")
    timezone: str = _doc("IANA time zone for dates without an offset, and for date archives.",
                         default="UTC")
    author: str = _doc("Who publishes the digest; used in feeds and page metadata.", default="")
    permalink: str = _doc("URL pattern of article pages, from {year} {month} {day} {slug}.",
                          default="/{year}/{month}/{day}/{slug}/")
    per_page: int = _doc("Articles per page on the home page and tag pages.", default=10)
    editions: str = _doc("Read the digest as editions: daily, weekly or off.", default="daily")
    week_start: str = _doc("First day of a weekly edition (monday … sunday).",
                           default="monday")
    search: bool = _doc("Full-text search with Pagefind (pip install 'digest[search]').",
                        default=False)
    typographer: bool = _doc(
        "Typographic punctuation in article bodies: curly quotes, en and em dashes, "
        "ellipses (Python-Markdown's smarty). Off by default: it makes Markdown slower.",
        default=False)
    feeds: FeedConfig = field(default_factory=FeedConfig,
                              metadata={"doc": "Feed settings: items, per_tag, full_content."})
    curation: CurationConfig = field(default_factory=CurationConfig,
                                     metadata={"doc": "Curation settings: furniture."})
    cname: str | None = _doc("Custom domain for GitHub Pages; writes output/CNAME.", default=None)
    content_dir: str = _doc("Folder of the Markdown articles.", default="content")
    layouts_dir: str = _doc("Folder of this site's template overrides.", default="layouts")
    static_dir: str = _doc("Folder copied as it is into the output (images, favicon).",
                           default="static")
    output_dir: str = _doc("Folder the site is built into; digest owns it.", default="output")
    cache_dir: str = _doc("Build cache (safe to delete); makes rebuilds fast.",
                          default=".digest-cache")
    keep: tuple[str, ...] = _doc("Files or folders in output/ that every build keeps "
                                 "(e.g. a hand-made CNAME, or .git to deploy from a branch).",
                                 default=())
    root: Path = field(default=Path("."), metadata={"internal": True})
    path: str = field(default="config.yaml", metadata={"internal": True})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with '/'."""
        return urlsplit(self.base_url).path or "/"

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def folder(self, name: str) -> Path:
        """One of the *_dir settings as an absolute path."""
        return (self.root / getattr(self, name)).resolve()

    def with_base_url(self, url: str) -> Config:
        return replace(self, base_url=_check_base_url(self.path, "base_url", url, None))


SECTIONS: dict[str, tuple[type, str]] = {"FeedConfig": (FeedConfig, "feed"),
                                         "CurationConfig": (CurationConfig, "curation")}


def _public_fields(cls: type) -> dict[str, Any]:
    return {f.name: f for f in fields(cls) if not f.metadata.get("internal")}


def _did_you_mean(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
    return f"unknown key; {hint}"


def _check_base_url(path: str, key: str, value: Any, line: int | None) -> str:
    if not isinstance(value, str):
        raise ConfigError(path, key, "must be a URL such as https://user.github.io/repo/", line)
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(path, key, f"{value!r} is not an absolute http(s) URL; "
                          "write it like https://user.github.io/repo/", line)
    if parts.query or parts.fragment:
        raise ConfigError(path, key, "must not have a query or fragment", line)
    if parts.username is not None or parts.password is not None:
        raise ConfigError(path, key, "must not hold a user name or password", line)
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        raise ConfigError(path, key, f"{value!r} has an invalid port", line) from None
    url_path = parts.path if parts.path.endswith("/") else parts.path + "/"
    # Percent-encoded once here (spaces, non-ASCII), so that every URL built from it is
    # the base path followed by encoded segments: '/новини/' -> '/%D0%BD...%B8/'.
    url_path = quote(url_path, safe="/%!$&'()*+,;=:@-._~")
    return f"{parts.scheme}://{parts.hostname}{port}{url_path}"


def _check_type(path: str, key: str, item: Field, expected: Any) -> Any:
    value, line = item.value, item.line
    hint = item.surprise()
    if expected is bool:
        if not isinstance(value, bool) or hint:
            raise ConfigError(path, key, hint or "must be true or false", line)
    elif expected is int:
        if isinstance(value, bool) or not isinstance(value, int) or hint:
            raise ConfigError(path, key, hint or "must be a whole number", line)
        if value < 1:
            raise ConfigError(path, key, "must be 1 or more", line)
    elif expected in (str, "str | None"):
        if value is None and expected is not str:
            return None
        if value is None:
            raise ConfigError(path, key, "has no value; write one, or remove the line to "
                              "use the default", line)
        if not isinstance(value, str):
            raise ConfigError(path, key, f"must be text; quote it: {key}: \"{value}\"", line)
    elif expected == "tuple[str, ...]":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(path, key, f"must be a list of names, like {key}: [CNAME, .git]",
                              line)
        return tuple(value)
    return value


def _load_section(path: str, cls: type, items: list[Field], prefix: str = "") -> dict[str, Any]:
    known = _public_fields(cls)
    values: dict[str, Any] = {}
    for item in items:
        key = f"{prefix}{item.key}"
        if item.key not in known:
            raise ConfigError(path, key, _did_you_mean(item.key, list(known)), item.line)
        if item.error:
            raise ConfigError(path, key, item.error, item.line)
        kind = known[item.key].type
        if kind in SECTIONS:
            section_class, what = SECTIONS[kind]
            if not isinstance(item.value, dict):
                raise ConfigError(path, key, f"must be a mapping of {what} settings", item.line)
            section = _load_section(path, section_class, list(item.children), key + ".")
            values[item.key] = section_class(**section)
            continue
        expected = {"str": str, "int": int, "bool": bool}.get(kind, kind)
        values[item.key] = _check_type(path, key, item, expected)
    return values


def _permalink_problem(pattern: str) -> str | None:
    """Why a permalink pattern cannot work, or None."""
    if not pattern.startswith("/") or not pattern.endswith("/"):
        return "must start and end with '/', like /{year}/{month}/{day}/{slug}/"
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return "has an unmatched '{' or '}'; write fields like {slug}"
    names = set()
    for literal, name, spec, conversion in parts:
        if re.search(r"[\\?#%\s]", literal):
            return "must not contain spaces or any of \\ ? # %"
        if name is None:
            continue
        if name not in PERMALINK_FIELDS or spec or conversion:
            return "may use only {year} {month} {day} {slug}, and must use {slug}"
        names.add(name)
    if "slug" not in names:
        return "may use only {year} {month} {day} {slug}, and must use {slug}"
    if any(segment in ("", ".", "..") for segment in pattern[1:-1].split("/")):
        return "must not have empty, '.' or '..' segments, like /{year}//{slug}/"
    return None


def _validate(cfg: Config, lines: dict[str, int]) -> Config:
    def fail(key: str, message: str) -> None:
        raise ConfigError(cfg.path, key, message, lines.get(key))

    base_url = _check_base_url(cfg.path, "base_url", cfg.base_url, lines.get("base_url"))
    try:
        ZoneInfo(cfg.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail("timezone", f"unknown time zone {cfg.timezone!r}; use an IANA name like "
             "Europe/Kyiv or UTC")
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", cfg.language):
        fail("language", f"{cfg.language!r} is not a language tag like en or pt-BR")
    problem = _permalink_problem(cfg.permalink)
    if problem:
        fail("permalink", problem)
    if cfg.cname is not None and not re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}", cfg.cname):
        fail("cname", f"{cfg.cname!r} is not a domain name like news.example.org")
    if cfg.editions not in ("daily", "weekly", "off"):
        fail("editions", f"{cfg.editions!r} is not one of daily, weekly, off")
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    if cfg.week_start not in weekdays:
        fail("week_start", f"{cfg.week_start!r} is not a weekday name like monday")
    for name in cfg.feeds.formats:
        if name not in FEED_FORMATS:
            fail("feeds", f"formats: {name!r} is not a feed format; use rss, atom or json")
    if "rss" not in cfg.feeds.formats:
        fail("feeds", "formats: must include rss, the feed every page links to and readers "
             "follow; add atom or json beside it")
    for pattern in cfg.curation.furniture:
        try:
            re.compile(pattern)
        except re.error as error:
            fail("curation", f"furniture: {pattern!r} is not a regular expression: {error}")
    for name in cfg.keep:
        try:
            safe_relative(name)
        except ValueError:
            fail("keep", f"{name!r} must be a name inside the output folder, like CNAME")
    if not cfg.title.strip():
        fail("title", "must not be empty")
    return replace(cfg, base_url=base_url)


def load(path: Path) -> Config:
    """Read and validate config.yaml."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(shown, "config", "file not found; run digest in the site's folder, "
                          "pass --config FILE, or create a site with digest init DIR") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(shown, "config", f"cannot read: {error}") from None
    try:
        items = load_mapping(text)
    except YamlError as error:
        raise ConfigError(shown, "config", error.message, error.line) from None
    values = _load_section(shown, Config, items)
    for required in ("title", "base_url"):
        if required not in values:
            raise ConfigError(shown, required, "is required")
    cfg = Config(**values, root=path.parent.resolve(), path=shown)
    return _validate(cfg, {item.key: item.line for item in items})


def reference() -> list[tuple[str, str, str]]:
    """(key, default, doc) for every setting, for the README and `digest init`."""
    rows = []
    for cls, prefix in ((Config, ""), (FeedConfig, "feeds."), (CurationConfig, "curation.")):
        for f in _public_fields(cls).values():
            if f.default is not MISSING:
                default = repr(f.default)
            elif f.default_factory is not MISSING:
                default = "(section)"
            else:
                default = "required"
            rows.append((prefix + f.name, default, f.metadata["doc"]))
    return rows
