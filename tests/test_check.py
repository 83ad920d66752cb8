"""`digest check`: content, duplicate sources, internal links, images and feeds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sitekit import REPO, article, run_digest, write_site

from digest.check import normalize_url

# Europe/Kyiv, base path /news/: this article's page is output/2024/03/26/a-story/index.html.
STORY_PAGE = "output/2024/03/26/a-story/index.html"


def check(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_digest("check", *args, cwd=site)


def build(site: Path, *args: str) -> None:
    result = run_digest("build", "--no-cache", *args, cwd=site)
    assert result.returncode == 0, result.stderr


def good_site(root: Path, **extra: str | bytes) -> Path:
    files: dict[str, str | bytes] = {
        "content/2024/03/a-story.md": article(
            "A story", body="See [the other one](/news/2024/03/25/other/#main) and "
            "![a chart](/news/img/chart.png).\n",
            tags=["Science", "Україна"],
            source={"name": "Wire", "url": "https://wire.example.com/a"}),
        "content/2024/03/other.md": article(
            "Other", date="2024-03-25T09:00:00+02:00",
            body="Intro.\n\n## Details\n\nMore.\n",
            source={"name": "Wire", "url": "https://wire.example.com/b"}),
        "static/img/chart.png": b"\x89PNG\r\n\x1a\n",
        **extra,
    }
    write_site(root, files)
    return root


def test_a_clean_site_passes(tmp_path: Path) -> None:
    site = good_site(tmp_path)
    build(site)
    result = check(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems" in result.stdout
    assert "2 articles" in result.stdout


def test_a_broken_internal_link_fails_naming_the_output_file(tmp_path: Path) -> None:
    site = good_site(tmp_path)
    build(site)
    assert check(site).returncode == 0
    story = site / "content/2024/03/a-story.md"
    story.write_text(article("A story", body="Read [this](/news/2024/missing/) first.\n"),
                     encoding="utf-8")
    build(site)
    result = check(site)
    assert result.returncode == 1, result.stdout
    line = next(x for x in result.stdout.splitlines() if "broken link" in x)
    assert line.startswith(f"{STORY_PAGE}:")
    assert "/news/2024/missing/" in line and "output/2024/missing/index.html" in line
    assert "content/2024/03/a-story.md" in line


def test_relative_links_fragments_and_links_outside_the_base_path(tmp_path: Path) -> None:
    body = ("[up](../../../../) [rel](../../25/other/) [gone](../../24/nothing/) "
            "[anchor](/news/2024/03/25/other/#no-such-id) [outside](/elsewhere/) "
            "[external](https://elsewhere.example.org/x/) [mail](mailto:a@example.org)\n")
    site = good_site(tmp_path)
    (site / "content/2024/03/a-story.md").write_text(article("A story", body=body),
                                                     encoding="utf-8")
    build(site)
    result = check(site, "--format", "json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    kinds = sorted((p["kind"], p["severity"]) for p in problems)
    assert kinds == [("anchor", "error"), ("link", "error"), ("outside", "warning")]
    link = next(p for p in problems if p["kind"] == "link")
    assert "../../24/nothing/" in link["message"] and link["file"] == STORY_PAGE
    assert isinstance(link["line"], int)
    anchor = next(p for p in problems if p["kind"] == "anchor")
    assert 'id="no-such-id"' in anchor["message"]


def test_warnings_alone_pass(tmp_path: Path) -> None:
    site = good_site(tmp_path)
    (site / "content/2024/03/a-story.md").write_text(
        article("A story", body="[outside](/elsewhere/)\n"), encoding="utf-8")
    build(site)
    result = check(site)
    assert result.returncode == 0, result.stdout
    assert "warning:" in result.stdout and "1 warning" in result.stdout


def test_the_repository_site_passes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = run_digest("build", "--config", str(REPO / "config.yaml"), "--no-cache",
                       "-q", "-o", str(out), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    result = run_digest("check", "--config", str(REPO / "config.yaml"), "-o", str(out),
                     cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems" in result.stdout


def test_duplicate_source_urls_are_found_through_normalization(tmp_path: Path) -> None:
    site = good_site(tmp_path, **{
        "content/2024/03/again.md": article(
            "Again", date="2024-03-27T09:00:00+02:00",
            source={"name": "Wire", "url": "http://www.wire.example.com/a/?utm_source=x#top"}),
    })
    build(site)
    result = check(site)
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if "[duplicate-source]" in x)
    assert line.startswith("content/2024/03/again.md:")
    assert "content/2024/03/a-story.md" in line


@pytest.mark.parametrize(("a", "b"), [
    ("https://example.org/x", "http://www.example.org/x/"),
    ("https://example.org/x?id=3", "https://example.org/x?utm_medium=rss&id=3#c"),
    ("https://Example.org:443/%7Ex", "https://example.org/~x"),
])
def test_normalize_url_same(a: str, b: str) -> None:
    assert normalize_url(a) == normalize_url(b)


@pytest.mark.parametrize(("a", "b"), [
    ("https://example.org/x", "https://example.org/y"),
    ("https://example.org/x?id=3", "https://example.org/x?id=4"),
    ("https://example.org/x", "https://example.com/x"),
])
def test_normalize_url_different(a: str, b: str) -> None:
    assert normalize_url(a) != normalize_url(b)


def test_missing_images_are_found(tmp_path: Path) -> None:
    site = good_site(tmp_path)
    (site / "content/2024/03/a-story.md").write_text(
        article("A story", image="/news/img/lead.jpg",
                body="![chart](/news/img/chart.png) ![gone](/news/img/gone.png)\n"),
        encoding="utf-8")
    build(site)
    result = check(site, "--format", "json")
    assert result.returncode == 1
    images = [p for p in json.loads(result.stdout) if p["kind"] == "image"]
    assert len(images) == 2
    assert all(p["file"] == STORY_PAGE for p in images)
    lead = next(p for p in images if "lead.jpg" in p["message"])
    assert "content/2024/03/a-story.md:" in lead["message"]  # the image: line of the article


def test_content_errors_are_reported_together_without_output(tmp_path: Path) -> None:
    site = good_site(tmp_path, **{
        "content/2024/03/bad-date.md": "---\ntitle: Bad\ndate: 2024-13-40\n---\nx\n",
        "content/2024/03/no-title.md": "---\ndate: 2024-03-01\n---\nx\n",
    })
    result = check(site)
    assert result.returncode == 1
    assert "content/2024/03/bad-date.md:3: date:" in result.stdout
    assert "content/2024/03/no-title.md:1: title:" in result.stdout
    assert "run `digest build` first" in result.stdout


def test_json_format_is_a_list_of_problems(tmp_path: Path) -> None:
    site = good_site(tmp_path)
    build(site)
    clean = check(site, "--format", "json")
    assert clean.returncode == 0 and json.loads(clean.stdout) == []
    (site / "output/feed.xml").write_text("<rss><channel>", encoding="utf-8")
    broken = check(site, "--format", "json")
    assert broken.returncode == 1
    problems = json.loads(broken.stdout)
    assert problems and set(problems[0]) == {"kind", "file", "line", "message", "severity"}


def test_feed_problems_are_found(tmp_path: Path) -> None:
    site = good_site(tmp_path)
    build(site)
    out = site / "output"
    rss = (out / "feed.xml").read_text(encoding="utf-8")
    rss = rss.replace('rel="self"', 'rel="related"')
    rss = rss.replace("+0200</pubDate>", "</pubDate>", 1)
    (out / "feed.xml").write_text(rss, encoding="utf-8")
    atom = (out / "atom.xml").read_text(encoding="utf-8")
    ids = [line for line in atom.splitlines() if line.strip().startswith("<id>tag:")]
    atom = atom.replace(ids[1], ids[0])
    (out / "atom.xml").write_text(atom, encoding="utf-8")
    (out / "tags/science/feed.xml").write_text("<rss>\n<channel>\n</rss>\n", encoding="utf-8")
    result = check(site)
    assert result.returncode == 1
    text = result.stdout
    assert "output/feed.xml" in text and "no self link" in text
    assert "has no time-zone offset" in text
    assert "output/atom.xml" in text and "is used twice" in text
    assert "output/tags/science/feed.xml:3: not well-formed XML" in text


def test_json_feed_is_checked_when_present(tmp_path: Path) -> None:
    site = good_site(tmp_path)
    build(site)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
            "feed_url": "https://example.org/news/feed.json",
            "home_page_url": "https://example.org/news/",
            "items": [{"id": "1", "content_text": "x", "url": "https://example.org/news/gone/",
                       "date_published": "2024-03-26T10:00:00"},
                      {"id": "1", "content_html": "<p>y</p>"}]}
    (site / "output/feed.json").write_text(json.dumps(feed), encoding="utf-8")
    result = check(site)
    assert result.returncode == 1
    text = result.stdout
    assert "output/feed.json" in text
    assert "is used twice" in text and "RFC 3339" in text and "output/gone/index.html" in text


def test_the_base_url_of_the_build_is_used(tmp_path: Path) -> None:
    """CI builds with --base-url; check follows the built site, not config.yaml."""
    site = good_site(tmp_path)
    build(site, "--base-url", "https://someone.github.io/elsewhere/")
    result = check(site)
    assert result.returncode == 0, result.stdout
