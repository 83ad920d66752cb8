"""HTML straight from the Markdown of plain articles, without Python-Markdown.

Most curated articles are paragraphs with emphasis and links, a quote, a heading or a
short list: `quick_html` writes the HTML of such a body directly, several times faster
than Python-Markdown, and gives up (None) on anything else, which then takes the full
pipeline. A body is taken only if it has none of the characters and line starts that
could mean other Markdown, and if, once its emphasis and links are written, no `*`, `[`
or `]` is left over. Within that, the output is Python-Markdown's (with digest's
extensions, without smarty), byte for byte: tests/test_markup_fast.py compares the two
on the corpus, on the test fixtures and on generated texts.
"""

from __future__ import annotations

import re

from digest.fastserialize import escape_cdata

# Characters that could mean Markdown beyond paragraphs, ATX headings, quotes, lists,
# emphasis with `*` and inline links: escapes, code, `_`, raw HTML, tables; control
# characters and line breaks other than \n; and the whitespace other than spaces and
# newlines, which is looked at more closely (see _plain_enough).
_SUSPECT = re.compile("[\\\\`_<|\t\r\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029"
                      "\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# The same characters in UTF-8: the ASCII ones, and those above that begin with E2
# (U+2000-U+200A, U+2028, U+2029, U+202F, U+205F).
_SUSPECT_BYTES = b"\\`_<|\t\r" + bytes([*range(0x00, 0x09), *range(0x0b, 0x20), 0x7f])
_SUSPECT_E2 = re.compile(b"\xe2(?:\x80[\x80-\x8a\xa8\xa9\xaf]|\x81\x9f)")
_UNICODE_SPACE = re.compile("[\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_EDGE_SPACE = re.compile(r"(?:^|\n)[^\S\n]|[^\S\n](?:\n|$)")
# Line starts that could begin a list, a quote, a heading, a rule, a setext heading, a
# fence, a table, a reference or footnote definition, or indented code: refused inside
# paragraphs, quotes and list items (the blocks written here are told by their first line).
_LINE_START = re.compile(r"\n(?:[^\S\n]|[=+~:\[#>\-]|\d+[.)]|\*+(?:\s|$))")
_HEADING = re.compile(r"(#{1,6}) ([^\s#](?:[^#\n]*[^\s#])?)")
_ITEM = re.compile(r"(?:- |([0-9]+)\. )(.*)")
_CONTINUED = re.compile(r" {1,3}(?=\S)")  # a line of the item above, kept as it is
# `**strong**`, `*em*` and `[text](http://url)`; _inline leaves some matches as they are.
_STRONG_OR_EM = r"\*(?:\*([^*]+)\*\*|([^*]+)\*)"
_LINK = r"\[([^\[\]*\n]+)\]\((https?://[^\s()<>\"'&*\[\]]+)\)"
_INLINE = re.compile(f"{_STRONG_OR_EM}|{_LINK}")
# The same, for text with no `[`, or no `*`. A pattern that starts with one character is
# looked for at C speed, where a pattern that starts with either of two is tried at every
# character (on the corpus that was a fifth of this module's time).
_EMPHASIS = re.compile(_STRONG_OR_EM)
_LINKS = re.compile(_LINK)


def _inline(match: re.Match[str]) -> str:
    """The HTML of one match; or the match itself (so that a `*`, `[` or `]` is left over
    and _span gives up) for what Python-Markdown reads otherwise: an image (`![`), a
    footnote (`[^`), link text or emphasis with whitespace at an edge, emphasis beside
    another `*`."""
    strong, em, text, url = match.groups()
    return _emphasis(match, strong or em, strong is not None) if text is None \
        else _link(match, text, url)


def _on_emphasis(match: re.Match[str]) -> str:
    strong, em = match.groups()
    return _emphasis(match, strong or em, strong is not None)


def _on_link(match: re.Match[str]) -> str:
    return _link(match, *match.groups())


def _link(match: re.Match[str], text: str, url: str) -> str:
    start = match.start()
    if (start and match.string[start - 1] == "!") or text[0] == "^" or text[0].isspace() \
            or text[-1].isspace():
        return match.group(0)
    return f'<a href="{url}">{text}</a>'


def _emphasis(match: re.Match[str], inner: str, strong: bool) -> str:
    string, start, end = match.string, match.start(), match.end()
    if inner[0].isspace() or inner[-1].isspace() or (start and string[start - 1] == "*") \
            or string[end:end + 1] == "*":
        return match.group(0)
    return f"<strong>{inner}</strong>" if strong else f"<em>{inner}</em>"


def _span(text: str) -> str | None:
    """The inline HTML of `text`, or None if anything but emphasis and links is in it.
    Text is escaped as Python-Markdown's serializer escapes it (`&` unless it starts an
    entity, and `>`)."""
    text = escape_cdata(text)
    star, bracket = "*" in text, "[" in text
    if star and bracket:
        text = _INLINE.sub(_inline, text)
    elif star:
        text = _EMPHASIS.sub(_on_emphasis, text)
    elif bracket:
        text = _LINKS.sub(_on_link, text)
    if "*" in text or "[" in text or "]" in text:
        return None
    return text


def _first_suspect(text: str) -> re.Match[str] | None:
    """`_SUSPECT.search(text)`, answered from the text's UTF-8 at C speed when nothing is
    there (a third of the time of the search, which tries every character): the ASCII
    ones are deleted, and those above are told by their first byte, found with memchr.
    Curly quotes and dashes begin with E2 too: that one is followed by a pattern."""
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return _SUSPECT.search(text)
    if len(data.translate(None, _SUSPECT_BYTES)) == len(data) \
            and not (b"\xe2" in data and _SUSPECT_E2.search(data)) \
            and b"\xc2" not in data and b"\xe1" not in data and b"\xe3" not in data:
        return None
    return _SUSPECT.search(text)  # something there, or one of many others (U+00A9, ...)


def _plain_enough(text: str) -> bool:
    suspect = _first_suspect(text)
    if suspect is not None:
        if not _UNICODE_SPACE.match(suspect.group()):
            return False
        # Unicode spaces are fine inside a line; Python-Markdown strips them at the edges.
        if _EDGE_SPACE.search(text) or _SUSPECT.search(_UNICODE_SPACE.sub("", text)):
            return False
    return " \n" not in text and not text.endswith(" ")


def _lines_fine(text: str) -> bool:
    """No line of `text` could start another block."""
    return _LINE_START.search("\n" + text) is None


def _quote(block: str) -> str | None:
    """The HTML of a quote's paragraph: every line starts with `> `."""
    lines = block.split("\n")
    if not all(line.startswith("> ") for line in lines):
        return None
    inner = "\n".join([line[2:] for line in lines])
    return _span(inner) if _lines_fine(inner) else None


def _list(block: str) -> str | None:
    """The HTML of a tight list, `- ` or `1. ` items of a line each, to which lines
    indented by one to three spaces belong."""
    items: list[str] = []
    number = None  # the first item's number, in an ordered list
    for line in block.split("\n"):
        item = _ITEM.match(line)
        if item is not None:
            if not items:
                number = item.group(1)
            elif (item.group(1) is None) != (number is None):
                return None  # an item of the other kind of list
            if not _lines_fine(item.group(2)):
                return None
            items.append(item.group(2))
        elif items and _CONTINUED.match(line) and _lines_fine(line.lstrip(" ")):
            items[-1] += "\n" + line
        else:
            return None
    spans = [_span(item) for item in items]
    if None in spans:
        return None
    body = "\n".join([f"<li>{span}</li>" for span in spans])
    if number is None:
        return f"<ul>\n{body}\n</ul>"
    start = "" if number == "1" else f' start="{number}"'
    return f"<ol{start}>\n{body}\n</ol>"


def quick_html(text: str) -> str | None:
    """Python-Markdown's HTML of `text`, if it is plain enough to write directly; else None."""
    if not _plain_enough(text):
        return None
    out: list[str] = []
    quote: list[str] | None = None  # the paragraphs of the quote being written
    after_list = False
    for block in text.split("\n\n"):
        block = block.strip("\n")
        if not block:
            continue
        first = block[0]
        if first == ">":  # one paragraph, joined to a quote just before
            span = _quote(block)
            if span is None:
                return None
            if quote is None:
                quote = []
                out.append("")
            quote.append(f"<p>{span}</p>")
            out[-1] = "<blockquote>\n" + "\n".join(quote) + "\n</blockquote>"
            after_list = False
            continue
        quote = None
        if first == "-" or (first in "0123456789" and _ITEM.match(block)):
            # A list just before would make this one part of it, and loose.
            html = None if after_list else _list(block)
            if html is None:
                return None
            out.append(html)
            after_list = True
            continue
        after_list = False
        if first == "#":
            heading = _HEADING.fullmatch(block)
            span = None if heading is None else _span(heading.group(2))
            if span is None:
                return None
            level = len(heading.group(1))
            out.append(f"<h{level}>{span}</h{level}>")
            continue
        span = _span(block) if _lines_fine(block) else None
        if span is None:
            return None
        out.append(f"<p>{span}</p>")
    return "\n".join(out) if out else None
