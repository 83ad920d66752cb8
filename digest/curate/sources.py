"""One command-line input (a file, a URL, or '-' for standard input) -> its bytes, and
which kind of input it is: raw text, a feed, or a web page."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from digest.curate.fetch import Fetcher
from digest.curate.items import CurateError

FORMATS = ("text", "feed", "html")
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml",
               "application/xml", "text/xml", "application/feed+json"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
# The first element of a document, after an XML declaration, comments and a doctype.
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*",
                     re.IGNORECASE | re.DOTALL)
_ROOT = re.compile(rb"<([A-Za-z][\w:.-]*)")


@dataclass(frozen=True)
class Input:
    name: str  # as given on the command line
    data: bytes
    url: str | None  # where it was fetched from (after redirects)
    content_type: str = ""


def is_url(name: str) -> bool:
    return bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", name))


def read(name: str, fetcher: Fetcher, *, max_bytes: int, stdin: BinaryIO | None = None) -> Input:
    """The bytes of a file, a URL or '-'; CurateError when they cannot be had."""
    if is_url(name):
        fetched = fetcher.get(name)
        return Input(name, fetched.data, fetched.url, fetched.content_type)
    if name == "-":
        stream = stdin or sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise CurateError(f"standard input holds more than {max_bytes:,} bytes")
        return Input(name, data, None)
    path = Path(name)
    try:
        if path.is_dir():
            raise CurateError("is a folder; pass the files in it (e.g. folder/*.txt)")
        size = path.stat().st_size
        if size > max_bytes:
            raise CurateError(f"the file is {size:,} bytes; the limit is {max_bytes:,}")
        return Input(name, path.read_bytes(), None)
    except FileNotFoundError:
        raise CurateError("no such file") from None
    except OSError as error:
        raise CurateError(f"cannot read: {error.strerror or error}") from None


def detect(source: Input) -> str:
    """'feed', 'html' or 'text': from the content, then the media type, then the suffix."""
    head = source.data[:65536]
    prolog = _PROLOG.match(head)
    root = _ROOT.match(head, prolog.end() if prolog else 0)
    if root:
        tag = root.group(1).decode("ascii", "replace").lower()
        if tag in ("rss", "feed", "rdf:rdf") or tag.endswith(":rdf"):
            return "feed"
        if tag in ("html", "head", "body") or b"<!doctype html" in head[:1024].lower():
            return "html"
    if source.content_type in _FEED_TYPES:
        return "feed"
    if source.content_type in _HTML_TYPES:
        return "html"
    suffix = Path(source.name.split("?")[0]).suffix.lower()
    if suffix in _FEED_SUFFIXES:
        return "feed"
    if suffix in _HTML_SUFFIXES:
        return "html"
    return "text"
