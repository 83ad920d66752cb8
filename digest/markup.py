"""The Markdown pipeline: Python-Markdown with a fixed extension set, then nh3.

Extensions (chosen for what news articles use, and for their cost):
  tables, fenced_code, footnotes, sane_lists; smarty (typographic quotes, dashes and
  ellipses) only with `typographer: true`, as it costs more than all the others.
Plain bodies (paragraphs, headings, quotes, simple lists, emphasis, links) skip
Python-Markdown: digest.quickmarkup writes the same HTML directly.
The HTML is then sanitized with an allow-list: normal article markup stays
(headings, paragraphs, lists, links, images, tables, quotes, figures, code);
scripts, styles, iframes, forms, event handlers and javascript:/data: URLs go.
"""

from __future__ import annotations

import functools
import html
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time

import markdown
import nh3

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists"]
TYPOGRAPHER = "smarty"
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
MAX_BRACKETS_PER_PARAGRAPH = 1_000
TIME_LIMIT_SECONDS = 10.0
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
MAX_DEPTH = 200
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^>]*?(/?)>")
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}

# ids and classes are kept only in the shapes the extensions write, so an article
# cannot take over the theme's ids or styles.
_ID = re.compile(r"fn(ref\d*)?:[\w-]+")
_CLASS = re.compile(r"footnote(-ref|-backref)?|language-[\w+-]+")

# Settings and libraries that change the HTML: part of the cache key of rendered articles.
SETTINGS_KEY = repr((
    EXTENSIONS, TYPOGRAPHER, EXTENSION_CONFIGS, sorted(ALLOWED_TAGS), sorted(URL_SCHEMES),
    sorted((name, sorted(values)) for name, values in ALLOWED_ATTRIBUTES.items()), 2,
    markdown.__version__, getattr(nh3, "__version__", None),
))

# Attribute values HTML constrains (the Nu Html Checker rejects others): kept only when valid.
_NUMBERS = {"width": r"\d{1,5}", "height": r"\d{1,5}", "colspan": r"0*[1-9]\d{0,3}",
            "rowspan": r"\d{1,5}", "span": r"0*[1-9]\d{0,3}", "start": r"-?\d{1,9}"}
_CHOICES = {"loading": {"lazy", "eager"}, "scope": {"row", "col", "rowgroup", "colgroup"},
            "dir": {"ltr", "rtl", "auto"}, "reversed": {"", "reversed"}}
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?"
                       r"(?:Z|[+-]\d{2}:\d{2})?)?")


def _valid_datetime(value: str) -> bool:
    """A value HTML's <time datetime> accepts (the common forms: date, date and time, time)."""
    try:
        if _DATETIME.fullmatch(value):
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif re.fullmatch(r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?", value):
            time.fromisoformat(value)
        elif re.fullmatch(r"\d{4}-\d{2}", value):
            datetime.strptime(value, "%Y-%m")
        else:
            return bool(re.fullmatch(r"\d{4}", value)) and value != "0000"
    except ValueError:
        return False
    return True


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _ID.fullmatch(value) else None
    if attribute == "class":
        kept = [name for name in value.split() if _CLASS.fullmatch(name)]
        return " ".join(kept) or None
    if attribute in _NUMBERS:
        value = value.strip()
        return value if re.fullmatch(_NUMBERS[attribute], value) else None
    if attribute in _CHOICES:
        value = value.strip().lower()
        return value if value in _CHOICES[attribute] else None
    if attribute == "lang":
        return value if _LANG.fullmatch(value) else None
    if attribute == "datetime":
        return value if _valid_datetime(value) else None
    if attribute == "cite":  # nh3 checks the schemes of href and src, not of cite
        scheme = _SCHEME.match(value)
        return value if not scheme or scheme.group(1).lower() in URL_SCHEMES else None
    return value


_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")
# An image whose src was dropped (a javascript: or data: URL) is invalid HTML: its alt stays.
_IMG_WITHOUT_SRC = re.compile(r"<img\b(?![^>]*\bsrc=)[^>]*>")
_ALT = re.compile(r'\balt="([^"]*)"')


# <time> without a (valid) datetime must hold a date as text: a plain span is always valid.
_TIME_WITHOUT_DATETIME = re.compile(r"<time\b(?![^>]*\bdatetime=)([^>]*)>(.*?)</time>", re.DOTALL)


def _alt_text(match: re.Match[str]) -> str:
    alt = _ALT.search(match.group(0))
    return html.escape(html.unescape(alt.group(1)), quote=False) if alt else ""


_PRE = re.compile(r"<pre(?=[\s>])")


def _scrollable(html: str) -> str:
    """Code blocks and tables may scroll sideways on a phone: make them reachable by
    keyboard (a focusable region), as the theme's CSS lets them scroll."""
    if "<pre" in html:
        html = _PRE.sub('<pre tabindex="0"', html)
    if "<table" in html:
        html = html.replace("<table", '<div class="table-scroll" role="region" '
                            'aria-label="Table" tabindex="0"><table').replace(
                                "</table>", "</table></div>")
    return html


@functools.cache
def _cleaner() -> nh3.Cleaner:
    """One sanitizer for all articles: building it costs as much as cleaning an article."""
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def sanitize(html: str) -> str:
    """Keep article markup, drop anything that could run or restyle the page."""
    cleaned = _cleaner().clean(html)
    if "<time" in cleaned:
        cleaned = _TIME_WITHOUT_DATETIME.sub(r"<span\1>\2</span>", cleaned)
    cleaned = _scrollable(cleaned)
    if "<img" not in cleaned:
        return cleaned
    cleaned = _IMG_WITHOUT_SRC.sub(_alt_text, cleaned)
    return _IMG_WITHOUT_ALT.sub('<img alt=""', cleaned)  # HTML requires alt; "" = decorative


class MarkupError(Exception):
    """The body cannot be rendered in bounded time; the message says why and what to do."""


def _too_many_brackets(text: str) -> str | None:
    """Python-Markdown's link parser takes time growing with the square of the number
    of '[' in one paragraph (8,000 take ten seconds): refuse such paragraphs at once."""
    if text.count("[") <= MAX_BRACKETS_PER_PARAGRAPH:
        return None
    line = 1
    for paragraph in _PARAGRAPH_BREAK.split(text):
        count = paragraph.count("[")
        if count > MAX_BRACKETS_PER_PARAGRAPH:
            return (f"the paragraph on body line {line} has {count:,} '[' characters; the "
                    f"limit is {MAX_BRACKETS_PER_PARAGRAPH:,} a paragraph: split it, or write "
                    "them as &#91;")
        line += paragraph.count("\n") + 2
    return None


def _too_deep(html: str) -> str | None:
    """The sanitizer's HTML parser slows down badly on deeply nested tags (100,000 nested
    <div> take over ten seconds): refuse HTML nested deeper than MAX_DEPTH."""
    if html.count("<") < MAX_DEPTH:
        return None
    depth = 0
    for match in _TAG.finditer(html):
        if match.group(1):
            depth = max(depth - 1, 0)
        elif not match.group(3) and match.group(2).lower() not in _VOID:
            depth += 1
            if depth > MAX_DEPTH:
                return (f"the body nests HTML more than {MAX_DEPTH} levels deep; "
                        "flatten it")
    return None


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt a runaway conversion (SIGALRM; only where signals can be used)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def extensions(typographer: bool = False) -> list[str]:
    """The Python-Markdown extensions articles are read with."""
    return [*EXTENSIONS, TYPOGRAPHER] if typographer else list(EXTENSIONS)


class Renderer:
    """Markdown -> safe HTML; one instance per process, reset between documents."""

    def __init__(self, typographer: bool = False) -> None:
        # Imported here, by the processes that read Markdown: a build that finds its
        # output up to date imports this module (for SETTINGS_KEY) and reads none.
        from digest import faststages
        from digest.quickmarkup import quick_html

        self.typographer = typographer
        self._md = self._new()
        # Plain bodies are written directly (digest.quickmarkup), where its output was
        # checked against this Python-Markdown's, and smarty is not asked for.
        self._quick = quick_html if faststages.CHECKED and not typographer else None

    def _new(self) -> markdown.Markdown:
        from digest.fastinline import FastInlineExtension

        # FastInlineExtension: the same HTML as stock Python-Markdown, faster (fastinline.py).
        return markdown.Markdown(
            extensions=[*extensions(self.typographer), FastInlineExtension()],
            extension_configs=EXTENSION_CONFIGS, output_format="html",
        )

    def render(self, text: str) -> str:
        """Safe HTML for a Markdown body; MarkupError when it cannot be done in bounded time."""
        problem = _too_many_brackets(text)
        if problem:
            raise MarkupError(problem)
        html = self._quick(text) if self._quick is not None else None
        if html is not None:
            return sanitize(html)
        self._md.reset()
        try:
            with _time_limit(TIME_LIMIT_SECONDS):
                html = self._md.convert(text)
        except RecursionError:
            self._md = self._new()
            raise MarkupError("lists, quotes or tags are nested too deeply to render; "
                              "flatten the nesting") from None
        except TimeoutError:
            self._md = self._new()
            raise MarkupError(f"rendering took more than {TIME_LIMIT_SECONDS:g} s and was "
                              "stopped; the body probably holds thousands of nested brackets "
                              "or tags: simplify it") from None
        problem = _too_deep(html)
        if problem:
            raise MarkupError(problem)
        return sanitize(html)
