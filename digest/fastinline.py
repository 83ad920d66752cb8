"""Faster Markdown with Python-Markdown, giving the HTML stock gives byte for byte.

Python-Markdown tries every inline pattern (about fifteen) on every piece of text,
even text that holds none of the characters the pattern needs: most of its time
goes there. `FastInlineProcessor` skips a pattern when its regular expression
cannot match the text at all - e.g. the code-span pattern on text without a
backtick - and otherwise runs the stock code. A pattern whose regex finds no match
is not called and changes no state in the stock loop either, so skipping it
changes nothing. What a pattern needs is derived conservatively from its regex: a
table of the stock regexes (matched by exact source and flags), plus any regex
that is an alternation of plain literals (the emphasis tokens, `\\*|_`). An
unknown pattern - a third-party one, an overridden `getCompiledRegExp`, an
old-style `Pattern` - is always tried, as stock does.

Two more shortcuts, each one taken only where it provably ends as stock does:
`FastDelimiterProcessor` pairs a plain `*a*` / `**a**` without the general
emphasis search; a few block processors skip their regex on blocks that lack the
character it needs (`>` for quotes, `#` for headings, `]:` for references).
tests/test_markup_fast.py compares the output with stock Python-Markdown's.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from typing import Any

import markdown
from markdown import Markdown, blockprocessors, inlinepatterns, treeprocessors, util
from markdown.extensions import Extension, footnotes

# Substrings of which one must occur in a text for the stock regex to match it.
_STOCK_NEEDS: dict[str, tuple[str, ...]] = {
    inlinepatterns.BACKTICK_RE: ("`",),           # both branches need a backtick
    inlinepatterns.ESCAPE_RE: ("\\",),
    inlinepatterns.LINK_RE: ("[",),               # = REFERENCE_RE
    inlinepatterns.IMAGE_LINK_RE: ("![",),        # = IMAGE_REFERENCE_RE
    inlinepatterns.AUTOLINK_RE: ("://",),         # <scheme://...>
    inlinepatterns.AUTOMAIL_RE: ("<",),           # <a@b.c>
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    inlinepatterns.HTML_RE: ("<",),               # tags, comments, PIs, CDATA
    inlinepatterns.ENTITY_RE: ("&",),
    r"\[\^([^\]]*)\]": ("[^",),                   # footnotes extension's FOOTNOTE_RE
}
_STOCK_FLAGS = re.compile("", re.DOTALL | re.UNICODE).flags
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)

Needs = tuple[str, ...] | None  # None: the pattern may match anything, always try it


def _literal_alternatives(source: str) -> tuple[str, ...] | None:
    """The literals of a regex that is only `lit|lit|...` (escaped as re.escape does)."""
    literals = []
    for part in source.split("|"):
        literal = _ESCAPED.sub(r"\1", part)
        if not literal or re.escape(literal) != part:
            return None
        literals.append(literal)
    return tuple(literals)


def needs(pattern: Any) -> Needs:
    """Substrings of which one must be in a text for `pattern` to match it; None if unknown."""
    if not isinstance(pattern, inlinepatterns.InlineProcessor) or (
            type(pattern).getCompiledRegExp is not inlinepatterns.Pattern.getCompiledRegExp):
        return None
    compiled = pattern.getCompiledRegExp()
    if not isinstance(compiled, re.Pattern) or compiled.flags != _STOCK_FLAGS:
        return None
    known = _STOCK_NEEDS.get(compiled.pattern)
    return known if known is not None else _literal_alternatives(compiled.pattern)


class FastInlineProcessor(treeprocessors.InlineProcessor):
    """The stock inline processor, skipping the patterns that cannot match a text."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._plan: list[tuple[Any, Needs]] = []
        self._needs: dict[int, tuple[Any, Any, Needs]] = {}  # id(pattern) -> its regex, needs

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        """Plan which patterns each text needs, then run the stock traversal."""
        plan = []
        for pattern in self.inlinePatterns:
            compiled = pattern.getCompiledRegExp()
            known = self._needs.get(id(pattern))
            if known is None or known[0] is not pattern or known[1] is not compiled:
                known = self._needs[id(pattern)] = (pattern, compiled, needs(pattern))
            plan.append((pattern, known[2]))
        self._plan = plan
        return super().run(tree, ancestors)

    # Overrides the stock (name-mangled) `InlineProcessor.__handleInline`: the same loop,
    # except that a pattern none of whose needed substrings is in the text counts as "no
    # match" without being tried (a tried pattern that finds no match changes nothing).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        plan = self._plan
        count = len(plan)
        if patternIndex >= count or isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        startIndex = 0
        while patternIndex < count:
            pattern, required = plan[patternIndex]
            if required is not None:
                for needle in required:
                    if needle in data:
                        break
                else:
                    patternIndex += 1
                    startIndex = 0
                    continue
            data, matched, startIndex = apply(pattern, data, patternIndex, startIndex)
            if not matched:
                patternIndex += 1
        return data


_Delimiters: Any = getattr(inlinepatterns, "DelimiterProcessor", None)
# The emphasis shortcut mirrors DelimiterProcessor's internals: only on the versions it was
# checked against (tests/test_markup_fast.py compares with stock on every run).
_EMPHASIS_CHECKED = markdown.__version_info__[:2] == (3, 11) and _Delimiters is not None


class FastDelimiterProcessor(_Delimiters or object):  # type: ignore[misc]
    """Stock emphasis, with a shortcut for the common `*a*`, `**a**`, `_a_`, `__a__`."""

    _next_token: re.Pattern[str]
    _fast_ok: bool

    def handleMatch(self, m: re.Match[str], data: str) -> Any:
        """Pair a run of one or two delimiters with the next delimiter in the text when
        that is the same run, closing: what stock ends up doing for it, without its
        general search. Anything else goes to the stock code.

        Only from the state stock's `reset` leaves (which is the state whenever no
        regions are cached), so that the state after is the same too."""
        if (self._fast_ok and not self.regions and not self.stack and not self.cache_index
                and not self.cache_pos):
            start = m.start(0)
            delimiter = self.delimiters.get(data[start])
            if delimiter is not None:
                opener = delimiter.boundary.match(data, start)  # = get_match(): one-char tokens
                if opener is not None and opener.lastgroup[0] != "e":
                    end = opener.end()
                    size = end - start
                    if size <= 2 and not any(d.stack for d in self.delimiters.values()):
                        nxt = self._next_token.search(data, end)
                        if nxt is not None and data[nxt.start()] == data[start]:
                            close = delimiter.boundary.match(data, nxt.start())
                            if (close is not None and close.lastgroup[0] != "s"
                                    and close.end() - close.start() == size):
                                el = etree.Element(delimiter.tags[0 if size == 2 else 1])
                                el.text = data[end:close.start()]
                                return el, start, close.end()
        return super().handleMatch(m, data)

    def add(self, token: str, tags: str, smart: bool = False, double: bool = False) -> None:
        """Stock `add`, keeping the token search up to date."""
        super().add(token, tags, smart, double)
        self._tokens_changed()

    def remove(self, token: str) -> None:
        """Stock `remove`, keeping the token search up to date."""
        super().remove(token)
        self._tokens_changed()

    def _tokens_changed(self) -> None:
        self._next_token = re.compile("[" + re.escape("".join(self.delimiters)) + "]")
        # The shortcut knows one-character tokens rendered as strong (2) or em (1) only.
        self._fast_ok = all(len(token) == 1 and d.tag_count == 2 and not d.double
                            for token, d in self.delimiters.items())


# Block processors whose regex needs a substring in the block: (test or run, needle, the
# regex source checked to need it). A changed regex (another version) is left alone.
_BLOCK_NEEDS: dict[type, tuple[str, str, str]] = {
    blockprocessors.BlockQuoteProcessor: ("test", ">", r"(^|\n)[ ]{0,3}>[ ]?(.*)"),
    blockprocessors.HashHeaderProcessor: (
        "test", "#",
        r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"),
    blockprocessors.ReferenceProcessor: (
        "run", "]:", r"^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
        r"""((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$"""),
    footnotes.FootnoteBlockProcessor: ("run", "[^", r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$"),
}


@functools.cache
def _prefiltered(stock: type, method: str, needle: str) -> type:
    """A subclass of a block processor that skips its regex on blocks without `needle`:
    `test` is False then, and `run` gives the block back (returns False) as stock does
    when its regex finds nothing."""
    if method == "test":
        def test(self: Any, parent: etree.Element, block: str) -> bool:
            return needle in block and stock.test(self, parent, block)
        return type("Fast" + stock.__name__, (stock,), {"test": test})

    def run(self: Any, parent: etree.Element, blocks: list[str]) -> Any:
        if needle not in blocks[0]:
            return False
        return stock.run(self, parent, blocks)
    return type("Fast" + stock.__name__, (stock,), {"run": run})


def _swap(registry: util.Registry[Any], name: str, cls: type) -> None:
    """Register an instance of `cls` (a subclass) holding the stock one's state instead of it,
    under the same name and priority."""
    stock = registry[name]
    priority = next(item.priority for item in registry._priority if item.name == name)
    fast = cls.__new__(cls)
    fast.__dict__.update(stock.__dict__)
    registry.register(fast, name, priority)


def _fast_blocks(md: Markdown) -> None:
    """Prefilter the block processors of `_BLOCK_NEEDS` (when stock, with the checked regex)."""
    blocks = md.parser.blockprocessors
    for name in [item.name for item in blocks._priority]:
        stock = type(blocks[name])
        if stock in _BLOCK_NEEDS:
            method, needle, source = _BLOCK_NEEDS[stock]
            if stock.RE.pattern == source and stock.RE.flags & re.VERBOSE == 0:
                _swap(blocks, name, _prefiltered(stock, method, needle))


def _fast_emphasis(md: Markdown) -> None:
    """Swap the stock emphasis processor for `FastDelimiterProcessor`, state and all."""
    if not _EMPHASIS_CHECKED or "em_strong" not in md.inlinePatterns:
        return
    stock = md.inlinePatterns["em_strong"]
    if type(stock) is not _Delimiters or md.delimiters is not stock:
        return
    _swap(md.inlinePatterns, "em_strong", FastDelimiterProcessor)
    md.delimiters = md.inlinePatterns["em_strong"]
    md.delimiters._tokens_changed()


class FastInlineExtension(Extension):
    """Replace the 'inline' tree processor with `FastInlineProcessor` (same name and
    priority), the emphasis processor with `FastDelimiterProcessor` and some block
    processors with prefiltered ones. Add it after the other extensions."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(FastInlineProcessor(md), "inline", 20)
        _fast_emphasis(md)
        _fast_blocks(md)
