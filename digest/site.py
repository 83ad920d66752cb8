"""Pure planning: sort, group by tag and date, paginate, permalinks, related items,
collision detection -> SitePlan. Reads no files and renders nothing."""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from digest import charts
from digest.config import Config
from digest.editions import plan as plan_editions
from digest.errors import ContentError, ContentErrors
from digest.models import Article, EditionFeedSpec, FeedSpec, Page, Tag
from digest.views import (
    MONTHS,
    ArticleView,
    FeedLink,
    Link,
    PageMeta,
    SiteView,
    article_page_meta,
    day_display,
    output_file,
    url_path,
)

RELATED_COUNT = 5


@dataclass
class SitePlan:
    articles: list[tuple[Article, ArticleView]]
    pages: list[Page] = field(default_factory=list)
    feeds: list[FeedSpec] = field(default_factory=list)
    tags: list[Link] = field(default_factory=list)
    edition_feeds: list[EditionFeedSpec] = field(default_factory=list)


class _Paths:
    """Claims output paths; two claims on one path (ignoring case and Unicode form) clash."""

    def __init__(self) -> None:
        self.claims: dict[str, tuple[str, Article | None]] = {}
        self.errors: list[ContentError] = []

    def claim(self, output_path: str, what: str, article: Article | None = None) -> None:
        key = unicodedata.normalize("NFC", output_path).casefold()
        previous = self.claims.setdefault(key, (what, article))
        if previous[0] == what and previous[1] is article:
            return
        first, first_article = previous
        target = article or first_article
        where = target.source_path if target else what
        line = target.lines.get("slug", target.lines.get("title", 1)) if target else None
        self.errors.append(ContentError(
            where, line, "slug" if target else None,
            f"{first} and {what} both want /{output_path}; give one of them a different "
            "slug (or file name)"))


def article_url(config: Config, article: Article) -> str:
    d = article.date
    return config.permalink.format(year=f"{d.year:04d}", month=f"{d.month:02d}",
                                   day=f"{d.day:02d}", slug=article.slug)


def article_view(site: SiteView, article: Article, url: str) -> ArticleView:
    """What pages show of an article whose permalink is `url`."""
    return ArticleView(article, url_path(site.base_path, url), site)


# Set bits are looked for in the lowest WINDOW_BITS first, a small int whose search costs
# the same however large the site; the rest of the int is searched only past them.
WINDOW_BITS = 1024
_WINDOW = (1 << WINDOW_BITS) - 1


def _take_lowest(bits: int, need: int, offset: int, found: list[int]) -> int:
    """Append offset + the positions of the lowest `need` set bits of `bits`, ascending;
    returns how many are still needed."""
    window = bits & _WINDOW
    while window and need:
        lowest = window & -window
        found.append(offset + lowest.bit_length() - 1)
        window ^= lowest
        need -= 1
    rest = bits >> WINDOW_BITS if need else 0
    while rest and need:  # a few operations on the whole int
        lowest = rest & -rest
        found.append(offset + WINDOW_BITS + lowest.bit_length() - 1)
        rest ^= lowest
        need -= 1
    return need


def _bit_set(positions: list[int], size: int) -> int:
    """The int whose set bits are `positions` (in linear time: a sum of powers of two
    would copy the growing int once per position)."""
    flags = bytearray((size + 7) // 8)
    for position in positions:
        flags[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(flags, "little")


def _related(index: int, keys: list[str], members: dict[str, int]) -> list[int]:
    """Up to five other articles: most shared tags first; among equals, earlier coverage
    before later, newest first.

    Preferring earlier coverage among equals keeps an article's list stable as new
    articles arrive, so a day's curation does not re-render every older page.
    `members` maps a tag to a bit set of newest-first positions, so counting shared
    tags over every article is a few big-integer operations per article.
    """
    if not keys:
        return []
    # at_least[n]: positions that share at least n of this article's tags (this one too).
    at_least = [0] * (len(keys) + 2)
    for count, key in enumerate(keys, start=1):
        bits = members[key]
        at_least[count] = at_least[count - 1] & bits if count > 1 else bits
        for n in range(count - 1, 1, -1):
            at_least[n] |= at_least[n - 1] & bits
        if count > 1:
            at_least[1] |= bits
    found: list[int] = []
    need = RELATED_COUNT
    for n in range(len(keys), 0, -1):
        level = at_least[n] ^ at_least[n + 1]  # exactly n shared tags
        if not level:
            continue
        # Earlier coverage: positions after this one (newest-first order), nearest first.
        need = _take_lowest(level >> (index + 1), need, index + 1, found)
        if need and index:  # then later coverage, newest first
            need = _take_lowest(level & ((1 << index) - 1), need, 0, found)
        if not need:
            break
    return found


class _Shown:
    """What each article page shows besides its article: the newer and older articles and
    the related ones, for the articles in newest-first order."""

    def __init__(self, views: list[ArticleView], tag_keys: list[list[str]],
                 bitsets: dict[str, int]) -> None:
        self.views, self.tag_keys, self.bitsets = views, tag_keys, bitsets

    def around(self, i: int) -> tuple[ArticleView | None, ArticleView | None,
                                      list[ArticleView]]:
        """(newer, older, related) of article i."""
        views = self.views
        return (views[i - 1] if i > 0 else None,
                views[i + 1] if i + 1 < len(views) else None,
                [views[j] for j in _related(i, self.tag_keys[i], self.bitsets)])


class ArticlePage(Page):
    """An article's page, whose data is made when first asked for: a rebuild works out
    the output key of every article page from what it shows (see jobs.page_job) but
    renders few of them, and a render worker makes the data of those it renders."""

    __slots__ = ("_around", "_index", "_shown", "_site")

    def __init__(self, url: str, output_path: str, index: int, shown: _Shown,
                 site: SiteView) -> None:
        super().__init__(url, output_path, "article.html", None)
        self._index, self._shown, self._site = index, shown, site
        self._around: tuple[ArticleView | None, ArticleView | None,
                            list[ArticleView]] | None = None

    @property
    def article(self) -> ArticleView:
        return self._shown.views[self._index]

    def around(self) -> tuple[ArticleView | None, ArticleView | None, list[ArticleView]]:
        """(newer, older, related): the other articles the page shows, worked out once
        (for the page's key, then for its data when the same process renders it)."""
        if self._around is None:
            self._around = self._shown.around(self._index)
        return self._around

    @property
    def context(self) -> dict[str, Any]:
        if self._context is None:
            view = self.article
            newer, older, related = self.around()
            self._context = {"page": article_page_meta(self._site, view), "article": view,
                             "related": related, "newer": newer, "older": older}
        return self._context


def _paginate(paths: _Paths, base: str, items: list[ArticleView], per_page: int,
              template: str, meta: PageMeta, extra: dict[str, Any], site: SiteView,
              owner: Article | None = None) -> list[Page]:
    """'/tags/x/' -> '/tags/x/', '/tags/x/page/2/', ... (one page even when empty)."""
    chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
    urls = [base if n == 0 else f"{base}page/{n + 1}/" for n in range(len(chunks))]
    pages = []
    for n, chunk in enumerate(chunks):
        url = url_path(site.base_path, urls[n])
        paths.claim(output_file(urls[n]), f"“{meta.title}”", owner)
        pagination = {
            "number": n + 1, "count": len(chunks),
            "previous": url_path(site.base_path, urls[n - 1]) if n > 0 else None,
            "next": url_path(site.base_path, urls[n + 1]) if n + 1 < len(chunks) else None,
        }
        title = meta.title if n == 0 else f"{meta.title} (page {n + 1})"
        page_meta = PageMeta(title, url, site.abs(url), meta.description, meta.feeds, meta.kind)
        pages.append(Page(url, output_file(urls[n]), template,
                          {"page": page_meta, "items": chunk, "pagination": pagination, **extra}))
    return pages


def plan(articles: list[Article], config: Config, site: SiteView,
         notes: dict[str, tuple[str | None, str]] | None = None) -> SitePlan:
    """Every page and feed of the site. Raises ContentErrors on clashing paths or ids."""
    ordered = sorted(articles, key=lambda a: (-a.date.timestamp(), a.source_path))
    paths = _Paths()
    for fixed in ("404.html", "sitemap.xml", "robots.txt", ".nojekyll", "feed.xml", "atom.xml",
                  "feed.json", "CNAME", "static/style.css", "pagefind"):
        paths.claim(fixed, f"the site's {fixed}")
    urls = [article_url(config, a) for a in ordered]
    views = [article_view(site, a, u) for a, u in zip(ordered, urls, strict=True)]
    result = SitePlan(list(zip(ordered, views, strict=True)))
    ids: dict[str, tuple[Article, str]] = {}
    for article, url in zip(ordered, urls, strict=True):
        paths.claim(output_file(url), article.source_path, article)
        first, first_url = ids.setdefault(article.id, (article, url))
        # Same id and same URL (same slug and day): the URL clash says it already.
        if first is not article and first_url != url:
            paths.errors.append(ContentError(
                article.source_path, article.lines.get("id", 1), "id",
                f"the feed id {article.id!r} is also used by {first.source_path}; "
                "ids must be unique (set a different id:)"))

    members: dict[str, list[int]] = defaultdict(list)
    tags: dict[str, Tag] = {}
    tag_keys: list[list[str]] = []
    for i, article in enumerate(ordered):
        keys = []
        for tag in article.tags:
            key = tag.key
            members[key].append(i)
            tags.setdefault(key, tag)
            keys.append(key)
        tag_keys.append(sorted(set(keys)))
    shown = _Shown(views, tag_keys,
                   {key: _bit_set(positions, len(ordered)) for key, positions in members.items()})
    result.pages += [ArticlePage(view.url, output_file(urls[i]), i, shown, site)
                     for i, view in enumerate(views)]

    editions = plan_editions(result.articles, config, site, notes or {}, paths.claim)
    result.pages += editions.pages
    result.edition_feeds = editions.feeds
    home = PageMeta(config.title, site.home_url, site.abs(site.home_url), config.description,
                    site.feeds, "home")
    result.pages += _paginate(paths, "/", views, config.per_page, "list.html", home,
                              {"heading": config.title, "latest_edition": editions.latest}, site)
    if config.search:
        search_url = url_path(site.base_path, "search/")
        paths.claim("search/index.html", "the search page")
        meta = PageMeta("Search", search_url, site.abs(search_url),
                        f"Search {config.title}", site.feeds, "search")
        result.pages.append(Page(search_url, "search/index.html", "search.html", {"page": meta}))
    _plan_tags(result, paths, config, site, members, tags, views)
    _plan_archives(result, paths, site, views, ordered)
    not_found = PageMeta("Page not found", url_path(site.base_path, "404.html"),
                         site.abs(url_path(site.base_path, "404.html")), "", site.feeds, "404")
    result.pages.append(Page(not_found.url, "404.html", "404.html", {"page": not_found}))
    _plan_feeds(result, config, site, members, tags)
    if paths.errors:
        raise ContentErrors(paths.errors)
    return result


def _tag_sizes(counts: list[int]) -> list[int]:
    """1 to 5, by the logarithm of use, so a few huge tags do not flatten the rest."""
    top = max(counts, default=1)
    if top <= 1:
        return [1] * len(counts)
    return [1 + round(4 * math.log(count) / math.log(top)) for count in counts]


def _plan_tags(result: SitePlan, paths: _Paths, config: Config, site: SiteView,
               members: dict[str, list[int]], tags: dict[str, Tag],
               views: list[ArticleView]) -> None:
    by_name = sorted(tags.values(), key=lambda t: (t.name.casefold(), t.slug))
    result.tags = [Link(t.name, url_path(site.base_path, f"tags/{t.slug}/"), len(members[t.key]),
                        t.slug) for t in by_name]
    index = PageMeta("Tags", site.tags_url, site.abs(site.tags_url),
                     f"All tags of {config.title}", site.feeds, "tags")
    paths.claim("tags/index.html", "the tag index")
    result.pages.append(Page(site.tags_url, "tags/index.html", "tags.html",
                             {"page": index, "tags": result.tags,
                              "sizes": _tag_sizes([t.count for t in result.tags])}))
    by_slug: dict[str, Tag] = {}
    for tag in by_name:
        first = by_slug.setdefault(unicodedata.normalize("NFC", tag.slug).casefold(), tag)
        if first is not tag:  # 'C' and 'C++': two tags, one URL
            article = result.articles[members[tag.key][0]][0]
            paths.errors.append(ContentError(
                article.source_path, article.lines.get("tags", 1), "tags",
                f"the tags '{first.name}' and '{tag.name}' both get the URL /tags/{tag.slug}/; "
                "rename one of them"))
            continue
        base = f"/tags/{tag.slug}/"
        feeds = site.feeds
        feed_url = None
        if config.feeds.per_tag:
            feed_url = url_path(site.base_path, f"{base}feed.xml")
            feeds = (FeedLink(f"{tag.name} ({config.title})", feed_url, "application/rss+xml"),
                     *site.feeds)
            paths.claim(f"tags/{tag.slug}/feed.xml", f"the feed of tag '{tag.name}'")
            paths.claim(f"tags/{tag.slug}/feed.json", f"the JSON feed of tag '{tag.name}'")
        meta = PageMeta(f"Tagged “{tag.name}”", "", "", f"Articles tagged {tag.name}", feeds,
                        "tag")
        items = [views[i] for i in members[tag.key]]
        result.pages += _paginate(paths, base, items, config.per_page, "list.html", meta,
                                  {"heading": f"Tagged “{tag.name}”", "tag": tag,
                                   "tag_feed": feed_url}, site,
                                  owner=result.articles[members[tag.key][0]][0])


def _plan_archives(result: SitePlan, paths: _Paths, site: SiteView, views: list[ArticleView],
                   ordered: list[Article]) -> None:
    years: dict[str, dict[str, dict[str, list[ArticleView]]]] = {}
    for article, view in zip(ordered, views, strict=True):
        d = article.date
        years.setdefault(f"{d.year:04d}", {}).setdefault(f"{d.month:02d}", {}).setdefault(
            f"{d.day:02d}", []).append(view)

    def add(path: str, title: str, kind: str, context: dict[str, Any]) -> None:
        url = url_path(site.base_path, path)
        paths.claim(output_file(path), f"the archive {path}")
        meta = PageMeta(title, url, site.abs(url), f"{title} — {site.title}", site.feeds, kind)
        result.pages.append(Page(url, output_file(path), "archive.html",
                                 {"page": meta, "heading": title, **context}))

    overview = []
    for year, months in years.items():
        month_links = [Link(f"{MONTHS[int(m) - 1]} {year}", url_path(site.base_path,
                            f"/{year}/{m}/"), sum(len(v) for v in days.values()), m)
                       for m, days in months.items()]
        overview.append({"name": year, "url": url_path(site.base_path, f"/{year}/"),
                         "count": sum(link.count for link in month_links),
                         "months": month_links})
        add(f"/{year}/", year, "year", {"groups": month_links, "items": []})
        for month, days in months.items():
            month_name = f"{MONTHS[int(month) - 1]} {year}"
            day_links = [Link(day_display(v[0].article.date),
                              url_path(site.base_path, f"/{year}/{month}/{d}/"), len(v), d)
                         for d, v in days.items()]
            items = [view for day in days.values() for view in day]
            add(f"/{year}/{month}/", month_name, "month", {"groups": day_links, "items": items})
            for day, day_items in days.items():
                title = day_display(day_items[0].article.date)
                add(f"/{year}/{month}/{day}/", title, "day", {"groups": [], "items": day_items})
    counts = {(int(y), int(m)): sum(len(d) for d in days.values())
              for y, months in years.items() for m, days in months.items()}
    month_urls = {(int(y), int(m)): url_path(site.base_path, f"/{y}/{m}/")
                  for y, months in years.items() for m in months}
    add("/archive/", "Archive", "archive", {"groups": [], "items": [], "years": overview,
                                            "chart": charts.monthly(counts, month_urls)})


def _plan_feeds(result: SitePlan, config: Config, site: SiteView,
                members: dict[str, list[int]], tags: dict[str, Tag]) -> None:
    newest = tuple(result.articles[: config.feeds.items])
    formats = config.feeds.formats
    for kind, path in (("rss", "feed.xml"), ("atom", "atom.xml"), ("json", "feed.json")):
        if kind in formats:
            result.feeds.append(FeedSpec(kind, path, url_path(site.base_path, path),
                                         config.title, site.home_url, newest))
    if not config.feeds.per_tag:
        return
    per_tag = [(kind, name) for kind, name in (("rss", "feed.xml"), ("json", "feed.json"))
               if kind in formats]
    for key, tag in sorted(tags.items(), key=lambda kv: kv[1].slug):
        items = tuple(result.articles[i] for i in members[key][: config.feeds.items])
        for kind, name in per_tag:
            path = f"tags/{tag.slug}/{name}"
            result.feeds.append(FeedSpec(kind, path, url_path(site.base_path, path),
                                         f"{config.title}: {tag.name}",
                                         url_path(site.base_path, f"tags/{tag.slug}/"), items))
