"""End to end in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

The repository's own content (plus a few articles made to stress the layout: a wide
table, long code and an unbroken URL, right-to-left text) is built with search on for
http://127.0.0.1:PORT/some-repo/ and served under /some-repo/ by a real HTTP server,
as GitHub project pages serve it. Home, article, tag, edition and search pages are
loaded at phone (375 px) and desktop (1280 px) widths: no console errors or failed
requests, no horizontal scrolling, no serious or critical axe-core violations (light
and dark colour schemes). Screenshots go to test-artifacts/screenshots/. A search
typed into Pagefind's UI finds the article; `digest serve` reloads an open tab after
an edit, shows the error page for a broken article and recovers when it is fixed.

Locally a missing Chromium, Playwright or axe-core skips these tests; under CI
(`CI` set, as in .ci/run) it fails them.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import tools
import yaml
from sitekit import REPO, SUB_PATH, article, run_digest, sub_path_server, write_site

PREFIX = SUB_PATH
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
BAD_IMPACTS = ("serious", "critical")
TIMEOUT_MS = 10_000

WIDE = "2025/03/wide-things.md"
WIDE_TITLE = "Wide tables, long code and a very long address test the layout"
WIDE_URL = "2025/03/01/wide-things/"
RTL_URL = "2025/03/01/rtl-story/"
EXTRA_ARTICLES = {
    f"content/{WIDE}": article(
        WIDE_TITLE, "2025-03-01T09:00:00+02:00", tags=["open-data", "web"],
        source={"name": "Example Agency",
                "url": "https://example.org/a/very/long/path/" + "x" * 80},
        dateline="Kyiv",
        body=("See https://example.org/" + "averyveryverylongpathsegmentwithoutanybreaks" * 3
              + " for the data.\n\n"
              "| region | 2019 | 2020 | 2021 | 2022 | 2023 | 2024 | change | notes |\n"
              "|---|---|---|---|---|---|---|---|---|\n"
              "| Kyiv oblast | 1,204,332 | 1,198,004 | 1,187,220 | 1,102,887 | 1,098,223 | "
              "1,090,001 | -9.5 % | population estimates, revised twice |\n\n"
              "```\n" + "curl -s https://example.org/api/v1/datasets?format=json&page=1"
              "&per_page=1000&fields=id,title,modified,licence | jq '.[] | .title'\n```\n\n"
              "> A quotation that goes on for a while, to see how quotes wrap on a phone.\n")),
    "content/2025/03/rtl-story.md": article(
        "مرصد جديد يرصد جودة الهواء في المدن الساحلية", "2025-03-01T08:00:00+02:00",
        tags=["climate"], lang="ar", dateline="بيروت",
        body="نشرت الهيئة بيانات جودة الهواء لكل ساعة، مع خريطة تفاعلية للمحطات.\n"),
}


def require_browser() -> None:
    tools.require(importlib.util.find_spec("playwright"),
                  "playwright is not installed (pip install -e '.[test]')")
    tools.require(CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
                  f"{CHROMIUM} is not installed (apt-get install chromium)")


def require_axe() -> Path:
    script = tools.axe_script()
    tools.require(script, "axe-core is not installed (run `npm ci`)")
    assert script is not None
    return script


def require_pagefind() -> None:
    tools.require(importlib.util.find_spec("pagefind_bin"),
                  "pagefind-bin is not installed (pip install 'digest[search]')")


# --- the browser and the site --------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()




@dataclass
class Site:
    base: str  # http://127.0.0.1:PORT/some-repo/
    out: Path

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_pagefind()
    root = tmp_path_factory.mktemp("browser")
    source = root / "site"
    shutil.copytree(REPO / "content", source / "content")
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    write_site(source, EXTRA_ARTICLES, {**config, "search": True})
    out = root / "out"
    with sub_path_server(out) as base:
        result = run_digest("build", "--quiet", "-o", str(out), "--base-url", base, cwd=source)
        assert result.returncode == 0, result.stderr
        assert (out / "pagefind" / "pagefind.js").is_file()  # digest build ran the indexer
        yield Site(base, out)


def edition_path(out: Path) -> str:
    """The edition holding the stress-test articles, found from the /editions/ index."""
    index = out / "editions" / "index.html"
    assert index.is_file(), "the built site has no /editions/ index"
    links = re.findall(rf'href="{re.escape(PREFIX)}(editions/[^"/]+/)"',
                       index.read_text(encoding="utf-8"))
    assert links, "the /editions/ index links to no edition"
    for link in links:
        if "2025-03-01" in link or "2025-W09" in link:
            return link
    return links[0]


# --- loading a page and looking at it ------------------------------------------------------


@dataclass
class Problems:
    """What went wrong in a page while it was open: console errors, uncaught exceptions,
    failed requests."""

    lines: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("console", lambda message: message.type == "error" and not is_favicon(message)
                and self.lines.append(
                    f"console error: {message.text} ({message.location.get('url', '')})"))
        page.on("pageerror", lambda error: self.lines.append(f"uncaught exception: {error}"))
        page.on("requestfailed", lambda request: self.lines.append(
            f"request failed: {request.url} ({request.failure})"))
        page.on("response", lambda response: response.status >= 400 and self.lines.append(
            f"HTTP {response.status}: {response.url}"))


def is_favicon(message: Any) -> bool:
    """The browser's own request for /favicon.ico: made once per browser, by whichever
    page loads first, so test_no_request_leaves_the_sub_path checks it on its own."""
    return str(message.location.get("url", "")).endswith("/favicon.ico")


def open_page(browser: Any, url: str, viewport: dict[str, int], *, scheme: str = "light",
              javascript: bool = True) -> tuple[Any, Any, Problems]:
    context = browser.new_context(viewport=viewport, color_scheme=scheme,
                                  java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = Problems()
    problems.watch(page)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    return context, page, problems


def horizontal_overflow(page: Any) -> str | None:
    """None when the page does not scroll sideways, else the widest elements, for the report."""
    return page.evaluate("""() => {
        const limit = window.innerWidth;
        const width = document.documentElement.scrollWidth;
        if (width <= limit) return null;
        const wide = [];
        for (const el of document.body.querySelectorAll("*")) {
            const box = el.getBoundingClientRect();
            if (box.right > limit + 0.5 && box.width > 0) {
                const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                    (el.className && typeof el.className === "string"
                        ? "." + el.className.trim().split(/\\s+/).join(".") : "");
                wide.push(`${name} (right edge ${Math.round(box.right)} px)`);
            }
        }
        return `scrollWidth ${width} px > innerWidth ${limit} px; sticking out: ` +
            wide.slice(0, 8).join(", ");
    }""")


def axe_violations(page: Any, axe: Path, rules: list[str] | None = None) -> list[str]:
    """Serious and critical axe-core violations, one readable block each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    results = page.evaluate("(options) => axe.run(document, options)", options)
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BAD_IMPACTS:
            continue
        nodes = "\n".join(
            f"      {' '.join(map(str, node['target']))}: "
            + node.get("failureSummary", "").replace("\n", " ")
            for node in violation["nodes"][:6])
        found.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({len(violation['nodes'])} element(s))\n{nodes}\n"
                     f"      {violation['helpUrl']}")
    return found


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_no_request_leaves_the_sub_path(browser: Any, site: Site) -> None:
    """Not even the browser's own: a page without <link rel="icon"> makes it ask for
    /favicon.ico at the host's root, outside the site (404 on GitHub project pages)."""
    fresh = browser.browser_type.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    try:
        page = fresh.new_page()
        outside: list[str] = []
        page.on("request", lambda request: request.url.startswith(site.base)
                or outside.append(request.url))
        page.on("console", lambda message: is_favicon(message) and outside.append(
            f"{message.location['url']} (the browser's favicon request: {message.text})"))
        page.goto(site.url(""), wait_until="load")
        page.goto(site.url(WIDE_URL), wait_until="load")
        page.wait_for_timeout(300)  # the favicon is asked for after the load event
        assert not outside, "requests outside " + PREFIX + ":\n" + "\n".join(outside)
    finally:
        fresh.close()


# --- every kind of page at both widths -----------------------------------------------------

PAGES = {
    "home": "",
    "article": WIDE_URL,
    "article-rtl": RTL_URL,
    "tag": "tags/climate/",
    "edition": None,  # found from the /editions/ index
    "search": "search/",
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", PAGES)
def test_page_renders_cleanly(browser: Any, site: Site, kind: str, width: str) -> None:
    axe = require_axe()
    path = PAGES[kind]
    if kind == "edition":
        path = edition_path(site.out)
    assert path is not None
    failures: list[str] = []
    for scheme in ("light", "dark"):
        context, page, problems = open_page(browser, site.url(path), WIDTHS[width],
                                            scheme=scheme)
        try:
            if kind == "search":
                page.locator(".pagefind-ui__search-input").wait_for(state="visible")
            overflow = horizontal_overflow(page)
            if overflow:
                failures.append(f"{scheme}: scrolls sideways: {overflow}")
            screenshot(page, f"{kind}-{width}-{scheme}")
            # every rule in light; in dark only what the colours change
            violations = axe_violations(page, axe, None if scheme == "light" else
                                        ["color-contrast", "link-in-text-block"])
            if violations:
                failures.append(f"{scheme}: axe-core found serious/critical violations:\n"
                                + "\n".join(violations))
            if problems.lines:
                failures.append(f"{scheme}: " + "\n  ".join(problems.lines))
        finally:
            context.close()
    assert not failures, f"{kind} page ({site.url(path)}) at {width} width:\n" + \
        "\n".join(failures)


# --- search ------------------------------------------------------------------------------


def indexed_titles(out: Path) -> dict[str, str]:
    """Title of every page in the search index, by its path under the base path."""
    titles = {}
    for fragment in (out / "pagefind" / "fragment").iterdir():
        record = json.loads(gzip.decompress(fragment.read_bytes())[len(b"pagefind_dcd"):])
        titles[record["url"].lstrip("/")] = record["meta"]["title"]
    return titles


def unique_title_word(titles: dict[str, str], path: str) -> str | None:
    """The longest word (6+ letters) of an article's title in no other article's title."""
    others = " ".join(t for p, t in titles.items() if p != path).casefold()
    words = [w for w in re.findall(r"[A-Za-z]{6,}", titles[path]) if w.casefold() not in others]
    return max(words, key=len) if words else None


def searchable_article(out: Path) -> tuple[str, str, str]:
    """(path, title, word): the first article of the repository's content (by URL) with a
    title word that no other title has."""
    titles = indexed_titles(out)
    for path in sorted(titles):
        word = unique_title_word(titles, path)
        if word and path not in (WIDE_URL, RTL_URL):
            return path, titles[path], word
    raise AssertionError(f"no indexed article has a title word of its own: {titles}")


def test_a_search_finds_the_article(browser: Any, site: Site) -> None:
    axe = require_axe()
    target, title, word = searchable_article(site.out)
    context, page, problems = open_page(browser, site.url("search/"), WIDTHS["phone"])
    try:
        box = page.get_by_role("textbox", name="Search")
        box.click()
        box.press_sequentially(word.lower(), delay=20)
        result = page.locator(".pagefind-ui__result-link", has_text=title)
        result.first.wait_for(state="visible")
        assert result.first.get_attribute("href") == PREFIX + target
        screenshot(page, "search-results-phone-light")
        assert horizontal_overflow(page) is None, horizontal_overflow(page)
        violations = axe_violations(page, axe)
        assert not violations, "axe-core, search results:\n" + "\n".join(violations)
        result.first.click()
        page.wait_for_url(site.url(target))
        assert page.locator("h1").first.inner_text() == title
        assert not problems.lines, "\n".join(problems.lines)
    finally:
        context.close()


def test_the_search_page_takes_a_query_from_the_address(browser: Any, site: Site) -> None:
    axe = require_axe()
    title = WIDE_TITLE
    word = unique_title_word(indexed_titles(site.out), WIDE_URL)
    assert word
    context, page, problems = open_page(browser, site.url(f"search/?q={word}"),
                                        WIDTHS["desktop"], scheme="dark")
    try:
        page.locator(".pagefind-ui__result-link", has_text=title).wait_for(state="visible")
        assert page.locator(".pagefind-ui__search-input").input_value() == word
        screenshot(page, "search-results-desktop-dark")
        assert horizontal_overflow(page) is None, horizontal_overflow(page)
        violations = axe_violations(page, axe, ["color-contrast", "link-in-text-block"])
        assert not violations, "axe-core, search results (dark):\n" + "\n".join(violations)
        assert not problems.lines, "\n".join(problems.lines)
    finally:
        context.close()


def test_articles_in_other_languages_are_found_too(browser: Any, site: Site) -> None:
    titles = indexed_titles(site.out)
    path, title = next((p, t) for p, t in sorted(titles.items())
                       if re.search("[\u0400-\u04ff]{6,}", t))  # the Ukrainian article
    word = max(re.findall("[\u0400-\u04ff]{6,}", title), key=len)
    context, page, problems = open_page(browser, site.url(f"search/?q={word}"),
                                        WIDTHS["phone"])
    try:
        result = page.locator(".pagefind-ui__result-link", has_text=title)
        result.wait_for(state="visible")
        assert result.get_attribute("href") == PREFIX + path
        assert not problems.lines, "\n".join(problems.lines)
    finally:
        context.close()


def test_without_javascript_the_search_page_points_to_archive_and_tags(
        browser: Any, site: Site) -> None:
    context, page, problems = open_page(browser, site.url("search/"), WIDTHS["phone"],
                                        javascript=False)
    try:
        fallback = page.locator("noscript .search-fallback, .search-fallback:visible")
        assert "JavaScript" in fallback.first.inner_text()
        for name, path in (("archive", "archive/"), ("tags", "tags/")):
            link = page.get_by_role("link", name=name, exact=True)
            assert link.is_visible()
            assert link.get_attribute("href") == PREFIX + path
        screenshot(page, "search-nojs-phone-light")
        assert not problems.lines, "\n".join(problems.lines)
    finally:
        context.close()


# --- digest serve: live reload and the error page ------------------------------------------

SERVE_STORY = "content/2024/03/a-story.md"
SERVE_URL = "2024/03/26/a-story/"


@dataclass
class Serve:
    process: subprocess.Popen[str]
    url: str
    output: list[str]


# `python -m digest`, plus: a server whose test process is gone (even killed) stops too,
# as its stdin ends.
SERVE = """
import os, signal, sys, threading

def stop_when_orphaned():
    sys.stdin.read()
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=stop_when_orphaned, daemon=True).start()
from digest.cli import main
main()
"""


def start_serve(site: Path) -> Serve:
    """`digest serve --port 0` in site; its address from its first lines."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", "0"],
                               cwd=site, env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        match = re.search(r"Serving at (http://\S+?/) ", line)
        if match:
            return Serve(process, match.group(1), seen)
    process.kill()
    process.wait()
    if process.stdin is not None:
        process.stdin.close()
    raise AssertionError("digest serve did not start:\n" + "".join(seen))


def stop_serve(server: Serve) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    if server.process.stdin is not None:
        server.process.stdin.close()


def test_serve_reloads_the_open_page_and_shows_build_errors(browser: Any,
                                                            tmp_path: Path) -> None:
    write_site(tmp_path, {SERVE_STORY: article("A story", body="First version of the story.\n")})
    server = start_serve(tmp_path)
    context = browser.new_context(viewport=WIDTHS["desktop"])
    context.set_default_timeout(15_000)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.url + SERVE_URL)
        assert "First version" in page.locator(".story .body").inner_text()
        assert page.locator("script#digest-live-reload").count() == 1
        # From here on the test never reloads nor navigates: the page does it by itself.
        (tmp_path / SERVE_STORY).write_text(
            article("A story", body="Second version, edited.\n"), encoding="utf-8")
        page.locator(".story .body", has_text="Second version").wait_for()

        (tmp_path / SERVE_STORY).write_text(
            "---\ntitle: A story\ndate: not a date\n---\nBody.\n", encoding="utf-8")
        page.locator("#digest-build-error", has_text="not a date").wait_for()
        page.locator("#digest-build-error", has_text=SERVE_STORY).wait_for()
        screenshot(page, "serve-error-desktop-light")

        (tmp_path / SERVE_STORY).write_text(
            article("A story", body="Third version, fixed.\n"), encoding="utf-8")
        page.locator(".story .body", has_text="Third version").wait_for()
        assert page.locator("#digest-build-error").count() == 0
        assert page.url == server.url + SERVE_URL
        assert not errors, "\n".join(errors)
        assert server.process.poll() is None, "".join(server.output)
    finally:
        context.close()
        stop_serve(server)
