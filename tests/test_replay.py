"""Body-only rebuilds: files whose articles kept their shape are remade from the last
build's recipes, without planning the site, and the output is a cold build's."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sitekit import article, cold_tree, tree, write_site

from digest import __version__
from digest.build import BuildOptions, BuildReport, _site_key, build
from digest.config import load
from digest.content import Settings, scan
from digest.content import load as load_content
from digest.jobs import plan_jobs
from digest.render import Renderer
from digest.replay import Reader, RecipeError, literal
from digest.site import plan
from digest.views import Link, PageMeta, site_view


def _site(root: Path, **config: object) -> Path:
    tags = [["Climate", "energy"], ["energy"], ["Україна", "climate"], ["日本"], []]
    files = {
        f"content/2024/0{1 + i % 2}/story-{i}.md": article(
            title=f"Story number {i}", date=f"2024-0{1 + i % 2}-{10 + i % 4}T0{i % 10}:15:00Z",
            tags=tags[i % len(tags)],
            body=f"Paragraph {i} with *emphasis*.\n\nMore text {i}.\n")
        for i in range(14)
    }
    files["content/editions/2024-02-13.md"] = "---\ntitle: A busy day\n---\n\nThe *note*.\n"
    settings = {"per_page": 2, "feeds": {"items": 3, "formats": ["rss", "atom", "json"]},
                **config}
    return write_site(root, files, config=settings)


def _replayed(report: BuildReport) -> bool:
    return "replay" in report.phases and "plan" not in report.phases


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_body_edits_remake_only_what_shows_the_articles(tmp_path: Path) -> None:
    root = tmp_path / "site"
    config = load(_site(root))
    first = build(config)
    content = root / "content/2024"
    edits = [
        [content / "01/story-0.md"],  # the oldest
        [content / "02/story-13.md"],  # the newest: home page, every feed, latest edition
        [content / "02/story-5.md", content / "01/story-2.md"],  # two at once
        [content / "02/story-13.md"],  # the same file again
    ]
    for number, paths in enumerate(edits):
        for path in paths:
            _append(path, f"\nAn added sentence, edit {number}.\n")
        report = build(config)
        assert _replayed(report), f"edit {number}: {report.phases}"
        assert 0 < report.rendered < first.rendered
        assert report.cached == 14 - len(paths)
        assert report.articles == first.articles and report.pages == first.pages
        built = tree(root / "output")
        assert built == cold_tree(root, tmp_path / f"cold-{number}"), f"edit {number}"
        for path in paths:
            page = f"2024/{path.parent.name}/"
            assert any(f"edit {number}" in data.decode() for name, data in built.items()
                       if name.startswith(page) and path.stem in name)
    assert build(config).up_to_date


@pytest.mark.parametrize("change", [
    lambda root: _edit(root, "Paragraph 3 with", "Paragraph three, with"),  # the summary
    lambda root: _edit(root, "Story number 3", "Story three"),
    lambda root: _edit(root, "- 日本", "- Japan"),
    lambda root: _edit(root, "title: Story number 3", "draft: true\ntitle: Story number 3"),
    lambda root: (root / "content/2024/01/new.md").write_text(article(title="New")),
    lambda root: (root / "content/2024/02/story-7.md").unlink(),
    lambda root: _append(root / "content/editions/2024-02-13.md", "\nMore note.\n"),
    lambda root: (root / "content/2024/02/story-7.md").rename(root / "content/2024/02/b.md"),
], ids=["summary", "title", "tag", "draft", "added", "deleted", "note", "renamed"])
def test_other_changes_plan_the_site(tmp_path: Path, change: Callable[[Path], None]) -> None:
    root = tmp_path / "site"
    config = load(_site(root))
    build(config)
    _append(root / "content/2024/01/story-0.md", "\nA body edit with it.\n")
    change(root)
    report = build(config)
    assert not _replayed(report)
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold")
    _append(root / "content/2024/01/story-0.md", "\nThen a body edit alone.\n")
    assert _replayed(build(config))  # the full build left the store describing its tree
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold-after")


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "content/2024/02/story-3.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_every_recipe_reads_back_to_its_file(tmp_path: Path) -> None:
    root = tmp_path / "site"
    for editions in ("daily", "weekly"):
        config = load(_site(root, editions=editions))
        settings = Settings(str(config.root), config.timezone, config.host, config.base_path)
        loaded = load_content(scan(config.folder("content_dir"), settings), settings,
                              drafts=False, now=datetime.now(tz=UTC))
        site = site_view(config, __version__)
        site_plan = plan(loaded.articles, config, site, loaded.notes)
        renderer = Renderer(config.folder("layouts_dir"), site, config.root)
        site_key = _site_key(config)
        jobs = [job for job in plan_jobs(site_plan, config, site, renderer, site_key, "shape")
                if job.recipe]
        kinds = {job.recipe.split("\x1f")[0] for job in jobs}
        assert kinds == {"page", "feed", "editions"}
        reader = Reader({view.fingerprint: view for _, view in site_plan.articles}, site)
        for job in jobs:
            again = reader.job(job.path, job.recipe, config, renderer, site_key)
            assert (again.key, again.recipe) == (job.key, job.recipe), job.path
            assert again.make() == job.make(), job.path


def test_recipes_build_nothing_but_view_values() -> None:
    meta = PageMeta("Tags", "/tags/", "https://example.org/tags/", "All",
                    (), "tags", None, None, None)
    assert literal(repr(meta)) == meta
    assert literal(repr({"a": [Link("x", "/x/", 3)], "n": -1.5, "t": (None, True)})) == \
        {"a": [Link("x", "/x/", 3)], "n": -1.5, "t": (None, True)}
    for hostile in ("__import__('os').system('true')", "PageMeta.__init__", "().__class__",
                    "open('/etc/passwd')", "Link(*['a', 'b'])", "{**{}}", "[x for x in ()]",
                    "Link('a', 'b'", "lambda: 1"):
        with pytest.raises(RecipeError):
            literal(hostile)


def test_a_damaged_recipe_store_only_costs_time(tmp_path: Path) -> None:
    root = tmp_path / "site"
    config = load(_site(root))
    build(config)
    store = root / ".digest-cache/recipes.sqlite"
    with sqlite3.connect(store) as db:
        db.execute("UPDATE recipes SET recipe = 'page' || char(31) || 'nonsense('")
    _append(root / "content/2024/02/story-13.md", "\nEdited.\n")
    assert not _replayed(build(config))
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold")
    store.write_bytes(b"not a database")
    _append(root / "content/2024/02/story-13.md", "\nEdited again.\n")
    assert not _replayed(build(config))
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold-2")
    _append(root / "content/2024/02/story-13.md", "\nAnd again.\n")
    assert _replayed(build(config))
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold-3")


def test_a_custom_entry_that_shows_the_body_is_remade_on_every_list(tmp_path: Path) -> None:
    root = tmp_path / "site"
    config = load(_site(root))
    (root / "layouts").mkdir()
    (root / "layouts/entry.html").write_text(
        '<article class="entry"><h2>{{ item.title }}</h2>{{ item.body }}</article>\n')
    build(config)
    _append(root / "content/2024/02/story-11.md", "\nA sentence for every list.\n")
    report = build(config)
    assert _replayed(report)
    built = tree(root / "output")
    assert built == cold_tree(root, tmp_path / "cold")
    lists = [name for name, data in built.items()
             if b"A sentence for every list." in data and name.endswith("index.html")]
    assert any(name == "index.html" or name.startswith("page/") for name in lists)
    assert any(name.startswith("tags/energy/") for name in lists)


def test_an_article_falling_due_plans_the_site(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "site"
    config = load(_site(root))
    (root / "content/2024/02/later.md").write_text(
        article(title="Later", date="2024-03-01T12:00:00Z", tags=["energy"]))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1709200000")  # 2024-02-29
    first = build(config)
    assert first.scheduled == 1
    _append(root / "content/2024/01/story-0.md", "\nEdited before it is due.\n")
    assert _replayed(build(config))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1709400000")  # 2024-03-02: it is due
    _append(root / "content/2024/01/story-0.md", "\nEdited after.\n")
    report = build(config)
    assert not _replayed(report) and report.scheduled == 0
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold",
                                              env={"SOURCE_DATE_EPOCH": "1709400000"})


def test_an_article_cached_otherwise_than_the_last_build_showed_it_plans_the_site(
        tmp_path: Path) -> None:
    root = tmp_path / "site"
    config = load(_site(root))
    build(config)
    with sqlite3.connect(root / ".digest-cache/articles.sqlite") as db:
        changed = db.execute("""UPDATE articles SET head = replace(head,
                             '["energy","energy"]', '["energy","other-slug"]')""").rowcount
    assert changed > 5
    _append(root / "content/2024/02/story-11.md", "\nEdited.\n")
    assert not _replayed(build(config))


def _sources_table(root: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(root / ".digest-cache/recipes.sqlite") as db:
        return sorted(db.execute("SELECT rel, key, fingerprint, shape FROM sources"))


def test_a_planned_build_leaves_the_rows_of_a_fresh_store(tmp_path: Path) -> None:
    """A planned build writes only the article rows that changed; what is left must be
    the rows a build with no store writes."""
    root = tmp_path / "site"
    config = load(_site(root))
    build(config)
    (root / "content/2024/01/new.md").write_text(article(title="New", tags=["energy"]))
    (root / "content/2024/02/story-7.md").unlink()
    _edit(root, "- 日本", "- Japan")
    (root / "content/2024/01/story-4.md").write_text(article(title="Draft", draft=True))
    assert not _replayed(build(config))
    rows = _sources_table(root)
    assert any(rel.endswith("new.md") for rel, *_ in rows)
    assert not any(rel.endswith("story-7.md") for rel, *_ in rows)
    (root / ".digest-cache/recipes.sqlite").unlink()
    build(config, BuildOptions(force=True))
    assert rows == _sources_table(root)
