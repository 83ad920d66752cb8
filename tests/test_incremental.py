"""Warm and incremental builds give exactly the bytes of a cold build, and leave
unchanged files alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sitekit import article, cold_tree, run_digest, tree, write_site

from digest.build import build
from digest.cache import ArticleCache
from digest.config import load
from digest.content import Settings, scan


def _articles(count: int) -> dict[str, str]:
    tags = [["climate", "energy"], ["energy"], ["Україна", "climate"], ["日本"], []]
    return {
        f"content/2024/0{1 + i % 3}/story-{i}.md": article(
            title=f"Story number {i}",
            date=f"2024-0{1 + i % 3}-{10 + i % 15}T0{i % 10}:15:00+02:00",
            tags=tags[i % len(tags)], body=f"Paragraph {i} with *emphasis*.\n\nMore text {i}.\n",
            source={"name": "Agencies", "url": f"https://example.org/{i}"})
        for i in range(count)
    }


def _warm(root: Path) -> dict[str, bytes]:
    result = run_digest("build", "-q", cwd=root)
    assert result.returncode == 0, result.stderr
    return tree(root / "output")


def test_incremental_builds_equal_cold_builds_over_a_sequence_of_changes(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, _articles(12), config={"per_page": 3})
    content = root / "content/2024"

    def edit_body() -> None:
        path = content / "01/story-0.md"
        path.write_text(path.read_text() + "\nAn added sentence.\n")

    def edit_another_body() -> None:  # the same shape again: only pages that show it change
        path = content / "03/story-5.md"
        path.write_text(path.read_text().replace("More text 5.", "More text, *revised*."))

    def retitle() -> None:
        path = content / "01/story-9.md"
        path.write_text(path.read_text().replace("Story number 9", "Story nine"))

    def add_article() -> None:
        (content / "03/new-one.md").write_text(article(title="A new one", tags=["energy"],
                                                      date="2024-03-30T10:00:00+02:00"))

    def rename() -> None:
        (content / "02/story-1.md").rename(content / "02/renamed-story.md")

    def delete() -> None:
        (content / "03/story-2.md").unlink()

    def retag() -> None:
        path = content / "01/story-3.md"
        path.write_text(path.read_text().replace("energy", "Energy Policy"))

    def change_template() -> None:
        (root / "layouts").mkdir(exist_ok=True)
        (root / "layouts/masthead.html").write_text(
            '<p class="masthead-title"><a href="{{ site.home_url }}">{{ site.title }}!</a></p>\n')

    def change_summary() -> None:  # the first paragraph is the summary: list entries change
        path = content / "02/story-4.md"
        path.write_text(path.read_text().replace("Paragraph 4 with", "Paragraph four, with"))

    def change_entry_template() -> None:
        (root / "layouts/entry.html").write_text(
            '<article class="entry"><h2><a href="{{ item.url }}">{{ item.title }}</a></h2>'
            "<p>{{ item.date.display }}: {{ item.summary }}</p></article>\n")

    def change_config() -> None:
        config = root / "config.yaml"
        config.write_text(config.read_text().replace("per_page: 3", "per_page: 4"))

    def break_and_fix() -> None:
        path = content / "01/story-6.md"
        good = path.read_text()
        path.write_text("---\ntitle: [unclosed\n---\n")
        assert run_digest("build", "-q", cwd=root).returncode == 1
        path.write_text(good)

    steps = [lambda: None, edit_body, add_article, rename, delete, retag, change_summary,
             change_template, change_entry_template, change_config, edit_another_body,
             retitle, edit_body, break_and_fix, lambda: None]
    for number, step in enumerate(steps):
        step()
        warm = _warm(root)
        cold = cold_tree(root, tmp_path / f"cold-{number}")
        assert warm.keys() == cold.keys(), f"step {number} ({step.__name__})"
        changed = [path for path in warm if warm[path] != cold[path]]
        assert not changed, f"step {number} ({step.__name__}): {changed[:5]}"
    assert "renamed-story" in "".join(warm)
    assert not any("story-2/" in path for path in warm)


def test_unchanged_files_keep_their_mtimes_and_a_no_change_build_touches_nothing(
        tmp_path: Path) -> None:
    root = tmp_path / "site"
    config_path = write_site(root, _articles(6))
    config = load(config_path)
    first = build(config)
    assert first.rendered > 0
    page = root / "output/2024/03/12/story-2/index.html"
    old_stat = page.stat()
    again = build(config)
    assert again.up_to_date and again.rendered == 0
    assert page.stat().st_mtime_ns == old_stat.st_mtime_ns
    edited = root / "content/2024/01/story-0.md"
    edited.write_text(edited.read_text() + "\nMore.\n")
    third = build(config)
    assert 0 < third.rendered < first.rendered
    assert page.stat().st_mtime_ns == old_stat.st_mtime_ns
    assert third.cached == 5


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_does_not_depend_on_the_number_of_processes(tmp_path: Path, jobs: str) -> None:
    root = tmp_path / "site"
    # per_page 1 makes hundreds of pages, so the parallel paths really run.
    write_site(root, _articles(150), config={"per_page": 1})
    reference = cold_tree(root, tmp_path / "reference")
    result = run_digest("build", "-q", "--no-cache", "--jobs", jobs, "-o",
                        str(tmp_path / "out"), cwd=root)
    assert result.returncode == 0, result.stderr
    assert tree(tmp_path / "out") == reference
    assert len(reference) > 300


def test_a_deleted_cache_only_costs_time(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, _articles(5))
    before = _warm(root)
    for path in sorted((root / ".digest-cache").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert _warm(root) == before
    (root / ".digest-cache/articles.sqlite").write_bytes(b"not a database")
    os.utime(root / "content/2024/01/story-0.md")
    assert _warm(root) == before


def test_a_file_changed_without_a_new_size_or_mtime_is_still_read_again(tmp_path: Path) -> None:
    """Unchanged files are known by size, mtime, ctime and inode, not read again: a
    same-size edit with the old mtime put back (as `cp -p` or an rsync would) is seen."""
    root = tmp_path / "site"
    write_site(root, _articles(4))
    path = root / "content/2024/01/story-0.md"
    hour_ago = os.stat(path).st_mtime_ns - 3600 * 10**9
    for file in (root / "content").rglob("*.md"):
        os.utime(file, ns=(hour_ago, hour_ago))  # old enough to be trusted unread
    _warm(root)
    _warm(root)

    text = path.read_text()
    assert "Paragraph 0 with" in text
    path.write_text(text.replace("Paragraph 0 with", "Paragraph X with"))
    os.utime(path, ns=(hour_ago, hour_ago))
    assert "Paragraph X with" in _warm(root)["2024/01/10/story-0/index.html"].decode()

    replacement = path.with_name("replacement.tmp")
    replacement.write_text(text.replace("Paragraph 0 with", "Paragraph Y with"))
    os.utime(replacement, ns=(hour_ago, hour_ago))
    replacement.replace(path)  # a new inode, same size and mtime
    built = _warm(root)
    assert "Paragraph Y with" in built["2024/01/10/story-0/index.html"].decode()
    assert built == cold_tree(root, tmp_path / "cold")


def test_an_up_to_date_build_remembers_the_files_it_read_again(tmp_path: Path) -> None:
    """Files touched but not changed (a copy, a checkout) are read to know the output is up
    to date; the build then remembers them, so the next one does not read them again."""
    root = tmp_path / "site"
    write_site(root, _articles(4))
    _warm(root)
    hour_ago = time.time_ns() - 3600 * 10**9
    for file in (root / "content").rglob("*.md"):
        os.utime(file, ns=(hour_ago, hour_ago))  # a new ctime, the same bytes
    config = load(root / "config.yaml")
    assert build(config).up_to_date
    settings = Settings.of(config)
    cache = ArticleCache(config.folder("cache_dir"), settings)
    sources = scan(config.folder("content_dir"), settings, cache.unchanged)
    assert len(sources.items) == 4
    assert all(data is None for data, _ in sources.items)  # none read
