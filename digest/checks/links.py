"""Internal links and images of the built site: every href/src that points inside the
site (base_url's host and path) must resolve to a file in the output folder.

'/news/x/' is 'x/index.html' under output/ (the base path stripped, percent-decoding
undone); a fragment must name an id on the target page. Links that leave the base
path on the site's own host are warnings: on GitHub project pages they reach
another site.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from digest import parallel
from digest.checks import Problem

# Attributes that hold a URL, by tag; those that load an image are marked.
URL_ATTRIBUTES = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"),
    "source": ("src", "srcset"), "script": ("src",), "iframe": ("src",), "audio": ("src",),
    "video": ("src", "poster"), "track": ("src",), "embed": ("src",), "input": ("src",),
    "object": ("data",),
}
IMAGE_ATTRIBUTES = {("img", "src"), ("img", "srcset"), ("source", "srcset"),
                    ("video", "poster"), ("input", "src")}
IMAGE_LINK_RELS = {"icon", "apple-touch-icon", "shortcut", "mask-icon"}
META_URLS = {"og:image": True, "og:image:url": True, "og:image:secure_url": True,
             "twitter:image": True, "twitter:image:src": True, "og:url": False}
SKIPPED_LINK_RELS = {"preconnect", "dns-prefetch"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


@dataclass(frozen=True)
class Ref:
    """One URL found in one output file."""

    file: str  # the output file, relative to the output folder, '/'-separated
    line: int | None
    url: str  # as written
    what: str  # how it appears, e.g. 'href', 'src', 'sitemap <loc>'
    image: bool = False


@dataclass(frozen=True)
class Owner:
    """The article an output page was made from, to point at its source file too."""

    source_path: str
    image: str | None = None
    image_line: int | None = None


@dataclass
class _Page:
    refs: list[Ref] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    base_href: str | None = None


class _Collector(HTMLParser):
    def __init__(self, rel: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rel = rel
        self.page = _Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {name: value for name, value in attrs if value is not None}
        if values.get("id"):
            self.page.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.page.ids.add(values["name"])
        if tag == "base" and values.get("href") and self.page.base_href is None:
            self.page.base_href = values["href"]
            return
        if tag == "meta":
            prop = (values.get("property") or values.get("name") or "").lower()
            if prop in META_URLS and values.get("content"):
                self._add(line, values["content"], f'<meta property="{prop}">', META_URLS[prop])
            return
        rels = set((values.get("rel") or "").lower().split())
        if tag == "link" and rels & SKIPPED_LINK_RELS:
            return
        for name in URL_ATTRIBUTES.get(tag, ()):
            value = values.get(name)
            if not value:
                continue
            image = (tag, name) in IMAGE_ATTRIBUTES or (tag == "link" and
                                                        bool(rels & IMAGE_LINK_RELS))
            urls = _srcset(value) if name == "srcset" else [value]
            for url in urls:
                self._add(line, url, f'<{tag} {name}="{url}">', image)

    handle_startendtag = handle_starttag

    def _add(self, line: int, url: str, what: str, image: bool) -> None:
        self.page.refs.append(Ref(self.rel, line, url.strip(), what, image))


def _srcset(value: str) -> list[str]:
    """The URLs of a srcset: 'a.jpg 1x, b.jpg 2x' -> ['a.jpg', 'b.jpg']."""
    return [part.split()[0] for part in value.split(",") if part.strip()]


class Site:
    """The built output folder and the URL it is published at."""

    def __init__(self, root: Path, base_url: str, shown: str) -> None:
        self.root = root
        self.base_url = base_url
        self.shown = shown.rstrip("/")  # how messages name the folder, e.g. 'output'
        parts = urlsplit(base_url)
        self.host = (parts.hostname or "").lower()
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.base_path = unquote(parts.path or "/")
        self._located: dict[str, tuple[str, str | None, str]] = {}
        self.files: set[str] = set()
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git"]  # kept in output/ to deploy from it
            here = Path(folder).relative_to(root)
            self.files.update((here / name).as_posix() for name in names)

    def url_of(self, rel: str) -> str:
        """The absolute URL a file is served at: 'a/index.html' -> base_url + 'a/'."""
        if rel == "index.html" or rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        return self.base_url + quote(rel, safe="/-._~!$&'()*+,;=:@")

    def locate(self, url: str, page_url: str) -> tuple[str, str | None, str]:
        """('external'|'outside'|'ok'|'missing', file or None, fragment) for a URL on a page."""
        if url.startswith("/") and not url.startswith("//"):  # the same on every page
            found = self._located.get(url)
            if found is None:
                found = self._located[url] = self._locate(url, page_url)
            return found
        return self._locate(url, page_url)

    def _locate(self, url: str, page_url: str) -> tuple[str, str | None, str]:
        try:
            parts = urlsplit(urljoin(page_url, url))
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return "external", None, ""
        if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != self.host \
                or port != self.port:
            return "external", None, ""
        path = unquote(parts.path or "/")
        fragment = unquote(parts.fragment)
        if not path.startswith(self.base_path):
            if path + "/" == self.base_path:
                return "ok", "index.html", fragment
            return "outside", None, fragment
        rel = path[len(self.base_path):]
        if rel == "" or rel.endswith("/"):
            wanted = [rel + "index.html"]
        else:
            wanted = [rel, rel + "/index.html"]  # GitHub Pages redirects /x to /x/
        for candidate in wanted:
            if candidate in self.files:
                return "ok", candidate, fragment
        return "missing", wanted[0], fragment


def _parse(path: Path, rel: str) -> _Page:
    collector = _Collector(rel)
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    collector.close()
    return collector.page


def collect_html(site: Site, jobs: int = 1) -> dict[str, _Page]:
    """Every HTML file's URLs and ids; parsed on `jobs` processes when there are many."""
    rels = sorted(rel for rel in site.files if rel.endswith((".html", ".htm")))
    pages = parallel.run_all(lambda i: _parse(site.root / rels[i], rels[i]), len(rels), jobs)
    return dict(zip(rels, pages, strict=True))


def collect_css(site: Site) -> list[Ref]:
    refs = []
    for rel in sorted(site.files):
        if not rel.endswith(".css"):
            continue
        text = (site.root / rel).read_text(encoding="utf-8", errors="replace")
        for match in _CSS_URL.finditer(text):
            url = match.group(2).strip()
            if not url.startswith("data:"):
                line = text.count("\n", 0, match.start()) + 1
                refs.append(Ref(rel, line, url, f"url({url})", image=True))
    return refs


def check(site: Site, extra: list[Ref], owners: dict[str, Owner],
          jobs: int = 1) -> tuple[list[Problem], int]:
    """Problems with the links of every HTML and CSS file, and of `extra` (feeds, sitemap).

    Returns the problems and how many internal URLs were checked.
    """
    pages = collect_html(site, jobs)
    refs = [(ref, page.base_href) for page in pages.values() for ref in page.refs]
    refs += [(ref, None) for ref in collect_css(site) + extra]
    broken: dict[tuple[str, str], list[Ref]] = defaultdict(list)
    problems: list[Problem] = []
    checked = 0
    for ref, base_href in refs:
        page_url = site.url_of(ref.file)
        if base_href:
            page_url = urljoin(page_url, base_href)
        if not ref.url or ref.url.startswith(("data:", "javascript:", "mailto:", "tel:")):
            continue
        status, target, fragment = site.locate(ref.url, page_url)
        if status == "external":
            continue
        checked += 1
        if status == "outside":
            broken[("outside", ref.url)].append(ref)
        elif status == "missing":
            broken[("image" if ref.image else "link", target or "")].append(ref)
        elif fragment and target in pages and fragment != "top" \
                and fragment not in pages[target].ids:
            broken[("anchor", f"{target}#{fragment}")].append(ref)
    for (kind, target), found in sorted(broken.items(), key=lambda kv: _order(kv[1][0])):
        problems.append(_problem(site, kind, target, found, owners))
    return problems, checked


def _order(ref: Ref) -> tuple[str, int]:
    return ref.file, ref.line or 0


def _problem(site: Site, kind: str, target: str, found: list[Ref],
             owners: dict[str, Owner]) -> Problem:
    first = min(found, key=_order)
    owner = owners.get(first.file)
    if kind == "image" and owner is not None and owner.image:
        # The page names its image twice (og:image, absolute; <img>, as written): report
        # the one the article's image: field wrote, which has its line.
        lead = [ref for ref in found if ref.file == first.file and ref.url == owner.image]
        first = lead[0] if lead else first
    shown_target = f"{site.shown}/{target}"
    if kind == "outside":
        message = (f"{first.what} points outside the site's base path {site.base_path} "
                   "(on GitHub project pages that is another site); start internal links "
                   f"with {site.base_path}")
    elif kind == "anchor":
        page, _, fragment = shown_target.partition("#")
        message = f"{first.what}: no element with id=\"{fragment}\" in {page}"
    elif kind == "image":
        message = f"missing image: {first.what}: no {shown_target}"
    else:
        message = f"broken link: {first.what}: no {shown_target}"
    if owner is not None:
        if kind == "image" and owner.image and owner.image == first.url:
            line = f":{owner.image_line}" if owner.image_line else ""
            message += f" (the image: of {owner.source_path}{line})"
        else:
            message += f" (from {owner.source_path})"
    others = len({ref.file for ref in found} - {first.file})
    if others:
        message += f"; also in {others} other file{'s' * (others != 1)}"
    return Problem(kind, f"{site.shown}/{first.file}", first.line, message,
                   "warning" if kind == "outside" else "error")
