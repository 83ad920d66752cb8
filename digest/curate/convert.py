"""HTML from feeds and pages -> Markdown, and plain text -> Markdown that shows as written.

HTML is sanitized with digest.markup.sanitize first (scripts, handlers, frames and
javascript: links go), then converted with markdownify. Text is escaped for
Python-Markdown, so that `<b>`, `*`, `[x](y)` or a leading `1.` in a news story stay text.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from markdownify import MarkdownConverter

from digest.curate.items import CurateError
from digest.markup import MAX_DEPTH, sanitize
from digest.text import clean

MAX_HTML_CHARS = 2_000_000
_INLINE = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Markdown that a line may start with: headings, quotes, list items, numbered lists.
_LINE_START = re.compile(r"(^|\n)(\s*)(#|>|[-+*](?=\s)|\d+\.(?=\s))")
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^>]*?(/?)>")
# Tags that HTML closes by itself, or that never hold anything: not nesting.
_FLAT = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
         "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
         "optgroup", "colgroup", "caption", "rb", "rt", "rp", "param", "base"}
_BLANK_LINES = re.compile(r"\n{3,}")
# Elements whose content is not article text (the sanitizer keeps it as text).
_HIDDEN = re.compile(r"<(noscript|template|script|style|title)\b.*?</\1\s*>",
                     re.IGNORECASE | re.DOTALL)


def escape_text(text: str) -> str:
    """Plain text -> Markdown that renders as the same text."""
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    return _LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}{_escape_mark(m.group(3))}", text)


def _escape_mark(mark: str) -> str:
    return mark[:-1] + "\\." if mark.endswith(".") else "\\" + mark


def _web_url(value: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL for an href or src, or None (relative without a base,
    fragment-only, or another scheme)."""
    if not value or value.startswith("#"):
        return None
    url = urljoin(base, value.strip()) if base else value.strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


class _Converter(MarkdownConverter):
    """markdownify, escaping for Python-Markdown and resolving links against the page."""

    def __init__(self, base_url: str | None) -> None:
        super().__init__(heading_style="ATX", bullets="-", table_infer_header=True,
                         escape_asterisks=False, escape_underscores=False, strip=["div"])
        self.base_url = base_url

    def escape(self, text: str, parent_tags: set[str]) -> str:
        return escape_text(text) if text else ""

    def convert_li(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        """Python-Markdown nests lists by four spaces (markdownify indents by the bullet)."""
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start") or "1")
            first = int(start) if start.isdigit() else 1
            bullet = f"{first + len(el.find_previous_siblings('li'))}."
        else:
            bullet = "-"
        bullet = bullet.ljust(3) + " "
        indent = " " * len(bullet)
        lines = text.split("\n")
        rest = [indent + line if line.strip() else "" for line in lines[1:]]
        return "\n".join([bullet + lines[0], *rest]) + "\n"

    def convert_a(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        url = _web_url(el.get("href"), self.base_url)
        if url is None:
            return text
        el["href"] = url
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        url = _web_url(el.get("src"), self.base_url)
        if url is None:
            return el.get("alt", "")
        el["src"] = url
        el["alt"] = " ".join(el.get("alt", "").replace("[", "(").replace("]", ")").split())
        return super().convert_img(el, text, parent_tags)


def _too_deep(html: str) -> bool:
    if html.count("<") < MAX_DEPTH:
        return False
    depth = 0
    for match in _TAG.finditer(html):
        if match.group(2).lower() in _FLAT or match.group(3):
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        if depth > MAX_DEPTH:
            return True
    return False


def html_to_markdown(html: str, base_url: str | None = None) -> str:
    """Untrusted HTML -> safe Markdown; CurateError when it is too big or too deep."""
    if len(html) > MAX_HTML_CHARS:
        raise CurateError(f"the HTML is {len(html):,} characters; the limit is "
                          f"{MAX_HTML_CHARS:,}")
    if _too_deep(html):
        raise CurateError(f"the HTML nests tags more than {MAX_DEPTH} levels deep")
    safe = sanitize(_HIDDEN.sub("", clean(html)[0]))
    try:
        markdown = _Converter(base_url).convert(safe)
    except RecursionError:
        raise CurateError("the HTML is nested too deeply to convert") from None
    lines = [line.rstrip() if not line.endswith("  ") else line for line in
             markdown.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def text_to_markdown(paragraphs: list[str]) -> str:
    """Paragraphs of plain text -> Markdown paragraphs."""
    return "\n\n".join(escape_text(p) for p in paragraphs if p.strip())
