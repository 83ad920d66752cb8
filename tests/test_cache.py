"""The build cache gives back exactly what reading the file gave."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sitekit import article, run_digest, write_site

from digest.cache import ArticleCache, file_key
from digest.content import FileResult, Settings, read_article, signature
from digest.markup import Renderer
from digest.stored import CacheChanged, StoredArticle, decode, encode

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
    encoded = encode(result)
    assert encoded is not None
    decoded = decode(*encoded, SETTINGS_TZ, {})
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
    assert encode(result) is None


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


def _stored(folder: Path) -> tuple[ArticleCache, dict[str, FileResult]]:
    """Every case read, kept in a cache in `folder`, and the cache's results by key."""
    cache = ArticleCache(folder, SETTINGS)
    results = {}
    for name, text in CASES.items():
        key = file_key(cache.salt, f"content/{name}.md", name)
        results[key] = read_article(text.encode(), f"content/{name}.md", SETTINGS, Renderer())
        cache.put(key, results[key])
    cache.save(set(results))
    return ArticleCache(folder, SETTINGS), results


def test_a_stored_article_reads_its_html_and_the_rest_when_first_used(tmp_path: Path) -> None:
    cache, results = _stored(tmp_path)
    stored = cache.get_many(list(results))
    assert stored.keys() == results.keys()
    for key, result in results.items():
        article = stored[key].article
        if result.article is None:
            assert article is None and stored[key].errors
            continue
        assert isinstance(article, StoredArticle)
        assert article == result.article and result.article == article
        assert article.title == result.article.title and article.tags == result.article.tags
    everything = next(result.article for result in cache.get_many(list(results)).values()
                      if result.article and result.article.source_path.endswith("everything.md"))
    with closing(sqlite3.connect(tmp_path / "articles.sqlite")) as db, db:
        db.execute("DELETE FROM bodies")
    assert everything.title == "Київ: talks «resume»"  # the head is decoded already
    with pytest.raises(CacheChanged, match=r"content/everything\.md: the build cache"):
        _ = everything.body_html  # the rest was not: the cache lost it meanwhile


def test_a_forked_process_reads_stored_articles_on_its_own_connection(tmp_path: Path) -> None:
    cache, results = _stored(tmp_path)
    articles = [r.article for r in cache.get_many(list(results)).values() if r.article]
    expected = {r.article.source_path: r.article.body_html for r in results.values() if r.article}
    assert articles[0].body_html == expected[articles[0].source_path]  # the parent's connection
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the articles it inherited read their HTML
        try:
            os.write(writing, "\0".join(a.body_html for a in articles[1:]).encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        bodies = pipe.read().decode().split("\0")
    os.waitpid(pid, 0)
    assert bodies == [expected[a.source_path] for a in articles[1:]]


def test_a_cache_laid_out_by_an_older_digest_is_read_afresh(tmp_path: Path) -> None:
    write_site(tmp_path, {f"content/story-{n}.md": article(title=f"Story {n}")
                          for n in range(3)})
    database = tmp_path / ".digest-cache" / "articles.sqlite"
    database.parent.mkdir()
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("CREATE TABLE articles (key TEXT PRIMARY KEY, result TEXT, body TEXT)")
        db.execute("INSERT INTO articles VALUES ('k', '[null, [], []]', '')")
    result = run_digest("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (_rows(tmp_path, "articles"), _rows(tmp_path, "bodies")) == (3, 3)
    result = run_digest("build", "--force", cwd=tmp_path)
    assert result.returncode == 0 and "3 articles from the cache" in result.stdout
