"""The fast Markdown pipeline (digest/fastinline.py, digest/faststages.py) gives the HTML
stock Python-Markdown gives, byte for byte: on a generated corpus, on the site's content
and test fixtures, on hand-picked corner cases, and on generated Markdown full of special
characters; each fast stage also against its stock counterpart, on its own. Every
comparison is made twice: with the default extensions, and with smarty
(`typographer: true`)."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown import blockprocessors, inlinepatterns, serializers, util

from digest import fastinline, fastserialize, faststages, quickmarkup
from digest.markup import EXTENSION_CONFIGS, EXTENSIONS, MarkupError, Renderer, extensions, sanitize
from digest.quickmarkup import quick_html

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT.parent / "shared" / "bench" / "gen_corpus.py"  # ../shared beside the project

STOCK = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                          output_format="html")
FAST = Renderer()
# typographer: true
STOCK_TYPOGRAPHER = markdown.Markdown(extensions=extensions(typographer=True),
                                      extension_configs=EXTENSION_CONFIGS, output_format="html")
FAST_TYPOGRAPHER = Renderer(typographer=True)


def stock_convert(text: str, stock: markdown.Markdown = STOCK) -> str:
    stock.reset()
    return stock.convert(text)


def fast_convert(text: str, fast: Renderer = FAST) -> str:
    fast._md.reset()
    return fast._md.convert(text)


def assert_same(text: str) -> None:
    """Both the Markdown output and the rendered (sanitized) HTML equal stock's, with and
    without the typographer; and so does the direct HTML of plain bodies, when it is
    written."""
    quick = quick_html(text)
    if quick is not None:
        assert quick == stock_convert(text), text
    for stock, fast in ((STOCK, FAST), (STOCK_TYPOGRAPHER, FAST_TYPOGRAPHER)):
        expected = stock_convert(text, stock)
        assert fast_convert(text, fast) == expected, text
        try:
            rendered = fast.render(text)
        except MarkupError:
            continue  # a limit of Renderer, not of the Markdown step
        assert rendered == sanitize(expected), text


def body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n") and "\n---\n" in text[4:]:
        return text[4:].split("\n---\n", 1)[1]
    return text


def test_the_fast_processors_are_installed() -> None:
    md = FAST._md
    assert type(md.treeprocessors["inline"]) is fastinline.FastInlineProcessor
    if fastinline._EMPHASIS_CHECKED:
        assert type(md.inlinePatterns["em_strong"]) is fastinline.FastDelimiterProcessor
        assert md.delimiters is md.inlinePatterns["em_strong"]
    if faststages.CHECKED:
        assert md.serializer is fastserialize.serialize_html
        assert type(md.parser.blockprocessors) is faststages.CachedRegistry
        kinds = {name: type(registry[name]) for registry in (md.preprocessors,
                 md.parser.blockprocessors, md.treeprocessors) for name in (
                 "normalize_whitespace", "html_block", "fenced_code_block", "hr", "setextheader",
                 "table", "prettify", "unescape") if name in registry}
        assert all(kind.__name__.startswith("Fast") for kind in kinds.values()), kinds
        assert len(kinds) == 8
        assert type(md.parser) is faststages.FastBlockParser
    FAST.render("a *b* [c](d)")
    assert (md.treeprocessors["inline"]._flat_plan is not None) == fastinline._INLINE_CHECKED
    assert (getattr(md.parser, "_lane", None) is not None) == faststages.CHECKED
    assert "smarty" not in md.treeprocessors
    smarty = FAST_TYPOGRAPHER._md.treeprocessors["smarty"]
    assert type(smarty) is fastinline.FastInlineProcessor
    assert smarty.inlinePatterns is not FAST_TYPOGRAPHER._md.inlinePatterns
    def order(registry: Any) -> list[str]:
        return sorted(registry._data, key=registry.get_index_for_name)

    assert order(FAST_TYPOGRAPHER._md.treeprocessors) == order(STOCK_TYPOGRAPHER.treeprocessors)
    assert all(fastinline.needs(pattern) for pattern in smarty.inlinePatterns)


@given(st.text(alphabet="'\"-.<> aé1\n\u2013\u2014&;#s", max_size=40))
def test_needs_are_sound(text: str) -> None:
    """A pattern's regex matches no text that holds none of its needles (what skipping
    a pattern relies on), for every pattern the table knows."""
    for source, needles in fastinline._STOCK_NEEDS.items():
        if re.compile(source, re.DOTALL | re.UNICODE).search(text):
            assert any(needle in text for needle in needles), (source, text)


def test_needs_are_known_for_the_stock_patterns_only() -> None:
    names = {name: fastinline.needs(FAST._md.inlinePatterns[name])
             for name in ("backtick", "escape", "footnote", "link", "image_link", "html",
                          "entity", "linebreak", "em_strong")}
    assert names["em_strong"] == ("*", "_") and names["footnote"] == ("[^",)
    assert all(value for value in names.values())

    class Custom(markdown.inlinepatterns.InlineProcessor):
        pass

    assert fastinline.needs(Custom(r"\*\*\*")) == ("***",)
    assert fastinline.needs(Custom(r"a+")) is None  # unknown shape: always tried
    assert fastinline.needs(Custom(r"\[|x[yz]")) is None

    class Overridden(markdown.inlinepatterns.InlineProcessor):
        def getCompiledRegExp(self):
            return self.compiled_re

    assert fastinline.needs(Overridden(markdown.inlinepatterns.ENTITY_RE)) is None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    if not GENERATOR.exists():
        pytest.skip(f"the corpus generator {GENERATOR} is missing")
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(GENERATOR), "--count", "300", str(out)], check=True,
                   capture_output=True)
    files = sorted(out.rglob("*.md"))
    assert len(files) == 300
    return files


def test_generated_corpus(corpus: list[Path]) -> None:
    for path in corpus:
        assert_same(body(path))


@pytest.mark.skipif(not fastinline._INLINE_CHECKED, reason="another Python-Markdown version")
def test_the_flat_shortcut_does_most_texts_of_the_corpus(
        corpus: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcut is what makes articles cheap: it must not silently stop applying."""
    results = []
    stock_flat = fastinline.flat_inline

    def counting(plan: fastinline.FlatPlan | None, text: str) -> object:
        result = stock_flat(plan, text)
        results.append(result is not None)
        return result

    monkeypatch.setattr(fastinline, "flat_inline", counting)
    for path in corpus[:50]:
        fast_convert(body(path))
    assert len(results) > 200 and sum(results) > 0.9 * len(results)


# The direct HTML of plain bodies (digest/quickmarkup.py): tokens of what it writes, and
# of what is near it but must be left to Python-Markdown.
QUICK_TOKENS = ["word", "Zürich", " ", " ", "\n", "\n\n", "\n\n\n", "*", "**", "***", "*a*",
                "**b c**", "[", "]", "(", ")", "[a b](https://e.org/x?y=1#z)", "](http://e.org/)",
                "(http://e.org/a)", "> ", "- ", "# ", "## ", "###### ", "####### ", "#", ">", "-",
                "—", "“", "”", "\u2019", "1.", "2)", "!", "^", "[^", "+", "=", ":", "~", "\u00a0",
                "\u2003", "\t", ".", ",", "'", '"', "é", "日本", "4", "\n- ", "\n> ", "\n# ", "&",
                "&amp;", "&#91;", "&x;", "&\u017f;", "AT&T", "\n1. ", "\n2. ", "\n  ", "\n    ",
                "10. "]


@pytest.mark.skipif(not faststages.CHECKED, reason="another Python-Markdown version")
def test_the_direct_path_takes_most_of_the_corpus(corpus: list[Path]) -> None:
    """The direct path is what makes plain articles cheap: it must not silently stop
    applying (its output is compared with stock's in assert_same)."""
    taken = [path for path in corpus if quick_html(body(path)) is not None]
    assert len(taken) > 0.9 * len(corpus)


@pytest.mark.skipif(not faststages.CHECKED, reason="another Python-Markdown version")
def test_plain_bodies_are_written_directly() -> None:
    text = "## A *b*\n\nP **c** [d](https://e.org/f) e > f.\n\n> “q”\n> r\n\n> s\n\n- t\n- *u*"
    assert quick_html(text) == (
        '<h2>A <em>b</em></h2>\n<p>P <strong>c</strong> <a href="https://e.org/f">d</a> e &gt; '
        'f.</p>\n<blockquote>\n<p>“q”\nr</p>\n<p>s</p>\n</blockquote>\n<ul>\n<li>t</li>\n'
        '<li><em>u</em></li>\n</ul>')
    assert FAST.render(text) == sanitize(quick_html(text))
    text = "3. a &amp; b\n   more\n4. R&D\n\nP.\n\n- c\n  d"
    assert quick_html(text) == ('<ol start="3">\n<li>a &amp; b\n   more</li>\n'
                                "<li>R&amp;D</li>\n</ol>\n<p>P.</p>\n<ul>\n<li>c\n  d</li>\n</ul>")
    assert_same(text)
    for other in ("`c`", "a_b", "![i](http://e.org/i.png)", "a[^1]\n\n[^1]: n", "- a\n\n- b",
                  "* a", "1) a", "a\n===", "    code", "a  \nb", "| a |", "<b>b</b>", "- a\n1. b",
                  "*a **b** c*", "[*a*](http://e.org/)", "[a](/relative)", "a\n# b", "- a\nb"):
        assert quick_html(other) is None, other
        assert_same(other)


# Plain bodies, built as blocks (a line prefix, then inline tokens) with some noise.
INLINE_TOKENS = ["word", "Zürich", " ", " ", " ", "*a*", "**b c**", "[a b](https://e.org/x)",
                 "—", ".", ",", ">", "(", ")", "“", "”", "x*y*z", "\n", "&", "&amp;", "\n  ",
                 "*a\nb*"]
PREFIXES = ["", "", "> ", "- ", "# ", "## ", "> - ", "- - ", "1. ", "2. ", "1. - "]
SEPARATORS = ["\n\n", "\n\n", "\n\n\n", "\n"]


def _plain_line(tokens: list[str]) -> str:
    """Tokens joined, without spaces at the ends of lines (which the direct path refuses)."""
    return "\n".join(line.strip(" ") for line in "".join(tokens).split("\n"))


@st.composite
def plain_bodies(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(st.tuples(
        st.sampled_from(PREFIXES), st.lists(st.sampled_from(INLINE_TOKENS + QUICK_TOKENS[:12]),
                                            min_size=1, max_size=10).map(_plain_line),
        st.sampled_from(SEPARATORS)), max_size=6))
    return "".join(prefix + line + separator for prefix, line, separator in blocks)


@given(plain_bodies())
def test_generated_plain_bodies(text: str) -> None:
    assert_same(text)


@given(st.lists(st.sampled_from(QUICK_TOKENS), max_size=40).map("".join))
def test_generated_near_plain_bodies(text: str) -> None:
    assert_same(text)


@pytest.mark.skipif(not faststages.CHECKED, reason="another Python-Markdown version")
def test_many_generated_plain_bodies() -> None:
    """A fixed-seed sweep of plain bodies with noise; enough of them must be taken for
    the comparison to mean something."""
    rng = random.Random(20261201)
    taken = 0
    for _ in range(6000):
        blocks = []
        for _ in range(rng.randrange(1, 7)):
            tokens = INLINE_TOKENS if rng.random() < 0.8 else QUICK_TOKENS
            line = _plain_line([rng.choice(tokens) for _ in range(rng.randrange(1, 12))])
            blocks.append(rng.choice(PREFIXES) + line + rng.choice(SEPARATORS))
        text = "".join(blocks)
        quick = quick_html(text)
        if quick is not None:
            taken += 1
            assert quick == stock_convert(text), text
    assert taken > 450


def site_files() -> list[Path]:
    files = sorted((ROOT / "content").rglob("*.md")) + sorted((ROOT / "tests").rglob("*.md"))
    return [path for path in files if path.is_file()]


@pytest.mark.parametrize("path", site_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_site_content_and_fixtures(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8")
    assert_same(text)
    assert_same(body(path))


TRICKY = [
    # emphasis
    "*a **b** c*", "**a *b* c**", "***a***", "***a** b*", "***a* b**", "*a**", "**a*",
    "_intra_word_", "snake_case_name and _em_", "__strong__ and _em_", "a * b * c",
    "*a*b*c*", "**a**b**", "* not a list item*", "*a\nb*", "*", "**", "***", "****a****",
    "_a_b_", "__a__b", "*_a_*", "_*a*_", "**a _b_ c**", "*a `*` b*", "*[a](b)*", "[*a*](b)",
    "*a* *b* *c*", "x*y*z", "x**y**z", "*a\\*b*", "\\*a*", "*a*  \nb", "*\u00e9*", "**\u4e2d**",
    "*a **b*** c", "**a *b*** c", "*a **b c*", "__*a*__", "*__a__*", "**foo*bar**baz*",
    "*foo**bar***", "_a__b_", "*a*_b_*c*", "*a _b* c_", "**a\n\nb**",
    # escapes and code spans
    "\\*not em\\*", "\\\\*em*", "\\`not code\\`", "a \\_ b \\[c\\] \\\\", "\\<b>",
    "`code`", "`` code with ` inside ``", "```a``b```", "`a", "``a`", "\\``a`", "\\\\`a`",
    "`*a*` *b*", "`<b>&amp;</b>`", "` `` `", "``` ``x`` ```",
    # links and images
    "[a](http://x)", "[a](<http://x y>)", '[a](http://x "t")', "[a](http://x 't')",
    "[a [b] c](http://x)", "[a](http://x(y))", "![i](/a.png)", '![i *b*](/a.png "T")',
    "[![i](/a.png)](http://x)", "[a][r]\n\n[r]: http://x", "[a][]\n\n[a]: http://x 'T'",
    "[r]\n\n[r]: http://x", "![i][r]\n\n[r]: /a.png", "![r]\n\n[r]: /a.png",
    "[a][missing]", "[a](", "[a]", "[a](b", "![a", "[a](b)c](d)", "[link](http://x\"t)",
    "[a](b 'c\" d)", "[a\nb](c)", "[`a]`](b)", "[a](b)[c](d)",
    # footnotes
    "a[^1]\n\n[^1]: note", "a[^n] b[^n]\n\n[^n]: twice", "a[^x]", "[^1]\n\n[^1]: *em* `c`",
    "a[^1] b[^2]\n\n[^2]: two\n[^1]: one\n", "a[^ b]",
    # raw HTML and entities
    "<b>bold</b> *em*", "<span class='x'>*a*</span>", "<!-- c --> x", "a <br/> b", "<?php x ?>",
    "<![CDATA[x]]>", "<div>\n*a*\n</div>", "a < b > c", "&amp; &copy; &#91; &#x5B; &bogus; & ;",
    "AT&T &", "&#;", "*(**]*&y;", "*)**;*&p;", "<a href=\"x\">*a*</a>",
    "<http://x> <a@b.c> <mailto:a@b.c>",
    "<http://x?a=1&b=2>", "<a@b>", "<ftp://x_y_z>", "<not a link>",
    # line breaks, blocks
    "a  \nb", "a   \n  b", "a \\\nb", "# *h* \\#", "Head\n===\n*a*", "---", "- *a*\n- **b**",
    "1. a\n2. b\n   - c\n     > d *e*", "> a\n> > b *c*\n> - d", "    code *not em*",
    "```\n*not em* <b>\n```", "```python\nx = '<'\n```\n\n*after*",
    "| a | *b* |\n|---|:--:|\n| `c|d` | [e](f) |", "| a |\n|---|\n| b \\| c |",
    "- a\n\n  b *c*\n\n- d", "* a\n* b\n\n1. c", "2. a\n3. b",
    # non-ASCII
    "Київ *новини* — «цитата» _так_", "日本 **東京** [リンク](http://x)", "السلام *عليكم*",
    "e\u0301 *\u00e9* \u200b*a*\u200b", "\u00a0*a*\u00a0", "tab\t*a*\tb",
    # plain links with emphasis (the flat shortcut) and what it leaves to stock
    "[a](b) *c*", "*a* [b](c) **d**", "[a](b_c) _d_", "[a](b_c) x", "[a](http://x?a=1&b=2) *c*",
    "[a (b)](c)", "[](c) *d*", "[a\nb](c) *d*", "*[a](b)*", "**[a](b)**", "*a [b](c) d*",
    "[*a*](b)", "[_a_](b)", "![a](b) [c](d)", "[a](b)[c](d)", "[a] [b](c)", "[a](b*c)",
    "[a](b)*c*", "*c*[a](b)", "x*[a](b)*", "[a](<b>)", "[a](b 't')", "[a](b) [^1]\n\n[^1]: n",
    "[a](b)  \nc", "[a](b) &amp; *c*", "[a](b) <i>c</i>", "[a](b)\n\n[a]: c", "[a](b) [c]",
    "[a](b) [c][]\n\n[c]: d", "[a](b) `c`", "[a](b) \\*c*", "[a](b) ![c](d)", "[a](b) <http://c>",
    "[a  \nb](c)", "[a&b](c)", "[a](b(c))", "[a](b)c](d)", "[a]( b)", "[a](b )", "[a](\u00e9)",
    "a * b *c*", "*a* * b", "2 * 3 = *6*", "*a*\n*b*", "**a** *b* **c**", "*a*b", "a*b*",
    "* a*", "*a *", "***a***", "*a**b*", "**a*", "*a*  \n*b*", "*\u00e9*[x](y)\u00e9*z*",
    # preprocessing and blocks (faststages)
    "a\r\nb\r\n\r\n*c*", "a\rb", "\ta *b*\n\n\tcode", "a\n   \nb", "a\n \n\n  \nb", "a \nb",
    "a\x02b\x03 *c*", "```\ncode\n```", "~~~\ncode\n~~~", "``not a fence``", "~~a~~",
    "| a |\n|---|\n| b |", "a | b\n--|--\n1 | 2", "|a\n|-\n|b", "a\n===", "a\n---", "a\n- b",
    "---", "***", "___", "- - -", " * * *", "    ---", "a\n---\nb", "a\n * * *\nb", "-- -",
    "<div>*a*</div>", "a &copy; b", "<br>", "# a\n\n## b #", "> a\n\n> b", "1. a\n\n* b",
    # typographic punctuation (typographer: true)
    "It's \"quoted\" and 'single'", "'90s -- en --- em ... dots", "a--b---c----d",
    "\"'A'\" '\"b\"'",
    "....", "<<angled>> \\\"escaped\\\"", "*'a'* **\"b\"** [\"c\"](d) `'e'`", "'*a*' \"[b](c)\"",
    "\"a\"[^1]\n\n[^1]: 'n'", "- 'a'\n- \"b\"", "> \"q\" -- said", "&nbsp;'a' &mdash;\"b\"",
    "| 'a' | \"b\" |\n|---|---|\n| -- | ... |", "```\n'not' \"educated\" --\n```",
    # stock leaks a placeholder here: its number must be stock's (flat nodes are stashed too)
    "[](2)\n[^]:*a**a*[]()", "*a* [b](c) **d**\n\n[^x]: *a**a*[]()",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_cases(text: str) -> None:
    assert_same(text)
    assert_same(f"Before. {text} After.\n\n- {text}\n\n> {text}\n")


ALPHABET = "*_[]()!<>&\\`#-+.:|~^ \n\t\"'=/@;aAbé1"
TOKENS = ["*", "**", "***", "_", "__", "[", "]", "(", ")", "![", "](", "[^1]", "<", ">", "&",
          "&amp;", "&#91;", "&copy;", "&x;", ";", "\\", "\\*", "`", "``", "<b>", "</b>", "<http://e.org/a_b>",
          "<a@b.c>", "  \n", "\n", "\n\n", " ", " ", "a", "word", "é", "x_y", "- ", "1. ",
          "> ", "# ", "    ", "| ", "|---|", "```\n", "\n[^1]: n", "\n[r]: /u", "[r]", ":", "|",
          "[a](b)", "[x y](http://e.org/a_b?c=1&d=2)", '[a](b "t")', "\r\n", "\t", "\n   \n",
          "~~~\n", "* * *", "===", "\n---", "*a*", "**b**", "\x02", "\x03",
          # what the typographer educates
          "'", '"', "--", "---", "...", "<<", ">>", "'90s", "it's", "&nbsp;", "&mdash;", "s "]


@given(st.text(alphabet=ALPHABET, max_size=200))
def test_generated_characters(text: str) -> None:
    assert_same(text)


@given(st.lists(st.sampled_from(TOKENS), max_size=60).map("".join))
def test_generated_tokens(text: str) -> None:
    assert_same(text)


def test_many_random_token_strings() -> None:
    """A fixed-seed sweep, wider than the hypothesis runs above and the same every time."""
    rng = random.Random(20240326)
    for _ in range(3000):
        source = TOKENS if rng.random() < 0.7 else list(ALPHABET)
        text = "".join(rng.choice(source) for _ in range(rng.randrange(1, 80)))
        assert_same(text)


@pytest.mark.skipif(not fastinline._INLINE_CHECKED, reason="another Python-Markdown version")
def test_flat_shortcut_nodes() -> None:
    FAST.render("x")  # plans the run
    plan = FAST._md.treeprocessors["inline"]._flat_plan
    lead, nodes, stashed = fastinline.flat_inline(plan, "a *b* [c](d_e) **f**")
    assert lead == "a "
    assert [(n.tag, n.text, n.tail, dict(n.attrib)) for n in nodes] == [
        ("em", "b", " ", {}), ("a", "c", " ", {"href": "d_e"}), ("strong", "f", None, {})]
    assert stashed == [nodes[1], nodes[0], nodes[2]]  # as stock: links first
    assert fastinline.flat_inline(plan, "plain") == ("plain", [], [])
    for text in ("a `b`", "[a][b]", "*a **b***", "*[a](b)*", "![a](b)", "a_b", "[*a*](b)",
                 "a\\*", "*a", "a &amp;", "<b>", "a  \nb", "***a***", "[a](b c)", "[a]"):
        assert fastinline.flat_inline(plan, text) is None, text
    plan.emphasis.stack.append((0, 1, False, 1, 1))  # emphasis state left by a stock run
    try:
        assert fastinline.flat_inline(plan, "*a*") is None
    finally:
        plan.emphasis.reset()


def test_unknown_patterns_turn_the_flat_shortcut_off() -> None:
    """A pattern of unknown needs: the stock traversal for everything; one of literal needs:
    the shortcut leaves texts holding them to stock."""

    class Plus(inlinepatterns.InlineProcessor):
        def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:
            el = etree.Element("ins")
            el.text = "+"
            return el, m.start(0), m.end(0)

    for regex, flat in ((r"\+\+", True), (r"\+[+]", False)):
        stock = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                                  output_format="html")
        fast = Renderer()._md
        for md in (stock, fast):
            md.inlinePatterns.register(Plus(regex), "plus", 70)
        for text in ("a ++ *b* [c](d)", "*a ++ b*", "[a++](b) *c*", "x + *y*", "[a](b) c++"):
            stock.reset()
            fast.reset()
            assert fast.convert(text) == stock.convert(text), text
        planned = fast.treeprocessors["inline"]._flat_plan
        assert (planned is not None) == (flat and fastinline._INLINE_CHECKED)


def test_changed_registries_are_used() -> None:
    """The cached registries see processors registered and deregistered later."""

    class Shout(blockprocessors.BlockProcessor):
        def test(self, parent: etree.Element, block: str) -> bool:
            return block.startswith("!!")

        def run(self, parent: etree.Element, blocks: list[str]) -> None:
            etree.SubElement(parent, "h6").text = blocks.pop(0)[2:]

    stock = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                              output_format="html")
    fast = Renderer()._md
    text = "!!loud *a*\n\n# h\n\n> q"
    assert "<h1>" in fast.convert(text) and "<h6>" not in fast.convert(text)
    lane = getattr(fast.parser, "_lane", None)
    for md in (stock, fast):
        md.parser.blockprocessors.register(Shout(md.parser), "shout", 200)
        md.reset()
    assert fast.convert(text) == stock.convert(text)
    assert "<h6>loud <em>a</em></h6>" in fast.convert(text)
    assert getattr(fast.parser, "_lane", None) is None  # an unknown processor: no lane
    for md in (stock, fast):
        md.parser.blockprocessors.deregister("hashheader")
        md.reset()
    assert fast.convert(text) == stock.convert(text)
    assert "<h1>" not in fast.convert(text)
    for md in (stock, fast):
        md.parser.blockprocessors.deregister("shout")
        md.reset()
    assert fast.convert(text) == stock.convert(text)
    assert "<p># h</p>" in fast.convert(text)
    assert (getattr(fast.parser, "_lane", None) is not None) == (lane is not None)


def test_changed_block_level_elements_are_used() -> None:
    stock = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    fast = Renderer()._md
    for md in (stock, fast):
        md.block_level_elements.append("em")
        md.reset()
    text = "> *a* b\n>\n> *c*\n\n- *d*"
    assert fast.convert(text) == stock.convert(text)


def _trees() -> list[etree.Element]:
    """Trees the fast serializer writes itself, and trees it leaves to stock."""
    trees = []
    root = etree.Element("div")
    p = etree.SubElement(root, "p", {"class": "x&y", "title": 'a "b" <c>', "id": "i"})
    p.text = "a & b &amp; <c> &#38; &x;"
    etree.SubElement(p, "br").tail = "t > u"
    img = etree.SubElement(root, "img", {"src": "a.png", "alt": ""})
    etree.SubElement(img, "span").text = "inside a void element"
    img.tail = "after"
    etree.SubElement(root, "input", {"hidden": "hidden", "disabled": None, "value": "v"})
    etree.SubElement(root, "script").text = "if (a < b && c) {}"
    etree.SubElement(root, "STYLE").text = "a > b"
    etree.SubElement(root, "code").text = util.AtomicString("<x> & y")
    etree.SubElement(root, "HR").tail = "\n"
    trees.append(root)
    for odd in (etree.Comment("c <"), etree.ProcessingInstruction("pi", "x"),
                etree.Element(etree.QName("{urn:x}q")), etree.Element("p", {etree.QName("k"): "v"}),
                etree.Element(None)):  # type: ignore[arg-type]
        holder = etree.Element("div")
        holder.text = "t"
        holder.append(odd)
        odd.tail = "tail & more"
        trees.append(holder)
    deep = top = etree.Element("div")
    for _ in range(sys.getrecursionlimit() + 100):
        deep = etree.SubElement(deep, "blockquote")
    deep.text = "deep"
    trees.append(top)
    return trees


def test_serializer_writes_what_stock_writes() -> None:
    for tree in _trees():
        assert fastserialize.serialize_html(tree) == serializers.to_html_string(tree)
    bad = etree.Element("p")
    bad.text = 5  # type: ignore[assignment]
    with pytest.raises(TypeError):
        serializers.to_html_string(bad)
    with pytest.raises(TypeError):
        fastserialize.serialize_html(bad)


def _stock_and_fast(name: str, registry: str) -> tuple[Any, Any]:
    """Processor `name` of a stock Markdown, and of the Renderer's (a fast one)."""
    if registry == "blocks":
        return STOCK.parser.blockprocessors[name], FAST._md.parser.blockprocessors[name]
    return getattr(STOCK, registry)[name], getattr(FAST._md, registry)[name]


PRE_ALPHABET = "\r\n\t \x02\x03<&`~a>!-"


@given(st.lists(st.text(alphabet=PRE_ALPHABET, max_size=12), max_size=8))
def test_preprocessors_give_stock_lines(lines: list[str]) -> None:
    for name in ("normalize_whitespace", "html_block", "fenced_code_block"):
        theirs, ours = _stock_and_fast(name, "preprocessors")
        for _ in range(2):  # the first fenced-code run checks its dependencies
            theirs.md.reset()
            ours.md.reset()
            assert ours.run(list(lines)) == theirs.run(list(lines)), name
            assert ours.md.htmlStash.rawHtmlBlocks == theirs.md.htmlStash.rawHtmlBlocks


def assert_block_tests_agree(block: str) -> None:
    """The prefiltered block processors answer `test` as stock's do."""
    parent = etree.Element("div")
    for name in ("hr", "setextheader", "table", "hashheader", "quote"):
        theirs, ours = _stock_and_fast(name, "blocks")
        assert ours.test(parent, block) == theirs.test(parent, block), (name, block)


@given(st.text(alphabet="-_*=|#>[]^: \n\ta1`", max_size=40))
def test_prefiltered_block_tests_answer_as_stock(block: str) -> None:
    assert_block_tests_agree(block)


@pytest.mark.parametrize("block", ["---", "- - -", "  ***", "a\n___", "a\n   - -  -", "a\n    ---",
                                   "a\n===", "a\n-", "a\n=b", "|", "a|b\n-|-", "a\nb|c\n-|-",
                                   "# a", "a\n> b", "plain"])
def test_prefiltered_block_tests_accept_what_stock_accepts(block: str) -> None:
    assert_block_tests_agree(block)


LANE_TOKENS = ["a", "é", " ", "  ", "    ", "\n", "\t", "1. ", "9. ", "1.", "- ", "* ", "+ ", "-",
               "*", "_", "> ", ">", "#", "# ", "|", "=", "===", "---", "- - -", "[^1]: ", "[a]: ",
               "[", "]:", "^", "b"]
LANE_EXAMPLES = ["    code", "9. a", "1. a", "- a", "+ a", "* a", "\na", "> a", "# a", "a\n===",
                 "a\n---", "---", "___", "|a|\n|-|", "a|b\n-|-", "[^1]: a", "[a]: b", "  - a",
                 "   9. a", "a\n  ***", "plain text", "é *a*"]


def assert_lane_blocks_given_up(block: str) -> None:
    """Each processor before the paragraph one gives up (test False, or run giving the block
    back) a block that avoids what the lane says it must avoid for that processor."""
    fast = Renderer()._md
    stock = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    fast.convert("x")  # plans the lane
    assert fast.parser._lane is not None
    for ours, theirs in zip(list(fast.parser.blockprocessors)[:-1],
                            list(stock.parser.blockprocessors)[:-1], strict=True):
        first, needles, checks = faststages._declined_by(ours)
        if (not block or block[0] in first or any(n in block for n in needles)
                or any(check(block) for check in checks)):
            continue
        for parent in (etree.Element("div"), etree.Element("li")):
            blocks = [block, "next"]
            given_up = not theirs.test(parent, block) or theirs.run(parent, blocks) is False
            assert given_up and blocks == [block, "next"], (type(theirs).__name__, block)


@pytest.mark.skipif(not faststages.CHECKED, reason="another Python-Markdown version")
@pytest.mark.parametrize("block", LANE_EXAMPLES)
def test_blocks_the_lane_takes_are_given_up_by_stock(block: str) -> None:
    assert_lane_blocks_given_up(block)


@pytest.mark.skipif(not faststages.CHECKED, reason="another Python-Markdown version")
@given(st.lists(st.sampled_from(LANE_TOKENS), max_size=8).map("".join))
def test_generated_blocks_the_lane_takes_are_given_up_by_stock(block: str) -> None:
    assert_lane_blocks_given_up(block)


_NEAR_SUSPECT = st.text(st.sampled_from([
    "a", " ", "\n", "\\", "`", "_", "<", "|", "\t", "\r", "\x00", "\x0b", "\x1f", "\x7f", "\x84",
    "\x85", "\xa0", "\xa1", "\xe9", "\u1680", "\u1681", "\u2000", "\u200a", "\u200b", "\u2013",
    "\u2019", "\u2028", "\u2029", "\u202e", "\u202f", "\u2030", "\u205e", "\u205f", "\u3000",
    "\u3001", "\ud800", "\U0001f600"]))


@given(_NEAR_SUSPECT)
def test_the_utf8_check_for_suspect_characters_is_the_regular_expression(text: str) -> None:
    assert _same_match(quickmarkup._first_suspect(text), quickmarkup._SUSPECT.search(text))


def _same_match(found: re.Match[str] | None, expected: re.Match[str] | None) -> bool:
    return (found and found.span()) == (expected and expected.span())


@pytest.mark.parametrize("char", [
    "\x85", "\xa0", "\u1680", "\u2000", "\u2005", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f",
    "\u3000", "\t", "\r", "\x00", "\x1f", "\x7f", "_", "<", "|", "`", "\\",
    "\x84", "\xa1", "\u1681", "\u200b", "\u2019", "\u202e", "\u2030", "\u205e", "\u3001"])
def test_the_utf8_check_knows_each_suspect_character(char: str) -> None:
    for text in (char, f"a\u2019{char}b\n"):
        assert _same_match(quickmarkup._first_suspect(text), quickmarkup._SUSPECT.search(text))
