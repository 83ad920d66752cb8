"""RSS 2.0 and Atom feeds with feedgen.

Each item has an absolute link, a stable id, dates with offsets, tags as
categories, the summary as description (escaped: readers treat RSS
descriptions as HTML) and, when configured, the full sanitized HTML as content.
A feed's build date is its newest item's, never "now", so rebuilds are identical.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from digest import jsonfeed
from digest.config import Config
from digest.editions import Edition
from digest.models import Article, EditionFeedSpec, FeedSpec
from digest.views import ArticleView, SiteView

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _ViaLink(BaseEntryExtension):
    """An Atom entry's `<link rel="via">` to the curated source.

    feedgen 1.0 drops the rel, type and title of entry links in Atom (a shadowed
    variable in FeedEntry.atom_entry), which turns a via link into a second
    alternate link: invalid Atom. This extension writes the link itself.
    """

    def __init__(self) -> None:
        self.href: str | None = None
        self.title: str | None = None

    def extend_atom(self, entry: object) -> object:
        if self.href:
            link = xml_elem("link", entry, href=self.href, rel="via")
            if self.title:
                link.attrib["title"] = self.title
        return entry


def _describe(fg: FeedGenerator, kind: str, text: str) -> None:
    """Atom's subtitle is text; RSS's description is read as HTML, so it is escaped."""
    if kind == "atom":
        fg.subtitle(text)
    else:
        fg.description(html.escape(text, quote=False))


def _channel(spec: FeedSpec | EditionFeedSpec, config: Config, site: SiteView,
             description: str) -> FeedGenerator:
    """A feed's head: id, title, description, self and home links, language, author."""
    fg = FeedGenerator()
    fg.id(site.abs(spec.url) if spec.kind == "atom" else site.abs(spec.home_url))
    fg.title(spec.title)
    _describe(fg, spec.kind, description)
    fg.link(href=site.abs(spec.url), rel="self")
    fg.link(href=site.abs(spec.home_url), rel="alternate")  # the last link is RSS's <link>
    fg.language(config.language)
    fg.generator("digest", uri="https://pypi.org/project/digest/")
    # Atom needs an author for every entry: the feed's stands in for entries without.
    fg.author(name=config.author or config.title)
    return fg


def _serialize(fg: FeedGenerator, kind: str) -> bytes:
    return fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)


def _generator(spec: FeedSpec, config: Config, site: SiteView) -> FeedGenerator:
    fg = _channel(spec, config, site, config.description or spec.title)
    fg.register_extension("digest_via", BaseExtension, _ViaLink, atom=True, rss=False)
    if spec.articles:
        newest = max(article.last_modified for article, _ in spec.articles)
        fg.lastBuildDate(newest)
        fg.updated(newest)
        fg.pubDate(max(article.date for article, _ in spec.articles))
    else:  # an empty feed: a fixed date rather than feedgen's default, "now"
        fg.updated(_EPOCH)
        fg.lastBuildDate(_EPOCH)
    return fg


def _add(fg: FeedGenerator, article: Article, view: ArticleView, config: Config,
         kind: str) -> None:
    fe = fg.add_entry(order="append")
    fe.id(article.id)
    fe.guid(article.id, permalink=False)
    fe.title(article.title)
    fe.link(href=view.abs_url, rel="alternate")
    fe.published(article.date)
    fe.updated(article.last_modified)
    if view.tags:  # one call: feedgen checks and converts them all again on each
        fe.category([{"term": tag.name} for tag in view.tags])
    for name in article.authors:
        if kind == "atom":
            fe.author(name=name)
    if article.summary:
        summary = html.escape(article.summary, quote=False)
        fe.summary(summary, type="html")
    if config.feeds.full_content and article.body_html:
        fe.content(article.body_html, type="html" if kind == "atom" else None)
    if article.source and article.source.url:
        if kind == "rss":
            fe.source(url=article.source.url, title=article.source.name)
        else:
            fe.digest_via.href = article.source.url
            fe.digest_via.title = article.source.name


def render_editions(spec: EditionFeedSpec, config: Config, site: SiteView,
                    body: Callable[[Edition], str]) -> bytes:
    """The editions feed: one item per edition, whose content is the whole edition."""
    fg = _channel(spec, config, site, f"Every edition of {config.title}")
    moments = [a.last_modified for e in spec.editions for a, _ in e.articles]
    newest = max(moments) if moments else _EPOCH
    fg.updated(newest)
    fg.lastBuildDate(newest)
    for edition in spec.editions:
        fe = fg.add_entry(order="append")
        identifier = (f"tag:{config.host},{edition.end.isoformat()}:"
                      f"{config.base_path}editions/{edition.id}")
        fe.id(identifier)
        fe.guid(identifier, permalink=False)
        fe.title(f"{config.title}: {edition.title}")
        fe.link(href=edition.abs_url, rel="alternate")
        fe.published(max(a.date for a, _ in edition.articles))
        fe.updated(max(a.last_modified for a, _ in edition.articles))
        summary = f"{edition.count} article{'s' * (edition.count != 1)}: " + "; ".join(
            a.title for a, _ in edition.articles[:5])
        fe.summary(html.escape(summary, quote=False), type="html")
        fe.content(body(edition), type="html" if spec.kind == "atom" else None)
    return _serialize(fg, spec.kind)


def render(spec: FeedSpec, config: Config, site: SiteView) -> bytes:
    """One feed as XML (RSS, Atom) or JSON Feed bytes."""
    if spec.kind == "json":
        return jsonfeed.render(spec, config, site)
    fg = _generator(spec, config, site)
    for article, view in spec.articles:
        _add(fg, article, view, config, spec.kind)
    return _serialize(fg, spec.kind)

