"""Full-text search: a Pagefind index of a built site, in <site>/pagefind/.

Pagefind (the `pagefind-bin` package, an optional extra: pip install 'digest[search]')
reads the built HTML and writes a static index plus its own JavaScript search UI;
nothing is fetched at build or search time. Only elements marked
`data-pagefind-body` are indexed, so the theme puts that attribute on the article
body of article pages only (were it on no page at all, Pagefind would index every
page's whole <body>).

The index is deterministic: the same pages give the same bytes (checked by the
tests), so it can be built in a staging tree like every other output file.
Pagefind config files (pagefind.yml/.toml/.json in the working directory) and
PAGEFIND_* environment variables are not read, so that nothing outside the site
changes the index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from digest import output
from digest.errors import DigestError

BUNDLE = "pagefind"  # the index folder, under the site folder and the base path
SEARCH_PAGE = "search/index.html"
TIMEOUT_SECONDS = 600
NO_BODY_NOTICE = "Did not find a data-pagefind-body element"  # Pagefind's own words
INSTALL_HINT = "install it with pip install 'digest[search]'"


class SearchError(DigestError):
    """The search index could not be made."""


def executable() -> Path:
    """The Pagefind binary of the installed `pagefind-bin` package."""
    try:
        import pagefind_bin  # type: ignore[import-untyped]
    except ImportError:
        raise SearchError("search is on (search: true in config.yaml), but Pagefind is not "
                          f"installed; {INSTALL_HINT}, or set search: false") from None
    try:
        path = Path(pagefind_bin.get_executable())
    except (FileNotFoundError, OSError) as error:
        raise SearchError(f"the pagefind-bin package has no usable Pagefind binary ({error}); "
                          f"reinstall it: pip install --force-reinstall 'digest[search]'"
                          ) from None
    if not os.access(path, os.X_OK):
        raise SearchError(f"the Pagefind binary {path} is not executable; reinstall it: "
                          "pip install --force-reinstall 'digest[search]'")
    return path


def version() -> str | None:
    """The installed pagefind-bin's version (part of what the index depends on), or None."""
    from importlib import metadata  # 17 ms to import: only sites with search pay it

    try:
        return metadata.version("pagefind-bin")
    except metadata.PackageNotFoundError:
        return None


def clear(site_folder: Path) -> None:
    """Remove `site_folder`/pagefind/, e.g. from a reused tree once search is turned off."""
    _remove(Path(site_folder) / BUNDLE)


def _remove(bundle: Path) -> None:
    if bundle.is_symlink() or bundle.is_file():
        bundle.unlink()
    elif bundle.is_dir():
        shutil.rmtree(bundle)


def index(site_folder: Path, *, base_path: str, language: str | None = None,
          previous: Path | None = None) -> list[str]:
    """Index the built site in `site_folder` into `site_folder`/pagefind/.

    `base_path` is the URL path the folder is served under ('/' or '/repo/'): the
    search page must load the bundle from `base_path`pagefind/, which is checked
    here when the folder holds a search page. A previous index is replaced whole
    (Pagefind alone would leave stale files of pages that are gone).

    `language`, the site's language (BCP 47): every page goes into one index in that
    language, whatever its own <html lang>, so that the search page (in the site's
    language) finds articles in every language. Without it Pagefind makes one index
    per language and a search finds only the pages in the search page's language.

    `previous`, the site folder as it was built last time (e.g. output/ while the new
    tree is staged beside it): index files whose bytes did not change become hard
    links to its files, so they keep their mtimes like every other unchanged file.

    Returns warnings for the build report (e.g. no page marks what to index).
    """
    if not (base_path.startswith("/") and base_path.endswith("/")):
        raise ValueError(f"base_path must start and end with '/': {base_path!r}")
    site = Path(site_folder).absolute()
    if not site.is_dir():
        raise SearchError(f"cannot index {site} for search: it is not a folder")
    forced = []
    if language:
        primary = language.split("-")[0].split("_")[0].lower()
        if not primary.isascii() or not primary.isalpha():
            raise ValueError(f"not a language tag: {language!r}")
        forced = ["--force-language", primary]
    binary = executable()
    bundle = site / BUNDLE
    _remove(bundle)
    env = {name: value for name, value in os.environ.items()
           if not name.upper().startswith("PAGEFIND")}
    with tempfile.TemporaryDirectory(prefix="digest-pagefind-") as empty:
        # An empty working directory: Pagefind reads pagefind.yml & co. from there.
        try:
            result = subprocess.run(
                [str(binary), "--site", str(site), "--output-subdir", BUNDLE, *forced],
                cwd=empty, env=env, capture_output=True, text=True, errors="replace",
                timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise SearchError(f"Pagefind did not finish indexing {site} within "
                              f"{TIMEOUT_SECONDS} s") from None
        except OSError as error:
            raise SearchError(f"cannot run Pagefind ({binary}): {error}") from None
    if result.returncode != 0 or not (bundle / "pagefind.js").is_file():
        said = (result.stderr + result.stdout).strip() or "(no output)"
        raise SearchError(f"Pagefind failed to index {site} (exit {result.returncode}):\n"
                          f"{said}")
    _check_search_page(site, base_path)
    if previous is not None and (previous / BUNDLE).is_dir():
        _keep_unchanged(bundle, Path(previous).absolute() / BUNDLE)
    warnings = []
    if NO_BODY_NOTICE in result.stdout + result.stderr:
        warnings.append("search: no page has a data-pagefind-body element, so Pagefind "
                        "indexed every page whole (menus, lists and all); put "
                        "data-pagefind-body on the article element of layouts/article.html")
    return warnings


def _keep_unchanged(bundle: Path, old_bundle: Path) -> None:
    for path in sorted(bundle.rglob("*")):
        old = old_bundle / path.relative_to(bundle)
        if path.is_symlink() or not path.is_file() or old.is_symlink() or not old.is_file():
            continue
        if old.stat().st_size == path.stat().st_size and old.read_bytes() == path.read_bytes():
            output.link_file(old, bundle, path.relative_to(bundle).as_posix())


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def _check_search_page(site: Path, base_path: str) -> None:
    """A search page that loads Pagefind's files from outside the base path finds nothing
    (a layouts/search.html with '/pagefind/...' hard-coded, on a site under /repo/)."""
    page = site / SEARCH_PAGE
    if not page.is_file():
        return
    parser = _References()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    page_url = base_path + SEARCH_PAGE.removesuffix("index.html")
    wanted = base_path + BUNDLE + "/"
    for url in parser.urls:
        parts = urlsplit(url)
        if parts.netloc or parts.scheme not in ("", "http", "https"):
            continue  # another host (a CDN), or data:, javascript: ...
        path = urlsplit(urljoin(page_url, url)).path
        if f"/{BUNDLE}/" in path and not path.startswith(wanted):
            raise SearchError(f"the search page ({SEARCH_PAGE}) loads {url!r}, which is not "
                              f"under {wanted}, where the search index is served; build "
                              f"its URLs from site.base_path")
