"""The Markdown pipeline: Python-Markdown with a fixed extension set, then nh3.

Extensions (chosen for what news articles use, and for their cost):
  tables, fenced_code, footnotes, sane_lists.
The HTML is then sanitized with an allow-list: normal article markup stays
(headings, paragraphs, lists, links, images, tables, quotes, figures, code);
scripts, styles, iframes, forms, event handlers and javascript:/data: URLs go.
"""

from __future__ import annotations

import re

import markdown
import nh3

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists"]
EXTENSION_CONFIGS = {"footnotes": {"BACKLINK_TITLE": "Back to reference %d"}}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "time": {"datetime"},
    "col": {"span"},
    "colgroup": {"span"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# ids and classes are kept only in the shapes the extensions write, so an article
# cannot take over the theme's ids or styles.
_ID = re.compile(r"fn(ref\d*)?:[\w-]+")
_CLASS = re.compile(r"footnote(-ref|-backref)?|language-[\w+-]+")

# Settings that change the HTML: part of the cache key of rendered articles.
SETTINGS_KEY = repr((
    EXTENSIONS, EXTENSION_CONFIGS, sorted(ALLOWED_TAGS), sorted(URL_SCHEMES),
    sorted((name, sorted(values)) for name, values in ALLOWED_ATTRIBUTES.items()), 1,
))


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _ID.fullmatch(value) else None
    if attribute == "class":
        kept = [name for name in value.split() if _CLASS.fullmatch(name)]
        return " ".join(kept) or None
    return value


_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")


def sanitize(html: str) -> str:
    """Keep article markup, drop anything that could run or restyle the page."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return _IMG_WITHOUT_ALT.sub('<img alt=""', cleaned)  # HTML requires alt; "" = decorative


class Renderer:
    """Markdown -> safe HTML; one instance per process, reset between documents."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )

    def render(self, text: str) -> str:
        self._md.reset()
        return sanitize(self._md.convert(text))
