"""Every file of the output as a job: where it goes, an input key, and how to make it.

Two builds that give a file the same key give it the same bytes, so a file whose
key did not change is not rendered again. A key covers the site key (digest's
version, the config, every template) and the data the file is made from; an
article is stood for by its fingerprint, which covers all of its fields.

A rebuild whose site has the same shape as the last build's (see `Reuse`) takes the
keys of files that show none of the changed articles from the last build instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from digest import feeds, render, sitemap
from digest.config import Config
from digest.editions import Edition
from digest.models import EditionFeedSpec, FeedSpec, Page
from digest.site import ArticlePage, SitePlan
from digest.static import static_sources
from digest.views import ArticlePageMeta, ArticleView, SiteView


class OutputJob:
    """One output file: its path, its input key and how to make it.

    A job made from a recipe works out its recipe and key when first asked: a build with
    no earlier tree renders every file without asking, so it works the keys out while
    another process renders (see build._write)."""

    __slots__ = ("_key", "_recipe", "_site_key", "make", "path")

    def __init__(self, path: str, key: str | None, make: Callable[[], bytes],
                 recipe: str | Callable[[], str] = "", site_key: str = "") -> None:
        self.path, self.make = path, make
        self._key, self._recipe, self._site_key = key, recipe, site_key

    @property
    def recipe(self) -> str:
        """How to make the file again from its articles (see digest.replay); "" when the
        key was taken from the last build."""
        if not isinstance(self._recipe, str):
            self._recipe = self._recipe()
        return self._recipe

    @property
    def key(self) -> str:
        if self._key is None:
            self._key = recipe_key(self._site_key, self.recipe)
        return self._key


# Joins the parts of recipes and keys: a control character, which reprs escape.
SEP = "\x1f"


def _hash(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def recipe_key(site_key: str, recipe: str) -> str:
    """The input key of a file made from `recipe`."""
    digest = hashlib.blake2b(site_key.encode(), digest_size=16)
    digest.update(recipe.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def key_of(context: dict[str, Any]) -> str:
    """A small stand-in for a page's template data: articles by their fingerprints.

    Articles appear alone or in lists at the top level of a context, or in editions;
    an article page's meta is made from its article alone; everything else there is
    small view data whose repr is exact. Each part says what it stands for by its first
    character: `@` an article, `[` a list of articles, `E` an edition, `A` the article
    page meta of an article, `=` a repr. Parts are joined by SEP, which neither a repr nor a
    fingerprint holds, so digest.replay can read the text back.
    """
    parts = []
    for name in sorted(context):
        value = context[name]
        kind = type(value)  # exact types: a page's data is made of these (no subclasses)
        if kind is ArticleView:
            part = "@" + value.fingerprint
        elif (kind is list or kind is tuple) and value and type(value[0]) is ArticleView:
            part = "[" + " ".join([item.fingerprint for item in value])
        elif kind is Edition:
            part = "E" + repr(value.cache_key())
        elif kind is ArticlePageMeta:
            part = "A" + value.of
        else:
            part = "=" + repr(value)
        parts.append(f"{name}{SEP}{part}")
    return SEP.join(parts)


# A recipe is the file's kind, a repr of its fixed fields and its data, joined by SEP.
# Given the `kept` key of the last build (see Reuse), a job has that key and no recipe.


def _job(path: str, site_key: str, recipe: Callable[[], str], make: Callable[[], bytes],
         kept: str | None) -> OutputJob:
    if kept:
        return OutputJob(path, kept, make)
    return OutputJob(path, None, make, recipe, site_key)


_ARTICLE_PAGE_NAMES = ("article", "newer", "older", "page", "related")  # sorted, as key_of


def _article_page_data(page: ArticlePage) -> str:
    """key_of(page.context), from what the page shows, without making its data: the
    article stands for the page meta too (see ArticlePageMeta)."""
    mark = page.article.fingerprint
    newer, older, related = page.around()
    parts = (f"@{mark}", f"@{newer.fingerprint}" if newer else "=None",
             f"@{older.fingerprint}" if older else "=None", f"A{mark}",
             "[" + " ".join([view.fingerprint for view in related]) if related else "=[]")
    return SEP.join([f"{name}{SEP}{part}" for name, part in zip(_ARTICLE_PAGE_NAMES, parts,
                                                                  strict=True)])


def page_data(page: Page) -> str:
    """What a page's key and recipe say of its data (see key_of)."""
    if isinstance(page, ArticlePage):
        return _article_page_data(page)
    return key_of(page.context)


def page_job(page: Page, site_key: str, renderer: render.Renderer,
             kept: str | None = None) -> OutputJob:
    return _job(page.output_path, site_key,
                lambda: f"page{SEP}{(page.url, page.template)!r}{SEP}{page_data(page)}",
                lambda: renderer.render(page), kept)


def feed_job(spec: FeedSpec, config: Config, site: SiteView, site_key: str,
             kept: str | None = None) -> OutputJob:
    return _job(spec.output_path, site_key,
                lambda: (f"feed{SEP}{(spec.kind, spec.url, spec.title, spec.home_url)!r}{SEP}"
                         + " ".join([view.fingerprint for _, view in spec.articles])),
                lambda: feeds.render(spec, config, site), kept)


def edition_feed_job(spec: EditionFeedSpec, config: Config, site: SiteView,
                     renderer: render.Renderer, site_key: str,
                     kept: str | None = None) -> OutputJob:
    def make() -> bytes:
        return feeds.render_editions(spec, config, site, lambda edition: (
            renderer.render_template("_edition_body.html", {"edition": edition,
                                     "absolute": True}, f"the feed item {edition.id}")))

    return _job(spec.output_path, site_key,
                lambda: (f"editions{SEP}{(spec.kind, spec.url, spec.title, spec.home_url)!r}"
                         f"{SEP}" + SEP.join([repr(e.cache_key()) for e in spec.editions])),
                make, kept)


@dataclass(frozen=True, slots=True)
class Reuse:
    """The last build's keys, for a build of the same shape: the same articles at the same
    places with the same tags, titles, dates and every other field but their bodies, the
    same notes and the same site key. Every part of a page but its articles is then as it
    was, so a file that shows none of the `changed` article fingerprints keeps its key."""

    keys: dict[str, str]
    changed: frozenset[str]

    def key(self, page: Page) -> str | None:
        """The last build's key of this page, if it still holds."""
        key = self.keys.get(page.output_path)
        if key is None:
            return None
        changed = self.changed
        if isinstance(page, ArticlePage):
            newer, older, related = page.around()
            shown = [page.article, *related, *([newer] if newer else []),
                     *([older] if older else [])]
            return None if any(view.fingerprint in changed for view in shown) else key
        for value in page.context.values():  # the values key_of stands in for by articles
            if isinstance(value, ArticleView):
                if value.fingerprint in changed:
                    return None
            elif isinstance(value, list | tuple) and value and isinstance(value[0], ArticleView):
                if any(item.fingerprint in changed for item in value):
                    return None
            elif (isinstance(value, Edition) and _shows_changed(value.articles, changed)) or \
                    (isinstance(value, ArticlePageMeta) and value.of in changed):
                return None
        return key


def _shows_changed(articles: tuple[tuple[Any, ArticleView], ...], changed: frozenset[str]) -> bool:
    return any(view.fingerprint in changed for _, view in articles)


def _static_jobs(config: Config) -> list[OutputJob]:
    jobs = []
    for rel, path in static_sources(config).items():
        data = path.read_bytes()
        jobs.append(OutputJob(rel, _hash("static", data), lambda data=data: data))
    return jobs


def plan_jobs(site_plan: SitePlan, config: Config, site: SiteView, renderer: render.Renderer,
              site_key: str, shape: str, reuse: Reuse | None = None) -> list[OutputJob]:
    """Every file of the site; `shape` is the plan's (see build._shape_key)."""
    jobs = [page_job(page, site_key, renderer, reuse.key(page) if reuse is not None else None)
            for page in site_plan.pages]
    for spec in site_plan.feeds:
        kept = None
        if reuse is not None and not _shows_changed(spec.articles, reuse.changed):
            kept = reuse.keys.get(spec.output_path)
        jobs.append(feed_job(spec, config, site, site_key, kept))
    for edition_spec in site_plan.edition_feeds:
        kept = None
        if reuse is not None and not any(_shows_changed(e.articles, reuse.changed)
                                         for e in edition_spec.editions):
            kept = reuse.keys.get(edition_spec.output_path)
        jobs.append(edition_feed_job(edition_spec, config, site, renderer, site_key, kept))
    # The sitemap lists the pages and the articles' dates, which the shape decides: it is
    # made with the pages, not while the build plans.
    jobs.append(OutputJob("sitemap.xml", _hash("sitemap", shape),
                          lambda: sitemap.sitemap(site_plan, site)))
    fixed = {"robots.txt": sitemap.robots(site), ".nojekyll": b""}
    if config.cname:
        fixed["CNAME"] = f"{config.cname}\n".encode()
    jobs += [OutputJob(path, _hash("fixed", data), lambda data=data: data)
             for path, data in fixed.items()]
    return jobs + _static_jobs(config)
