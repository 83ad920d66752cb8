"""Python-Markdown's HTML serializer, faster, writing what it writes byte for byte.

`serialize_html` writes the tree as `markdown.serializers.to_html_string` does,
recursively instead of through a deque of pending strings. It knows elements with
string tags and string (or valueless) attributes only; on anything else - a comment,
a processing instruction, a QName, a tree too deep to recurse - it gives the tree to
the stock serializer, which produces (or raises) what it always does.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import Any

from markdown import serializers

_RE_AMP = serializers.RE_AMP
_BOOLEAN = serializers.BOOLEAN_ATTRIBUTES["html"]
_EMPTY = etree.HTML_EMPTY
_RAW = ("script", "style")


class _Unusual(Exception):
    """The tree holds something the fast serializer does not know: use stock's."""


def escape_cdata(text: str) -> str:
    """`serializers._escape_cdata`, for strings."""
    if "&" in text:
        text = _RE_AMP.sub("&amp;", text)
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attrib_html(text: str) -> str:
    """`serializers._escape_attrib_html`, for strings."""
    text = escape_cdata(text)
    return text.replace("\"", "&quot;") if "\"" in text else text


_TAGS: dict[str, tuple[str, str, str, bool]] = {}  # tag -> "<tag", "<tag>", "</tag>", raw text


def _tag(tag: Any) -> tuple[str, str, str, bool]:
    """How stock writes a tag: its opening (without and with '>'), its closing ("" for a
    void element) and whether its text is written unescaped (script, style)."""
    if not isinstance(tag, str):
        raise _Unusual
    lower = tag.lower()
    kind = ("<" + tag, "<" + tag + ">", "" if lower in _EMPTY else "</" + tag + ">",
            lower in _RAW)
    if type(tag) is str and len(_TAGS) < 256:
        _TAGS[tag] = kind
    return kind


def _write(el: etree.Element, out: list[str]) -> None:
    """Append the HTML of `el`, its children and its tail to `out`, as stock's loop does."""
    append = out.append
    tag = el.tag
    kind = _TAGS.get(tag) if type(tag) is str else None
    if kind is None:
        kind = _tag(tag)
    items = el.items()
    if items:
        append(kind[0])
        for key, value in sorted(items):
            if not isinstance(key, str):
                raise _Unusual
            if value is None:
                append(" " + key)
                continue
            if not isinstance(value, str):
                raise _Unusual
            value = _escape_attrib_html(value)
            if key == value and key in _BOOLEAN:
                append(" " + value)
            else:
                append(f' {key}="{value}"')
        append(">")
    else:
        append(kind[1])
    text = el.text
    if text:
        if not isinstance(text, str):
            raise _Unusual
        append(text if kind[3] else escape_cdata(text))
    if len(el):
        for child in el:
            _write(child, out)
    if kind[2]:
        append(kind[2])
    tail = el.tail
    if tail:
        if not isinstance(tail, str):
            raise _Unusual
        append(escape_cdata(tail))


def serialize_html(element: etree.Element) -> str:
    """`markdown.serializers.to_html_string(element)`, faster for the usual trees."""
    out: list[str] = []
    try:
        _write(element, out)
    except (_Unusual, RecursionError, TypeError):
        return serializers.to_html_string(element)
    return "".join(out)
