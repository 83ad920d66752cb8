"""Every file of the output as a job: where it goes, an input key, and how to make it.

Two builds that give a file the same key give it the same bytes, so a file whose
key did not change is not rendered again. A key covers the site key (digest's
version, the config, every template) and the data the file is made from; an
article is stood for by its fingerprint, which covers all of its fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from digest import feeds, render, sitemap
from digest.config import Config
from digest.editions import Edition
from digest.models import EditionFeedSpec
from digest.site import SitePlan
from digest.static import static_sources
from digest.views import ArticleView, SiteView


@dataclass(frozen=True, slots=True)
class OutputJob:
    path: str
    key: str
    make: Callable[[], bytes]


def _hash(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def key_of(context: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A small stand-in for a page's template data: articles by their fingerprints.

    Articles appear alone or in lists at the top level of a context; everything
    else there is small view data whose repr is exact.
    """
    parts = []
    for name, value in sorted(context.items()):
        if isinstance(value, ArticleView):
            value = value.fingerprint
        elif isinstance(value, list | tuple) and value and isinstance(value[0], ArticleView):
            value = tuple(item.fingerprint for item in value)
        elif isinstance(value, Edition):
            value = value.cache_key()
        else:
            value = repr(value)
        parts.append((name, value))
    return tuple(parts)


def _static_jobs(config: Config) -> list[OutputJob]:
    jobs = []
    for rel, path in static_sources(config).items():
        data = path.read_bytes()
        jobs.append(OutputJob(rel, _hash("static", data), lambda data=data: data))
    return jobs


def plan_jobs(site_plan: SitePlan, config: Config, site: SiteView, renderer: render.Renderer,
              site_key: str) -> list[OutputJob]:
    jobs = [OutputJob(page.output_path, _hash(site_key, page.template, key_of(page.context)),
                      lambda page=page: renderer.render(page))
            for page in site_plan.pages]
    for spec in site_plan.feeds:
        key = _hash(site_key, spec.kind, spec.url, spec.title, spec.home_url,
                    tuple(view.fingerprint for _, view in spec.articles))
        jobs.append(OutputJob(spec.output_path, key,
                              lambda spec=spec: feeds.render(spec, config, site)))
    for edition_spec in site_plan.edition_feeds:
        key = _hash(site_key, edition_spec.kind, edition_spec.url,
                    tuple(e.cache_key() for e in edition_spec.editions))

        def make(spec: EditionFeedSpec = edition_spec) -> bytes:
            return feeds.render_editions(spec, config, site, lambda edition: (
                renderer.render_template("_edition_body.html", {"edition": edition,
                                         "absolute": True}, f"the feed item {edition.id}")))

        jobs.append(OutputJob(edition_spec.output_path, key, make))
    fixed = {"sitemap.xml": sitemap.sitemap(site_plan, site), "robots.txt": sitemap.robots(site),
             ".nojekyll": b""}
    if config.cname:
        fixed["CNAME"] = f"{config.cname}\n".encode()
    jobs += [OutputJob(path, _hash("fixed", data), lambda data=data: data)
             for path, data in fixed.items()]
    return jobs + _static_jobs(config)
