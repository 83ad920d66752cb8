"""RSS and Atom feeds of a real build, read back with feedparser and an XML parser."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sitekit import article, run_digest, write_site

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
EPOCH = "1735689600"  # 2025-01-01T00:00:00Z

FILES = {
    "content/2024/03/first.md": article(
        "First & <foremost>", "2024-03-20T09:00:00", tags=["Climate", "Україна"],
        summary="Summary with <script>alert(1)</script> & an ampersand",
        source={"name": "Agency", "url": "https://agency.example/story"},
        authors=["Ann Writer"], dateline="KYIV"),
    "content/2024/03/second.md": article(
        "Second", "2024-03-26T23:30:00+00:00", tags=["climate"],
        updated="2024-03-28T12:00:00+02:00",
        body="Body with a [link](https://e.org/) and a note[^1].\n\n[^1]: The note.\n"),
    "content/2024/02/third.md": article("Third", "2024-02-10", tags=["web"]),
    "content/2024/02/draft.md": article("Draft", "2024-02-11", draft=True),
    "content/2025/future.md": article("Future", "2025-06-01"),
}


def build(root: Path, files: dict[str, str], **config: Any) -> Path:
    write_site(root, files, config)
    result = run_digest("build", "--no-cache", "-o", str(root / "out"), cwd=root,
                        env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    return root / "out"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("feeds"), FILES)


def parse(path: Path) -> Any:
    feed = feedparser.parse(path.read_bytes())
    assert feed.bozo == 0, f"{path}: {feed.get('bozo_exception')}"
    return feed


def test_every_feed_is_read_without_errors(out: Path) -> None:
    paths = sorted(out.rglob("*.xml"))
    feeds = [p.relative_to(out).as_posix() for p in paths if p.name != "sitemap.xml"]
    assert feeds == ["atom.xml", "editions/atom.xml", "editions/feed.xml", "feed.xml",
                     "tags/climate/feed.xml", "tags/web/feed.xml", "tags/україна/feed.xml"]
    versions = {name: parse(out / name).version for name in feeds}
    atom = {"atom.xml", "editions/atom.xml"}
    assert {versions[name] for name in atom} == {"atom10"}
    assert {v for n, v in versions.items() if n not in atom} == {"rss20"}


def test_rss_channel(out: Path) -> None:
    feed = parse(out / "feed.xml").feed
    assert feed.title == "Test Digest"
    assert feed.link == "https://example.org/news/"
    assert feed.subtitle == "A digest for tests"
    assert feed.language == "en"
    assert {(link.rel, link.href) for link in feed.links} >= {
        ("self", "https://example.org/news/feed.xml")}
    # The build date is the newest item's (its update), never the time of the build.
    assert feed.updated == "Thu, 28 Mar 2024 12:00:00 +0200"
    assert feed.published == "Wed, 27 Mar 2024 01:30:00 +0200"


def test_rss_items(out: Path) -> None:
    entries = parse(out / "feed.xml").entries
    assert [e.title for e in entries] == ["Second", "First & <foremost>", "Third"]
    second, first, third = entries
    assert second.link == "https://example.org/news/2024/03/27/second/"
    assert second.id == "tag:example.org,2024-03-27:/news/second"
    assert second.guidislink is False
    assert second.published == "Wed, 27 Mar 2024 01:30:00 +0200"  # with its offset
    assert [t.term for t in first.tags] == ["Climate", "Україна"]
    assert [t.term for t in second.tags] == ["Climate"]  # the first spelling, everywhere
    assert first.source == {"href": "https://agency.example/story", "title": "Agency"}
    assert third.published == "Sat, 10 Feb 2024 00:00:00 +0200"
    # content:encoded holds the full, sanitized HTML.
    assert '<a href="https://e.org/"' in second.content[0].value
    assert "The note." in second.content[0].value


def test_rss_description_is_escaped_text(out: Path) -> None:
    root = ET.parse(out / "feed.xml").getroot()
    item = next(i for i in root.iter("item") if i.findtext("title") == "First & <foremost>")
    description = item.findtext("description")
    # Readers treat a description as HTML: the text must arrive as text, never as markup.
    assert description == (
        "Summary with &lt;script&gt;alert(1)&lt;/script&gt; &amp; an ampersand")
    entry = next(e for e in parse(out / "feed.xml").entries if e.title.startswith("First"))
    assert "<script" not in entry.summary
    assert entry.summary == description


def test_atom_feed(out: Path) -> None:
    parsed = parse(out / "atom.xml")
    feed = parsed.feed
    assert feed.id == "https://example.org/news/atom.xml"
    assert feed.updated == "2024-03-28T12:00:00+02:00"
    assert feed.language == "en"
    assert feed.author == "Test Desk"
    assert {(link.rel, link.href) for link in feed.links} == {
        ("self", "https://example.org/news/atom.xml"),
        ("alternate", "https://example.org/news/")}
    second, first, _ = parsed.entries
    assert second.id == "tag:example.org,2024-03-27:/news/second"
    assert second.published == "2024-03-27T01:30:00+02:00"
    assert second.updated == "2024-03-28T12:00:00+02:00"
    assert first.author == "Ann Writer"
    assert {(link.rel, link.href) for link in first.links} == {
        ("alternate", "https://example.org/news/2024/03/20/first/"),
        ("via", "https://agency.example/story")}
    assert first.summary_detail.type == "text/html"
    assert "<script" not in first.summary
    assert first.content[0].type == "text/html"


def test_atom_entries_have_one_alternate_link_and_an_author(out: Path) -> None:
    root = ET.parse(out / "atom.xml").getroot()
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Test Desk"
    for entry in root.iter(f"{ATOM}entry"):
        rels = [link.get("rel", "alternate") for link in entry.iter(f"{ATOM}link")]
        assert rels.count("alternate") == 1, ET.tostring(entry)


def test_tag_feed(out: Path) -> None:
    parsed = parse(out / "tags" / "climate" / "feed.xml")
    assert parsed.feed.title == "Test Digest: Climate"
    assert parsed.feed.link == "https://example.org/news/tags/climate/"
    assert ("self", "https://example.org/news/tags/climate/feed.xml") in {
        (link.rel, link.href) for link in parsed.feed.links}
    assert [e.title for e in parsed.entries] == ["Second", "First & <foremost>"]
    ukraine = parse(out / "tags" / "україна" / "feed.xml")
    assert ("self", "https://example.org/news/tags/%D1%83%D0%BA%D1%80%D0%B0%D1%97%D0%BD%D0%B0/"
            "feed.xml") in {(link.rel, link.href) for link in ukraine.feed.links}


def test_drafts_and_future_articles_stay_out_of_feeds(out: Path) -> None:
    text = (out / "feed.xml").read_text(encoding="utf-8")
    assert "Draft" not in text and "Future" not in text


def test_feeds_do_not_change_with_the_clock(tmp_path: Path, out: Path) -> None:
    files = {k: v for k, v in FILES.items() if "future" not in k}
    later = tmp_path / "later"
    write_site(later, files)
    result = run_digest("build", "--no-cache", "-o", str(later / "out"), cwd=later,
                        env={"SOURCE_DATE_EPOCH": "1900000000"})
    assert result.returncode == 0, result.stderr
    for name in ("feed.xml", "atom.xml", "tags/climate/feed.xml"):
        assert (later / "out" / name).read_bytes() == (out / name).read_bytes(), name


def test_feed_settings(tmp_path: Path) -> None:
    many = {f"content/a{n}.md": article(f"A{n}", f"2024-03-{n:02d}T10:00:00", tags=["t"])
            for n in range(1, 8)}
    out = build(tmp_path, many, feeds={"items": 3, "per_tag": False, "full_content": False})
    rss = parse(out / "feed.xml")
    assert [e.title for e in rss.entries] == ["A7", "A6", "A5"]
    assert not any("content" in e for e in rss.entries)
    root = ET.parse(out / "feed.xml").getroot()
    assert root.find(f".//{CONTENT}encoded") is None
    assert [e.title for e in parse(out / "atom.xml").entries] == ["A7", "A6", "A5"]
    assert not (out / "tags" / "t" / "feed.xml").exists()
    page = (out / "tags" / "t" / "index.html").read_text(encoding="utf-8")
    assert "tags/t/feed.xml" not in page


def test_feed_formats_leave_out_atom_and_json_feeds_and_every_link_to_them(
        tmp_path: Path) -> None:
    out = build(tmp_path, FILES, feeds={"formats": ["rss"]}, editions="daily")
    written = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    assert {"feed.xml", "tags/climate/feed.xml", "editions/feed.xml"} <= written
    assert not [path for path in written if path.endswith(("atom.xml", "feed.json"))]
    assert [e.title for e in parse(out / "feed.xml").entries] == ["Second", "First & <foremost>",
                                                                  "Third"]
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "atom.xml" not in html and "feed.json" not in html, page
        assert ">Atom<" not in html, page

    both = build(tmp_path / "both", FILES, feeds={"formats": ["json", "rss"]})
    assert (both / "feed.json").is_file() and (both / "tags/climate/feed.json").is_file()
    assert not (both / "atom.xml").exists()


def test_feeds_of_an_empty_site(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    out = build(tmp_path, {})
    rss = parse(out / "feed.xml")
    atom = parse(out / "atom.xml")
    assert rss.entries == [] and atom.entries == []
    assert rss.feed.updated == "Thu, 01 Jan 1970 00:00:00 +0000"  # fixed, not the clock
    assert atom.feed.updated == "1970-01-01T00:00:00+00:00"


def test_feeds_under_a_sub_path_with_non_ascii(tmp_path: Path) -> None:
    out = build(tmp_path, {"content/a.md": article("A", "2024-03-01T10:00:00")},
                base_url="https://example.org/новини/")
    entry = parse(out / "feed.xml").entries[0]
    assert entry.link == "https://example.org/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8/2024/03/01/a/"
    assert entry.id == "tag:example.org,2024-03-01:/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8/a"
