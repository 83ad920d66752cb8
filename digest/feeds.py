"""RSS 2.0 and Atom feeds with feedgen.

Each item has an absolute link, a stable id, dates with offsets, tags as
categories, the summary as description (escaped: readers treat RSS
descriptions as HTML) and, when configured, the full sanitized HTML as content.
A feed's build date is its newest item's, never "now", so rebuilds are identical.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from digest.config import Config
from digest.models import Article
from digest.site import FeedSpec
from digest.views import ArticleView, SiteView

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _generator(spec: FeedSpec, config: Config, site: SiteView) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(site.abs(spec.url) if spec.kind == "atom" else site.abs(spec.home_url))
    fg.title(spec.title)
    fg.subtitle(config.description or spec.title)
    fg.description(config.description or spec.title)
    fg.link(href=site.abs(spec.url), rel="self")
    fg.link(href=site.abs(spec.home_url), rel="alternate")  # the last link is RSS's <link>
    fg.language(config.language)
    fg.generator("digest", uri="https://pypi.org/project/digest/")
    fg.docs(None)
    if config.author:
        fg.author(name=config.author)
    if spec.articles:
        newest = max(article.last_modified for article, _ in spec.articles)
        fg.lastBuildDate(newest)
        fg.updated(newest)
        fg.pubDate(max(article.date for article, _ in spec.articles))
    else:
        fg.updated(_EPOCH)
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
    for tag in view.tags:
        fe.category(term=tag.name)
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
            fe.link(href=article.source.url, rel="via", title=article.source.name)


def render(spec: FeedSpec, config: Config, site: SiteView) -> bytes:
    """One feed as XML bytes."""
    fg = _generator(spec, config, site)
    for article, view in spec.articles:
        _add(fg, article, view, config, spec.kind)
    if spec.kind == "atom":
        return fg.atom_str(pretty=True)
    return fg.rss_str(pretty=True)

