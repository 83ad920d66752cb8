"""The content model: frozen dataclasses, no I/O."""

from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from digest.editions import Edition
    from digest.views import ArticleView

Value = TypeVar("Value", bound=type)


def quick_repr(cls: Value) -> Value:
    """Give a dataclass a repr made from a tuple of its fields, formatted in C.

    Output keys and digests are reprs of view values, taken tens of thousands of times
    a build; the generated repr guards against reference cycles these plain values
    cannot have, and costs half again as much.
    """
    values = operator.attrgetter(*(f.name for f in fields(cls) if f.repr))
    name = cls.__name__

    def __repr__(self: object) -> str:
        return name + repr(values(self))

    cls.__repr__ = __repr__  # type: ignore[method-assign]
    return cls


def pickled_by_fields(cls: Value) -> Value:
    """Pickle a frozen dataclass as a call with its fields: a third less time than the
    generated __getstate__/__setstate__ pair, for the articles workers send back."""
    names = [f.name for f in fields(cls) if f.init]
    get = operator.attrgetter(*names)
    values = get if len(names) > 1 else lambda self: (get(self),)  # one name: no tuple

    def __reduce__(self: object) -> tuple[type, tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


@pickled_by_fields
@quick_repr
@dataclass(frozen=True, slots=True)
class Source:
    """Where a curated item came from."""

    name: str
    url: str | None = None


@pickled_by_fields
@quick_repr
@dataclass(frozen=True, slots=True)
class Tag:
    """A tag as displayed (first spelling seen) and as it appears in URLs."""

    name: str
    slug: str
    key: str = field(init=False, repr=False, compare=False)  # see tag_key

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", tag_key(self.name))


def tag_key(name: str) -> str:
    """Tags match case-insensitively: 'Climate' and 'climate' are one tag."""
    return name.casefold()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    """One curated item, validated, with its body rendered and sanitized."""

    source_path: str  # relative to the site root, with '/' separators
    title: str
    date: datetime  # timezone-aware, in the site's time zone
    slug: str
    id: str
    body_html: str
    summary: str
    tags: tuple[Tag, ...] = ()
    updated: datetime | None = None
    source: Source | None = None
    dateline: str | None = None
    authors: tuple[str, ...] = ()
    image: str | None = None
    lang: str | None = None
    draft: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # field -> line
    # A hash of every field but the lines: set when the article is made, kept by the cache.
    digest: str = field(default="", compare=False)
    # A hash of every field but the body and the lines: what planning the site reads.
    shape: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.digest:
            shape, digest = article_digests(self)
            object.__setattr__(self, "shape", shape)
            object.__setattr__(self, "digest", digest)

    def with_tags(self, tags: tuple[Tag, ...]) -> Article:
        """The article with `tags` instead of its own (its digests are kept)."""
        return replace(self, tags=tags)

    @property
    def last_modified(self) -> datetime:
        return self.updated if self.updated and self.updated > self.date else self.date


_DIGESTED = tuple(f.name for f in fields(Article)
                  if f.name not in ("body_html", "lines", "digest", "shape"))


def article_digests(article: Article) -> tuple[str, str]:
    """(shape, digest): a hash of every field but the body, and one that also covers the
    body. The digest changes whenever anything a page can show changes; the shape only
    when something changes that decides where the article is listed or linked."""
    small = tuple(getattr(article, name) for name in _DIGESTED)
    shape = hashlib.blake2b(repr(small).encode("utf-8", "surrogatepass"), digest_size=16)
    digest = hashlib.blake2b(article.body_html.encode("utf-8", "surrogatepass"),
                             digest_size=16)
    digest.update(shape.digest())
    return shape.hexdigest(), digest.hexdigest()


def shape_line(article: Article) -> str:
    """What planning reads of an article: every field but the body, and its tags as
    spelled on the site (which may differ from the file's; see content.finish)."""
    tags = "\1".join(f"{tag.name}\2{tag.slug}" for tag in article.tags)
    return f"{article.shape}\0{tags}"


class Page:
    """One HTML page to render: where it goes, with which template and data."""

    __slots__ = ("_context", "output_path", "template", "url")

    def __init__(self, url: str, output_path: str, template: str,
                 context: dict[str, Any] | None) -> None:
        self.url, self.output_path, self.template = url, output_path, template
        self._context = context

    @property
    def context(self) -> dict[str, Any]:
        assert self._context is not None
        return self._context

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r}, {self.output_path!r}, {self.template!r})"


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed to write: its format, where it goes, and its newest items."""

    kind: str  # "rss" or "atom"
    output_path: str
    url: str
    title: str
    home_url: str
    articles: tuple[tuple[Article, ArticleView], ...]


@dataclass(frozen=True, slots=True)
class EditionFeedSpec:
    """A feed with one item per edition."""

    kind: str  # "rss" or "atom"
    output_path: str
    url: str
    title: str
    home_url: str
    editions: tuple[Edition, ...]
