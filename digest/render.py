"""The Jinja environment: the site's layouts/ first, then the default theme.

`{% extends "default/base.html" %}` always reaches the default theme's file.
Autoescape and StrictUndefined are on. Each article's list entry is rendered
once and reused on every home, tag and archive page it appears on, and kept in the
build cache for the next build.
"""

from __future__ import annotations

import functools
import json
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2
from markupsafe import Markup

from digest.errors import TemplateError
from digest.site import Page
from digest.templating import Environment
from digest.theme import THEME
from digest.views import ArticleView, SiteView


def jsonld(value: object) -> Markup:
    """JSON for a <script type="application/ld+json">: nothing in it can close the script."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return Markup(text)


def news_article(item: ArticleView, site: SiteView) -> dict[str, object]:
    """schema.org NewsArticle data for an article page."""
    data: dict[str, object] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": item.title,
        "url": item.abs_url, "mainEntityOfPage": item.abs_url, "datePublished": item.date.iso,
        "dateModified": (item.updated or item.date).iso,
        "publisher": {"@type": "Organization", "name": site.title, "url": site.base_url},
        "author": ([{"@type": "Person", "name": name} for name in item.authors]
                   or [{"@type": "Organization", "name": site.author or site.title}]),
        "inLanguage": item.lang or site.language,
    }
    if item.summary:
        data["description"] = item.summary
    if item.image:
        data["image"] = [urljoin(item.abs_url, item.image)]  # as written, like body links
    if item.dateline:
        data["dateline"] = item.dateline
    if item.tags:
        data["keywords"] = [tag.name for tag in item.tags]
    if item.source and item.source.url:
        data["isBasedOn"] = item.source.url
    return data


def _loader(layouts: Path | None) -> jinja2.BaseLoader:
    theme = jinja2.FileSystemLoader(THEME)
    loaders: list[jinja2.BaseLoader] = []
    if layouts is not None and layouts.is_dir():
        loaders.append(jinja2.FileSystemLoader(layouts))
    loaders += [theme, jinja2.PrefixLoader({"default": theme})]
    return jinja2.ChoiceLoader(loaders)


class Renderer:
    """Renders planned pages to bytes."""

    def __init__(self, layouts: Path | None, site: SiteView, root: Path | None = None) -> None:
        self.root = root
        self.env = Environment(
            loader=_loader(layouts),
            autoescape=True,  # every template, whatever its name (a bool: no call per render)
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # A Renderer lives for one build, during which templates do not change:
            # without this, every include and extends checks the template file's mtime.
            auto_reload=False,
        )
        self._entries: dict[str, Markup] = {}  # article fingerprint -> its list entry
        self._new_entries: dict[str, str] = {}
        self._stored: Callable[[], dict[str, str]] | None = None
        self.env.globals.update(site=site, entry=self.entry,
                                news_article=functools.partial(news_article, site=site))
        self.env.filters["jsonld"] = jsonld

    def use_stored_entries(self, load: Callable[[], dict[str, str]]) -> None:
        """Take list entries rendered by earlier builds from `load()`, called on first need
        (in each process that renders list pages)."""
        self._stored = load

    def entry(self, item: ArticleView) -> Markup:
        """An article's list entry (entry.html), rendered once per build, or stored."""
        if self._stored is not None:
            self._entries.update((key, Markup(html)) for key, html in self._stored().items())
            self._stored = None
        cached = self._entries.get(item.fingerprint)
        if cached is None:
            html = self.entry_html(item)
            cached = self._entries[item.fingerprint] = Markup(html)
            self._new_entries[item.fingerprint] = html
        return cached

    def entry_html(self, item: ArticleView) -> str:
        """Render an article's list entry, without keeping it."""
        template = self._template("entry.html", f"the list entry of {item.url}")
        return self._run(template, {"item": item}, f"the list entry of {item.url}")

    def add_entries(self, rendered: dict[str, str]) -> None:
        """Use list entries rendered elsewhere in this build (by the Markdown workers)."""
        self._entries.update((key, Markup(html)) for key, html in rendered.items())

    def new_entries(self) -> dict[str, str]:
        """The list entries this process rendered (not stored before)."""
        return self._new_entries

    def render(self, page: Page) -> bytes:
        what = f"page {page.url}"
        article = page.context.get("article")
        if isinstance(article, ArticleView):
            what += f" of {article.source_path}"
        template = self._template(page.template, what)
        return self._run(template, page.context, what).encode("utf-8")

    def render_template(self, name: str, context: dict[str, Any], what: str) -> str:
        return self._run(self._template(name, what), context, what)

    def _template(self, name: str, what: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            raise self._syntax_error(error, what) from None
        except jinja2.TemplateNotFound as error:
            raise TemplateError(f"template {error.name!r} not found in layouts/ or the "
                                f"default theme (while rendering {what})") from None

    def _run(self, template: jinja2.Template, context: dict[str, Any], what: str) -> str:
        try:
            return template.render(context)
        except TemplateError:
            raise
        except jinja2.TemplateSyntaxError as error:  # in an included template
            raise self._syntax_error(error, what) from None
        except jinja2.TemplateNotFound as error:
            raise TemplateError(f"{self._template_frame(error, template)}: template "
                                f"{error.name!r} not found (while rendering {what})") from None
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError,
                ZeroDivisionError) as error:
            message = error.message if isinstance(error, jinja2.TemplateError) else str(error)
            raise TemplateError(f"{self._template_frame(error, template)}: {message} "
                                f"(while rendering {what})") from None

    def _syntax_error(self, error: jinja2.TemplateSyntaxError, what: str) -> TemplateError:
        return TemplateError(f"{self._where(error.filename, error.lineno)}: template syntax "
                             f"error: {error.message} (while rendering {what})")

    def _where(self, filename: str | None, line: int | None) -> str:
        shown = filename or "<template>"
        if filename and self.root is not None:
            path = Path(filename)
            if path.is_relative_to(self.root):
                shown = path.relative_to(self.root).as_posix()
            elif path.is_relative_to(THEME):
                shown = "default theme " + path.relative_to(THEME).as_posix()
        return f"{shown}:{line}" if line else shown

    def _template_frame(self, error: BaseException, template: jinja2.Template) -> str:
        """The innermost template file and line in the error's traceback."""
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.endswith((".html", ".xml", ".svg", ".txt")):
                return self._where(frame.filename, frame.lineno)
        return self._where(template.filename, None)
