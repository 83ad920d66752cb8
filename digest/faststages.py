"""The stages of Python-Markdown around the inline patterns, faster, giving the HTML
stock gives byte for byte.

Each one does less than stock where provably nothing would happen, or does the same
thing another way:

* `FastNormalizeWhitespace` runs each replacement only on a text holding what it
  replaces, and the blank-line regex `(?<=\n) +\n` only where `\n +\n` finds a match (the
  same condition, found much faster: the regex has a literal prefix).
* `FastHtmlBlockPreprocessor` does not parse a text without '<' and '&': the HTML parser
  takes all of it as data then, and gives back the same lines.
* `FastFencedBlockPreprocessor` does not search a text without "```" or "~~~" for fences
  (an opening fence is three backticks or tildes).
* Block processors whose test (or run) cannot succeed on a block lacking something - '>'
  for quotes, '#' for headings, ']:' and '[^' for definitions, '|' for tables, a second
  line of '=' or '-' for Setext headings, a line starting with '-', '_' or '*' for rules -
  give up on such a block without running their regex (`_BLOCK_NEEDS`).
* `CachedRegistry` keeps the list a registry iterates over: the block parser iterates
  its processors once per block, stock builds the list every time.
* `FastBlockParser` gives a block that every processor before the paragraph one gives
  up - it starts with none of their first characters, holds none of their substrings,
  fails their checks (`_DECLINED_BY`, `_BLOCK_NEEDS`) - straight to the paragraph
  processor, where stock's loop ends up after asking each of them.
* `FastPrettifyTreeprocessor` asks "block-level?" of a set built from
  `md.block_level_elements` at the start of each run instead of scanning the list.
* `FastUnescapeTreeprocessor` does not run the unescape regex on an exact `str` without
  STX: the regex needs one to match, and `re.sub` returns such a string unchanged.
* The HTML serializer is fastserialize.py's.

`install` puts them in place of stock's only where stock's are there (exactly those
classes, those regexes) and only on the Python-Markdown version this was checked
against; tests/test_markup_fast.py compares the output with stock's.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator
from typing import Any

import markdown
from markdown import (
    Markdown,
    blockparser,
    blockprocessors,
    preprocessors,
    serializers,
    treeprocessors,
    util,
)
from markdown.extensions import fenced_code, footnotes, sane_lists, tables

from digest.fastserialize import serialize_html

# The Python-Markdown version whose internals these shortcuts (and fastinline's) mirror.
CHECKED = markdown.__version_info__[:2] == (3, 11)

_BLANK_LINE = re.compile("\n +\n")


class FastNormalizeWhitespace(preprocessors.NormalizeWhitespace):
    """Stock whitespace normalization, skipping the steps that would change nothing."""

    def run(self, lines: list[str]) -> list[str]:
        """Stock `run`, each step only where it can change something (looking for a single
        character is much cheaper than for a string, or than a regex without a prefix)."""
        source = "\n".join(lines)
        if util.STX in source or util.ETX in source:
            source = source.replace(util.STX, "").replace(util.ETX, "")
        if "\r" in source:
            source = source.replace("\r\n", "\n").replace("\r", "\n")
        source += "\n\n"
        if "\t" in source:
            source = source.expandtabs(self.md.tab_length)
        if _BLANK_LINE.search(source):  # matches where `(?<=\n) +\n` does
            source = re.sub(r"(?<=\n) +\n", "\n", source)
        return source.split("\n")


class FastHtmlBlockPreprocessor(preprocessors.HtmlBlockPreprocessor):
    """Stock raw-HTML extraction, not parsing a text without markup."""

    def run(self, lines: list[str]) -> list[str]:
        """The text's lines when it holds no '<' and no '&'; else stock `run`."""
        source = "\n".join(lines)
        if "<" in source or "&" in source:
            return super().run(lines)
        return source.split("\n")


class FastFencedBlockPreprocessor(fenced_code.FencedBlockPreprocessor):
    """Stock fenced code, not searching a text without a fence."""

    def run(self, lines: list[str]) -> list[str]:
        """The text's lines when it holds no "```" and no "~~~"; else stock `run`."""
        text = "\n".join(lines)
        if not self.checked_for_deps or ("`" in text and "```" in text) or (
                "~" in text and "~~~" in text):
            return super().run(lines)
        return text.split("\n")


class FastPrettifyTreeprocessor(treeprocessors.PrettifyTreeprocessor):
    """Stock prettify, asking a set which tags are block-level."""

    def run(self, root: etree.Element) -> None:
        """Stock `run`, with `_prettifyETree` looking tags up in a set built now."""
        blocks = self.md.block_level_elements
        if (type(self.md).is_block_level is not Markdown.is_block_level
                or "is_block_level" in vars(self.md)
                or not set(map(type, blocks)) <= {str}):
            return super().run(root)
        self._blocks = frozenset(blocks)
        try:
            return super().run(root)
        finally:
            del self._blocks

    def _prettifyETree(self, elem: etree.Element) -> None:
        """Stock `_prettifyETree` with `md.is_block_level(tag)` as a set lookup."""
        blocks = getattr(self, "_blocks", None)
        if blocks is None:
            return super()._prettifyETree(elem)
        self._prettify(elem, blocks)

    def _prettify(self, elem: etree.Element, blocks: frozenset[str]) -> None:
        tag = elem.tag
        if isinstance(tag, str) and tag.lower().rstrip("/") in blocks and tag not in (
                "code", "pre"):
            text = elem.text
            if (not text or not text.strip()) and len(elem):
                first = elem[0].tag
                if isinstance(first, str) and first.lower().rstrip("/") in blocks:
                    elem.text = "\n"
            for e in elem:
                if isinstance(e.tag, str) and e.tag.lower().rstrip("/") in blocks:
                    self._prettify(e, blocks)
        tail = elem.tail
        if not tail or not tail.strip():
            elem.tail = "\n"


class FastUnescapeTreeprocessor(treeprocessors.UnescapeTreeprocessor):
    """Stock unescape, not calling the regex where it cannot match."""

    def run(self, root: etree.Element) -> None:
        """Stock `run`; a plain `str` without STX is left as it is (`re.sub` would return
        it unchanged), anything else goes through stock's `unescape`."""
        unescape = self.unescape
        stx = util.STX
        for elem in root.iter():
            text = elem.text
            if text and elem.tag != "code" and (type(text) is not str or stx in text):
                elem.text = unescape(text)
            tail = elem.tail
            if tail and (type(tail) is not str or stx in tail):
                elem.tail = unescape(tail)
            for key, value in elem.items():
                if value is not None and (type(value) is not str or stx in value):
                    elem.set(key, unescape(value))


class CachedRegistry(util.Registry):  # type: ignore[type-arg]
    """A Registry that keeps the list it iterates over until an item is registered or
    deregistered (the only ways its items change), instead of building it again on every
    iteration: the block parser iterates its processors once per block."""

    _items: list[Any] | None = None

    def __iter__(self) -> Iterator[Any]:
        items = self._items
        if items is None:
            items = self._items = list(super().__iter__())
        return iter(items)

    def register(self, item: Any, name: str, priority: float) -> None:
        """Stock `register`; the list is built again at the next iteration."""
        self._items = None
        super().register(item, name, priority)

    def deregister(self, name: str, strict: bool = True) -> None:
        """Stock `deregister`; the list is built again at the next iteration."""
        self._items = None
        super().deregister(name, strict)


def _hr_line(block: str) -> bool:
    """A line of the block starts with up to three spaces and '-', '_' or '*': what the rule
    regex needs where its `^` matches (at the start, or after a newline)."""
    return block[:4].lstrip(" ")[:1] in _HR_MARKS or _HR_START.search(block) is not None


def _setext_underline(block: str) -> bool:
    """The second line starts with '=' or '-': `^.*?\n(?:=+|-+)` (without DOTALL) needs it."""
    newline = block.find("\n")
    return newline >= 0 and block.startswith(("=", "-"), newline + 1)


def _has_pipe(block: str) -> bool:
    """A table's header row needs a '|' (TableProcessor.test: without one the row is a
    single cell and no border is seen, so it is no table)."""
    return "|" in block


_HR_MARKS = frozenset("-_*")
_HR_START = re.compile(r"\n {0,3}[-_*]")
_MULTILINE = re.MULTILINE | re.UNICODE
# Block processors whose regex needs something in the block: (test or run, the substring it
# needs or a check of what it needs, the regex attribute, its source and flags checked to
# need it, or "" for a processor whose code is checked instead: the version is checked
# then). A changed regex (another version) is left alone.
_BLOCK_NEEDS: dict[type, tuple[str, str | Callable[[str], bool], str, str, int | None]] = {
    blockprocessors.BlockQuoteProcessor: ("test", ">", "RE", r"(^|\n)[ ]{0,3}>[ ]?(.*)", None),
    blockprocessors.HashHeaderProcessor: (
        "test", "#", "RE",
        r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)", None),
    blockprocessors.ReferenceProcessor: (
        "run", "]:", "RE", r"^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
        r"""((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""", None),
    footnotes.FootnoteBlockProcessor: (
        "run", "[^", "RE", r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$", None),
    blockprocessors.HRProcessor: (
        "test", _hr_line, "SEARCH_RE", r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|"
        r"(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$", _MULTILINE),
    blockprocessors.SetextHeaderProcessor: (
        "test", _setext_underline, "RE", r"^.*?\n(?:=+|-+)[ ]*(\n|$)", _MULTILINE),
    tables.TableProcessor: ("test", _has_pipe, "", "", None),
}


_PREFILTERED: dict[type, tuple[str | Callable[[str], bool], type]] = {}  # stock: needs, class


@functools.cache
def _prefiltered(stock: type, method: str, needs: str | Callable[[str], bool]) -> type:
    """A subclass of a block processor that skips its regex on blocks without what it
    `needs` (a substring, or a check): `test` is False then, and `run` gives the block back
    (returns False) as stock does when its regex finds nothing."""
    if isinstance(needs, str):
        needle = needs
        if method == "test":
            def test(self: Any, parent: etree.Element, block: str) -> bool:
                return needle in block and stock.test(self, parent, block)
            return type("Fast" + stock.__name__, (stock,), {"test": test})

        def run(self: Any, parent: etree.Element, blocks: list[str]) -> Any:
            if needle not in blocks[0]:
                return False
            return stock.run(self, parent, blocks)
        return type("Fast" + stock.__name__, (stock,), {"run": run})

    may_match = needs
    if method == "test":
        def test_checked(self: Any, parent: etree.Element, block: str) -> bool:
            return may_match(block) and stock.test(self, parent, block)
        return type("Fast" + stock.__name__, (stock,), {"test": test_checked})

    def run_checked(self: Any, parent: etree.Element, blocks: list[str]) -> Any:
        if not may_match(blocks[0]):
            return False
        return stock.run(self, parent, blocks)
    return type("Fast" + stock.__name__, (stock,), {"run": run_checked})


def fast_blocks(md: Markdown) -> None:
    """Prefilter the block processors of `_BLOCK_NEEDS` (when stock, with the checked regex)."""
    blocks = md.parser.blockprocessors
    for name in [item.name for item in blocks._priority]:
        stock = type(blocks[name])
        if stock in _BLOCK_NEEDS:
            method, needle, attribute, source, flags = _BLOCK_NEEDS[stock]
            if not attribute:
                checked = CHECKED
            else:
                regex = getattr(stock, attribute)
                checked = regex.pattern == source and (
                    regex.flags & re.VERBOSE == 0 if flags is None
                    else CHECKED and regex.flags == flags)
            if checked:
                swap(blocks, name, _prefiltered(stock, method, needle))
                _PREFILTERED[stock] = (needle, _prefiltered(stock, method, needle))


# What a block must avoid for a block processor to give it up (its test is False, or its
# run gives the block back): first characters, substrings, checks. For the stock classes
# (with the regexes checked below) and the prefiltered ones.
_DECLINED_BY: dict[type, tuple[str, tuple[str, ...], tuple[Callable[[str], bool], ...]]] = {
    blockprocessors.EmptyBlockProcessor: ("\n", (), ()),  # and an empty block
    blockprocessors.ListIndentProcessor: (" ", (), ()),    # block.startswith(" " * 4) ...
    blockprocessors.CodeBlockProcessor: (" ", (), ()),
    blockprocessors.OListProcessor: (" 0123456789", (), ()),  # ^[ ]{0,3}\d+\.[ ]+(.*)
    blockprocessors.UListProcessor: (" *+-", (), ()),         # ^[ ]{0,3}[*+-][ ]+(.*)
    sane_lists.SaneOListProcessor: (" 0123456789", (), ()),   # the same tests (and RE)
    sane_lists.SaneUListProcessor: (" *+-", (), ()),
}
_LIST_RES = {blockprocessors.OListProcessor: r"^[ ]{0,3}\d+\.[ ]+(.*)",
             blockprocessors.UListProcessor: r"^[ ]{0,3}[*+-][ ]+(.*)",
             sane_lists.SaneOListProcessor: r"^[ ]{0,3}\d+\.[ ]+(.*)",
             sane_lists.SaneUListProcessor: r"^[ ]{0,3}[*+-][ ]+(.*)"}
Lane = tuple[Any, frozenset[str], tuple[str, ...], tuple[Callable[[str], bool], ...]]


def _declined_by(processor: Any) -> tuple[str, tuple[str, ...],
                                          tuple[Callable[[str], bool], ...]] | None:
    """What a block must avoid for `processor` to give it up; None if that is not known."""
    kind = type(processor)
    for needle, prefiltered in _PREFILTERED.values():
        if kind is prefiltered:
            return ("", (needle,), ()) if isinstance(needle, str) else ("", (), (needle,))
    if kind not in _DECLINED_BY or processor.tab_length != 4 or (
            kind in _LIST_RES and processor.RE.pattern != _LIST_RES[kind]):
        return None
    return _DECLINED_BY[kind]


def _lane(processors: list[Any]) -> Lane | None:
    """The paragraph processor, when it is last and every processor before it gives up a
    block in a known way, with what a block must avoid for all of them to give it up."""
    if not processors or type(processors[-1]) is not blockprocessors.ParagraphProcessor:
        return None
    first = ""
    needles: list[str] = []
    checks: list[Callable[[str], bool]] = []
    for processor in processors[:-1]:
        declined = _declined_by(processor)
        if declined is None:
            return None
        first += declined[0]
        needles.extend(declined[1])
        checks.extend(declined[2])
    return processors[-1], frozenset(first), tuple(needles), tuple(checks)


class FastBlockParser(blockparser.BlockParser):
    """The stock block parser, giving a block every processor gives up straight to the
    paragraph processor (the last, which takes any block): what stock's loop ends with."""

    _lane_for: list[Any] | None = None
    _lane: Lane | None = None

    def parseBlocks(self, parent: etree.Element, blocks: list[str]) -> None:
        """Stock `parseBlocks`, with the paragraph lane."""
        registry = self.blockprocessors
        if type(registry) is not CachedRegistry:
            return super().parseBlocks(parent, blocks)
        processors = list(registry)
        if processors != self._lane_for:
            self._lane_for, self._lane = processors, _lane(processors)
        if self._lane is None:
            return super().parseBlocks(parent, blocks)
        paragraph, first, needles, checks = self._lane
        while blocks:
            block = blocks[0]
            if block and block[0] not in first:
                for needle in needles:
                    if needle in block:
                        break
                else:
                    for check in checks:
                        if check(block):
                            break
                    else:
                        paragraph.run(parent, blocks)
                        continue
            for processor in registry:
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break


def swap(registry: util.Registry[Any], name: str, cls: type) -> None:
    """Register an instance of `cls` (a subclass) holding the stock one's state instead of it,
    under the same name and priority."""
    stock = registry[name]
    priority = next(item.priority for item in registry._priority if item.name == name)
    fast = cls.__new__(cls)
    fast.__dict__.update(stock.__dict__)
    registry.register(fast, name, priority)


def install(md: Markdown) -> None:
    """Use the faster stages in `md` where they are known to give stock's output. Call it
    from an extension's `extendMarkdown` (after the other extensions' own), before `md`
    picks its output format."""
    fast_blocks(md)  # guarded by the regexes (and the version for some)
    if not CHECKED:
        return
    for registry in (md.preprocessors, md.parser.blockprocessors, md.inlinePatterns,
                     md.treeprocessors, md.postprocessors):
        if type(registry) is util.Registry:
            registry.__class__ = CachedRegistry
    if type(md.parser) is blockparser.BlockParser:
        md.parser.__class__ = FastBlockParser
    if md.output_formats.get("html") is serializers.to_html_string:
        md.output_formats = {**md.output_formats, "html": serialize_html}
    for registry, name, stock, fast in (
            (md.preprocessors, "normalize_whitespace", preprocessors.NormalizeWhitespace,
             FastNormalizeWhitespace),
            (md.preprocessors, "html_block", preprocessors.HtmlBlockPreprocessor,
             FastHtmlBlockPreprocessor),
            (md.preprocessors, "fenced_code_block", fenced_code.FencedBlockPreprocessor,
             FastFencedBlockPreprocessor),
            (md.treeprocessors, "prettify", treeprocessors.PrettifyTreeprocessor,
             FastPrettifyTreeprocessor),
            (md.treeprocessors, "unescape", treeprocessors.UnescapeTreeprocessor,
             FastUnescapeTreeprocessor)):
        if name in registry and type(registry[name]) is stock:
            swap(registry, name, fast)
