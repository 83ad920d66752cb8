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

# Characters that could mean Markdown beyond paragraphs, ATX headings, quotes, lists,
# emphasis with `*` and inline links: escapes, code, `_`, raw HTML and entities, tables;
# control characters and line breaks other than \n; and the whitespace other than
# spaces and newlines, which is looked at more closely (see _has_edge_space).
_SUSPECT = re.compile("[\\\\`_<&|\t\r\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029"
                      "\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_UNICODE_SPACE = re.compile("[\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_EDGE_SPACE = re.compile(r"(?:^|\n)[^\S\n]|[^\S\n](?:\n|$)")
# Line starts that could begin a list, a rule, a setext heading, a fence, a table, a
# reference or footnote definition, indented code; `#`, `>` and `-` start the blocks
# written here, and are refused elsewhere by _INNER_START.
_LINE_START = re.compile(r"\n(?:[^\S\n]|[=+~:\[]|\d+[.)]|\*+(?:\s|$))")
_INNER_START = re.compile(r"\n(?:[^\S\n]|[=+~:\[#>\-]|\d+[.)]|\*+(?:\s|$))")
_HEADING = re.compile(r"(#{1,6}) ([^\s#](?:[^#\n]*[^\s#])?)")
# `**strong**`, `*em*` and `[text](http://url)`; _inline leaves some matches as they are.
_INLINE = re.compile(r"\*\*([^*\n]+)\*\*|\*([^*\n]+)\*"
                     r"|\[([^\[\]*\n]+)\]\((https?://[^\s()<>\"'*\[\]]+)\)")


def _inline(match: re.Match[str]) -> str:
    """The HTML of one match; or the match itself (so that a `*`, `[` or `]` is left over
    and _span gives up) for what Python-Markdown reads otherwise: an image (`![`), a
    footnote (`[^`), link text or emphasis with whitespace at an edge, emphasis beside
    another `*`."""
    strong, em, text, url = match.groups()
    string, start = match.string, match.start()
    before = string[start - 1] if start else ""
    if text is not None:
        if before == "!" or text[0] == "^" or text[0].isspace() or text[-1].isspace():
            return match.group(0)
        return f'<a href="{url}">{text}</a>'
    inner = strong if strong is not None else em
    end = match.end()
    if inner[0].isspace() or inner[-1].isspace() or before == "*" \
            or string[end:end + 1] == "*":
        return match.group(0)
    return f"<strong>{inner}</strong>" if strong is not None else f"<em>{inner}</em>"


def _span(text: str) -> str | None:
    """The inline HTML of `text`, or None if anything but emphasis and links is in it."""
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "*" in text or "[" in text:
        text = _INLINE.sub(_inline, text)
        if "*" in text or "[" in text or "]" in text:
            return None
    elif "]" in text:
        return None
    return text


def _plain_enough(text: str) -> bool:
    suspect = _SUSPECT.search(text)
    if suspect is not None:
        if not _UNICODE_SPACE.match(suspect.group()):
            return False
        # Unicode spaces are fine inside a line; Python-Markdown strips them at the edges.
        if _EDGE_SPACE.search(text) or _SUSPECT.search(_UNICODE_SPACE.sub("", text)):
            return False
    return " \n" not in text and not text.endswith(" ") \
        and _LINE_START.search("\n" + text) is None


def _prefixed(block: str, prefix: str) -> str | None:
    """The block's lines without `prefix`, which each must start with, and checked as
    lines of a paragraph; None if they are not both."""
    lines = block.split("\n")
    if not all(line.startswith(prefix) for line in lines):
        return None
    inner = "\n".join([line[len(prefix):] for line in lines])
    return None if _INNER_START.search("\n" + inner) else inner


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
        if first == ">":  # a quote: one paragraph, joined to a quote just before
            inner = _prefixed(block, "> ")
            span = None if inner is None else _span(inner)
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
        if first == "-":  # a tight list, one item a line; a list just before makes it loose
            inner = None if after_list else _prefixed(block, "- ")
            if inner is None:
                return None
            items = [_span(line) for line in inner.split("\n")]
            if None in items:
                return None
            out.append("<ul>\n" + "\n".join([f"<li>{item}</li>" for item in items])
                       + "\n</ul>")
            after_list = True
            continue
        after_list = False
        if "\n#" in block or "\n>" in block or "\n-" in block:
            return None
        if first == "#":
            heading = _HEADING.fullmatch(block)
            span = None if heading is None else _span(heading.group(2))
            if span is None:
                return None
            level = len(heading.group(1))
            out.append(f"<h{level}>{span}</h{level}>")
            continue
        span = _span(block)
        if span is None:
            return None
        out.append(f"<p>{span}</p>")
    return "\n".join(out) if out else None
