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
emphasis search, and the flat shortcut (`flat_inline`) builds the nodes of a whole
text whose only markup is such pairs and plain `[text](url)` links directly - what
stock builds through placeholders, a stash and a second pass - while
`FastInlineProcessor` runs a copy of the stock traversal. Any other text goes to the
stock code. The stages around the inline patterns (preprocessors, block processors,
the tree processors after, the serializer) are in faststages.py.
tests/test_markup_fast.py compares the output with stock Python-Markdown's.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as etree
from typing import Any, NamedTuple

from markdown import Markdown, inlinepatterns, treeprocessors, util
from markdown.extensions import Extension, smarty

from digest import faststages

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
    # smarty's (typographer: true): each needs its quote(s), dashes, dots or brackets
    **{getattr(smarty, name): ("'",) for name in (
        "singleQuoteStartRe", "decadeAbbrRe", "openingSingleQuotesRegex",
        "closingSingleQuotesRegex", "closingSingleQuotesRegex2")},
    **{getattr(smarty, name): ('"',) for name in (
        "doubleQuoteStartRe", "openingDoubleQuotesRegex", "closingDoubleQuotesRegex",
        "closingDoubleQuotesRegex2")},
    smarty.doubleQuoteSetsRe: ("\"'",), smarty.singleQuoteSetsRe: ("'\"",),
    smarty.doubleQuoteSetsRe2: ("'\"",), smarty.singleQuoteSetsRe2: ("\"'",),
    r"(?<!-)---(?!-)": ("---",), r"(?<!-)--(?!-)": ("--",), r"(?<!\.)\.{3}(?!\.)": ("...",),
    r"\<\<": ("<<",), r"\>\>": (">>",),
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
        self._flat_plan: FlatPlan | None = None
        self._flat_key: tuple[Any, ...] = ()

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        """Plan which patterns each text needs, then run the stock traversal (or its copy
        with the flat shortcut, when the patterns are the ones it knows)."""
        plan = []
        for pattern in self.inlinePatterns:
            compiled = pattern.getCompiledRegExp()
            known = self._needs.get(id(pattern))
            if known is None or known[0] is not pattern or known[1] is not compiled:
                known = self._needs[id(pattern)] = (pattern, compiled, needs(pattern))
            plan.append((pattern, known[2]))
        self._plan = plan
        emphasis = self.md.delimiters
        key = (tuple(plan), emphasis, getattr(emphasis, "_fast_ok", None),
               tuple(getattr(emphasis, "delimiters", {}).items()))
        if key != self._flat_key:  # the same patterns, regexes and tokens: the same plan
            self._flat_key = key
            self._flat_plan = flat_plan(self.md, plan)
        if self._flat_plan is None:
            return super().run(tree, ancestors)
        return self._run_flat(tree, ancestors)

    def _run_flat(self, tree: etree.Element, ancestors: list[str] | None) -> etree.Element:
        """Stock `InlineProcessor.run` (3.11), line for line, except that a text the flat
        shortcut can do is not given to `__handleInline` and `__processPlaceholders`. Its
        nodes are stashed as stock stashes them (in the same order: placeholder numbers
        can show in stock's output of odd texts), not put on the stack (they are leaves:
        there they would do nothing)."""
        handle = self._InlineProcessor__handleInline
        placeholders = self._InlineProcessor__processPlaceholders  # type: ignore[attr-defined]
        plan = self._flat_plan
        self.stashed_nodes = stash = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {c: p for p in tree.iter() for c in p}
        stack = [(tree, tree_parents)]
        self._InlineProcessor__build_ancestors(tree, tree_parents)  # type: ignore[attr-defined]

        while stack:
            currElement, parents = stack.pop(0)
            self.ancestors = parents
            if currElement is not tree:
                self.ancestors.append(currElement.tag.lower())
            insertQueue = []
            for child in currElement:
                text = child.text
                if text and not isinstance(text, util.AtomicString):
                    child.text = None
                    parts = flat_inline(plan, text)
                    if parts is None:
                        self.ancestors.append(child.tag.lower())
                        lst = placeholders(handle(text), child)
                        for item in lst:
                            self.parent_map[item[0]] = child
                        stack += lst
                        insertQueue.append((child, lst))
                        self.ancestors.pop()
                    else:
                        lead, nodes, stashed = parts
                        for node in stashed:
                            stash[f"{len(stash):04d}"] = node
                        if lead:
                            child.text = lead
                        if nodes:
                            for node in nodes:
                                self.parent_map[node] = child
                            insertQueue.append((child, [(node, None) for node in nodes]))
                tail = child.tail
                if tail:
                    parts = flat_inline(plan, tail)
                    if parts is None:
                        tail = handle(tail)
                        dumby = etree.Element('d')
                        child.tail = None
                        tailResult = placeholders(tail, dumby, False)
                        if dumby.tail:
                            child.tail = dumby.tail
                        nodes = [item[0] for item in tailResult]
                    else:
                        lead, nodes, stashed = parts
                        for node in stashed:
                            stash[f"{len(stash):04d}"] = node
                        child.tail = lead or None
                    if nodes:
                        pos = list(currElement).index(child) + 1
                        for node in reversed(nodes):
                            self.parent_map[node] = currElement
                            currElement.insert(pos, node)
                if len(child):
                    self.parent_map[child] = currElement
                    stack.append((child, self.ancestors[:]))

            for element, lst in insertQueue:
                for i, obj in enumerate(lst):
                    element.insert(i, obj[0])
        return tree

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
_EMPHASIS_CHECKED = faststages.CHECKED and _Delimiters is not None


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


# The flat shortcut (FastInlineProcessor._run_flat, flat_inline) copies stock
# InlineProcessor.run and mirrors the link processors: only on the version it was checked on.
_INLINE_CHECKED = _EMPHASIS_CHECKED
_LINK_TYPES = (inlinepatterns.ReferenceInlineProcessor, inlinepatterns.LinkInlineProcessor,
               inlinepatterns.ShortReferenceInlineProcessor)
_STOCK_ATTRIBUTES = {"pattern", "compiled_re", "safe_mode", "md"}
# A plain link: the text without brackets (so the reference processors give up on it) and
# an URL stock's getLink takes whole: no space, bracket, quote, '<', '\\', '`' or token.
_PLAIN_LINK = re.compile(r"(?<!!)\[([^\[\]\x02\x03]*)\]\(([^\s()\[\]<>\"'\\`*\x02\x03]+)\)")
_PLACEHOLDER_CHARS = frozenset("\x02\x03klzwxh:0123456789")
_LINK_MARK = "\x02\x03"  # stands for a stashed link: the ends of stock's placeholder


Checks = tuple[tuple[str, str], ...]  # (a character of the needle, the needle)
Flat = tuple[str, list[etree.Element], list[etree.Element]]  # lead, nodes, in stash order


class FlatPlan(NamedTuple):
    """What the flat shortcut needs to know of the inline patterns of a run."""

    before: Checks     # a text holding one of these needles goes to the stock code
    after: Checks      # same, for the text with its links taken out
    plain: Checks      # `before`, `after` and the other tokens, for a text without links
    link_text: Checks  # `after` and the emphasis tokens: not in a link text
    links: bool        # the stock link processors are there, in the stock order
    emphasis: Any      # the FastDelimiterProcessor
    star: Any          # its Delimiter for '*'
    tokens: Checks     # its other tokens: not outside links either


def _checks(*needles: str) -> Checks:
    """The needles (once each), each with the character of it to look for first: looking
    for one character is cheaper than for a string, and the least common one rules out
    most texts (a needle can be in a text only if each of its characters is)."""
    def commonness(char: str) -> int:
        return 2 if char.isalnum() or char == " " else 1 if char in "[](),.-'\"\n" else 0
    return tuple((min(needle, key=commonness), needle) for needle in dict.fromkeys(needles))


def _stock_link(pattern: Any, kind: type) -> bool:
    return (type(pattern) is kind and not pattern.ANCESTOR_EXCLUDES
            and set(vars(pattern)) <= _STOCK_ATTRIBUTES
            and pattern.compiled_re.pattern == inlinepatterns.LINK_RE
            and pattern.compiled_re.flags == _STOCK_FLAGS)


def flat_plan(md: Markdown, plan: list[tuple[Any, Needs]]) -> FlatPlan | None:
    """The flat shortcut's view of `plan`, or None when it cannot be used for it: emphasis
    must be the checked FastDelimiterProcessor, and every other pattern one it handles (the
    three stock link processors) or one with known, placeholder-safe needs."""
    emphasis = md.delimiters
    if (not _INLINE_CHECKED or type(emphasis) is not FastDelimiterProcessor
            or not emphasis._fast_ok or emphasis.ANCESTOR_EXCLUDES
            or "*" not in emphasis.delimiters):
        return None
    patterns = [pattern for pattern, _ in plan]
    if sum(pattern is emphasis for pattern in patterns) != 1:
        return None
    at = {kind: [i for i, p in enumerate(patterns) if _stock_link(p, kind)] for kind in _LINK_TYPES}
    reference, link, short = (at[kind][0] if len(at[kind]) == 1 else -1 for kind in _LINK_TYPES)
    links = 0 <= reference < link < short and link < patterns.index(emphasis)
    before: list[str] = ["\x02", "\x03"]
    after: list[str] = []
    for index, (pattern, required) in enumerate(plan):
        if pattern is emphasis or (links and index in (reference, link, short)):
            continue
        if required is None or not all(
                needle and "\x02" not in needle and "\x03" not in needle
                and not set(needle) <= _PLACEHOLDER_CHARS for needle in required):
            return None
        (before if not links or index < link else after).extend(required)
    tokens = [token for token in emphasis.delimiters if token != "*"]
    return FlatPlan(_checks(*before), _checks(*after), _checks(*before, *after, *tokens),
                    _checks(*after, "*", *tokens), links, emphasis, emphasis.delimiters["*"],
                    _checks(*tokens))


def flat_inline(plan: FlatPlan | None, text: str) -> Flat | None:
    """Stock's nodes for a text whose only markup is `*a*`, `**a**` (the emphasis
    shortcut's pairs, outside links) and plain `[text](url)` links, without the placeholder
    machinery: the leading text, the nodes (their tails set) and the nodes in the order
    stock stashes them (links, then emphasis). None for any other text.

    The patterns before the links see the text, those after see it with the links stashed
    (`_LINK_MARK` stands for stock's placeholder: the emphasis regexes look one character
    around a run, and see the same ends), the emphasis shortcut then pairs runs as stock's
    loop does, a run that cannot open is skipped as stock skips it."""
    if plan is None or type(text) is not str:
        return None
    emphasis = plan.emphasis
    if (emphasis.regions or emphasis.stack or emphasis.cache_index or emphasis.cache_pos
            or any(d.stack for d in emphasis.delimiters.values())):
        return None
    if plan.links and "[" in text:
        return _flat_with_links(plan, text)
    for probe, needle in plan.plain:
        if probe in text and needle in text:
            return None
    spans = _emphasis(plan, text)
    if spans is None:
        return None
    lead, nodes = _joined(text, spans)
    return lead, nodes, nodes


def _emphasis(plan: FlatPlan, text: str) -> list[tuple[int, int, etree.Element]] | None:
    """The emphasis nodes of a text (start, end, node), paired as
    FastDelimiterProcessor.handleMatch pairs them; a run that cannot open is skipped as
    stock skips it. None when a run needs stock's general search, or a pair holds a link."""
    spans: list[tuple[int, int, etree.Element]] = []
    star = text.find("*")
    if star < 0:
        return spans
    boundary = plan.star.boundary.match
    tags = plan.star.tags
    while star >= 0:
        opener = boundary(text, star)
        if opener is None or opener.lastgroup == "end":
            star = text.find("*", (opener or plan.star.bad.match(text, star)).end())
            continue
        end = opener.end()
        size = end - star
        if size > 2:
            return None
        close_at = text.find("*", end)
        if close_at < 0:
            return None
        close = boundary(text, close_at)
        if close is None or close.lastgroup == "start" or close.end() - close_at != size:
            return None
        content = text[end:close_at]
        if "\x02" in content:
            return None
        el = etree.Element(tags[0 if size == 2 else 1])
        el.text = content
        last = close.end()
        spans.append((star, last, el))
        star = text.find("*", last)
    return spans


def _flat_with_links(plan: FlatPlan, text: str) -> Flat | None:
    """`flat_inline` for a text with a '[': each must open a plain link."""
    for probe, needle in plan.before:
        if probe in text and needle in text:
            return None
    found = list(_PLAIN_LINK.finditer(text))
    if text.count("[") != len(found):
        return None
    links = []
    pieces = []
    start = 0
    for match in found:
        label = match.group(1)
        for probe, needle in plan.link_text:
            if probe in label and needle in label:
                return None
        el = etree.Element("a")
        el.text = label
        el.set("href", match.group(2))
        links.append(el)
        pieces.append(text[start:match.start()])
        start = match.end()
    pieces.append(text[start:])
    rest = _LINK_MARK.join(pieces)
    for probe, needle in plan.after + plan.tokens:
        if probe in rest and needle in rest:
            return None
    spans = _emphasis(plan, rest)
    if spans is None:
        return None
    stashed = links + [el for _, _, el in spans]
    # Links stand at the marks outside the emphasis spans.
    at = rest.find(_LINK_MARK)
    for el in links:
        spans.append((at, at + 2, el))
        at = rest.find(_LINK_MARK, at + 2)
    lead, nodes = _joined(rest, sorted(spans, key=lambda span: span[0]))
    return lead, nodes, stashed


def _joined(text: str, spans: list[tuple[int, int, etree.Element]],
            ) -> tuple[str, list[etree.Element]]:
    """The leading text and the nodes of `spans` (in order), each with the text up to the
    next as its tail (None when empty, as stock's linkText leaves it)."""
    if not spans:
        return text, []
    for (_, end, el), (after, _, _) in itertools.pairwise(spans):
        if after > end:
            el.tail = text[end:after]
    _, end, el = spans[-1]
    if len(text) > end:
        el.tail = text[end:]
    return text[:spans[0][0]], [el for _, _, el in spans]


def _fast_emphasis(md: Markdown) -> None:
    """Swap the stock emphasis processor for `FastDelimiterProcessor`, state and all."""
    if not _EMPHASIS_CHECKED or "em_strong" not in md.inlinePatterns:
        return
    stock = md.inlinePatterns["em_strong"]
    if type(stock) is not _Delimiters or md.delimiters is not stock:
        return
    faststages.swap(md.inlinePatterns, "em_strong", FastDelimiterProcessor)
    md.delimiters = md.inlinePatterns["em_strong"]
    md.delimiters._tokens_changed()


def _fast_smarty(md: Markdown) -> None:
    """smarty's pass (its own stock InlineProcessor over its own patterns) as a
    `FastInlineProcessor`, which skips a pattern whose quote, dashes or dots a text does
    not hold: most texts, for most patterns. Its patterns are not the flat shortcut's, so
    it runs the stock traversal."""
    registry = md.treeprocessors
    if "smarty" not in registry or type(registry["smarty"]) is not treeprocessors.InlineProcessor:
        return
    fast = FastInlineProcessor(md)
    fast.inlinePatterns = registry["smarty"].inlinePatterns
    priority = next(item.priority for item in registry._priority if item.name == "smarty")
    registry.register(fast, "smarty", priority)


class FastInlineExtension(Extension):
    """Replace the 'inline' tree processor with `FastInlineProcessor` (same name and
    priority), and smarty's if it is there, the emphasis processor with
    `FastDelimiterProcessor` and the other stages with faststages.py's. Add it after the
    other extensions."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(FastInlineProcessor(md), "inline", 20)
        _fast_smarty(md)
        _fast_emphasis(md)
        faststages.install(md)
