"""Simple front matter read by digest.quickyaml gives the fields PyYAML's path gives:
the same keys, lines, values (types and time zones included) and raw scalars, on
hand-picked lines, on the site's own content and on generated front matter. Text it
does not take is left to PyYAML, which words the errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest import yamldoc
from digest.curate.items import Draft
from digest.curate.writer import file_text
from digest.quickyaml import quick_fields

ROOT = Path(__file__).resolve().parent.parent

SIMPLE = ('title: "A senior official added assets (521)"\ndate: 2023-01-11T17:56:07+01:00\n'
          'tags: ["kremlin", "energy policy"]\nsource: "DW"\ndateline: "Brussels"\n'
          'summary: "Over *international* report: support, \'quotes\' # and more."\n')


def read(load: Callable[[str, int], list[yamldoc.Field]], text: str) -> str:
    """The fields (repr: types and time zones too), or the error."""
    try:
        return repr(load(text, 2))
    except yamldoc.YamlError as error:
        return f"error {error.line}: {error.message}"


def assert_same(text: str) -> None:
    assert read(yamldoc.load_mapping, text) == read(yamldoc.load_with_pyyaml, text), text


def test_simple_front_matter_is_taken_and_read_as_pyyaml_reads_it() -> None:
    assert quick_fields(SIMPLE, 2) is not None
    assert_same(SIMPLE)
    fields = yamldoc.load_mapping(SIMPLE, first_line=2)
    assert [(f.key, f.line) for f in fields] == [
        ("title", 2), ("date", 3), ("tags", 4), ("source", 5), ("dateline", 6), ("summary", 7)]
    assert fields[1].value.utcoffset().total_seconds() == 3600
    assert fields[1].raw == "2023-01-11T17:56:07+01:00" and fields[0].raw is None


@pytest.mark.parametrize("value", [
    "yes", "No", "on", "OFF", "y", "true", "False", "null", "Null", "010", "0x1F", "0b101",
    "1_000", "12:30", "1:30:59", "190:20:30.15", "-3", "+3", "3.", "1e3", "1.5e+3", "6.8523015e+5",
    "2024", "2024-03-26", "2024-3-6", "2024-03-26 10:00:00", "2024-03-26t10:00:00.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2024-13-45", "2024-02-30T10:00:00Z", "9999999999999999999999",
    "Kyiv", "Café du Monde", "a:b", "http://x.org/a", "a  b", "x/y-z_w.v+u", "A1",
])
def test_plain_scalars_are_typed_as_pyyaml_types_them(value: str) -> None:
    assert_same(f"k: {value}\n")
    assert_same(f"title: \"t\"\nk: {value}\nother: \"o\"\n")


@pytest.mark.parametrize("text", [
    "a: 'single'\n", "a: 'it''s \"quoted\" # not a comment'\n", "a: ''\n", 'a: ""\n',
    "a: ~\n", "a: .inf\n", "a: ...\n", "a: C#\n", "a: Україна, Київ\n",
    "a: x, y [z] {w} & *v! it's \"q\" 50% a@b `c` | > =\n",
    "a: https://example.org/a?b=c&d=e#f\n",
    "tags:\n- energy\n- 'it''s'\n- \"x y\"\n- 2024\n- yes\nnext: 1\n",
    "tags:\n  - a\n  - b\n", "tags:\n    - a\nb: c\n",
    "source:\n  name: Reuters\n  url: https://x.org/a?b=c\nlang: uk\n",
    "source:\n    name: 'A ''B'''\n    count: 010\n    tags: [\"x\"]\n",
    "extra:\n  source_id: tag:example.org,2024:1\n",
    "a: 1\n\nb:\n- x\n\nc:\n  d: e\n",
    'source: {name: Agencies, url: "https://example.org/story"}\n', "a: {}\n",
    "a: { b: c d , e: 'f, g: h' }\n", "a: {b: c}\n", "a: {b: 1, c: yes, d: 2024-01-01, e: ~}\n",
])
def test_front_matter_in_more_shapes_is_taken_and_read_as_pyyaml_reads_it(text: str) -> None:
    assert quick_fields(text, 2) is not None
    assert_same(text)


@pytest.mark.parametrize("text", [
    'a: "esc\\"aped"\n', 'a: "x\\ty"\n', 'a: "\\u00e9 \\\\ end"\n',
    'a: ["x\\ty"]\n', 'a: "tab\there"\n', "a: b # comment\n",
    "a: b\na: c\n", "a: [x, y]\n", 'a: ["x", y]\n',
    "a: b: c\n", "a: b:\n", "a: -b\n", "a: <<\n", "a: =\n",
    'a: "line\u2028break"\n', 'a: "nel\x85"\n', 'a: "bom\ufeff"\n', 'a: "bell\x07"\n',
    "# comment\na: b\n", " a: b\n", "a:  \n", "a: b \n", "a : b\n", "a:b\n", "---\n",
    "x" * 101 + ": y\n", '- a\n', "a: !!str 5\n", "a: &x b\n",
    "a:\n", "a:\nb: c\n", "a:\n  b:\n    c: d\n", "a:\n  b: c\n    d: e\n",
    "a:\n- x\n\n- y\n", "a:\n  - x\n- y\n", "a:\n- x\n  - y\n", "a:\n  yes: 1\n",
    "a:\n  null: 1\n", "a:\n  b: 1\n  b: 2\n", "a:\n  b:\n", "a:\n- - x\n",
    "a:\n- b: c\n", "a:\n- [x]\n", "a: 'x' y\n", "a: 'x''\n", "a: b\n  c\n",
    "a: b :\n", "a: -\n", "a: - b\n", "a: ? b\n", "a: x\t\n", "a: |\n  x\n",
    "a: >\n  x\n", "a: 2024-13-45\n",
    "a: {b: http://x}\n", "a: {b: c, b: d}\n", "a: {yes: 1}\n", "a: {b: [x]}\n",
    "a: {b: {c: d}}\n", "a: {b}\n", "a: {b: c,}\n", "a: {b: c\n", "a: {b: c} x\n",
    "a: {b: c#d}\n", 'a: {"b": c}\n', "a: {b: -c}\n",
])
def test_anything_else_is_left_to_pyyaml(text: str) -> None:
    assert quick_fields(text, 2) is None
    assert_same(text)


def test_the_sites_own_front_matter() -> None:
    checked = 0
    for path in sorted((ROOT / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            assert_same(text.split("---\n", 2)[1])
            checked += 1
    assert checked >= 10


def test_blank_lines_keep_the_line_numbers() -> None:
    fields = yamldoc.load_mapping('a: "x"\n\n\nb: 2024-01-01\n', first_line=5)
    assert [(f.key, f.line) for f in fields] == [("a", 5), ("b", 8)]
    assert_same('a: "x"\n\n\nb: 2024-01-01\n')


KEYS = st.sampled_from(["title", "date", "tags", "a", "y", "on", "_k", "k-2", "Title"])
# Characters that matter to YAML, and a few that do not.
TEXT = st.text(alphabet=st.sampled_from(
    list(" abcXYZ019:#-_.,+/*&!|>%@`'\"\\[]{}?=<~\t\x85\u2028\ufeff\x07é北")), max_size=12)
PLAIN = st.one_of(TEXT, st.sampled_from(["yes", "no", "010", "0x1F", "1:30", "2024-03-26",
                                         "2024-03-26T10:00:00+02:00", "null", "1e3", "3.5"]))
VALUE = st.one_of(
    TEXT.map(lambda s: f'"{s}"'),
    PLAIN,
    st.lists(TEXT.map(lambda s: f'"{s}"'), max_size=3).map(lambda items: f"[{', '.join(items)}]"),
    st.lists(st.tuples(KEYS, st.one_of(PLAIN, TEXT.map(lambda s: f"'{s}'"))), max_size=3).map(
        lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"),
)
LINE = st.one_of(
    st.tuples(KEYS, st.sampled_from([": ", ":  ", ":", " : "]), VALUE).map("".join),
    st.sampled_from(["", "# note", "  - x", "---"]),
)


@given(st.lists(LINE, max_size=6))
def test_generated_front_matter(lines: list[str]) -> None:
    assert_same("\n".join(lines) + "\n")


WORDS = st.text(alphabet=st.sampled_from(
    list(" abcXYZ019:#-_.,+/*&!|>%@`'\"\\[]{}?=<~é北\u00a0")), max_size=20)


@given(title=WORDS.filter(str.strip), tags=st.lists(WORDS, max_size=3), summary=WORDS,
       source=WORDS, url=st.sampled_from(["", "https://example.org/a?b=c&d=1#x"]),
       dateline=WORDS, authors=st.lists(WORDS, max_size=2), source_id=WORDS,
       draft=st.booleans())
def test_what_digest_import_writes(title: str, tags: list[str], summary: str, source: str,
                                   url: str, dateline: str, authors: list[str],
                                   source_id: str, draft: bool) -> None:
    item = Draft(title=title, date=datetime(2024, 3, 26, 9, 30, tzinfo=UTC), tags=tags,
                 summary=summary, source_name=source, source_url=url, dateline=dateline,
                 authors=authors, source_id=source_id, draft=draft,
                 updated=datetime(2024, 3, 27, tzinfo=timezone(timedelta(hours=2))))
    assert_same(file_text(item, UTC).split("---\n", 2)[1])


def test_typical_imported_front_matter_is_taken() -> None:
    item = Draft(title='Kyiv\'s grid: a "hard" winter', date=datetime(2024, 3, 26, 9, 30,
                 tzinfo=UTC), tags=["energy", "Україна"],
                 summary="Plain text, with commas: and colons.", source_name="Reuters",
                 source_url="https://x.org/a?b=c", dateline="Kyiv", authors=["A. Writer"],
                 source_id="urn:x:1")
    text = file_text(item, UTC).split("---\n", 2)[1]
    assert quick_fields(text, 2) is not None, text
    assert_same(text)
