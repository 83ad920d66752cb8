"""`digest new "Title"`: the file it writes, its front matter, and that it never overwrites."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from curatekit import front, run
from hypothesis import assume, given
from hypothesis import strategies as st
from sitekit import article, write_site

from digest import config as config_module
from digest.build import BuildOptions, build
from digest.content import Settings, read_article
from digest.curate.items import CurateError, Draft
from digest.curate.writer import file_text, slug_for, tidy
from digest.markup import Renderer

KYIV = ZoneInfo("Europe/Kyiv")
SETTINGS = Settings("/site", "Europe/Kyiv", "example.org", "/news/")
RENDERER = Renderer()





def reads_back_cleanly(text: str, rel: str = "content/2024/03/x.md") -> None:
    result = read_article(text.encode("utf-8"), rel, SETTINGS, RENDERER)
    assert result.errors == [] and result.warnings == [], (text, result.errors, result.warnings)


def test_new_writes_the_file_dated_now_in_the_site_timezone_and_prints_its_path(
        site: Path) -> None:
    before = datetime.now(KYIV).replace(microsecond=0)
    result = run("new", "Heat pumps outsell gas boilers")
    after = datetime.now(KYIV)
    assert result.exit_code == 0, result.output
    rel = f"content/{before:%Y}/{before:%m}/heat-pumps-outsell-gas-boilers.md"
    assert result.output == rel + "\n"
    fields = front(site / rel)
    assert list(fields) == ["title", "date"]
    assert fields["title"] == "Heat pumps outsell gas boilers"
    assert before <= fields["date"] <= after
    assert fields["date"].utcoffset() == before.utcoffset()
    reads_back_cleanly((site / rel).read_text(), rel)


def test_new_fills_in_every_option_and_the_article_builds(site: Path) -> None:
    result = run("new", "Kyiv opens air-quality data", "--tags", "Україна, open-data,air",
                 "--source", "City Hall", "--source-url", "https://kyiv.example/news/air",
                 "--dateline", "Kyiv", "--date", "2024-03-26 09:15")
    assert result.exit_code == 0, result.output
    path = site / "content/2024/03/kyiv-opens-air-quality-data.md"
    assert result.output == "content/2024/03/kyiv-opens-air-quality-data.md\n"
    assert front(path) == {
        "title": "Kyiv opens air-quality data",
        "date": datetime(2024, 3, 26, 9, 15, tzinfo=KYIV),
        "tags": ["Україна", "open-data", "air"],
        "source": {"name": "City Hall", "url": "https://kyiv.example/news/air"},
        "dateline": "Kyiv",
    }
    (path.parent / "kyiv-opens-air-quality-data.md").write_text(
        path.read_text() + "\nThe city published the data.\n", encoding="utf-8")
    cfg = config_module.load(site / "config.yaml")
    report = build(cfg, BuildOptions(cache=False, jobs=1))
    assert report.articles == 1
    page = site / "output/2024/03/26/kyiv-opens-air-quality-data/index.html"
    assert "The city published the data." in page.read_text()


def test_new_never_overwrites(site: Path) -> None:
    assert run("new", "Same story", "--date", "2024-03-26").exit_code == 0
    path = site / "content/2024/03/same-story.md"
    path.write_text(path.read_text() + "\nEdited by hand.\n", encoding="utf-8")
    before = path.read_bytes()
    result = run("new", "Same story", "--date", "2024-03-30")
    assert result.exit_code == 1
    assert isinstance(result.exception, CurateError)
    assert str(result.exception) == ("content/2024/03/same-story.md already exists; nothing "
                                     "was written. Choose another slug with --slug")
    assert path.read_bytes() == before
    result = run("new", "Same story", "--date", "2024-03-30", "--slug", "same-story-again")
    assert result.exit_code == 0
    assert result.output == "content/2024/03/same-story-again.md\n"


def test_new_refuses_a_url_another_file_already_has(site: Path) -> None:
    write_site(site, {"content/2024/03/2024-03-26-story.md": article("Other", "2024-03-26")})
    result = run("new", "Story", "--date", "2024-03-26 12:00")
    assert result.exit_code == 1
    assert str(result.exception) == (
        "content/2024/03/2024-03-26-story.md already has the URL /2024/03/26/story/; nothing "
        "was written. Choose another slug with --slug")
    assert run("new", "Story", "--date", "2024-03-27").exit_code == 0  # another day, URL


def test_new_dry_run_shows_the_file_and_writes_nothing(site: Path) -> None:
    result = run("new", "2024", "--date", "2024-03-26T10:00:00+02:00", "--dry-run",
                 "--tags", "no,yes")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "would write content/2024/03/2024.md:\n"
        "---\n"
        "title: '2024'\n"
        "date: 2024-03-26 10:00:00+02:00\n"
        "tags:\n"
        "- 'no'\n"
        "- 'yes'\n"
        "---\n")
    assert not (site / "content").exists()


@pytest.mark.parametrize("args", [
    ("   ",), ("Title", "--slug", "Not a slug!"), ("Title", "--slug", "con"),
    ("Title", "--source-url", "javascript:alert(1)"), ("Title", "--source-url", "example.org"),
])
def test_new_refuses_bad_values_with_a_clear_error(site: Path, args: tuple[str, ...]) -> None:
    result = run("new", *args)
    assert result.exit_code == 1
    assert isinstance(result.exception, CurateError)
    message = str(result.exception)
    assert any(hint in message for hint in ("the title is empty", "is not a slug",
                                            "reserved file name", "is not an http(s) URL"))
    assert not (site / "content").exists()


def test_new_bad_date_is_a_usage_error(site: Path) -> None:
    result = run("new", "Title", "--date", "26/03/2024")
    assert result.exit_code == 2
    assert "'26/03/2024' is not a date" in result.output


@pytest.mark.parametrize("title", [
    "2024", "no", "NO", "null", "~", "true", "1e3", "0x1F", "12:30", "2024-03-26",
    "Title: with a colon", "#hashtag first", "- dash first", "@at", "'quoted'", '"double"',
    "[bracketed]", "{braced}", "Україна: новини", "emoji 🎉 title", "tab\tinside", "a\x07bell",
    "% percent", "key: value # comment", "  spaced  ", "…", "ends with colon:",
])
def test_tricky_titles_are_quoted_and_read_back(title: str) -> None:
    draft = Draft(title=title, date=datetime(2024, 3, 26, 10, tzinfo=KYIV), tags=[title],
                  dateline=title, source_name=title, authors=[title])
    text = file_text(draft, KYIV)
    slug = slug_for(title)
    reads_back_cleanly(text, f"content/2024/03/{slug}.md")
    result = read_article(text.encode(), f"content/2024/03/{slug}.md", SETTINGS, RENDERER)
    assert result.article is not None
    assert result.article.title == tidy(title) and result.article.dateline == tidy(title)


@given(st.text(min_size=1, max_size=80), st.lists(st.text(max_size=20), max_size=4),
       st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
       st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_any_front_matter_written_reads_back_without_error_or_warning(
        title: str, tags: list[str], when: datetime, minutes: int) -> None:
    assume(tidy(title))
    date = when.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=minutes)))
    draft = Draft(title=title, date=date, tags=tags, summary=title, dateline=title,
                  source_name=title, source_url="https://example.org/a?b=c#d")
    rel = f"content/{date:%Y}/{date:%m}/{slug_for(title)}.md"
    text = file_text(draft, KYIV)
    result = read_article(text.encode("utf-8"), rel, SETTINGS, RENDERER)
    assert result.errors == [] and result.warnings == [], (text, result.errors)
    assert result.article is not None
    assert result.article.title == tidy(title)
    assert result.article.date == date
    assert result.article.slug == slug_for(title)


def test_long_titles_get_slugs_cut_at_a_word() -> None:
    slug = slug_for("word " * 40)
    assert len(slug) <= 80 and slug.endswith("word") and "--" not in slug
    assert slug_for("🎉") == "u1f389"
    assert slug_for("CON") == "con-article"
    assert slug_for("!!!") == "u21-21-21"


def test_new_refuses_urls_of_the_sites_own_pages(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "site"
    write_site(root, {}, {"permalink": "/{slug}/"})
    monkeypatch.chdir(root)
    for title in ("Tags", "2024", "Archive"):
        result = run("new", title)
        assert result.exit_code == 1
        assert str(result.exception).startswith(
            f"the URL /{title.lower()}/ belongs to the site's own pages; nothing was written")
    assert run("new", "Tags", "--slug", "tags-explained").exit_code == 0
    result = run("import", "-", "--date", "2024-03-26", stdin="Tags\n\nAbout tags.\n")
    assert "written content/2024/03/tags-2.md" in result.output
