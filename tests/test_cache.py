"""The build cache gives back exactly what reading the file gave."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sitekit import article, run_digest, write_site

from digest.cache import _decode, _encode
from digest.content import Settings, read_article, signature
from digest.markup import Renderer

SETTINGS = Settings("/site", "Europe/Kyiv", "example.org", "/")
SETTINGS_TZ = ZoneInfo(SETTINGS.timezone)

CASES = {
    "plain": article(),
    "everything": article(
        title="Київ: talks «resume»", date="2024-03-26 21:57", updated="2024-03-27T08:00:00Z",
        tags=["Україна", "peace talks", "日本"], summary="A *short* summary.",
        source={"name": "Agencies", "url": "https://example.org/a"}, dateline="Kyiv",
        authors=["A. Writer", "B. Writer"], image="https://example.org/i.jpg", lang="uk",
        slug="kyiv-talks", id="tag:example.org,2024:kyiv", extra={"rank": 3, "note": "x"},
        body="Body with [a link](https://example.org) and a footnote[^1].\n\n[^1]: Note.\n"),
    "warnings": article(title="Control\x07 character", unknown_field="kept as a warning"),
    "errors": article(title="", date="not a date"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_cached_result_comes_back_identical(name: str) -> None:
    result = read_article(CASES[name].encode(), f"content/{name}.md", SETTINGS, Renderer())
    assert result.article or result.errors
    encoded = _encode(result)
    assert encoded is not None
    decoded = _decode(*encoded, SETTINGS_TZ, {})
    assert decoded.article == result.article and decoded.warnings == result.warnings
    assert [vars(e) for e in decoded.errors] == [vars(e) for e in result.errors]
    if result.article is not None:
        assert decoded.article is not None
        assert decoded.article.lines == result.article.lines
        assert decoded.article.digest == result.article.digest
        assert decoded.article.shape == result.article.shape
        assert decoded.article.date.utcoffset() == result.article.date.utcoffset()


def test_extra_that_json_cannot_keep_is_not_cached() -> None:
    text = article(extra={"when": "2024-03-26"}).replace('when: \'2024-03-26\'',
                                                         "when: 2024-03-26")
    result = read_article(text.encode(), "content/x.md", SETTINGS, Renderer())
    assert result.article is not None and result.article.extra["when"] != "2024-03-26"
    assert _encode(result) is None


def _rows(root: Path, table: str) -> int:
    with closing(sqlite3.connect(root / ".digest-cache" / "articles.sqlite")) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_the_cache_forgets_articles_and_entries_no_build_uses(tmp_path: Path) -> None:
    write_site(tmp_path, {f"content/story-{n}.md": article(title=f"Story {n}")
                          for n in range(3)})
    assert run_digest("build", "-q", cwd=tmp_path).returncode == 0
    assert (_rows(tmp_path, "articles"), _rows(tmp_path, "list_entries")) == (3, 3)
    (tmp_path / "content" / "story-0.md").unlink()
    (tmp_path / "content" / "story-1.md").write_text(article(title="Story 1, edited"),
                                                     encoding="utf-8")
    assert run_digest("build", "-q", cwd=tmp_path).returncode == 0
    assert (_rows(tmp_path, "articles"), _rows(tmp_path, "list_entries")) == (2, 2)


def test_a_build_that_replaces_every_row_leaves_the_cache_its_size(tmp_path: Path) -> None:
    """Another time zone gives every article a new cache key and every list entry a new
    site key: the new rows take the pages of the old ones instead of doubling the file."""
    body = "A paragraph of the article, long enough to fill pages. " * 150
    files = {f"content/story-{n}.md": article(title=f"Story {n}", body=body)
             for n in range(60)}
    write_site(tmp_path, files, {"timezone": "UTC"})
    assert run_digest("build", "-q", cwd=tmp_path).returncode == 0
    database = tmp_path / ".digest-cache" / "articles.sqlite"
    first = database.stat().st_size
    write_site(tmp_path, {}, {"timezone": "Europe/Kyiv"})
    result = run_digest("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "from the cache" not in result.stdout  # every row was replaced
    assert (_rows(tmp_path, "articles"), _rows(tmp_path, "list_entries")) == (60, 60)
    with closing(sqlite3.connect(database)) as db:
        (pages,), = db.execute("PRAGMA page_count")
        (free,), = db.execute("PRAGMA freelist_count")
    assert free < pages / 10
    assert database.stat().st_size < first * 1.2


def test_a_build_that_fails_keeps_the_articles_it_read(tmp_path: Path) -> None:
    write_site(tmp_path, {f"content/story-{n}.md": article(title=f"Story {n}")
                          for n in range(3)})
    (tmp_path / "content/broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    assert run_digest("build", "-q", cwd=tmp_path).returncode == 1
    assert _rows(tmp_path, "articles") == 4  # the three stories and the error
    (tmp_path / "content/broken.md").unlink()
    result = run_digest("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 articles from the cache" in result.stdout


def test_the_file_index_holds_exactly_the_files_the_last_build_read(tmp_path: Path) -> None:
    write_site(tmp_path, {f"content/story-{n}.md": article(title=f"Story {n}")
                          for n in range(4)})

    def index() -> dict[str, tuple[int, int, int, int]]:
        with closing(sqlite3.connect(tmp_path / ".digest-cache" / "articles.sqlite")) as db:
            return {rel: tuple(mark) for rel, *mark in db.execute(
                "SELECT rel, size, mtime, ctime, inode FROM files")}

    def on_disk() -> dict[str, tuple[int, int, int, int]]:
        return {f"content/{path.name}": signature(os.stat(path))
                for path in sorted((tmp_path / "content").glob("*.md"))}

    assert run_digest("build", "-q", cwd=tmp_path).returncode == 0
    assert index() == on_disk()
    (tmp_path / "content/story-0.md").unlink()
    (tmp_path / "content/story-1.md").write_text(article(title="Story 1, edited, longer"),
                                                 encoding="utf-8")
    (tmp_path / "content/story-9.md").write_text(article(title="Story 9"), encoding="utf-8")
    assert run_digest("build", "-q", cwd=tmp_path).returncode == 0
    assert index() == on_disk()
    assert len(index()) == 4
