"""The fast inline processing (digest/fastinline.py) gives the HTML stock Python-Markdown
gives, byte for byte: on a generated corpus, on the site's content and test fixtures, on
hand-picked corner cases, and on generated Markdown full of special characters."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest import fastinline
from digest.markup import EXTENSION_CONFIGS, EXTENSIONS, MarkupError, Renderer, sanitize

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = Path("/work/shared/bench/gen_corpus.py")

STOCK = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                          output_format="html")
FAST = Renderer()


def stock_convert(text: str) -> str:
    STOCK.reset()
    return STOCK.convert(text)


def fast_convert(text: str) -> str:
    FAST._md.reset()
    return FAST._md.convert(text)


def assert_same(text: str) -> None:
    """Both the Markdown output and the rendered (sanitized) HTML equal stock's."""
    expected = stock_convert(text)
    assert fast_convert(text) == expected, text
    try:
        rendered = FAST.render(text)
    except MarkupError:
        return  # a limit of Renderer, not of the Markdown step
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
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_cases(text: str) -> None:
    assert_same(text)
    assert_same(f"Before. {text} After.\n\n- {text}\n\n> {text}\n")


ALPHABET = "*_[]()!<>&\\`#-+.:|~^ \n\t\"'=/@;aAbé1"
TOKENS = ["*", "**", "***", "_", "__", "[", "]", "(", ")", "![", "](", "[^1]", "<", ">", "&",
          "&amp;", "&#91;", "&copy;", "&x;", ";", "\\", "\\*", "`", "``", "<b>", "</b>", "<http://e.org/a_b>",
          "<a@b.c>", "  \n", "\n", "\n\n", " ", " ", "a", "word", "é", "x_y", "- ", "1. ",
          "> ", "# ", "    ", "| ", "|---|", "```\n", "\n[^1]: n", "\n[r]: /u", "[r]", ":", "|"]


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
