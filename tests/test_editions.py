"""Editions, the editions feed, JSON Feed and page metadata."""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import feedparser
import jsonschema
import pytest
from sitekit import REPO, article, run_digest, write_site

from digest.editions import edition_of

# JSON Feed 1.1 (https://jsonfeed.org/version/1.1) as a JSON Schema: required fields,
# types, and the rule that every item has content_html or content_text.
JSON_FEED_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string", "format": "uri", "pattern": "^https?://"},
        "feed_url": {"type": "string", "format": "uri", "pattern": "^https?://"},
        "description": {"type": "string"},
        "language": {"type": "string"},
        "authors": {"type": "array", "items": {"$ref": "#/$defs/author"}},
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
    },
    "$defs": {
        "author": {"type": "object", "minProperties": 1,
                   "properties": {"name": {"type": "string"}, "url": {"type": "string"}}},
        "item": {
            "type": "object",
            "required": ["id"],
            "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "url": {"type": "string", "pattern": "^https?://"},
                "external_url": {"type": "string", "pattern": "^https?://"},
                "title": {"type": "string"},
                "content_html": {"type": "string"},
                "content_text": {"type": "string"},
                "summary": {"type": "string"},
                "image": {"type": "string"},
                "date_published": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"
                                   r"(\.\d+)?([+-]\d\d:\d\d|Z)$"},
                "date_modified": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"
                                  r"(\.\d+)?([+-]\d\d:\d\d|Z)$"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "authors": {"type": "array", "items": {"$ref": "#/$defs/author"}},
                "language": {"type": "string"},
            },
        },
    },
}


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("own") / "out"
    result = run_digest("build", "-q", "-o", str(out), cwd=REPO)
    assert result.returncode == 0, result.stderr
    return out


def test_the_repository_has_daily_edition_pages_with_a_note(own_site: Path) -> None:
    editions = sorted(p.name for p in (own_site / "editions").iterdir() if p.is_dir())
    assert "2025-01-15" in editions and len(editions) >= 15
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", name) for name in editions)
    page = (own_site / "editions/2025-01-15/index.html").read_text()
    assert '<time datetime="2025-01-15">15 January 2025</time>' in page
    assert "A busy Wednesday for open data" in page  # content/editions/2025-01-15.md
    assert page.count('class="edition-group"') == 2  # by first tag: web, open-data
    assert 'href="/digest/editions/2025-01-14/" rel="prev"' in page
    assert 'href="/digest/editions/2025-01-21/" rel="next"' in page
    home = (own_site / "index.html").read_text()
    assert 'Latest edition: <a href="/digest/editions/2025-02-20/">' in home


def _check_feed(path: Path) -> feedparser.FeedParserDict:
    ET.parse(path)
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    ids = [entry.id for entry in feed.entries]
    assert len(ids) == len(set(ids)) and all(ids)
    assert any(link.rel == "self" for link in feed.feed.links)
    return feed


def test_the_editions_feeds_pass_the_feed_checks(own_site: Path) -> None:
    rss = _check_feed(own_site / "editions/feed.xml")
    atom = _check_feed(own_site / "editions/atom.xml")
    assert rss.version == "rss20" and atom.version == "atom10"
    newest = rss.entries[0]
    assert newest.link == "https://example.github.io/digest/editions/2025-02-20/"
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", newest.published)
    edition = next(e for e in atom.entries if e.link.endswith("/editions/2025-01-15/"))
    content = edition.content[0].value
    # The whole edition, with absolute links, so it reads in a feed reader.
    assert "A busy Wednesday for open data" in content
    assert 'href="https://example.github.io/digest/2025/01/15/city-heat-map-release/"' in content
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", edition.updated)
    assert atom.feed.updated == max(entry.updated for entry in atom.entries)


def test_json_feeds_validate(own_site: Path) -> None:
    feeds = [own_site / "feed.json", *sorted((own_site / "tags").glob("*/feed.json"))]
    assert len(feeds) > 5
    for path in feeds:
        data = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, JSON_FEED_SCHEMA)
        ids = [item["id"] for item in data["items"]]
        assert len(ids) == len(set(ids))
    site = json.loads((own_site / "feed.json").read_text())
    assert site["feed_url"] == "https://example.github.io/digest/feed.json"
    item = site["items"][0]
    assert item["url"].startswith("https://example.github.io/digest/2025/")
    assert item["external_url"].startswith("https://")
    assert "<p>" in item["content_html"]


def test_a_json_feed_item_without_content_is_invalid() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "https://jsonfeed.org/version/1.1", "title": "x",
                             "items": [{"id": "1"}]}, JSON_FEED_SCHEMA)


@pytest.mark.parametrize(("day", "week_start", "expected"), [
    (date(2024, 3, 26), "monday", ("2024-W13", date(2024, 3, 25), date(2024, 3, 31))),
    (date(2024, 3, 31), "monday", ("2024-W13", date(2024, 3, 25), date(2024, 3, 31))),
    (date(2024, 3, 31), "sunday", ("2024-W14", date(2024, 3, 31), date(2024, 4, 6))),
    (date(2024, 12, 30), "monday", ("2025-W01", date(2024, 12, 30), date(2025, 1, 5))),
    (date(2021, 1, 2), "saturday", ("2021-W01", date(2021, 1, 2), date(2021, 1, 8))),
])
def test_weekly_editions_follow_the_week_start(day: date, week_start: str,
                                               expected: tuple[str, date, date]) -> None:
    assert edition_of(day, "weekly", week_start) == expected


def test_weekly_editions_are_bucketed_in_the_site_time_zone(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {
        # Sunday 23:30 UTC is already Monday in Kyiv: the next week's edition.
        "content/a.md": article(title="Late Sunday", date="2024-03-31T23:30:00+00:00",
                                tags=["x"]),
        "content/b.md": article(title="Tuesday", date="2024-03-26T10:00:00+02:00", tags=["x"]),
    }, config={"editions": "weekly"})
    assert run_digest("build", "-q", cwd=root).returncode == 0
    assert sorted(p.name for p in (root / "output/editions").iterdir() if p.is_dir()) == [
        "2024-W13", "2024-W14"]
    week = (root / "output/editions/2024-W14/index.html").read_text()
    assert "Late Sunday" in week and "Week 14, 2024 (1\u20137 April 2024)" in week


def test_editions_can_be_turned_off_and_bad_notes_are_named(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {"content/a.md": article(), "content/editions/someday.md": "Note\n"},
               config={"editions": "off"})
    result = run_digest("build", cwd=root)
    assert result.returncode == 1
    assert "content/editions/someday.md: an editor's note is named after its edition" in \
        result.stderr
    (root / "content/editions/someday.md").unlink()
    assert run_digest("build", "-q", cwd=root).returncode == 0
    assert not (root / "output/editions").exists()
    assert "Editions" not in (root / "output/index.html").read_text()


def test_article_pages_carry_opengraph_and_news_article_data(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {"content/a.md": article(
        title="Sea </script> levels", summary="Short & sweet", image="/news/img/sea.jpg",
        authors=["Ana Lima"], tags=["climate"], updated="2024-03-27T08:00:00+02:00",
        source={"name": "Agencies", "url": "https://example.net/sea"}),
        "content/b.md": article(title="السلام", date="2024-03-25", lang="ar")})
    assert run_digest("build", "-q", cwd=root).returncode == 0
    page = (root / "output/2024/03/26/a/index.html").read_text()
    canonical = "https://example.org/news/2024/03/26/a/"
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:image" content="https://example.org/news/img/sea.jpg">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block and "</script" not in block.group(1)
    data = json.loads(block.group(1))
    assert data["@type"] == "NewsArticle" and data["headline"] == "Sea </script> levels"
    assert data["datePublished"] == "2024-03-26T10:00:00+02:00"
    assert data["dateModified"] == "2024-03-27T08:00:00+02:00"
    assert data["author"] == [{"@type": "Person", "name": "Ana Lima"}]
    assert data["publisher"]["name"] == "Test Digest"
    assert data["image"] == ["https://example.org/news/img/sea.jpg"]
    rtl = (root / "output/2024/03/25/b/index.html").read_text()
    assert '<article class="story" data-pagefind-body lang="ar" dir="rtl">' in rtl
    assert '<link rel="alternate" hreflang="ar"' in rtl


def test_the_archive_chart_and_tag_sizes_read_without_colour(own_site: Path) -> None:
    archive = (own_site / "archive/index.html").read_text()
    svg = re.search(r"<svg.*?</svg>", archive, re.S)
    assert svg and 'role="img"' in svg.group(0) and "<title" in svg.group(0)
    assert "<script" not in svg.group(0)
    bars = re.findall(r"<title>(\w+ \d{4}): (\d+)</title>", svg.group(0))
    assert bars[2] == ("January 2025", "7")
    assert re.findall(r'class="bar-count"[^>]*>(\d+)<', svg.group(0)) == [c for _, c in bars]
    tags = (own_site / "tags/index.html").read_text()
    sizes = re.findall(r'<li class="tag-size-(\d)"><a href="[^"]+">([^<]+)</a> '
                       r'<span class="count">(\d+)', tags)
    by_count = sorted(sizes, key=lambda s: int(s[2]))
    assert by_count[0][0] == "1" and by_count[-1][0] == "5"
    assert all(int(a[0]) <= int(b[0]) for a, b in itertools.pairwise(by_count))
