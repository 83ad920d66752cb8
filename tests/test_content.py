"""Front matter (yamldoc, frontmatter), articles (content) and text helpers.

Articles are read from real bytes through the same functions a build uses; cross-file
behaviour (tag spellings, drafts, scheduled items) goes through `content.finish`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from sitekit import article

from digest import content, frontmatter, text, yamldoc
from digest.errors import ContentError

NOW = datetime(2025, 1, 1, tzinfo=UTC)
SETTINGS = content.Settings("/site", "Europe/Kyiv", "example.org", "/news/")
HINT = "write it as 2024-03-26, 2024-03-26 21:57 or 2024-03-26T21:57:13+02:00"


def load(files: dict[str, str | bytes], *, drafts: bool = False, now: datetime = NOW,
         settings: content.Settings = SETTINGS) -> content.LoadResult:
    items = [(data.encode() if isinstance(data, str) else data, rel)
             for rel, data in files.items()]
    return content.finish(content.read_all(items, settings), [], drafts=drafts, now=now)


def read(data: str | bytes, rel: str = "content/a.md") -> content.FileResult:
    [result] = content.read_all([(data.encode() if isinstance(data, str) else data, rel)],
                                SETTINGS)
    return result


def errors(data: str | bytes, rel: str = "content/a.md") -> list[str]:
    result = read(data, rel)
    assert result.article is None or not result.errors
    return [str(error) for error in result.errors]


def fm(front: str, body: str = "Body.\n") -> str:
    return f"---\n{front}---\n{body}"


# --- yamldoc ------------------------------------------------------------------------------


def test_load_mapping_keeps_lines_and_raw_scalars() -> None:
    fields = yamldoc.load_mapping("a: 1\n\nb: 'x'\nc:\n  d: yes\n", first_line=2)
    assert [(f.key, f.line, f.value) for f in fields] == [
        ("a", 2, 1), ("b", 4, "x"), ("c", 5, {"d": True})]
    assert fields[0].raw == "1" and fields[1].raw is None  # quoted: not a surprise
    assert [(f.key, f.line) for f in fields[2].children] == [("d", 6)]
    assert fields[2].children[0].surprise() == (
        "'yes' is read as a boolean by YAML; write true or false")


@pytest.mark.parametrize(("raw", "hint"), [
    ("no", "'no' is read as a boolean by YAML; write true or false"),
    ("NO", "'NO' is read as a boolean by YAML; write true or false"),
    ("on", "'on' is read as a boolean by YAML; write true or false"),
    ("12:30", "'12:30' is read as a base-60 number by YAML; quote it: \"12:30\""),
    ("010", "'010' is read as the number 8 by YAML; write 8, or quote it: \"010\""),
    ("0x1F", "'0x1F' is read as the number 31 by YAML; write 31, or quote it: \"0x1F\""),
    ("1_000", "'1_000' is read as the number 1000 by YAML; write 1000, or quote it: "
              "\"1_000\""),
    ("true", None),
    ("2024", None),
    ("-3", None),
    ('"no"', None),
])
def test_yaml_11_surprises_are_flagged(raw: str, hint: str | None) -> None:
    [field] = yamldoc.load_mapping(f"k: {raw}\n")
    assert field.surprise() == hint


def test_aliases_are_refused_with_their_line() -> None:
    with pytest.raises(yamldoc.YamlError) as caught:
        yamldoc.load_mapping("a: &x [1, 2]\nb: *x\n", first_line=2)
    assert caught.value.line == 3
    assert "aliases" in caught.value.message


def test_billion_laughs_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20))
    with pytest.raises(yamldoc.YamlError, match="aliases"):
        yamldoc.load_mapping(bomb)


@pytest.mark.parametrize("text", [
    'title: "A *quoted* title"\ntags: [a, "b c", 北京]\nsummary: plain *words*\n',
    "tags: [a, 1, yes, 2024-03-26, ~, 1.5]\n",  # not all strings: the constructor's way
    "tags:\n  - x\n  - !!str 5\nextra: {k: [v, w], n: 3}\n",
    "a: !!str 5\nb: '010'\nc: 010\nd: 'yes'\ne: \"x\\ty\"\n",
    "a: [[x, y], [z]]\nb: []\nc: ''\n",
])
def test_values_are_those_the_yaml_loader_constructs(text: str) -> None:
    fields = yamldoc.load_mapping(text)
    assert {f.key: f.value for f in fields} == yaml.load(text, Loader=yamldoc.Loader)


def test_an_alias_before_invalid_yaml_is_the_error_reported() -> None:
    with pytest.raises(yamldoc.YamlError) as caught:
        yamldoc.load_mapping("a: 1\nb: *x\nc: [1, 2\n", first_line=2)
    assert (caught.value.line, "aliases" in caught.value.message) == (3, True)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("a: 1\n---\nb: 2\n", 3, "expected a single document"),
    ("a: &x 1\nb: &x 2\n", 3, "duplicate anchor"),
    ('a: "*x"\nb: *c*\n', 3, "while scanning an alias"),
])
def test_yaml_that_parses_but_does_not_compose_is_an_error(text: str, line: int,
                                                           words: str) -> None:
    with pytest.raises(yamldoc.YamlError) as caught:
        yamldoc.load_mapping(text, first_line=2)
    assert caught.value.line == line and words in caught.value.message


def test_unclosed_bracket_is_blamed_on_its_own_line() -> None:
    with pytest.raises(yamldoc.YamlError) as caught:
        yamldoc.load_mapping("a: 1\nb: [x, y\n\n")
    assert caught.value.line == 2


def test_a_key_set_twice_is_an_error_on_the_second_line() -> None:
    fields = yamldoc.load_mapping("a: 1\nb: 2\na: 3\n")
    assert fields[2].error == "is set twice, on line 1 and again here; keep one"
    assert fields[0].value == 1


def test_a_value_yaml_cannot_construct_keeps_the_other_fields() -> None:
    fields = yamldoc.load_mapping("date: 2024-02-30\ntitle: ok\n")
    assert fields[0].error == "'2024-02-30' cannot be read: day is out of range for month"
    assert fields[1].value == "ok"


# --- frontmatter --------------------------------------------------------------------------


def test_decode_handles_bom_and_line_ends() -> None:
    assert frontmatter.decode("a.md", b"\xef\xbb\xbfa\r\nb\rc\n") == "a\nb\nc\n"


def test_decode_names_the_byte_offset_and_line_of_bad_utf8() -> None:
    with pytest.raises(ContentError) as caught:
        frontmatter.decode("content/a.md", "---\ntitle: café\n".encode("latin-1"))
    assert str(caught.value) == (
        "content/a.md:2: not valid UTF-8 at byte 14 (b'\\xe9'); save the file as UTF-8 (or "
        "import it with digest import, which detects encodings)")


def test_split_returns_fields_body_and_body_line() -> None:
    fields, body, line = frontmatter.split("a.md", "---\ntitle: T\ndate: 2024-01-01\n---\nHi\n")
    assert [f.key for f in fields] == ["title", "date"]
    assert (body, line) == ("Hi\n", 5)


def test_split_accepts_dots_as_the_closing_line() -> None:
    fields, body, _ = frontmatter.split("a.md", "---\ntitle: T\n...\nHi\n")
    assert [f.key for f in fields] == ["title"] and body == "Hi\n"


# --- articles: errors ---------------------------------------------------------------------

FILE_ERRORS = {
    "title read as a number": (
        fm("title: 2024\ndate: 2024-03-26\n"),
        ["content/a.md:2: title: must be text, but YAML read '2024' as int; quote it: "
         "title: \"2024\""]),
    "title read as base 60": (
        fm("title: 12:30\ndate: 2024-03-26\n"),
        ["content/a.md:2: title: must be text, but YAML read '12:30' as int; quote it: "
         "title: \"12:30\""]),
    "draft: no": (
        fm("title: T\ndate: 2024-03-26\ndraft: no\n"),
        ["content/a.md:4: draft: 'no' is read as a boolean by YAML; write true or false"]),
    "draft: NO": (
        fm("title: T\ndate: 2024-03-26\ndraft: NO\n"),
        ["content/a.md:4: draft: 'NO' is read as a boolean by YAML; write true or false"]),
    "time instead of a date": (
        fm("title: T\ndate: 12:30\n"),
        [f"content/a.md:3: date: '12:30' is not a date; {HINT}"]),
    "impossible date": (
        fm("title: T\ndate: 2024-02-30\n"),
        [f"content/a.md:3: date: '2024-02-30' cannot be read: day is out of range for month; "
         f"{HINT}"]),
    "impossible quoted date": (
        fm('title: T\ndate: "2024-02-30"\n'),
        [f"content/a.md:3: date: '2024-02-30' is not a date; {HINT}"]),
    "impossible hour": (
        fm("title: T\ndate: 2024-02-03 25:00\n"),
        [f"content/a.md:3: date: '2024-02-03 25:00' is not a date; {HINT}"]),
    "missing title and date": (
        fm("tags: [a]\n"),
        ["content/a.md:1: date: is required; add a line 'date: …' to the front matter",
         "content/a.md:1: title: is required; add a line 'title: …' to the front matter"]),
    "empty title": (
        fm("title:\ndate: 2024-03-26\n"),
        ["content/a.md:2: title: must not be empty"]),
    "title set twice": (
        fm("title: A\ntitle: B\ndate: 2024-03-26\n"),
        ["content/a.md:3: title: is set twice, on line 2 and again here; keep one"]),
    "aliases": (
        fm("title: &t T\ndate: 2024-03-26\nsummary: *t\n"),
        ["content/a.md:4: YAML aliases (*name) are not allowed here; write the value out"]),
    "bad YAML": (
        fm("title: T: x\ndate: 2024-03-26\n"),
        ["content/a.md:2: invalid YAML: mapping values are not allowed in this context"]),
    "unclosed list": (
        fm("title: T\ndate: 2024-03-26\ntags: [a, b\n"),
        ["content/a.md:4: invalid YAML: while parsing a flow sequence, did not find "
         "expected ',' or ']'"]),
    "front matter is a list": (
        fm("- a\n"),
        ["content/a.md:2: expected `key: value` lines"]),
    "empty file": (
        "",
        ["content/a.md: the file is empty; an article begins with front matter: a line "
         "'---', then title: and date: lines, then a line '---'"]),
    "blank file": (
        "\n  \n",
        ["content/a.md: the file is empty; an article begins with front matter: a line "
         "'---', then title: and date: lines, then a line '---'"]),
    "missing front matter": (
        "title: T\n\nBody\n",
        ["content/a.md:1: no front matter: an article must begin with a line '---', then "
         "title: and date: lines, then a line '---'"]),
    "unterminated front matter": (
        "---\ntitle: T\ndate: 2024-03-26\n\nBody\n",
        ["content/a.md:1: the front matter that starts on line 1 is never closed: add a line "
         "'---' after its last field"]),
    "not UTF-8": (
        fm("title: café\ndate: 2024-03-26\n").encode("cp1251", "replace")
        .replace(b"caf?", b"caf\xe9"),
        ["content/a.md:2: not valid UTF-8 at byte 14 (b'\\xe9'); save the file as UTF-8 (or "
         "import it with digest import, which detects encodings)"]),
    "tags not a list": (
        fm("title: T\ndate: 2024-03-26\ntags: climate\n"),
        ["content/a.md:4: tags: must be a list, like tags: [one, two]"]),
    "tag read as a number": (
        fm("title: T\ndate: 2024-03-26\ntags: [climate, 2024]\n"),
        ["content/a.md:4: tags: must be text, but YAML read 2024 as int; quote it: "
         "tags: \"2024\""]),
    "bad slug": (
        fm("title: T\ndate: 2024-03-26\nslug: Hello World\n"),
        ["content/a.md:4: slug: 'Hello World' is not a slug: use letters, digits and '-' "
         "only; did you mean 'hello-world'?"]),
    "bad lang": (
        fm("title: T\ndate: 2024-03-26\nlang: english!\n"),
        ["content/a.md:4: lang: 'english!' is not a language tag like en or pt-BR"]),
    "source URL not http": (
        fm("title: T\ndate: 2024-03-26\nsource: {name: R, url: 'javascript:alert(1)'}\n"),
        ["content/a.md:4: source: 'javascript:alert(1)' is not an http(s) URL; write it like "
         "https://example.org/story"]),
    "every problem of a file at once": (
        fm("title: 2024\ndate: 2024-13-01\ndraft: no\n"),
        ["content/a.md:2: title: must be text, but YAML read '2024' as int; quote it: "
         "title: \"2024\"",
         f"content/a.md:3: date: '2024-13-01' cannot be read: month must be in 1..12; {HINT}",
         "content/a.md:4: draft: 'no' is read as a boolean by YAML; write true or false"]),
}


@pytest.mark.parametrize("case", list(FILE_ERRORS))
def test_content_errors_name_file_line_and_field(case: str) -> None:
    data, expected = FILE_ERRORS[case]
    assert sorted(errors(data)) == sorted(expected)


def test_an_empty_list_entry_is_named_as_such() -> None:
    assert errors(fm("title: T\ndate: 2024-03-26\ntags:\n  - a\n  -\n")) == [
        "content/a.md:4: tags: has an empty entry"]


def test_errors_count_lines_after_a_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf---\r\ntitle: T\r\ndate: 2024-03-26\r\ndraft: no\r\n---\r\nBody\r\n"
    assert errors(data) == [
        "content/a.md:4: draft: 'no' is read as a boolean by YAML; write true or false"]


def test_unknown_field_is_a_warning_with_a_hint() -> None:
    result = read(fm("title: T\ndate: 2024-03-26\ntagz: [x]\ncolour: red\n"))
    assert result.article is not None
    assert result.warnings == ["content/a.md:4: tagz: unknown field; did you mean 'tags'?",
                               "content/a.md:5: colour: unknown field; put custom fields "
                               "under extra:"]


def test_control_characters_are_removed_with_a_warning() -> None:
    result = read(fm('title: "a\\x01b"\ndate: 2024-03-26\n', "x\x02y\n"))
    assert result.article is not None
    assert result.article.title == "ab"
    assert result.warnings == ["content/a.md:2: title: removed 1 control character(s)",
                               "content/a.md:5: body: removed 1 control character(s)"]


# --- articles: values ---------------------------------------------------------------------


@pytest.mark.parametrize(("written", "iso"), [
    ("2024-03-26", "2024-03-26T00:00:00+02:00"),  # date only: midnight in the site's zone
    ("2024-03-26 23:30", "2024-03-26T23:30:00+02:00"),  # naive: the site's zone
    ('"2024-03-26T23:30"', "2024-03-26T23:30:00+02:00"),
    ("2024-03-26 23:30:00", "2024-03-26T23:30:00+02:00"),
    ("2024-07-01", "2024-07-01T00:00:00+03:00"),  # summer time
    ("2024-03-26T23:30:00Z", "2024-03-27T01:30:00+02:00"),  # an offset: converted
    ("2024-03-26T23:30:00+00:00", "2024-03-27T01:30:00+02:00"),
    ("2024-03-26T10:00:00-05:00", "2024-03-26T17:00:00+02:00"),
])
def test_dates_are_read_in_the_site_timezone(written: str, iso: str) -> None:
    result = read(fm(f"title: T\ndate: {written}\n"))
    assert result.article is not None, result.errors
    assert result.article.date.isoformat() == iso
    assert str(result.article.date.tzinfo) == "Europe/Kyiv"


def test_updated_date_and_last_modified() -> None:
    a = read(fm("title: T\ndate: 2024-03-26\nupdated: 2024-03-27 10:00\n")).article
    assert a is not None and a.updated is not None
    assert a.updated.isoformat() == "2024-03-27T10:00:00+02:00"
    assert a.last_modified == a.updated


def test_all_fields_are_read() -> None:
    a = read(fm(
        "title: '  Héllo  '\ndate: 2024-03-26\nsummary: Short.\n"
        "source: {name: Reuters, url: 'https://reuters.example/x'}\ndateline: KYIV\n"
        "authors: [A, B]\nimage: /img/x.png\nlang: uk\nslug: custom-slug\nid: urn:x:1\n"
        "extra: {rank: 3}\n"), "content/2024/03/2024-03-26-file-name.md").article
    assert a is not None
    assert (a.title, a.summary, a.dateline, a.authors) == ("Héllo", "Short.", "KYIV", ("A", "B"))
    assert (a.source.name, a.source.url) == ("Reuters", "https://reuters.example/x")
    assert (a.image, a.lang, a.slug, a.id, a.extra) == (
        "/img/x.png", "uk", "custom-slug", "urn:x:1", {"rank": 3})
    assert a.lines["title"] == 2 and a.lines["extra"] == 12
    assert a.source_path == "content/2024/03/2024-03-26-file-name.md"


def test_source_as_a_name_or_a_url() -> None:
    a = read(fm("title: T\ndate: 2024-03-26\nsource: Reuters\n")).article
    assert a is not None and (a.source.name, a.source.url) == ("Reuters", None)
    b = read(fm("title: T\ndate: 2024-03-26\nsource: {url: 'https://ap.example/x'}\n")).article
    assert b is not None and (b.source.name, b.source.url) == ("ap.example", "https://ap.example/x")


def test_slug_comes_from_the_file_name_without_a_date_prefix() -> None:
    a = read(fm("title: T\ndate: 2024-03-26\n"), "content/2024/2024-03-26-Kyiv Metro.md").article
    assert a is not None and a.slug == "kyiv-metro"


def test_default_id_derives_from_host_date_and_slug() -> None:
    a = read(fm("title: T\ndate: 2024-03-26T23:30:00+00:00\n"), "content/x.md").article
    assert a is not None and a.id == "tag:example.org,2024-03-27:/news/x"


def test_summary_defaults_to_the_first_paragraph_as_plain_text() -> None:
    a = read(fm("title: T\ndate: 2024-03-26\n", "# Head\n\nThe *first* &amp; `para`.\n\n"
                "Second.\n")).article
    assert a is not None and a.summary == "The first & para."
    long = read(fm("title: T\ndate: 2024-03-26\n", "word " * 100)).article
    assert long is not None and len(long.summary) <= 280 and long.summary.endswith("word…")


_HTML_PIECES = ["<p>", "</p>", "<p", "p>", "<", ">", "</", "<em>", "&amp;", "&", " ", "\n", "\t",
                "\xa0", "\u2003", "\x1c", "a", "é"]
_HTMLISH = st.lists(st.sampled_from(_HTML_PIECES)).map("".join)


@given(_HTMLISH)
@example("</p><p>a\n\xa0b</p>")
@example("<p>a<p>b</p>c</p>")
@example("<p>a")
@example("<p></p>")
def test_the_summary_is_the_first_paragraph_as_a_regular_expression_finds_it(html: str) -> None:
    """first_paragraph finds the paragraph with str.find, and squeezes whitespace with
    str.split, which must match `<p>(.*?)</p>` and `\\s+` (the same whitespace)."""
    import html as html_module
    import re

    match = re.search(r"<p>(.*?)</p>", html, re.DOTALL)
    fragment = match.group(1) if match else ""
    plain = re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]*>", "", fragment))).strip()
    assert text.first_paragraph(html, 10_000) == (plain if match else "")


_CLEANABLE = st.text(st.sampled_from(["a", "é", "\n", "\t", "\r", "\x00", "\x08", "\x0b",
                                         "\x1f", "\x7f", "\x80", "\x85", "\x9f", "\xa0",
                                         "\xc2", "\ufeff", "\ufffd", "\ufffe", "\uffff",
                                         "\uff00", "\u2019", "\U0001f600"]))


@given(_CLEANABLE)
def test_clean_removes_what_the_regular_expression_finds(value: str) -> None:
    assert text.clean(value) == text._UNWANTED.subn("", value)


@given(_CLEANABLE)
@example("caf\xe9 \x85")
@example("\ufeffbom \uffbe \uffff")
def test_nothing_to_clean_in_the_bytes_when_clean_removes_nothing(value: str) -> None:
    assert text.nothing_to_clean(value.encode()) == (text.clean(value)[1] == 0)


def test_body_is_rendered_and_sanitized() -> None:
    a = read(fm("title: T\ndate: 2024-03-26\n", "Hi *there*<script>x()</script>\n")).article
    assert a is not None and a.body_html == "<p>Hi <em>there</em></p>"


def test_tags_are_case_insensitive_and_keep_the_first_spelling() -> None:
    loaded = load({
        "content/a.md": article("A", "2024-03-20", tags=["Climate", "climate", "Україна"]),
        "content/b.md": article("B", "2024-03-21", tags=["CLIMATE", "україна", "日本"]),
    })
    assert not loaded.errors
    by_title = {a.title: a for a in loaded.articles}
    assert [(t.name, t.slug) for t in by_title["A"].tags] == [
        ("Climate", "climate"), ("Україна", "україна")]
    assert [(t.name, t.slug) for t in by_title["B"].tags] == [
        ("Climate", "climate"), ("Україна", "україна"), ("日本", "日本")]


def test_drafts_are_left_out_unless_asked_for() -> None:
    files = {"content/a.md": article("A", "2024-03-20"),
             "content/b.md": article("B", "2024-03-21", draft=True)}
    loaded = load(files)
    assert [a.title for a in loaded.articles] == ["A"] and loaded.drafts == 1
    with_drafts = load(files, drafts=True)
    assert sorted(a.title for a in with_drafts.articles) == ["A", "B"]


def test_future_articles_wait_for_their_date() -> None:
    files = {"content/a.md": article("A", "2024-03-20"),
             "content/b.md": article("B", "2025-06-01T10:00:00+03:00")}
    loaded = load(files, now=datetime(2025, 6, 1, 6, 59, tzinfo=UTC))
    assert [a.title for a in loaded.articles] == ["A"] and loaded.scheduled == 1
    later = load(files, now=datetime(2025, 6, 1, 7, 0, tzinfo=UTC))
    assert sorted(a.title for a in later.articles) == ["A", "B"]


def test_errors_of_every_file_are_collected() -> None:
    loaded = load({"content/a.md": fm("title: T\n"), "content/b.md": fm("date: 2024-01-01\n"),
                   "content/c.md": article("C")})
    assert sorted(str(e) for e in loaded.errors) == [
        "content/a.md:1: date: is required; add a line 'date: …' to the front matter",
        "content/b.md:1: title: is required; add a line 'title: …' to the front matter"]
    assert [a.title for a in loaded.articles] == ["C"]


def test_find_files_skips_hidden_and_non_markdown(tmp_path: Path) -> None:
    for rel in ("content/a.md", "content/sub/b.md", "content/.hidden.md", "content/.git/c.md",
                "content/notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found, problems = content.find_files(tmp_path / "content", tmp_path)
    assert [rel for _, rel in found] == ["content/a.md", "content/sub/b.md"]
    assert problems == []


def test_symlink_out_of_content_is_refused(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "secret.md").write_text("x")
    (tmp_path / "content" / "link.md").symlink_to(tmp_path / "secret.md")
    found, problems = content.find_files(tmp_path / "content", tmp_path)
    assert found == []
    assert [str(p) for p in problems] == [
        "content/link.md: is a symbolic link to a file outside content/; copy the file in "
        "instead"]


# --- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "slug"), [
    ("Climate", "climate"),
    ("Open Data", "open-data"),
    ("Україна", "україна"),
    ("Київ — столиця", "київ-столиця"),
    ("日本", "日本"),
    ("Café  X!", "café-x"),
    ("C++", "c"),
    ("🔥", "u1f525"),
    ("e\u0301", "é"),  # NFC: one code point
])
def test_slugify_keeps_every_script(name: str, slug: str) -> None:
    assert text.slugify(name) == slug


def test_truncate_cuts_at_a_word_boundary() -> None:
    assert text.truncate("short", 10) == "short"
    assert text.truncate("one two three four", 12) == "one two…"


def test_clean_removes_characters_xml_cannot_hold() -> None:
    assert text.clean("a\x00b\x0bc\ud800d\ufffee\tf\n") == ("abcde\tf\n", 4)


def test_read_file_reads_every_byte_with_the_signature_of_what_it_read(tmp_path: Path) -> None:
    from digest.content import read_file, signature

    for size in (0, 1, 4096, 3 * 1024 * 1024 + 7):
        path = tmp_path / f"f{size}.md"
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        path.write_bytes(data)
        mark, read = read_file(str(path))
        assert read == data
        assert mark == signature(os.stat(path))
