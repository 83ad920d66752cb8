"""The golden site: its build must equal tests/fixtures/golden/expected/, file by file.

When a change to the output is intended, regenerate with `python tests/regenerate_golden.py`
and review the diff of expected/.
"""

from __future__ import annotations

import difflib

import pytest
from regenerate_golden import EXPECTED, build, files

REGENERATE = "python tests/regenerate_golden.py"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return files(build(tmp_path_factory.mktemp("golden")))


@pytest.fixture(scope="module")
def expected() -> dict[str, bytes]:
    assert EXPECTED.is_dir(), f"no expected output; run {REGENERATE}"
    return files(EXPECTED)


def describe(rel: str, want: bytes, got: bytes) -> str:
    try:
        lines = difflib.unified_diff(want.decode().splitlines(), got.decode().splitlines(),
                                     f"expected/{rel}", f"built/{rel}", lineterm="", n=2)
        return "\n".join(list(lines)[:60])
    except UnicodeDecodeError:
        return f"{rel}: binary files differ ({len(want)} vs {len(got)} bytes)"


def test_the_same_files_are_built(built: dict[str, bytes], expected: dict[str, bytes]) -> None:
    missing = sorted(set(expected) - set(built))
    extra = sorted(set(built) - set(expected))
    assert not missing and not extra, (
        f"missing: {missing}\nunexpected: {extra}\n(if intended: {REGENERATE})")


def test_every_file_has_the_expected_bytes(built: dict[str, bytes],
                                           expected: dict[str, bytes]) -> None:
    differing = sorted(rel for rel in set(built) & set(expected) if built[rel] != expected[rel])
    report = "\n\n".join(describe(rel, expected[rel], built[rel]) for rel in differing[:5])
    assert not differing, (f"{len(differing)} file(s) differ: {differing}\n\n{report}\n\n"
                           f"(if intended: {REGENERATE})")


def test_the_golden_site_covers_what_it_is_for(expected: dict[str, bytes]) -> None:
    """Guards the fixture itself: a regenerated expected/ must still exercise these."""
    names = set(expected)
    assert {"index.html", "page/2/index.html", "page/3/index.html", "404.html",
            "tags/index.html", "tags/science/page/2/index.html", "tags/україна/index.html",
            "tags/日本/feed.xml", "archive/index.html", "2024/index.html", "2024/02/index.html",
            "2024/03/index.html", "2024/03/27/index.html", "feed.xml", "atom.xml",
            "sitemap.xml", "robots.txt", ".nojekyll", "static/style.css"} <= names
    # Bucketed in Europe/Kyiv: 23:30 UTC on the 26th is the 27th there.
    assert "2024/03/27/late-night-filing/index.html" in names
    assert not any("2024/03/26" in name for name in names)
    article_pages = "".join(expected[n].decode() for n in names if n.count("/") == 4)
    assert 'class="footnote"' in article_pages and "<table>" in article_pages
    assert 'class="language-python"' in article_pages
    everything = b"".join(expected.values()).decode()
    assert "An idea that is not ready" not in everything  # the draft
    assert "scheduled for 2030" not in everything  # in the future for SOURCE_DATE_EPOCH
    assert 'href="/golden/' in expected["index.html"].decode()  # built for a sub-path

