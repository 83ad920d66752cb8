"""Search: a Pagefind index of a built site, under a sub-path, deterministic, articles only.

Pagefind's own JavaScript needs a browser to run a query; tests/test_browser.py does
that. Here: the files, what went into the index, and the search page's references.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import tools
from sitekit import article, run_digest, tree, write_site

from digest import search
from digest.errors import DigestError

BASE = "/news/"  # sitekit's base_url is https://example.org/news/
ARTICLES = {
    "content/2024/03/grain.md": article(
        "Grain corridor reopens", "2024-03-26T10:00:00+02:00", tags=["ports"],
        body="Ships carried **wheat** through the Black Sea corridor again.\n"),
    "content/2024/03/talks.md": article(
        "Kremlin says no talks", "2024-03-27T09:00:00+02:00", tags=["kremlin", "peace"],
        body="The statement came after a meeting in Moscow.\n"),
    "content/2024/03/storm.md": article(
        "Storm closes Odesa port", "2024-03-27T18:00:00+02:00", tags=["ports", "weather"],
        body="High winds kept the cranes still.\n"),
    "content/2024/03/zerno.md": article(
        "Зерновий коридор знову працює", "2024-03-26T12:00:00+02:00", tags=["ports"],
        lang="uk", body="Судна знову везуть пшеницю.\n"),
}
ARTICLE_URLS = {"/2024/03/26/grain/", "/2024/03/27/talks/", "/2024/03/27/storm/",
                "/2024/03/26/zerno/"}
BUNDLE_FILES = ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json",
                "pagefind-worker.js")


def require_pagefind() -> None:
    tools.require(importlib.util.find_spec("pagefind_bin"),
                  "pagefind-bin is not installed (pip install 'digest[search]')")


def build_site(root: Path, files: dict[str, str] | None = None,
               config: dict[str, object] | None = None) -> Path:
    """Build a site with search on into root/out with the real CLI; return out."""
    site = root / "site"
    write_site(site, {**ARTICLES, **(files or {})}, {"search": True, **(config or {})})
    out = root / "out"
    result = run_digest("build", "--quiet", "-o", str(out), cwd=site)
    assert result.returncode == 0, result.stderr
    return out


def fragments(out: Path) -> dict[str, dict[str, object]]:
    """What Pagefind stored per page (its fragments are gzip'd JSON), by URL."""
    found = {}
    for path in (out / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        record = json.loads(data[len(b"pagefind_dcd"):])
        found[record["url"]] = record
    return found


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.in_noscript = False
        self.noscript_links: list[str] = []
        self.scripts: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "noscript":
            self.in_noscript = True
        elif tag == "a" and self.in_noscript:
            self.noscript_links.append(dict(attrs).get("href") or "")
        elif tag == "script" and "src" not in dict(attrs):
            self._script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "noscript":
            self.in_noscript = False
        elif tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_pagefind()
    out = build_site(tmp_path_factory.mktemp("search"))
    assert search.index(out, base_path=BASE, language="en") == []  # the theme marks articles
    return out


def test_the_index_lands_in_pagefind_under_the_site(indexed: Path) -> None:
    for name in BUNDLE_FILES:
        assert (indexed / "pagefind" / name).is_file(), name
    assert any((indexed / "pagefind" / "index").iterdir())
    assert any((indexed / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert list((indexed / "pagefind").glob("wasm.*.pagefind"))


def test_only_article_pages_are_indexed(indexed: Path) -> None:
    entry = json.loads((indexed / "pagefind" / "pagefind-entry.json").read_text())
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(ARTICLES)
    stored = fragments(indexed)
    # URLs relative to the site folder; the search page's baseUrl adds /news/ in the browser.
    assert set(stored) == ARTICLE_URLS
    grain = stored["/2024/03/26/grain/"]
    assert grain["meta"]["title"] == "Grain corridor reopens"
    content = str(grain["content"])
    assert "Black Sea corridor" in content
    # the masthead, navigation and footer are not part of an article's text
    assert "Skip to content" not in content and "Test Digest" not in content


def test_the_search_page_loads_the_index_from_under_the_base_path(indexed: Path) -> None:
    html = (indexed / "search" / "index.html").read_text(encoding="utf-8")
    page = References()
    page.feed(html)
    links = [a.get("href") for tag, a in page.tags
             if tag == "link" and a.get("rel") == "stylesheet"]
    scripts = [a.get("src") for tag, a in page.tags if tag == "script" and a.get("src")]
    assert f"{BASE}pagefind/pagefind-ui.css" in links
    assert scripts == [f"{BASE}pagefind/pagefind-ui.js"]
    code = "".join(page.scripts)
    assert re.search(r'bundlePath:\s*"/news/pagefind/"', code), code
    assert re.search(r'baseUrl:\s*"/news/"', code), code
    # each referenced file exists at that URL once the site is served under /news/
    for url in (*links, *scripts):
        assert url and url.startswith(BASE)
        if "pagefind" in url:
            assert (indexed / url[len(BASE):]).is_file(), url
    # without JavaScript: the archive and the tags
    assert page.noscript_links == [f"{BASE}archive/", f"{BASE}tags/"]
    # the search page is not itself indexed, and it is an ordinary page of the site
    assert "data-pagefind-body" not in html
    assert "<title>Search · Test Digest</title>" in html


def test_the_index_is_the_same_byte_for_byte(tmp_path: Path) -> None:
    require_pagefind()
    first = build_site(tmp_path / "a")
    second = tmp_path / "b" / "elsewhere"
    second.parent.mkdir()
    shutil.copytree(first, second)
    for path in second.rglob("*.html"):  # other mtimes, other folder, other run
        path.touch()
    search.index(first, base_path=BASE)
    search.index(second, base_path=BASE)
    index = tree(first / "pagefind")
    assert index == tree(second / "pagefind")
    search.index(first, base_path=BASE)  # and again over its own previous index
    assert tree(first / "pagefind") == index


def test_a_new_index_replaces_the_old_one_whole(tmp_path: Path) -> None:
    require_pagefind()
    out = build_site(tmp_path)
    search.index(out, base_path=BASE)
    assert "/2024/03/27/storm/" in fragments(out)
    shutil.rmtree(out / "2024/03/27/storm")
    search.index(out, base_path=BASE)
    assert set(fragments(out)) == ARTICLE_URLS - {"/2024/03/27/storm/"}
    fresh = tmp_path / "fresh"
    shutil.copytree(out, fresh, ignore=shutil.ignore_patterns("pagefind"))
    search.index(fresh, base_path=BASE)
    assert tree(out / "pagefind") == tree(fresh / "pagefind")  # no stale files left


def test_unchanged_index_files_keep_their_mtimes(tmp_path: Path) -> None:
    require_pagefind()
    old = build_site(tmp_path)
    search.index(old, base_path=BASE)
    for path in (old / "pagefind").rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    new = tmp_path / "new"
    shutil.copytree(old, new, ignore=shutil.ignore_patterns("pagefind"))
    storm = new / "2024/03/27/storm/index.html"
    storm.write_text(storm.read_text(encoding="utf-8").replace("cranes", "ferries"),
                     encoding="utf-8")
    search.index(new, base_path=BASE, previous=old)
    assert tree(new / "pagefind") != tree(old / "pagefind")
    kept = {p.relative_to(new).as_posix() for p in (new / "pagefind").rglob("*")
            if p.is_file() and p.stat().st_mtime == 1_000_000_000}
    assert "pagefind/pagefind-ui.js" in kept and "pagefind/pagefind-entry.json" not in kept
    for rel in kept:
        assert (new / rel).read_bytes() == (old / rel).read_bytes()
    fresh = tmp_path / "fresh"
    shutil.copytree(new, fresh, ignore=shutil.ignore_patterns("pagefind"))
    search.index(fresh, base_path=BASE)
    assert tree(fresh / "pagefind") == tree(new / "pagefind")


def test_clear_removes_the_index(indexed: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(indexed, copy)
    search.clear(copy)
    assert not (copy / "pagefind").exists()
    assert tree(copy) == {rel: data for rel, data in tree(indexed).items()
                          if not rel.startswith("pagefind/")}
    search.clear(copy)  # nothing to remove: fine
    assert search.version()


def test_pagefind_config_files_and_environment_are_not_read(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    require_pagefind()
    out = build_site(tmp_path)
    (out / "pagefind.yml").write_text("output_subdir: elsewhere\nexclude_selectors: [p]\n")
    monkeypatch.chdir(out)
    monkeypatch.setenv("PAGEFIND_OUTPUT_SUBDIR", "elsewhere")
    monkeypatch.setenv("PAGEFIND_GLOB", "404.html")
    search.index(out, base_path=BASE)
    assert not (out / "elsewhere").exists()
    assert set(fragments(out)) == ARTICLE_URLS
    assert "Black Sea corridor" in str(fragments(out)["/2024/03/26/grain/"]["content"])


def hand_made_site(root: Path, search_page: str) -> Path:
    """A folder with one article page and the given search page."""
    write_site(root, {
        "2024/03/26/grain/index.html": '<html lang="en"><body><article data-pagefind-body>'
                                       "<h1>Grain</h1><p>Wheat again.</p></article></body></html>",
        "search/index.html": f'<html lang="en"><body>{search_page}</body></html>',
    })
    (root / "config.yaml").unlink()
    return root


@pytest.mark.parametrize("reference", [
    '<script src="/pagefind/pagefind-ui.js"></script>',
    '<link rel="stylesheet" href="http:/pagefind/pagefind-ui.css">',
    '<link rel="stylesheet" href="../../pagefind/pagefind-ui.css">',
])
def test_a_search_page_loading_the_index_from_outside_the_base_path_is_an_error(
        tmp_path: Path, reference: str) -> None:
    require_pagefind()
    out = hand_made_site(tmp_path, reference)
    with pytest.raises(search.SearchError, match=r"search/index.html.* not under /news/pagefind/"):
        search.index(out, base_path=BASE)


@pytest.mark.parametrize("reference", [
    '<script src="/news/pagefind/pagefind-ui.js"></script>',
    '<script src="../pagefind/pagefind-ui.js"></script>',
    '<link rel="stylesheet" href="https://cdn.example.org/pagefind/x.css">',
    "<p>No search here.</p>",
])
def test_a_search_page_loading_the_index_from_the_base_path_is_fine(
        tmp_path: Path, reference: str) -> None:
    require_pagefind()
    out = hand_made_site(tmp_path, reference)
    search.index(out, base_path=BASE)
    assert set(fragments(out)) == {"/2024/03/26/grain/"}


def test_a_site_where_no_page_marks_its_body_is_indexed_whole_with_a_warning(
        tmp_path: Path) -> None:
    require_pagefind()
    write_site(tmp_path, {"a/index.html": "<html><body><div>Menu</div><p>Wheat.</p></body>"
                                          "</html>"})
    warnings = search.index(tmp_path, base_path="/")
    assert len(warnings) == 1 and "data-pagefind-body" in warnings[0]
    assert "Menu" in str(fragments(tmp_path)["/a/"]["content"])
    (tmp_path / "a/index.html").write_text('<html><body><div>Menu</div><main '
                                           'data-pagefind-body><p>Wheat.</p></main></body>'
                                           "</html>")
    assert search.index(tmp_path, base_path="/") == []
    assert "Menu" not in str(fragments(tmp_path)["/a/"]["content"])


def test_pages_in_other_languages_go_into_the_site_language_index(tmp_path: Path) -> None:
    require_pagefind()
    pages = {
        "a/index.html": '<html lang="en-GB"><body><article data-pagefind-body><h1>Grain'
                        "</h1><p>Wheat again.</p></article></body></html>",
        "b/index.html": '<html lang="uk"><body><article data-pagefind-body><h1>Зерно</h1>'
                        "<p>Пшениця знову.</p></article></body></html>",
        "c/index.html": '<html lang="ar" dir="rtl"><body><article data-pagefind-body>'
                        "<h1>قمح</h1><p>القمح مرة أخرى.</p></article></body></html>",
    }
    write_site(tmp_path, pages)

    def languages() -> dict[str, int]:
        entry = json.loads((tmp_path / "pagefind/pagefind-entry.json").read_text())
        return {name: lang["page_count"] for name, lang in entry["languages"].items()}

    search.index(tmp_path, base_path="/")
    assert len(languages()) == 3  # Pagefind alone: one index per language
    search.index(tmp_path, base_path="/", language="en-GB")
    assert languages() == {"en": 3}
    assert set(fragments(tmp_path)) == {"/a/", "/b/", "/c/"}
    with pytest.raises(ValueError, match="language tag"):
        search.index(tmp_path, base_path="/", language="../x")


def test_without_pagefind_the_error_says_how_to_install_it(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setitem(sys.modules, "pagefind_bin", None)  # import fails
    (tmp_path / "index.html").write_text("<p>x</p>")
    with pytest.raises(search.SearchError) as caught:
        search.index(tmp_path, base_path="/")
    assert isinstance(caught.value, DigestError)
    assert "pip install 'digest[search]'" in str(caught.value)
    assert not (tmp_path / "pagefind").exists()


def test_a_folder_that_is_not_there_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(search.SearchError, match="not a folder"):
        search.index(tmp_path / "missing", base_path="/")


# --- the build runs the indexer (search: true in config.yaml) --------------------------

BLOCK_PAGEFIND = """
import sys
sys.modules["pagefind_bin"] = None  # as if pagefind-bin were not installed
from digest.cli import main
main()
"""


def test_digest_build_indexes_when_search_is_on(tmp_path: Path) -> None:
    require_pagefind()
    out = build_site(tmp_path)
    assert set(fragments(out)) == ARTICLE_URLS
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["en"]  # one index: the site's language
    assert f'href="{BASE}search/"' in (out / "index.html").read_text(encoding="utf-8")
    # an unchanged rebuild keeps the index; digest check finds every link of the search page
    site = tmp_path / "site"
    result = run_digest("build", "--quiet", "-o", str(out), cwd=site)
    assert result.returncode == 0, result.stderr
    assert set(fragments(out)) == ARTICLE_URLS
    result = run_digest("check", "-o", str(out), cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr


def test_digest_build_without_search_has_no_index_and_no_search_page(tmp_path: Path) -> None:
    out = build_site(tmp_path, config={"search": False})
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    assert f'href="{BASE}search/"' not in (out / "index.html").read_text(encoding="utf-8")


def test_turning_search_off_removes_the_index_and_the_page(tmp_path: Path) -> None:
    require_pagefind()
    out = build_site(tmp_path)
    site = tmp_path / "site"
    (site / "content/2024/03/more.md").write_text(article("More news", "2024-03-28"),
                                                  encoding="utf-8")
    result = run_digest("build", "--quiet", "-o", str(out), cwd=site)  # the spare tree is
    assert result.returncode == 0, result.stderr                        # now the first one
    assert len(fragments(out)) == len(ARTICLES) + 1
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("search: true",
                                                                 "search: false"))
    for _ in range(2):  # once from the spare tree (which has an index), once more
        result = run_digest("build", "--quiet", "-o", str(out), cwd=site)
        assert result.returncode == 0, result.stderr
        assert not (out / "pagefind").exists() and not (out / "search").exists()


def test_digest_build_stops_on_a_search_page_outside_the_base_path(tmp_path: Path) -> None:
    require_pagefind()
    site = tmp_path / "site"
    write_site(site, {**ARTICLES, "layouts/search.html": (
        '{% extends "default/base.html" %}{% block content %}'
        '<script src="/pagefind/pagefind-ui.js"></script>{% endblock %}\n')}, {"search": True})
    result = run_digest("build", "--quiet", "-o", str(tmp_path / "out"), cwd=site)
    assert result.returncode == 1
    assert "'/pagefind/pagefind-ui.js'" in result.stderr and "site.base_path" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_digest_build_without_pagefind_says_how_to_install_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site, ARTICLES, {"search": True})
    result = subprocess.run([sys.executable, "-c", BLOCK_PAGEFIND, "build", "-o",
                             str(tmp_path / "out")], cwd=site, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 1
    assert "pip install 'digest[search]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # nothing half-made was published
