"""The default theme: valid HTML (Nu Html Checker), accessible, self-contained.

Checked on the repository's own site (with its layouts/ overrides) and on the same content
with an empty layouts/ (the pure default theme), plus the golden site's pages.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from regenerate_golden import EXPECTED as GOLDEN_EXPECTED
from sitekit import REPO, run_digest
from tools import run_vnu

from digest.render import THEME

CSS = THEME / "static" / "style.css"
SAMPLE = [
    "index.html",
    "page/2/index.html",
    "2025/01/14/open-weather-data-licence/index.html",  # footnotes
    "2024/11/19/web-accessibility-audit-public-sites/index.html",  # a table
    "2025/01/15/http3-adoption-report/index.html",  # fenced code
    "2024/12/20/ukraine-power-grid-winter/index.html",  # lang: uk
    "tags/index.html",
    "tags/climate/index.html",
    "tags/україна/index.html",
    "archive/index.html",
    "2024/index.html",
    "2024/11/index.html",
    "2024/11/04/index.html",
    "404.html",
]


def build(root: Path, *, own_layouts: bool) -> Path:
    site = root / "site"
    site.mkdir(parents=True)
    shutil.copy2(REPO / "config.yaml", site / "config.yaml")
    shutil.copytree(REPO / "content", site / "content")
    if own_layouts:
        shutil.copytree(REPO / "layouts", site / "layouts")
    else:
        (site / "layouts").mkdir()
    result = run_digest("build", "--quiet", "-o", str(root / "out"), cwd=site)
    assert result.returncode == 0, result.stderr
    return root / "out"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {"repository": build(tmp_path_factory.mktemp("own"), own_layouts=True),
            "default theme": build(tmp_path_factory.mktemp("pure"), own_layouts=False)}


def all_pages(sites: dict[str, Path]) -> list[Path]:
    pages = [p for out in sites.values() for p in sorted(out.rglob("*.html"))]
    assert len(pages) > 100
    return pages


def test_sample_pages_exist(sites: dict[str, Path]) -> None:
    for out in sites.values():
        for rel in SAMPLE:
            assert (out / rel).is_file(), rel
    assert "masthead-kicker" in (sites["repository"] / "index.html").read_text()
    assert "masthead-kicker" not in (sites["default theme"] / "index.html").read_text()


def test_vnu_finds_no_errors(sites: dict[str, Path]) -> None:
    files = [out / rel for out in sites.values() for rel in SAMPLE]
    files += sorted(GOLDEN_EXPECTED.rglob("*.html"))
    errors = run_vnu(files)
    assert not errors, "\n".join(errors)


class Page(HTMLParser):
    """What the checks need from one page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.starts: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, {k: v or "" for k, v in attrs}))

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.starts if tag == name]


def parse(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def test_every_page_has_lang_landmarks_and_a_skip_link(sites: dict[str, Path]) -> None:
    for path in all_pages(sites):
        page = parse(path)
        assert page.tags("html")[0].get("lang") == "en", path
        assert len(page.tags("main")) == 1, path
        assert page.tags("main")[0].get("id") == "main", path
        assert len(page.tags("header")) >= 1 and len(page.tags("footer")) >= 1, path
        assert any(n.get("aria-label") == "Main" for n in page.tags("nav")), path
        first_link = page.tags("a")[0]
        assert first_link.get("href") == "#main" and "skip-link" in first_link["class"], path
        assert page.tags("meta")[1] == {"name": "viewport",
                                        "content": "width=device-width, initial-scale=1"}


def test_every_page_links_its_feeds(sites: dict[str, Path]) -> None:
    for path in all_pages(sites):
        alternates = {(link.get("type"), link.get("href")) for link in parse(path).tags("link")
                      if link.get("rel") == "alternate"}
        assert ("application/rss+xml", "/digest/feed.xml") in alternates, path
        assert ("application/atom+xml", "/digest/atom.xml") in alternates, path
    tag_page = parse(next(iter(sites.values())) / "tags" / "climate" / "index.html")
    assert ("application/rss+xml", "/digest/tags/climate/feed.xml") in {
        (link.get("type"), link.get("href")) for link in tag_page.tags("link")}


def test_article_pages_have_machine_readable_dates(sites: dict[str, Path]) -> None:
    for out in sites.values():
        articles = sorted(out.glob("[0-9]*/[0-9]*/[0-9]*/*/index.html"))
        assert articles
        for path in articles:
            times = parse(path).tags("time")
            assert times, path
            for attrs in times:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}",
                                    attrs.get("datetime", "")), (path, attrs)


def test_article_language_is_marked(sites: dict[str, Path]) -> None:
    page = parse(next(iter(sites.values())) / "2024/12/20/ukraine-power-grid-winter/index.html")
    assert {"class": "story", "lang": "uk", "dir": "ltr", "data-pagefind-body": ""} \
        in page.tags("article")
    alternates = [link for link in page.tags("link") if link.get("hreflang")]
    assert alternates == [{"rel": "alternate", "hreflang": "uk", "href": "https://example."
                           "github.io/digest/2024/12/20/ukraine-power-grid-winter/"}]


def test_nothing_is_loaded_from_another_host(sites: dict[str, Path]) -> None:
    for path in all_pages(sites):
        page = parse(path)
        # Data, and the search page's own Pagefind bundle, served from the site itself.
        scripts = [s for s in page.tags("script") if s.get("type") != "application/ld+json"
                   and not (s.get("src") or "").startswith("/digest/pagefind/")
                   and not (path.parent.name == "search" and not s.get("src"))]
        assert not scripts and not page.tags("iframe"), path
        # The theme's own loads: stylesheets, icons, preloads, fonts. (Images in articles
        # are the curator's content, not the theme's.)
        loads = [a.get("href", "") for a in page.tags("link")
                 if a.get("rel") not in ("canonical", "alternate")]
        remote = [url for url in loads if re.match(r"(https?:)?//", url)]
        assert not remote, (path, remote)
    for out in sites.values():
        for css in out.rglob("*.css"):
            text = css.read_text(encoding="utf-8")
            assert "@import" not in text and not re.search(r"url\(\s*['\"]?(https?:)?//", text)
            assert "@font-face" not in text


# --- the stylesheet -----------------------------------------------------------------------


def custom_properties(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def palettes() -> dict[str, dict[str, str]]:
    css = CSS.read_text(encoding="utf-8")
    light = re.search(r"^:root\s*\{(.*?)\}", css, re.S | re.M)
    dark = re.search(r"@media\s*\(prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{(.*?)\}",
                     css, re.S)
    assert light and dark, "the theme needs a light palette and a dark one"
    return {"light": custom_properties(light.group(1)),
            "dark": custom_properties(dark.group(1))}


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


# Text on background (WCAG AA: 4.5) and the focus ring against what it surrounds (3.0).
TEXT_PAIRS = [(fg, bg) for fg in ("fg", "muted", "accent", "accent-visited")
              for bg in ("bg", "tag-bg")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colours_meet_aa_contrast(scheme: str) -> None:
    colours = palettes()[scheme]
    assert set(colours) >= {"bg", "fg", "muted", "accent", "accent-visited", "tag-bg", "focus"}
    low = [f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f}" for fg, bg in TEXT_PAIRS
           if contrast(colours[fg], colours[bg]) < 4.5]
    low += [f"focus on {bg}: {contrast(colours['focus'], colours[bg]):.2f}"
            for bg in ("bg", "tag-bg") if contrast(colours["focus"], colours[bg]) < 3.0]
    assert not low, low


def test_stylesheet_has_dark_mode_focus_and_a_skip_link() -> None:
    css = CSS.read_text(encoding="utf-8")
    assert "prefers-color-scheme: dark" in css
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*\d+px solid var\(--focus\)", css)
    assert re.search(r"\.skip-link:focus\s*\{[^}]*top:\s*0\.5rem", css)
    assert "@media (max-width:" in css  # a narrow-screen layout
    # Colours come from the palette, so dark mode reaches every rule.
    rules = re.sub(r"@media\s*\(prefers-color-scheme: dark\)\s*\{.*?\}\s*\}", "", css, flags=re.S)
    rules = re.sub(r"^:root\s*\{.*?\}", "", rules, flags=re.S | re.M)
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b", rules)
