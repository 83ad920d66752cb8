"""Small text helpers: Unicode slugs, control-character cleanup, plain summaries."""

from __future__ import annotations

import functools
import html
import re
import unicodedata

from markdown.extensions.toc import slugify_unicode

# XML 1.0 cannot hold C0 controls (but tab, LF, CR), lone surrogates or U+FFFE/U+FFFF;
# C1 controls and DEL are legal XML but never meant in pasted text.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TAGS = re.compile(r"<[^>]*>")


def clean(text: str) -> tuple[str, int]:
    """Remove characters that cannot appear in HTML or XML; return text and how many went."""
    if text.isprintable():  # no control character, surrogate or non-character: a fast no
        return text, 0
    cleaned, count = _UNWANTED.subn("", text)
    return cleaned, count


# What _UNWANTED matches, as it appears in UTF-8 (which cannot hold lone surrogates).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_NONCHARACTER_UTF8 = re.compile(b"\xef\xbf[\xbe\xbf]")  # U+FFFE, U+FFFF


def nothing_to_clean(utf8: bytes) -> bool:
    """Whether the text these UTF-8 bytes hold has nothing clean() would remove. Checked
    on the bytes at C speed (a single byte is looked for with memchr): a fraction of the
    time of the regular expression on the text."""
    return len(utf8.translate(None, _CONTROL_BYTES)) == len(utf8) \
        and (b"\xc2" not in utf8 or _C1_UTF8.search(utf8) is None) \
        and (b"\xef" not in utf8 or _NONCHARACTER_UTF8.search(utf8) is None)


@functools.lru_cache(maxsize=8192)  # tags repeat across thousands of articles
def slugify(text: str) -> str:
    """A URL segment that keeps any script: 'Україна' -> 'україна', 'Café X' -> 'café-x'.

    Text with no letters or digits (emoji only) gets a stable slug from its code points.
    """
    text = unicodedata.normalize("NFC", text)
    slug = slugify_unicode(text, "-").strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)
    if slug:
        return slug
    points = [f"{ord(c):x}" for c in text if not c.isspace()]
    return "u" + "-".join(points) if points else ""


def plain_text(fragment: str) -> str:
    """HTML fragment -> one line of plain text (runs of whitespace become one space)."""
    return " ".join(html.unescape(_TAGS.sub("", fragment)).split())


def first_paragraph(body_html: str, limit: int = 280) -> str:
    """The plain text of the first paragraph, cut at a word boundary."""
    start = body_html.find("<p>")
    end = body_html.find("</p>", start + 3) if start >= 0 else -1
    return truncate(plain_text(body_html[start + 3:end]) if end >= 0 else "", limit)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:\u2014\u2013- ")
    return cut + "…"
