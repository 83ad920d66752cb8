"""Sub-path hosting: the repository's site, built for http://127.0.0.1:PORT/some-repo/ and
served under /some-repo/ by a real HTTP server, has no broken internal link.

The crawl starts at the home page and follows every internal href and src of every HTML
page, every link of every feed, the sitemap and robots.txt. Each must answer 200 directly
(no redirects), and every fragment (#id) must name an element of its page.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from sitekit import REPO, SUB_PATH, run_digest, sub_path_server

PREFIX = SUB_PATH
ATOM = "{http://www.w3.org/2005/Atom}"




class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value and (name in ("href", "src") or (tag == "img" and name == "srcset")):
                self.links.append(value.split()[0] if name == "srcset" else value)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("links")
    site = root / "site"
    site.mkdir()
    shutil.copy2(REPO / "config.yaml", site / "config.yaml")
    for folder in ("content", "layouts", "static"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, site / folder)
    out = root / "out"
    with sub_path_server(out) as base:
        result = run_digest("build", "--quiet", "-o", str(out), "--base-url", base, cwd=site)
        assert result.returncode == 0, result.stderr
        yield base


def fetch(url: str) -> tuple[int, str, bytes]:
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def feed_links(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    links = [el.text or "" for el in root.iter("link")]  # RSS <link>
    links += [el.get("href", "") for el in root.iter(f"{ATOM}link")]  # atom:link, Atom
    links += [el.get("url", "") for el in root.iter("source")]
    links += [el.text or "" for el in root.iter("guid") if el.get("isPermaLink") != "false"]
    return [link for link in links if link]


def sitemap_links(data: bytes) -> list[str]:
    return [el.text or "" for el in ET.fromstring(data).iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


class Crawl:
    def __init__(self, base: str) -> None:
        self.base = base
        self.host = urlsplit(base).netloc
        self.seen: dict[str, tuple[int, str, bytes]] = {}
        self.referrers: dict[str, str] = {}
        self.broken: list[str] = []
        self.fragments: list[tuple[str, str, str]] = []  # (page, fragment, referrer)
        self.ids: dict[str, set[str]] = {}
        self.via_html: set[str] = set()

    def internal(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc == self.host

    def run(self, start: str, *, html_only: bool = False) -> None:
        queue = [start]
        self.referrers[start] = "(start)"
        while queue:
            url = queue.pop()
            if url in self.seen:
                continue
            status, kind, body = self.seen[url] = fetch(url)
            if status != 200:
                self.broken.append(f"{url} -> {status} (linked from {self.referrers[url]})")
                continue
            found: list[str] = []
            if kind == "text/html":
                self.via_html.add(url)
                parser = LinkParser()
                parser.feed(body.decode("utf-8"))
                self.ids[url] = parser.ids
                found = parser.links
            elif html_only:
                continue
            elif url.endswith("sitemap.xml"):
                found = sitemap_links(body)
            elif url.endswith(".xml"):
                found = feed_links(body)
                for link in found:
                    assert urlsplit(link).scheme, f"{url}: relative link {link!r} in a feed"
            elif url.endswith("robots.txt"):
                found = [line.split(": ", 1)[1] for line in body.decode().splitlines()
                         if line.startswith("Sitemap: ")]
            for link in found:
                target, fragment = urldefrag(urljoin(url, link))
                if not self.internal(target):
                    continue
                if fragment:
                    self.fragments.append((target, unquote(fragment), url))
                if target not in self.seen:
                    self.referrers.setdefault(target, url)
                    queue.append(target)


@pytest.fixture(scope="module")
def crawl(server: str) -> Crawl:
    crawl = Crawl(server)
    crawl.run(server)
    crawl.run(server + "robots.txt")
    crawl.run(server + "sitemap.xml")
    return crawl


def test_every_internal_link_answers_200(crawl: Crawl) -> None:
    assert not crawl.broken, "\n".join(crawl.broken)
    assert len(crawl.seen) > 80  # the crawl really went through the site


def test_every_internal_link_stays_under_the_sub_path(crawl: Crawl) -> None:
    outside = [url for url in crawl.seen if not urlsplit(url).path.startswith(PREFIX)]
    assert not outside


def test_every_fragment_names_an_element(crawl: Crawl) -> None:
    missing = [f"{page}#{fragment} (from {referrer})"
               for page, fragment, referrer in crawl.fragments
               if page in crawl.ids and fragment not in crawl.ids[page]]
    assert not missing, "\n".join(missing)
    assert any(fragment == "main" for _, fragment, _ in crawl.fragments)  # the skip links


def test_feeds_sitemap_and_styles_are_reached(crawl: Crawl, server: str) -> None:
    for rel in ("feed.xml", "atom.xml", "sitemap.xml", "static/style.css", "tags/climate/feed.xml",
                "tags/%D1%83%D0%BA%D1%80%D0%B0%D1%97%D0%BD%D0%B0/feed.xml"):
        assert crawl.seen.get(server + rel, (0,))[0] == 200, rel


def test_every_page_is_reachable_by_following_html_links(server: str, crawl: Crawl) -> None:
    pages = {url for url, (status, kind, _) in crawl.seen.items()
             if status == 200 and kind == "text/html"}
    by_links = Crawl(server)
    by_links.run(server, html_only=True)
    unreachable = sorted(pages - by_links.via_html - {server + "404.html"})
    assert not unreachable, "\n".join(unreachable)


def test_the_server_answers_404_outside_the_sub_path(server: str) -> None:
    origin = server[: -len(PREFIX)]
    assert fetch(origin + "/index.html")[0] == 404
    assert fetch(server + "no-such-page/")[0] == 404


def test_the_crawler_reports_what_is_broken(server: str) -> None:
    crawl = Crawl(server)
    crawl.run(server + "no-such-page/")
    assert crawl.broken == [f"{server}no-such-page/ -> 404 (linked from (start))"]
