"""`digest import` of a saved web page: title, date, author, canonical URL and the main text,
without the site around it; and a clear message when the html extra is not installed."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from curatekit import run

from digest import config as config_module
from digest.build import BuildOptions, build
from digest.content import Settings, read_article
from digest.markup import Renderer

pytest.importorskip("trafilatura")

PAGE = Path(__file__).parent / "fixtures" / "import" / "page-news.html"
SLUG = "harbour-city-opens-its-bus-timetables-as-open-data"
PARAGRAPHS = [
    "The harbour city's transport authority has begun publishing its complete bus timetables",
    "The data is released in the GTFS format used by journey planners worldwide",
    "## Why the city changed course",
    "For years the authority sold access to its timetables to a handful of app makers.",
    "> \u201cPassengers paid for these buses once already,\u201d said the authority's director, "
    "Jo\u00e3o Pereira.",
    "Within a day of the release, three independent developers had published [their own "
    "journey planners](https://apps.example.org/harbour-buses)",
    "The authority says it will add tram and ferry services to the feed before the summer",
]
FURNITURE = ["cookies", "Accept all", "Subscribe", "Share on", "Related stories",
             "Ferry fares to rise", "reader42", "Now do the trains", "Akismet",
             "morning briefing", "All rights reserved", "Privacy", "trackScroll", "dataLayer"]




def split(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body.strip()


def test_saved_news_page_imports_with_title_date_and_main_text(site: Path) -> None:
    dated = run("import", str(PAGE), "--date", "2020-01-01", "--dry-run")  # the page's wins
    assert dated.output.startswith(f"would write content/2024/03/{SLUG}.md")
    result = run("import", str(PAGE))
    assert result.exit_code == 0, result.output
    rel = f"content/2024/03/{SLUG}.md"
    assert result.output.splitlines() == [f"written {rel}  ({PAGE})",
                                          "Imported: 1 written, 0 skipped, 0 failed."]
    fields, body = split(site / rel)
    assert fields == {
        "title": "Harbour city opens its bus timetables as open data",
        "date": datetime(2024, 3, 27, 8, 15, tzinfo=timezone(timedelta(hours=1))),
        "tags": ["open data", "transport"],
        "summary": "The city's transport authority now publishes live bus positions and "
                   "timetables under an open licence.",
        "source": {"name": "The Coastal Ledger",
                   "url": "https://www.coastal-ledger.example/news/2024/03/"
                          "harbour-city-open-bus-data"},
        "authors": ["Marta Silva"],
    }
    paragraphs = body.split("\n\n")
    position = [next(i for i, p in enumerate(paragraphs) if p.startswith(start))
                for start in PARAGRAPHS]
    assert position == sorted(position)
    assert not paragraphs[0].startswith("# ")  # the headline is the title, not the body
    for text in FURNITURE:
        assert text not in body, text
    assert "javascript:" not in body and "onclick" not in body

    cfg = config_module.load(site / "config.yaml")
    settings = Settings(str(cfg.root), cfg.timezone, cfg.host, cfg.base_path)
    loaded = read_article((site / rel).read_bytes(), rel, settings, Renderer())
    assert loaded.errors == [] and loaded.warnings == []
    build(cfg, BuildOptions(cache=False, jobs=1))
    page = (site / "output/2024/03/27" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "Passengers paid for these buses once already" in page
    for text in ("trackScroll", "dataLayer", "acceptCookies", "javascript:", "onclick"):
        assert text not in page, text
    assert "Harbour city opens its bus timetables" in (site / "output/feed.xml").read_text()

    again = run("import", str(PAGE))
    assert again.output.splitlines()[0] == (f"skipped {PAGE}: already in {rel} (same source "
                                            "URL)")


def test_a_page_without_a_date_takes_the_date_option_or_now(site: Path) -> None:
    page = site / "undated.html"
    page.write_text(
        "<!doctype html><html><head><title>Undated story | Site</title></head><body>"
        "<nav><a href='/'>Home</a></nav><article><h1>Undated story</h1>"
        + "".join(f"<p>Paragraph {n} of an undated story with enough words to count as the "
                  f"main text of the page, which a reader came for.</p>" for n in range(1, 6))
        + "</article><footer>Footer</footer></body></html>", encoding="utf-8")
    result = run("import", "undated.html", "--date", "2024-03-20 07:00", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("would write content/2024/03/undated-story.md")
    before = datetime.now(ZoneInfo("Europe/Kyiv")).replace(microsecond=0)
    result = run("import", "undated.html")
    assert result.exit_code == 0, result.output
    assert "note: no date found in the page: dated now (use --date)" in result.output
    [path] = (site / "content").rglob("*.md")
    fields, body = split(path)
    assert fields["title"] == "Undated story"
    assert fields["date"] >= before
    assert body.startswith("Paragraph 1 of an undated story")


def test_a_page_without_article_text_fails_clearly(site: Path) -> None:
    (site / "empty.html").write_text("<!doctype html><html><head><title>Nothing</title></head>"
                                     "<body><nav><a href='/'>Home</a></nav></body></html>",
                                     encoding="utf-8")
    result = run("import", "empty.html")
    assert result.exit_code == 1
    assert ("failed empty.html: no article text found in the page (only 1 word outside menus "
            "and footers)") in result.output


def test_without_trafilatura_the_message_says_how_to_install_the_html_extra(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import trafilatura -> ImportError
    result = run("import", str(PAGE), str(Path(__file__).parent / "fixtures" / "import" /
                                          "atom-mixed.xml"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"failed {PAGE}: reading web pages needs the html extra: pip "
                               "install 'digest[html]' (trafilatura and lxml_html_clean)")
    assert sum(line.startswith("written") for line in lines) == 3  # the feed still imports
