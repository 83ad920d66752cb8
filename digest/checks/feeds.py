"""Feeds of the built site: every *.xml well-formed; RSS, Atom and JSON Feed complete.

Complete means: a self link giving the feed's own address, unique item ids, and
dates with a time-zone offset. The links the feeds (and the sitemap) hold are
returned as Refs for the link check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_tz
from xml.parsers import expat

from digest.checks import Problem
from digest.checks.links import Ref, Site

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1"
_RFC822_ZONE = re.compile(r"\s(?:[+-]\d{4}|UT|GMT|[ECMP][SD]T|[A-IK-Z])$")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
                      re.IGNORECASE)


@dataclass
class Node:
    """An XML element with the line it starts on; tags are '{namespace}name'."""

    tag: str
    attrs: dict[str, str]
    line: int
    text: str = ""
    children: list[Node] = field(default_factory=list)

    def find(self, tag: str) -> Node | None:
        return next((child for child in self.children if child.tag == tag), None)

    def find_all(self, tag: str) -> list[Node]:
        return [child for child in self.children if child.tag == tag]

    def iter(self, tag: str) -> list[Node]:
        found = [self] if self.tag == tag else []
        for child in self.children:
            found += child.iter(tag)
        return found


class XmlError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def parse_xml(data: bytes) -> Node:
    """Parse with expat, keeping line numbers; entity declarations are refused."""
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[Node] = []
    roots: list[Node] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        node = Node(_clark(name), {_clark(k): v for k, v in attrs.items()},
                    parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    def entity(*args: object) -> None:
        raise XmlError(parser.CurrentLineNumber, "declares an entity; feeds must not")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise XmlError(error.lineno, f"not well-formed XML: {expat.ErrorString(error.code)} "
                       f"(line {error.lineno}, column {error.offset + 1})") from None
    return roots[0]


def _clark(name: str) -> str:
    namespace, _, local = name.rpartition(" ")
    return f"{{{namespace}}}{local}" if namespace else local


def _text(node: Node | None) -> str:
    return node.text.strip() if node is not None else ""


class _Feed:
    """Problems and links of one feed file."""

    def __init__(self, site: Site, rel: str) -> None:
        self.site, self.rel = site, rel
        self.shown = f"{site.shown}/{rel}"
        self.url = site.url_of(rel)
        self.problems: list[Problem] = []
        self.refs: list[Ref] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem("feed", self.shown, line, message))

    def link(self, line: int | None, url: str, what: str) -> None:
        if url:
            self.refs.append(Ref(self.rel, line, url, what))

    def self_link(self, line: int | None, href: str | None) -> None:
        if not href:
            self.problem(line, "has no self link (the feed's own address); feed readers "
                         "need it to follow a moved feed")
        elif href != self.url:
            self.problem(line, f"self link {href} is not the feed's address {self.url}")

    def unique(self, seen: dict[str, int | None], item_id: str, line: int | None,
               what: str) -> None:
        if not item_id:
            self.problem(line, f"an item has no {what}")
        elif item_id in seen:
            shown = f" (line {seen[item_id]})" if seen[item_id] else ""
            self.problem(line, f"{what} {item_id!r} is used twice; first{shown}")
        else:
            seen[item_id] = line

    def rfc822(self, node: Node | None, what: str, *, required: bool) -> None:
        if node is None:
            if required:
                self.problem(None, f"has no {what}")
            return
        parsed = parsedate_tz(_text(node))
        if parsed is None:
            self.problem(node.line, f"{what} {_text(node)!r} is not an RFC 822 date")
        elif not _RFC822_ZONE.search(_text(node)):
            self.problem(node.line, f"{what} {_text(node)!r} has no time-zone offset")

    def rfc3339(self, value: str | None, line: int | None, what: str, *,
                required: bool) -> None:
        if not value:
            if required:
                self.problem(line, f"has no {what}")
            return
        valid = _RFC3339.fullmatch(value.strip()) is not None
        if valid:
            try:
                datetime.fromisoformat(value.strip().upper().replace("Z", "+00:00"))
            except ValueError:
                valid = False
        if not valid:
            self.problem(line, f"{what} {value!r} is not an RFC 3339 date with a time-zone "
                         "offset, like 2024-03-26T10:00:00+02:00")

    def rss(self, root: Node) -> None:
        channel = root.find("channel")
        if channel is None:
            self.problem(root.line, "RSS feed without a <channel>")
            return
        for name in ("title", "link", "description"):
            if not _text(channel.find(name)):
                self.problem(channel.line, f"<channel> has no <{name}>")
        self.link(channel.find("link").line if channel.find("link") else None,
                  _text(channel.find("link")), "<channel><link>")
        selfs = [n for n in channel.find_all(f"{{{ATOM}}}link") if n.attrs.get("rel") == "self"]
        self.self_link(selfs[0].line if selfs else channel.line,
                       selfs[0].attrs.get("href") if selfs else None)
        for name in ("pubDate", "lastBuildDate"):
            self.rfc822(channel.find(name), f"<channel><{name}>", required=False)
        seen: dict[str, int | None] = {}
        for item in channel.find_all("item"):
            if not (_text(item.find("title")) or _text(item.find("description"))):
                self.problem(item.line, "an <item> has neither <title> nor <description>")
            guid = item.find("guid")
            link = item.find("link")
            self.unique(seen, _text(guid) or _text(link), item.line, "<guid>")
            if link is not None:
                self.link(link.line, _text(link), "<item><link>")
            self.rfc822(item.find("pubDate"), f"<pubDate> of the <item> on line {item.line}",
                        required=True)

    def atom(self, root: Node) -> None:
        for name in ("id", "title", "updated"):
            if not _text(root.find(f"{{{ATOM}}}{name}")):
                self.problem(root.line, f"<feed> has no <{name}>")
        updated = root.find(f"{{{ATOM}}}updated")
        if updated is not None:
            self.rfc3339(_text(updated), updated.line, "<updated>", required=True)
        links = root.find_all(f"{{{ATOM}}}link")
        selfs = [n for n in links if n.attrs.get("rel") == "self"]
        self.self_link(selfs[0].line if selfs else root.line,
                       selfs[0].attrs.get("href") if selfs else None)
        for node in links:
            if node.attrs.get("rel", "alternate") == "alternate":
                self.link(node.line, node.attrs.get("href", ""), '<link rel="alternate">')
        seen: dict[str, int | None] = {}
        for entry in root.find_all(f"{{{ATOM}}}entry"):
            entry_id = entry.find(f"{{{ATOM}}}id")
            self.unique(seen, _text(entry_id), entry.line, "<id>")
            if not _text(entry.find(f"{{{ATOM}}}title")):
                self.problem(entry.line, "an <entry> has no <title>")
            for name, required in (("updated", True), ("published", False)):
                node = entry.find(f"{{{ATOM}}}{name}")
                self.rfc3339(_text(node) if node else None, node.line if node else entry.line,
                             f"<{name}> of the <entry> on line {entry.line}", required=required)
            for node in entry.find_all(f"{{{ATOM}}}link"):
                if node.attrs.get("rel", "alternate") == "alternate":
                    self.link(node.line, node.attrs.get("href", ""), "<entry><link>")

    def json_feed(self, data: bytes) -> None:
        try:
            feed = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError:
            self.problem(None, "is not UTF-8")
            return
        except json.JSONDecodeError as error:
            self.problem(error.lineno, f"not valid JSON: {error.msg} (line {error.lineno}, "
                         f"column {error.colno})")
            return
        if not isinstance(feed, dict):
            self.problem(None, "a JSON Feed must be an object")
            return
        if not str(feed.get("version", "")).startswith(JSON_FEED_VERSION):
            self.problem(None, f"version must be {JSON_FEED_VERSION}.1")
        if not isinstance(feed.get("title"), str) or not feed["title"]:
            self.problem(None, "has no title")
        self.self_link(None, feed.get("feed_url") if isinstance(feed.get("feed_url"), str)
                       else None)
        if isinstance(feed.get("home_page_url"), str):
            self.link(None, feed["home_page_url"], "home_page_url")
        items = feed.get("items")
        if not isinstance(items, list):
            self.problem(None, "has no items list")
            return
        seen: dict[str, int | None] = {}
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                self.problem(None, f"item {number} is not an object")
                continue
            item_id = item.get("id")
            self.unique(seen, item_id if isinstance(item_id, str) else "", None, "id")
            if not any(isinstance(item.get(k), str) for k in ("content_html", "content_text")):
                self.problem(None, f"item {item_id or number} has neither content_html nor "
                             "content_text")
            for name, required in (("date_published", False), ("date_modified", False)):
                value = item.get(name)
                self.rfc3339(value if isinstance(value, str) else None, None,
                             f"{name} of item {item_id or number}", required=required)
            if isinstance(item.get("url"), str):
                self.link(None, item["url"], f"url of item {item_id or number}")


def check(site: Site) -> tuple[list[Problem], list[Ref], int]:
    """Problems of every XML file and JSON Feed, the links they hold, and the feed count."""
    problems: list[Problem] = []
    refs: list[Ref] = []
    feeds = 0
    for rel in sorted(site.files):
        name = rel.rsplit("/", 1)[-1]
        is_json_feed = name == "feed.json"
        if not (rel.endswith(".xml") or is_json_feed):
            continue
        data = (site.root / rel).read_bytes()
        feed = _Feed(site, rel)
        if is_json_feed:
            feeds += 1
            feed.json_feed(data)
        else:
            try:
                root = parse_xml(data)
            except XmlError as error:
                problems.append(Problem("xml", feed.shown, error.line, error.message))
                continue
            if root.tag == "rss":
                feeds += 1
                feed.rss(root)
            elif root.tag == f"{{{ATOM}}}feed":
                feeds += 1
                feed.atom(root)
            elif root.tag == f"{{{SITEMAP}}}urlset":
                for loc in root.iter(f"{{{SITEMAP}}}loc"):
                    feed.link(loc.line, _text(loc), "sitemap <loc>")
        problems += feed.problems
        refs += feed.refs
    return problems, refs, feeds
