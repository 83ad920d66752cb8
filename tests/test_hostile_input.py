"""Hostile and broken input: each case ends in one clear error naming file and line, or in a
documented safe result. Nothing in an article can run code or script in pages or feeds."""

from __future__ import annotations

import html.parser
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sitekit import article, run_digest, write_site

STORY = "content/2024/03/story.md"
FRONT = b"---\ntitle: x\ndate: 2024-03-26\n"

# case -> (file bytes, the exact problem line printed under "1 problem in the content:")
ERRORS: dict[str, tuple[bytes, str]] = {
    "python object tag": (
        FRONT + b'extra: !!python/object/apply:os.system ["touch pwned"]\n---\nbody\n',
        f"{STORY}:4: extra: the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is "
        "not allowed; front matter holds plain values only"),
    "alias bomb": (
        FRONT + b"extra: {a: &a [x, x], b: &b [*a, *a], c: [*b, *b]}\n---\nbody\n",
        f"{STORY}:4: YAML aliases (*name) are not allowed here; write the value out"),
    "front matter over the limit": (
        FRONT + b'summary: "' + b"a" * 70_000 + b'"\n---\nbody\n',
        f"{STORY}:1: the front matter is 70,038 characters; the limit is 64,000"),
    "title read as a number": (
        b"---\ntitle: 2024\ndate: 2024-03-26\n---\nbody\n",
        f"{STORY}:2: title: must be text, but YAML read '2024' as int; quote it: "
        'title: "2024"'),
    "draft: no": (
        FRONT + b"draft: no\n---\nbody\n",
        f"{STORY}:4: draft: 'no' is read as a boolean by YAML; write true or false"),
    "time read as base 60": (
        FRONT + b"time: 12:30\n---\nbody\n",
        f"{STORY}:4: time: '12:30' is read as a base-60 number by YAML; quote it: \"12:30\""),
    "no front matter": (
        b"# Just Markdown\n\nbody\n",
        f"{STORY}:1: no front matter: an article must begin with a line '---', then title: and "
        "date: lines, then a line '---'"),
    "unterminated front matter": (
        b"---\ntitle: x\ndate: 2024-03-26\nbody\n",
        f"{STORY}:1: the front matter that starts on line 1 is never closed: add a line '---' "
        "after its last field"),
    "non-UTF-8 bytes": (
        b"---\ntitle: caf\xe9\ndate: 2024-03-26\n---\nbody\n",
        f"{STORY}:2: not valid UTF-8 at byte 14 (b'\\xe9'); save the file as UTF-8 (or import "
        "it with digest import, which detects encodings)"),
    "empty file": (
        b"",
        f"{STORY}: the file is empty; an article begins with front matter: a line '---', then "
        "title: and date: lines, then a line '---'"),
    "impossible date": (
        b"---\ntitle: x\ndate: 2024-02-30\n---\nbody\n",
        f"{STORY}:3: date: '2024-02-30' cannot be read: day is out of range for month; write it "
        "as 2024-03-26, 2024-03-26 21:57 or 2024-03-26T21:57:13+02:00"),
    "slug escaping with ../": (
        FRONT + b"slug: ../../etc/passwd\n---\nbody\n",
        f"{STORY}:4: slug: '../../etc/passwd' is not a slug: use letters, digits and '-' only; "
        "did you mean 'etcpasswd'?"),
    "percent-encoded slug": (
        FRONT + b'slug: "%2e%2e"\n---\nbody\n',
        f"{STORY}:4: slug: '%2e%2e' is not a slug: use letters, digits and '-' only; did you "
        "mean '2e2e'?"),
    "absolute slug": (
        FRONT + b'slug: "/etc/passwd"\n---\nbody\n',
        f"{STORY}:4: slug: '/etc/passwd' is not a slug: use letters, digits and '-' only; did "
        "you mean 'etcpasswd'?"),
    "backslash slug": (
        FRONT + b'slug: "a\\\\b"\n---\nbody\n',
        f"{STORY}:4: slug: 'a\\\\b' is not a slug: use letters, digits and '-' only; did you "
        "mean 'ab'?"),
    "reserved name": (
        FRONT + b"slug: con\n---\nbody\n",
        f"{STORY}:4: slug: 'con' is a reserved file name on Windows; choose another slug"),
    "trailing dot": (
        FRONT + b'slug: "abc."\n---\nbody\n',
        f"{STORY}:4: slug: 'abc.' is not a slug: use letters, digits and '-' only; did you "
        "mean 'abc'?"),
    "javascript: source URL": (
        FRONT + b'source: {name: x, url: "javascript:alert(1)"}\n---\nbody\n',
        f"{STORY}:4: source: 'javascript:alert(1)' is not an http(s) URL; write it like "
        "https://example.org/story"),
    "data: source URL": (
        FRONT + b'source: {name: x, url: "data:text/html,<script>alert(1)</script>"}\n---\n',
        f"{STORY}:4: source: 'data:text/html,<script>alert(1)</script>' is not an http(s) URL; "
        "write it like https://example.org/story"),
    "100,000 brackets": (
        FRONT + b"---\n" + b"[" * 100_000 + b"\n",
        f"{STORY}:5: body: the paragraph on body line 1 has 100,000 '[' characters; the limit "
        "is 1,000 a paragraph: split it, or write them as &#91;"),
    "50,000 nested tags": (
        FRONT + b"---\n" + b"<div>" * 50_000 + b"\n",
        f"{STORY}:5: body: the body nests HTML more than 200 levels deep; flatten it"),
    "a 50 MB article": (
        FRONT + b"---\n" + b"word " * 10_000_000,
        f"{STORY}: the file is 50,000,034 bytes; articles are limited to 2,000,000 bytes: split "
        "it or trim it"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_broken_or_hostile_file_gives_one_clear_error(tmp_path: Path, case: str) -> None:
    data, expected = ERRORS[case]
    root = tmp_path / "site"
    write_site(root, {STORY: data})
    started = time.monotonic()
    result = run_digest("build", cwd=root)
    assert time.monotonic() - started < 30
    assert result.returncode == 1
    assert result.stderr == f"error: 1 problem in the content:\n  {expected}\n"
    assert not (root / "output").exists()
    assert not (root / "pwned").exists()


def test_bom_and_crlf_are_read_like_plain_utf8(tmp_path: Path) -> None:
    root = tmp_path / "site"
    text = article(title="Ça va", body="One.\n\nTwo.\n").replace("\n", "\r\n")
    write_site(root, {STORY: b"\xef\xbb\xbf" + text.encode()})
    assert run_digest("build", "-q", cwd=root).returncode == 0
    page = (root / "output/2024/03/26/story/index.html").read_text()
    assert "<h1>Ça va</h1>" in page and "\r" not in page


def test_date_only_naive_and_future_dates(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {
        "content/a.md": article(title="Date only", date="2024-03-26"),
        "content/b.md": article(title="Naive", date="2024-03-26 23:30:00"),
        "content/c.md": article(title="Later", date="2099-01-01T00:00:00Z"),
    })
    result = run_digest("build", cwd=root)
    assert result.returncode == 0
    assert "1 scheduled for later (dated in the future)" in result.stdout
    day = (root / "output/2024/03/26/index.html").read_text()
    assert 'datetime="2024-03-26T00:00:00+02:00"' in day  # Europe/Kyiv, 00:00 there
    assert 'datetime="2024-03-26T23:30:00+02:00"' in day
    assert not (root / "output/2099").exists()
    later = run_digest("build", "-q", "-o", "preview", cwd=root,
                       env={"SOURCE_DATE_EPOCH": "4102444800"})  # 2100-01-01
    assert later.returncode == 0 and (root / "preview/2099/01/01/c/index.html").exists()


HTML_ELEMENTS = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}
XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>'


class _ActiveContent(html.parser.HTMLParser):
    """Collects what would run in a browser: scripts, on* handlers, script URLs, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.data_only = False  # inside a JSON-LD block: data, never run

    def handle_data(self, data: str) -> None:
        if self.data_only and "<" in data:
            self.found.append("markup inside JSON-LD")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.data_only = tag == "script" and ("type", "application/ld+json") in attrs
        if tag in ("script", "iframe", "object", "embed", "style") and not self.data_only:
            self.found.append(tag)
        for name, value in attrs:
            lowered = (value or "").strip().lower()
            if name.startswith("on") or name in ("srcdoc", "style"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and lowered.startswith(("javascript:",
                                                                           "data:")):
                self.found.append(f"{tag}[{name}={lowered[:20]}]")


def _active(markup: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(markup)
    return parser.found


def test_markup_in_every_field_never_becomes_active_in_pages_or_feeds(tmp_path: Path) -> None:
    root = tmp_path / "site"
    body = (f"Body {XSS}\n\n<svg onload=alert(3)></svg> <iframe srcdoc='<script>alert(4)"
            "</script>'></iframe> <a href='javascript:alert(5)'>j</a> "
            "<a href='data:text/html,x'>d</a> <p style='x' onclick='y'><b>unclosed\n")
    write_site(root, {STORY: article(
        title=f"T {XSS}", summary=f"S {XSS}", tags=[f"t {XSS}"], dateline=f"D {XSS}",
        source={"name": f"N {XSS}", "url": "https://example.org/?q=<script>"}, body=body)})
    assert run_digest("build", "-q", cwd=root).returncode == 0
    pages = sorted((root / "output").rglob("*.html"))
    feeds = sorted((root / "output").rglob("*.xml"))
    assert len(pages) > 5 and len(feeds) > 2
    for page in pages:
        assert _active(page.read_text()) == [], page
    for feed in feeds:
        tree = ET.parse(feed)
        for element in tree.iter():
            assert not any(name.startswith("on") for name in element.attrib)
            # RSS descriptions, content:encoded and Atom html summaries and content are HTML
            # to feed readers; titles and the rest are text.
            is_html = element.tag in HTML_ELEMENTS or element.get("type") == "html"
            if is_html:
                assert _active(element.text or "") == [], (feed, element.tag)
    article_page = (root / "output/2024/03/26/story/index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article_page  # shown, as text


def test_control_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {STORY: '---\ntitle: "A\\x00B\\x07C\\x0bD"\ndate: 2024-03-26\n---\n'
                             "Body \x00 with \x1b[31m colour \ufffe\n"})
    result = run_digest("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"warning: {STORY}:2: title: removed 3 control character(s)\n"
                             f"warning: {STORY}:5: body: removed 3 control character(s)\n")
    for feed in (root / "output").rglob("*.xml"):
        ET.parse(feed)  # well-formed: nothing XML cannot hold
    assert "<h1>ABCD</h1>" in (root / "output/2024/03/26/story/index.html").read_text()
    strict = run_digest("build", "--strict", "-o", "strict", cwd=root)
    assert strict.returncode == 1 and "--strict" in strict.stderr


def test_emoji_only_and_nfd_titles_and_tags_get_stable_nfc_slugs(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {
        "content/a.md": article(title="🔥🔥", tags=["🔥", "Cafe\u0301"]),
        "content/b.md": article(title="Second", date="2024-03-27", tags=["CAF\u00c9"]),
        "content/🔥.md": article(title="Fire", date="2024-03-28"),
    })
    assert run_digest("build", "-q", cwd=root).returncode == 0
    tags = sorted(os.listdir(root / "output/tags"))
    assert tags == ["café", "index.html", "u1f525"]
    assert (root / "output/2024/03/28/u1f525/index.html").exists()
    tag_page = (root / "output/tags/café/index.html").read_text()
    assert "Cafe\u0301" not in tag_page and "Café" in tag_page  # NFC, first spelling
    assert tag_page.count('class="entry"') == 2


@pytest.mark.parametrize("names", [("Story.md", "story.md"), ("caf\u00e9.md", "cafe\u0301.md")],
                         ids=["case only", "NFC and NFD"])
def test_names_that_differ_only_in_case_or_unicode_form_collide(tmp_path: Path,
                                                                names: tuple[str, str]) -> None:
    root = tmp_path / "site"
    try:
        write_site(root, {f"content/{names[0]}": article(title="One"),
                          f"content/{names[1]}": article(title="Two")})
    except OSError:
        pytest.skip("this file system folds these names into one")
    if len(os.listdir(root / "content")) < 2:
        pytest.skip("this file system folds these names into one")
    result = run_digest("build", cwd=root)
    assert result.returncode == 1
    assert "both want /2024/03/26/" in result.stderr
    assert "give one of them a different slug" in result.stderr


def test_symlinks_out_of_the_content_folder_or_in_a_loop_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "site"
    secret = tmp_path / "secret.md"
    secret.write_text(article(title="Secret"))
    write_site(root, {"content/ok.md": article(title="Fine")})
    (root / "content/leak.md").symlink_to(secret)
    (root / "content/loop.md").symlink_to(root / "content/loop.md")
    (root / "content/folder").symlink_to(tmp_path)
    result = run_digest("build", cwd=root)
    assert result.returncode == 1
    assert result.stderr == (
        "error: 3 problems in the content:\n"
        "  content/folder: is a symbolic link to a folder; content/ must hold the folders "
        "themselves\n"
        "  content/leak.md: is a symbolic link to a file outside content/; copy the file in "
        "instead\n"
        "  content/loop.md: is a broken or looping symbolic link\n")


TEMPLATE_ERRORS = {
    "undefined variable": (
        "article.html",
        '{% extends "default/article.html" %}\n{% block content %}\n{{ nonexistent.thing }}\n'
        "{% endblock %}\n",
        "error: layouts/article.html:3: 'nonexistent' is undefined (while rendering page "
        "/news/2024/03/26/story/ of content/2024/03/story.md)\n"),
    "syntax error": (
        "article.html", "<p>\n{% if %}\n",
        "error: layouts/article.html:2: template syntax error: Expected an expression, got "
        "'end of statement block' (while rendering page /news/2024/03/26/story/ of "
        "content/2024/03/story.md)\n"),
    "missing include": (
        "masthead.html", '<p>x</p>\n{% include "nope.html" %}\n',
        "error: layouts/masthead.html:2: template 'nope.html' not found (while rendering page "
        "/news/2024/03/26/story/ of content/2024/03/story.md)\n"),
}


@pytest.mark.parametrize("case", list(TEMPLATE_ERRORS))
def test_template_errors_name_template_line_and_article(tmp_path: Path, case: str) -> None:
    name, text, expected = TEMPLATE_ERRORS[case]
    root = tmp_path / "site"
    write_site(root, {STORY: article(), f"layouts/{name}": text})
    result = run_digest("build", "--jobs", "1", cwd=root)
    assert result.returncode == 1
    assert result.stderr == expected
