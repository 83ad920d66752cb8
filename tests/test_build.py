"""`digest build` end to end: the repository's own site, the options, failed builds and
one fixture per kind of invalid input (tests/fixtures/invalid/<case>/expected.txt)."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
import yaml
from sitekit import REPO, article, run_digest, tree, write_site

from digest import __version__

INVALID = Path(__file__).parent / "fixtures" / "invalid"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.github.io/digest/"


def copy_repo_site(dest: Path) -> Path:
    """The repository's own site (config, content, layouts, static), copied so that a build
    leaves nothing (cache, output) in the working tree."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "config.yaml", dest / "config.yaml")
    for folder in ("content", "layouts", "static"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, dest / folder)
    return dest


def repo_articles() -> dict[str, dict]:
    """Front matter of every article of the repository, by file (not the editors' notes)."""
    found = {}
    for path in sorted((REPO / "content").rglob("*.md")):
        if path.parent == REPO / "content/editions":
            continue
        front = path.read_text(encoding="utf-8").split("---\n")[1]
        found[path.relative_to(REPO).as_posix()] = yaml.safe_load(front)
    return found


def build_ok(site: Path, *args: str) -> str:
    result = run_digest("build", *args, cwd=site)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_repo_site(tmp_path_factory.mktemp("repo-site") / "site")


@pytest.fixture(scope="module")
def out(site: Path) -> Path:
    target = site.parent / "out"
    stdout = build_ok(site, "-o", str(target))
    assert re.fullmatch(r"Built \d+ articles, \d+ pages, \d+ feeds in \d+\.\d s; .*\.\n", stdout)
    return target


def test_the_repository_site_has_every_kind_of_page(out: Path) -> None:
    for rel in ("index.html", "page/2/index.html", "404.html", "sitemap.xml", "robots.txt",
                ".nojekyll", "feed.xml", "atom.xml", "static/style.css", "tags/index.html",
                "tags/climate/index.html", "tags/climate/feed.xml", "tags/україна/index.html",
                "tags/україна/feed.xml", "tags/日本/index.html", "archive/index.html",
                "2024/index.html", "2024/11/index.html", "2024/11/04/index.html",
                "2025/index.html", "2025/02/index.html"):
        assert (out / rel).is_file(), rel
    assert (out / ".nojekyll").read_bytes() == b""
    assert not (out / "CNAME").exists()


def test_every_published_article_has_a_page_and_the_draft_has_none(out: Path) -> None:
    articles = repo_articles()
    published = [m for m in articles.values() if not m.get("draft")]
    drafts = [m for m in articles.values() if m.get("draft")]
    assert len(published) >= 15 and drafts
    pages = [p for p in out.glob("[0-9]*/[0-9]*/[0-9]*/*/index.html")]
    assert len(pages) == len(published)
    built = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    for meta in published:
        assert f"<h1>{meta['title']}</h1>".replace("'", "&#39;") in built, meta["title"]
    for meta in drafts:
        assert meta["title"] not in (out / "index.html").read_text(encoding="utf-8")


def test_every_feed_reads_without_errors(out: Path) -> None:
    feeds = [out / "feed.xml", out / "atom.xml", *sorted(out.glob("tags/*/feed.xml"))]
    assert len(feeds) > 10
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.entries, path


def test_sitemap_and_robots(out: Path) -> None:
    locs = [loc.text for loc in ET.parse(out / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    expected = sorted(BASE + (p.removesuffix("index.html")) for p in pages if p != "404.html")
    assert sorted(loc.replace("%D1%83%D0%BA%D1%80%D0%B0%D1%97%D0%BD%D0%B0", "україна")
                  .replace("%E6%97%A5%E6%9C%AC", "日本") for loc in locs) == expected
    assert (out / "robots.txt").read_text() == (
        f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n")


def test_two_builds_give_byte_identical_trees(site: Path, out: Path, tmp_path: Path) -> None:
    second = tmp_path / "second"
    build_ok(site, "-o", str(second))
    assert tree(second) == tree(out)
    # Building again into the same folder (the incremental path) changes nothing either.
    build_ok(site, "-o", str(second))
    assert tree(second) == tree(out)


def test_a_rebuild_after_a_change_equals_a_fresh_build(tmp_path: Path) -> None:
    site = copy_repo_site(tmp_path / "site")
    build_ok(site, "-o", str(tmp_path / "out"))
    story = next((site / "content").rglob("*.md"))
    story.write_text(story.read_text(encoding="utf-8").replace("\n---\n", "\n---\n\nNew first "
                     "paragraph.\n\n", 1), encoding="utf-8")
    (site / "content" / "2024" / "11" / "added.md").write_text(
        article("Added later", "2024-11-30T12:00:00+02:00", tags=["climate", "New Tag"]),
        encoding="utf-8")
    build_ok(site, "-o", str(tmp_path / "out"))
    fresh = copy_repo_site(tmp_path / "fresh")
    shutil.rmtree(fresh / "content")
    shutil.copytree(site / "content", fresh / "content")
    build_ok(fresh, "-o", str(tmp_path / "fresh-out"))
    assert tree(tmp_path / "out") == tree(tmp_path / "fresh-out")


def test_a_failed_build_leaves_the_previous_output_as_it_was(tmp_path: Path) -> None:
    site = copy_repo_site(tmp_path / "site")
    out = tmp_path / "out"
    build_ok(site, "-o", str(out))
    before = tree(out)
    beside = sorted(p.name for p in tmp_path.iterdir())
    (site / "content" / "2025" / "02" / "broken.md").write_text(
        "---\ntitle: [unclosed\ndate: 2025-02-30\n---\n\nBody.\n", encoding="utf-8")
    result = run_digest("build", "-o", str(out), cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: 1 problem in the content:\n  content/2025/02/broken.md:")
    assert "Traceback" not in result.stderr
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == beside  # no half-built folder left


def test_base_url_option_overrides_the_config(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_ok(site, "-o", str(out), "--base-url", "http://127.0.0.1:8000/some-repo")
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="http://127.0.0.1:8000/some-repo/">' in home
    assert 'href="/some-repo/static/style.css"' in home
    assert "example.github.io" not in home
    assert "<link>http://127.0.0.1:8000/some-repo/</link>" in (out / "feed.xml").read_text()
    result = run_digest("build", "-o", str(out), "--base-url", "not a url", cwd=site)
    assert result.returncode == 1
    assert result.stderr == ("error: config.yaml: base_url: 'not a url' is not an absolute "
                             "http(s) URL; write it like https://user.github.io/repo/\n")


def test_drafts_option_includes_drafts(site: Path, out: Path, tmp_path: Path) -> None:
    drafts = [m for m in repo_articles().values() if m.get("draft")]
    with_drafts = tmp_path / "out"
    stdout = build_ok(site, "-o", str(with_drafts), "--drafts")
    assert "draft" not in stdout
    home = "\n".join(p.read_text(encoding="utf-8") for p in with_drafts.glob("**/index.html"))
    for meta in drafts:
        assert meta["title"] in home
    assert len(list(with_drafts.glob("[0-9]*/[0-9]*/[0-9]*/*/index.html"))) == \
        len(list(out.glob("[0-9]*/[0-9]*/[0-9]*/*/index.html"))) + len(drafts)


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": article("A", tagz=["x"])})
    lenient = run_digest("build", cwd=tmp_path)
    assert lenient.returncode == 0
    assert lenient.stderr == "warning: content/a.md:4: tagz: unknown field; did you mean 'tags'?\n"
    assert lenient.stdout.startswith("Built 1 article, ")
    strict = run_digest("build", "--strict", "-o", "strict-out", cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stderr == ("error: 1 warning(s), and --strict makes them errors:\n"
                             "  content/a.md:4: tagz: unknown field; did you mean 'tags'?\n")
    assert not (tmp_path / "strict-out").exists()


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": article("A", tagz=["x"])})
    result = run_digest("build", "--quiet", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "output" / "index.html").is_file()


def test_cname_is_written_when_configured(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": article("A")}, {"cname": "news.example.org"})
    build_ok(tmp_path)
    assert (tmp_path / "output" / "CNAME").read_text() == "news.example.org\n"


def test_the_typographer_educates_quotes_dashes_and_ellipses_when_asked(tmp_path: Path) -> None:
    body = "It's \"quoted\" -- and --- ... the '90s.\n"
    write_site(tmp_path, {
        "content/2024/03/a.md": article("A", body=body),
        "content/editions/2024-03-26.md": "---\ntitle: Notes\n---\n\nThe \"note\" -- here.\n"})
    page = tmp_path / "output/2024/03/26/a/index.html"
    edition = tmp_path / "output/editions/2024-03-26/index.html"
    build_ok(tmp_path)
    assert "<p>It's \"quoted\" -- and --- ... the '90s.</p>" in page.read_text()
    config = tmp_path / "config.yaml"
    config.write_text(config.read_text() + "typographer: true\n")
    build_ok(tmp_path)  # the cached articles are read again: the setting is part of their key
    assert "<p>It\u2019s \u201cquoted\u201d \u2013 and \u2014 \u2026 the \u201990s.</p>" \
        in page.read_text()
    assert "The \u201cnote\u201d \u2013 here." in edition.read_text()
    assert "\u201cquoted\u201d" in (tmp_path / "output/feed.xml").read_text()


def test_version() -> None:
    result = run_digest("--version", cwd=REPO)
    assert (result.returncode, result.stdout) == (0, f"digest, version {__version__}\n")


def test_a_folder_digest_did_not_write_is_not_replaced(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": article("A")})
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = run_digest("build", "-o", "mine", cwd=tmp_path)
    assert result.returncode == 1
    assert "is not empty and was not written by digest" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(tmp_path / "mine") == {"notes.txt": b"keep me"}


def test_a_template_error_names_the_template_and_line(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": article("A"),
                          "layouts/entry.html": "<p>\n{{ item.no_such_field }}</p>\n"})
    result = run_digest("build", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: layouts/entry.html:2: ")
    assert "no_such_field" in result.stderr and "Traceback" not in result.stderr


# --- one fixture per kind of invalid input -----------------------------------------------

CASES = sorted(p.name for p in INVALID.iterdir() if (p / "expected.txt").is_file())


def test_every_required_kind_of_invalid_input_has_a_fixture() -> None:
    assert {"bad_yaml", "missing_title", "bad_date", "duplicate_slug", "unknown_config_key",
            "multi_error"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_fails_with_the_exact_message(case: str, tmp_path: Path) -> None:
    site = tmp_path / case
    shutil.copytree(INVALID / case, site, ignore=shutil.ignore_patterns("expected.txt"))
    result = run_digest("build", cwd=site)
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8")
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr == expected
    assert not (site / "output").exists()


def test_the_multi_error_site_reports_every_problem_with_file_and_line() -> None:
    lines = (INVALID / "multi_error" / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "error: 4 problems in the content:"
    problems = {line.split(":")[0].strip() for line in lines[1:]}
    assert problems == {"content/2024/03/broken-yaml.md", "content/2024/03/no-title.md",
                        "content/2024/03/bad-date.md", "content/2024/03/same.md"}
    assert all(re.match(r"  content/\S+\.md:\d+: ", line) for line in lines[1:])


def test_timings_name_each_step_of_the_build(site: Path) -> None:
    first = run_digest("build", "--timings", cwd=site)
    steps = [line.split()[0] for line in first.stderr.splitlines()]
    assert first.returncode == 0 and {"scan", "load", "plan", "render", "save"} <= set(steps)
    assert all(re.fullmatch(r"\S.*\s\d+\.\d{3} s", line) for line in first.stderr.splitlines())
    again = run_digest("build", "--timings", cwd=site)  # up to date: stops after the check
    assert again.stderr.splitlines()[-1].startswith("up-to-date check")
    assert "render" not in again.stderr
