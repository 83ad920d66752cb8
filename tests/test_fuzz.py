"""Property-based tests: whatever front matter and Markdown an article holds, the content
loader and the whole build end in success or a DigestError, never a traceback, and every
page and feed they write parses.

Quick by default; `HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py` searches longer.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import feedparser
import yaml
from hypothesis import event, given
from hypothesis import strategies as st
from sitekit import write_site

from digest.build import BuildOptions, build
from digest.config import load
from digest.content import Settings, read_article
from digest.errors import DigestError
from digest.markup import Renderer

SETTINGS = Settings("/site", "Europe/Kyiv", "example.org", "/news/")
RENDERER = Renderer()

scalars = st.one_of(
    st.text(max_size=40), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False),
    st.dates().map(str), st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["no", "yes", "12:30", "2024-02-30", "~", "null", "0x1F", "1e3", "&a", "*a",
                     "!!python/object:os.system", "javascript:alert(1)", "<script>", "---"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8), inner, max_size=4), max_leaves=8)
field_names = st.sampled_from(["title", "date", "updated", "tags", "summary", "source",
                               "dateline", "authors", "image", "lang", "slug", "id", "draft",
                               "extra", "tittle", "time"])
front_matter = st.dictionaries(field_names, values, max_size=8)
markdown_pieces = st.sampled_from([
    "# Heading", "*emph*", "**strong**", "[link](http://e.org)", "[x](javascript:alert(1))",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "| a | b |\n|---|---|\n| 1 | 2 |",
    "```\ncode\n```", "[^1]\n\n[^1]: note", "> quote", "- item", "1. one", "<div>", "</div>",
    "\x00", "\ud800", "\u202e", "&amp;", "&#0;", "]]>", "\n\n", "[", "*", "_", "`", "<!--",
])
hostile_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30) | st.sampled_from(
    ["<script>alert(1)</script>", "Ünïcödé", "Україна", "日本", "🔥", "Cafe\u0301", "a\x00b"])
valid_front = st.fixed_dictionaries(
    {"title": hostile_text, "date": st.datetimes(min_value=dt.datetime(2000, 1, 1),
                                               max_value=dt.datetime(2030, 1, 1))},
    optional={"tags": st.lists(hostile_text, max_size=4), "summary": hostile_text,
              "dateline": hostile_text, "authors": st.lists(hostile_text, max_size=2),
              "source": st.fixed_dictionaries({"name": hostile_text,
                                               "url": st.just("https://example.org/a?b=<c>")}),
              "draft": st.booleans()})
bodies = st.lists(st.one_of(markdown_pieces, st.text(max_size=30)), max_size=15).map("".join)


def _file_bytes(front: dict[str, Any], body: str, raw: str | None) -> bytes:
    text = raw if raw is not None else yaml.safe_dump(front, allow_unicode=True)
    return f"---\n{text}---\n{body}".encode("utf-8", "surrogatepass")


class _Parser(html.parser.HTMLParser):
    def error(self, message: str) -> None:  # pragma: no cover - python < 3.10 only
        raise AssertionError(message)


def _check_output(output: Path) -> None:
    for page in output.rglob("*.html"):
        _Parser().feed(page.read_text(encoding="utf-8"))
    for feed in output.rglob("*.xml"):
        ET.parse(feed)
        if feed.name == "feed.xml" or feed.name == "atom.xml":
            parsed = feedparser.parse(feed.read_bytes())
            assert not parsed.bozo, (feed, parsed.bozo_exception)


@given(front=front_matter, body=bodies,
       raw=st.none() | st.text(max_size=60).map(lambda t: t.replace("---", "")))
def test_reading_any_article_gives_a_result_or_content_errors(front: dict[str, Any], body: str,
                                                                 raw: str | None) -> None:
    data = _file_bytes(front, body, raw)
    result = read_article(data, "content/x.md", SETTINGS, RENDERER)
    assert (result.article is None) == bool(result.errors)
    for error in result.errors:
        assert str(error).startswith("content/x.md")


@given(articles=st.lists(st.tuples(valid_front | front_matter, bodies), min_size=1,
                         max_size=4))
def test_building_any_site_succeeds_or_fails_with_a_digest_error(
        articles: list[tuple[dict[str, Any], str]]) -> None:
    files: dict[str, str | bytes] = {}
    for number, (front, body) in enumerate(articles):
        files[f"content/a{number}.md"] = _file_bytes(front, body, None)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = load(write_site(root, files))
        try:
            build(config, BuildOptions(jobs=1))
        except DigestError as error:
            event(f"refused: {type(error).__name__}")
            assert str(error)
            assert not (root / "output").exists()
            return
        event("built")
        _check_output(root / "output")
