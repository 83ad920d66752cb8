"""`digest import` of RSS and Atom feeds: 50 entries and idempotency, hostile HTML, skipped
entries, dedup by normalized URL and id, similar titles, slug clashes, dry runs."""

from __future__ import annotations

import html.parser
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from curatekit import body, front, run
from sitekit import article, tree, write_site

from digest import config as config_module
from digest.build import BuildOptions, build
from digest.content import Settings, read_article
from digest.markup import Renderer
from digest.urls import clean_url, normalize_url

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FEED_50 = FIXTURES / "feed-50.xml"
HOSTILE = FIXTURES / "hostile.xml"
ATOM = FIXTURES / "atom-mixed.xml"






def articles(root: Path) -> list[Path]:
    return sorted((root / "content").rglob("*.md")) if (root / "content").exists() else []


def load_all_back(root: Path) -> None:
    """Every article reads back as the build reads it: no error, no warning."""
    cfg = config_module.load(root / "config.yaml")
    settings = Settings(str(cfg.root), cfg.timezone, cfg.host, cfg.base_path)
    renderer = Renderer()
    for path in articles(root):
        rel = path.relative_to(root).as_posix()
        result = read_article(path.read_bytes(), rel, settings, renderer)
        assert result.errors == [] and result.warnings == [], (rel, result.errors,
                                                               result.warnings)


def build_site(root: Path) -> Path:
    cfg = config_module.load(root / "config.yaml")
    build(cfg, BuildOptions(cache=False, jobs=1))
    return cfg.folder("output_dir")


def feed_with(*items: str, title: str = "Test Feed") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://feed.example/</link>{''.join(items)}"
            "</channel></rss>")


def item(title: str, link: str, date: str = "Tue, 26 Mar 2024 10:00:00 +0000",
         description: str = "<p>Text.</p>", guid: str | None = None) -> str:
    guid_xml = f'<guid isPermaLink="false">{guid}</guid>' if guid else ""
    return (f"<item><title>{title}</title><link>{link}</link>{guid_xml}<pubDate>{date}</pubDate>"
            f"<description><![CDATA[{description}]]></description></item>")


def test_a_feed_of_50_entries_imports_and_a_second_import_writes_nothing(site: Path) -> None:
    result = run("import", str(FEED_50))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum(line.startswith("written content/2024/03/") for line in lines) == 50
    assert lines[-1] == "Imported: 50 written, 0 skipped, 0 failed."
    assert len(articles(site)) == 50
    load_all_back(site)

    first = (site / "content/2024/03/"
             "kyiv-port-authority-opens-a-public-archive-of-noise-measurements.md")
    assert front(first) == {
        "title": "Kyiv port authority opens a public archive of noise measurements",
        "date": datetime(2024, 3, 1, 18, 7, tzinfo=timezone(timedelta(hours=1))),
        "tags": ["climate", "weather"],
        "summary": "The port authority in Kyiv opens a public archive of noise measurements.",
        "source": {"name": "News Wire: Open Data Desk",
                   "url": "https://www.news-wire.example/stories/2024/03/kyiv-01/"},
        "authors": ["Desk 2"],
        "extra": {"source_id": "news-wire-0001"},
    }
    assert body(first) == (
        "The port authority in Kyiv said on Friday that it opens a public archive of noise "
        "measurements, in a move welcomed by local researchers.\n\n"
        "Officials said the data would be updated **every day** and could be reused under an "
        "open licence. [The data portal](https://data.example.org/kyiv-01) lists the files.\n\n"
        "-   Format: CSV and JSON\n-   Licence: CC BY 4.0")
    # Entry 31 has the same title in the same month: its file gets a numeric suffix.
    assert front(first.with_name(first.stem + "-2.md"))["source"]["url"].endswith("/kyiv-31/")

    out = build_site(site)
    assert len(list(out.glob("2024/03/*/*/index.html"))) == 50
    assert ET.parse(out / "feed.xml").getroot().find("channel").findall("item")

    before = tree(site / "content")
    again = run("import", str(FEED_50))
    assert again.exit_code == 0
    assert again.output.splitlines()[-1] == "Imported: 0 written, 50 skipped, 0 failed."
    assert all(line.startswith("skipped ") and "(same source URL)" in line
               for line in again.output.splitlines()[:-1])
    assert tree(site / "content") == before


class _ActiveContent(html.parser.HTMLParser):
    """What would run in a browser: scripts, frames, plugins, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.data_only = False  # inside the theme's JSON-LD: data, never run

    def handle_data(self, data: str) -> None:
        if self.data_only and "<" in data:
            self.found.append("markup inside JSON-LD")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # (<svg> itself is not active, and the theme draws charts with it: its handlers and
        # scripts are what would run, and they are caught like any others.)
        self.data_only = tag == "script" and ("type", "application/ld+json") in attrs
        if self.data_only:
            return
        if tag in ("script", "iframe", "object", "embed", "math", "style", "form",
                   "base", "frame", "frameset", "template", "noscript"):
            self.found.append(tag)
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            self.found.append("meta[http-equiv]")
        for name, value in attrs:
            lowered = "".join((value or "").split()).lower()
            if name.startswith("on") or name in ("srcdoc", "style", "formaction"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "data", "poster", "cite") and lowered.startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag}[{name}={lowered[:20]}]")


def active(markup: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(markup)
    return parser.found


def test_hostile_feed_imports_into_articles_whose_pages_and_feeds_run_nothing(
        site: Path) -> None:
    result = run("import", str(HOSTILE))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Imported: 3 written, 0 skipped, 0 failed."
    load_all_back(site)
    for path in articles(site):
        text = body(path)
        for needle in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<svg",
                       "onload", "vbscript:", "data:text", "<object", "<embed", "<form",
                       "<style", "<meta", "ontoggle", "srcdoc"):
            assert needle not in text.lower(), (path.name, needle, text)
    out = build_site(site)
    pages = sorted(out.rglob("*.html"))
    feeds = sorted(out.rglob("*.xml"))
    assert len(pages) > 5 and len(feeds) > 3
    for page in pages:
        assert active(page.read_text(encoding="utf-8")) == [], page
    html_elements = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}
    for feed in feeds:
        for element in ET.parse(feed).iter():
            assert not any(name.startswith("on") for name in element.attrib), feed
            if element.tag in html_elements or element.get("type") in ("html", "xhtml"):
                assert active(element.text or "") == [], (feed, element.tag, element.text)
            if element.tag.endswith("link") and element.get("href"):
                assert not element.get("href").lower().startswith("javascript:")
    story = (out / "2024/03/26/scripts-scriptalerttitlescript-in-every-field/index.html")
    page = story.read_text(encoding="utf-8")
    assert "Before the script." in page and "A paragraph with handlers." in page
    assert "<iframe" not in page and "evil.example" not in page
    assert "&lt;script&gt;shown as text&lt;/script&gt;" in page  # text stays text
    assert 'src="https://hostile.example/a.png"' in page  # a fine image stays


def test_atom_entries_without_a_date_or_title_are_skipped_with_a_reason(site: Path) -> None:
    result = run("import", str(ATOM))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "written content/2024/03/glacier-sensors-report-an-early-melt.md  "
        f"({ATOM} entry 1 'Glacier sensors report an early melt')",
        f"written content/2024/03/only-an-updated-date.md  ({ATOM} entry 2 'Only an updated "
        "date')",
        f"skipped {ATOM} entry 3 'No date at all': the entry has no date (neither published "
        "nor updated)",
        f"skipped {ATOM} entry 4: the entry has no title",
        f"written content/2024/03/an-xhtml-title-2024.md  ({ATOM} entry 5 'An XHTML title: "
        "2024')",
        "Imported: 3 written, 2 skipped, 0 failed.",
    ]
    load_all_back(site)
    glacier = site / "content/2024/03/glacier-sensors-report-an-early-melt.md"
    assert front(glacier) == {
        "title": "Glacier sensors report an early melt",
        "date": datetime(2024, 3, 27, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        "updated": datetime(2024, 3, 27, 11, 0, tzinfo=timezone(timedelta(hours=1))),
        "tags": ["Climate", "glaciers"],
        "summary": "Sensors on three glaciers show melting began two weeks early.",
        "source": {"name": "Lab & Field Notes",
                   "url": "https://science.example/blog/posts/glacier-melt.html"},
        "authors": ["Ines Alvarez"],
        "extra": {"source_id": "tag:science.example,2024:glacier-melt"},
    }
    assert body(glacier) == (
        "Sensors on three glaciers show that melting began *two weeks* earlier than the "
        "ten-year average.\n\nSee [the data](https://science.example/blog/data/melt.csv) and "
        "![Melt chart](https://science.example/blog/img/chart.png).")
    updated_only = site / "content/2024/03/only-an-updated-date.md"
    assert front(updated_only)["date"] == datetime(2024, 3, 26, 8,
                                                   tzinfo=timezone(timedelta(hours=-5)))
    assert body(updated_only) == ("Plain text content.\n\nA second paragraph with \\*stars\\* "
                                  "and &lt;b>tags&lt;/b> shown as text.")
    xhtml = site / "content/2024/03/an-xhtml-title-2024.md"
    assert front(xhtml)["title"] == "An XHTML title: 2024"
    assert body(xhtml) == "XHTML body with [a root-relative link](https://science.example/about)."
    build_site(site)


@pytest.mark.parametrize("variant", [
    "https://news.example/story/1",
    "http://news.example/story/1",
    "https://www.news.example/story/1/",
    "https://WWW.News.Example/story/1?utm_source=rss&utm_medium=feed&utm_campaign=x",
    "https://news.example/story/1#comments",
    "https://news.example:443/story/1?fbclid=abc&gclid=def",
    "http://news.example:80/story//1/",
    "https://news.example/story/%31",
])
def test_urls_that_differ_only_in_scheme_www_tracking_fragment_or_slash_are_one(
        variant: str) -> None:
    assert normalize_url(variant) == "news.example/story/1"


@pytest.mark.parametrize("other", [
    "https://news.example/story/2", "https://news.example/story/1?id=2",
    "https://other.example/story/1", "https://news.example:8443/story/1",
    "https://blog.news.example/story/1",
])
def test_urls_of_other_pages_stay_apart(other: str) -> None:
    assert normalize_url(other) != normalize_url("https://news.example/story/1")


def test_query_parameters_are_sorted_and_kept_and_tracking_is_cleaned_when_written() -> None:
    assert normalize_url("https://a.example/s?b=2&a=1") == normalize_url(
        "https://a.example/s?a=1&b=2&utm_term=x")
    assert clean_url("https://a.example/s?id=7&utm_source=x#top") == "https://a.example/s?id=7"
    assert clean_url("https://a.example/s?id=7") == "https://a.example/s?id=7"


def test_an_item_already_in_content_is_skipped_naming_the_file(site: Path) -> None:
    write_site(site, {
        "content/2024/01/by-url.md": article(
            "Old", "2024-01-01", source={"name": "W", "url": "http://feed.example/a/?utm_x=1"}),
        "content/2024/01/by-id.md": article("Old 2", "2024-01-02", id="guid-42"),
        "content/2024/01/by-source-id.md": article("Old 3", "2024-01-03",
                                                   extra={"source_id": "guid-43"}),
    })
    feed = site / "feed.xml"
    feed.write_text(feed_with(
        item("A", "https://www.feed.example/a#x"),
        item("B", "https://feed.example/b", guid="guid-42"),
        item("C", "https://feed.example/c", guid="guid-43"),
        item("D", "https://feed.example/d", guid="guid-44")), encoding="utf-8")
    result = run("import", "feed.xml")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "skipped feed.xml entry 1 'A': already in content/2024/01/by-url.md (same source URL)",
        "skipped feed.xml entry 2 'B': already in content/2024/01/by-id.md (same id)",
        "skipped feed.xml entry 3 'C': already in content/2024/01/by-source-id.md (same id)",
        "written content/2024/03/d.md  (feed.xml entry 4 'D')",
        "Imported: 1 written, 3 skipped, 0 failed.",
    ]


def test_near_identical_titles_on_the_same_day_are_flagged(site: Path) -> None:
    write_site(site, {"content/2024/03/kremlin.md": article(
        "Kremlin says no peace talks without Russia", "2024-03-26T08:00:00+02:00",
        source={"name": "A", "url": "https://a.example/kremlin"})})
    feed = site / "feed.xml"
    feed.write_text(feed_with(
        item("Kremlin says: no peace talks without Russia!", "https://b.example/k1"),
        item("Kremlin says no peace talks without Russia", "https://c.example/k2",
             date="Thu, 28 Mar 2024 10:00:00 +0000"),
        item("Parliament passes the budget", "https://c.example/budget")), encoding="utf-8")
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "written content/2024/03/kremlin-says-no-peace-talks-without-russia.md  (feed.xml "
        "entry 1 'Kremlin says: no peace talks without Russia!')",
        "  flagged: the title is nearly the same as that of content/2024/03/kremlin.md, on the "
        "same day; is it a duplicate?",
        "written content/2024/03/kremlin-says-no-peace-talks-without-russia-2.md  (feed.xml "
        "entry 2 'Kremlin says no peace talks without Russia')",
        "written content/2024/03/parliament-passes-the-budget.md  (feed.xml entry 3 "
        "'Parliament passes the budget')",
        "Imported: 3 written, 0 skipped, 0 failed; 1 flagged as possible duplicates.",
    ]


def test_slug_clashes_get_a_numeric_suffix_and_nothing_is_overwritten(site: Path) -> None:
    write_site(site, {"content/2024/03/budget.md": article("Budget", "2024-03-02")},
               {"permalink": "/{slug}/"})
    original = (site / "content/2024/03/budget.md").read_bytes()
    write_site(site, {"content/2024/02/budget-2.md": article("Budget", "2024-02-01")},
               {"permalink": "/{slug}/"})
    feed = site / "feed.xml"
    feed.write_text(feed_with(
        item("Budget", "https://a.example/1"), item("Budget", "https://a.example/2"),
        item("Budget", "https://a.example/3", date="Mon, 01 Apr 2024 10:00:00 +0000")),
        encoding="utf-8")
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.output
    written = [line.split()[1] for line in result.output.splitlines()
               if line.startswith("written")]
    # budget and budget-2 are taken (a file, and the URL /budget-2/ of February's article).
    assert written == ["content/2024/03/budget-3.md", "content/2024/03/budget-4.md",
                       "content/2024/04/budget-5.md"]
    assert (site / "content/2024/03/budget.md").read_bytes() == original
    assert build_site(site).joinpath("budget-5/index.html").is_file()


def test_dry_run_shows_what_would_be_written_and_writes_nothing(site: Path) -> None:
    result = run("import", str(ATOM), str(ATOM), "--dry-run")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("would write content/2024/03/glacier-sensors-report-an-early-"
                               "melt.md  (")
    assert sum(line.startswith("would write") for line in lines) == 3
    assert sum("(same source URL)" in line or "(same id)" in line for line in lines) == 3
    assert lines[-1] == "Dry run: 3 would be written, 7 skipped, 0 failed; nothing was written."
    assert articles(site) == []


def test_one_bad_entry_does_not_stop_the_others_and_the_exit_code_is_1(site: Path) -> None:
    deep = "<div>" * 400 + "deep" + "</div>" * 400
    feed = site / "feed.xml"
    feed.write_text(feed_with(
        item("Good one", "https://a.example/1"),
        item("Too deep", "https://a.example/2", description=deep),
        item("Good two", "https://a.example/3")), encoding="utf-8")
    (site / "broken.xml").write_text("<rss><channel><item><title>x", encoding="utf-8")
    (site / "notafeed.xml").write_text("<?xml version='1.0'?><note>hi</note>", encoding="utf-8")
    result = run("import", "feed.xml", "notafeed.xml")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("written content/2024/03/good-one.md")
    assert lines[1] == ("failed feed.xml entry 2 'Too deep': the HTML nests tags more than "
                        "200 levels deep")
    assert lines[2].startswith("written content/2024/03/good-two.md")
    assert lines[3].startswith("failed notafeed.xml: not an RSS or Atom feed")
    assert lines[-1] == "Imported: 2 written, 0 skipped, 2 failed."


def test_forced_format_and_tags_and_draft_options(site: Path) -> None:
    renamed = site / "feed.txt"
    renamed.write_bytes(ATOM.read_bytes())
    result = run("import", "feed.txt", "--format", "feed", "--tags", "science,Climate",
                 "--draft", "--source", "Curated")
    assert result.exit_code == 0, result.output
    glacier = front(site / "content/2024/03/glacier-sensors-report-an-early-melt.md")
    assert glacier["tags"] == ["Climate", "glaciers", "science"]
    assert glacier["draft"] is True and glacier["source"]["name"] == "Curated"
    as_text = run("import", str(text_named_like_a_feed(site)), "--format", "text", "--date",
                  "2024-03-26")
    assert as_text.exit_code == 0, as_text.output


def text_named_like_a_feed(site: Path) -> Path:
    path = site / "looks-like.xml"
    path.write_text("Headline of a text file\n\nIts body.\n", encoding="utf-8")
    return path


def test_on_a_terminal_a_progress_bar_is_drawn_and_lines_still_go_to_stdout(
        site: Path) -> None:
    pty = pytest.importorskip("pty")
    script = ("import sys; from digest.curate.commands import import_command; "
              "import_command.main(sys.argv[1:], prog_name='digest import')")
    master, slave = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-c", script, str(FEED_50)], cwd=site,
                              stdout=subprocess.PIPE, stderr=slave, text=True, timeout=120,
                              check=False)
        os.close(slave)
        drawn = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(master)
    assert done.returncode == 0
    assert done.stdout.count("\nwritten ") == 49
    assert done.stdout.endswith("Imported: 50 written, 0 skipped, 0 failed.\n")
    assert b"Importing" in drawn and b"50/50" in drawn


def test_tags_take_the_spelling_content_already_uses_so_tag_urls_never_clash(
        site: Path) -> None:
    write_site(site, {"content/2024/01/old.md": article("Old", "2024-01-01",
                                                        tags=["open-data", "Climate"])})
    feed = site / "feed.xml"
    feed.write_text(feed_with(
        "<item><title>New</title><link>https://a.example/new</link>"
        "<pubDate>Tue, 26 Mar 2024 10:00:00 +0000</pubDate><category>Open Data</category>"
        "<category>open data</category><category>climate</category><category>Energy Use"
        "</category><category>energy-use</category><description>x</description></item>"),
        encoding="utf-8")
    assert run("import", "feed.xml").exit_code == 0
    assert front(site / "content/2024/03/new.md")["tags"] == ["open-data", "Climate",
                                                               "Energy Use"]
    build_site(site)


def test_an_empty_feed_and_unreadable_content_files_are_reported(site: Path) -> None:
    write_site(site, {"content/2024/01/broken.md": "no front matter here\n"})
    (site / "empty.xml").write_text(feed_with(), encoding="utf-8")
    result = run("import", "empty.xml", str(ATOM))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("note: 1 file in content/ could not be read and is not checked for "
                        "duplicates (digest build names the problems)")
    assert lines[1] == "skipped empty.xml: the feed has no entries"
    assert lines[-1] == "Imported: 3 written, 3 skipped, 0 failed."
