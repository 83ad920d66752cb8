"""config.yaml -> Config: types, defaults, normalization, and errors that name key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest import config
from digest.errors import ConfigError

MINIMAL = 'title: "T"\nbase_url: https://example.org/news/\n'


def load_text(tmp_path: Path, text: str) -> config.Config:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return config.load(path)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    # Shown relative to the folder, as the CLI shows it when run in the site's folder.
    return str(caught.value).replace(str(tmp_path / "config.yaml"), "config.yaml")


def test_minimal_config_gets_the_documented_defaults(tmp_path: Path) -> None:
    cfg = load_text(tmp_path, MINIMAL)
    assert cfg.title == "T"
    assert cfg.base_url == "https://example.org/news/"
    assert (cfg.language, cfg.timezone, cfg.per_page) == ("en", "UTC", 10)
    assert cfg.permalink == "/{year}/{month}/{day}/{slug}/"
    assert cfg.feeds == config.FeedConfig(items=20, per_tag=True, full_content=True)
    assert cfg.cname is None
    assert cfg.root == tmp_path.resolve()
    assert cfg.folder("content_dir") == (tmp_path / "content").resolve()
    assert cfg.folder("output_dir") == (tmp_path / "output").resolve()


def test_every_field_can_be_set(tmp_path: Path) -> None:
    cfg = load_text(tmp_path, MINIMAL + (
        "description: One line\nlanguage: pt-BR\ntimezone: Europe/Kyiv\nauthor: Desk\n"
        "permalink: /{year}/{slug}/\nper_page: 3\ncname: news.example.org\n"
        "feeds:\n  items: 5\n  per_tag: false\n  full_content: false\n"
        "content_dir: articles\nlayouts_dir: theme\nstatic_dir: files\noutput_dir: public\n"))
    assert cfg.tz.key == "Europe/Kyiv"
    assert (cfg.language, cfg.per_page, cfg.cname) == ("pt-BR", 3, "news.example.org")
    assert cfg.feeds == config.FeedConfig(items=5, per_tag=False, full_content=False)
    assert cfg.folder("layouts_dir") == (tmp_path / "theme").resolve()


@pytest.mark.parametrize(("given", "normalized", "base_path"), [
    ("https://example.org", "https://example.org/", "/"),
    ("https://example.org/", "https://example.org/", "/"),
    ("https://user.github.io/repo", "https://user.github.io/repo/", "/repo/"),
    ("  https://user.github.io/repo/  ", "https://user.github.io/repo/", "/repo/"),
    ("HTTPS://Example.ORG:8443/a/b", "https://example.org:8443/a/b/", "/a/b/"),
    ("http://127.0.0.1:8000/some-repo/", "http://127.0.0.1:8000/some-repo/", "/some-repo/"),
    # Percent-encoded once, so URLs built on it are not encoded twice.
    ("https://example.org/новини/", "https://example.org/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8/",
     "/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8/"),
    ("https://example.org/my repo", "https://example.org/my%20repo/", "/my%20repo/"),
    ("https://example.org/a%20b/", "https://example.org/a%20b/", "/a%20b/"),
])
def test_base_url_is_normalized(tmp_path: Path, given: str, normalized: str,
                                base_path: str) -> None:
    cfg = load_text(tmp_path, f'title: T\nbase_url: "{given}"\n')
    assert cfg.base_url == normalized
    assert cfg.base_path == base_path
    assert cfg.host == normalized.split("/")[2].split(":")[0]


def test_with_base_url_overrides_and_validates(tmp_path: Path) -> None:
    cfg = load_text(tmp_path, MINIMAL)
    assert cfg.with_base_url("https://o.example/x").base_url == "https://o.example/x/"
    with pytest.raises(ConfigError, match="base_url: 'ftp://x/' is not an absolute http"):
        cfg.with_base_url("ftp://x/")


# Each case: the config text, and the exact error (path:line: key: message).
ERRORS = {
    "unknown key with a hint": (
        MINIMAL + "titel: x\n",
        "config.yaml:3: titel: unknown key; did you mean 'title'?"),
    "unknown key without a close match": (
        MINIMAL + "zzzzqq: 1\n",
        "config.yaml:3: zzzzqq: unknown key; known keys: " + ", ".join(sorted(
            key for key, _, _ in config.reference() if "." not in key))),
    "unknown feeds key": (
        MINIMAL + "feeds:\n  item: 3\n",
        "config.yaml:4: feeds.item: unknown key; did you mean 'items'?"),
    "feeds not a mapping": (
        MINIMAL + "feeds: 20\n",
        "config.yaml:3: feeds: must be a mapping of feed settings"),
    "yes is a YAML 1.1 boolean": (
        MINIMAL + "feeds:\n  per_tag: yes\n",
        "config.yaml:4: feeds.per_tag: 'yes' is read as a boolean by YAML; write true or false"),
    "unknown feed format": (
        MINIMAL + "feeds:\n  formats: [rss, xml]\n",
        "config.yaml:3: feeds: formats: 'xml' is not a feed format; use rss, atom or json"),
    "feeds without RSS": (
        MINIMAL + "feeds:\n  formats: [json]\n",
        "config.yaml:3: feeds: formats: must include rss, the feed every page links to and "
        "readers follow; add atom or json beside it"),
    "bool not text": (
        MINIMAL + "feeds:\n  full_content: 1\n",
        "config.yaml:4: feeds.full_content: must be true or false"),
    "missing title": (
        "base_url: https://example.org/\n",
        "config.yaml: title: is required"),
    "missing base_url": (
        "title: T\n",
        "config.yaml: base_url: is required"),
    "empty file": (
        "",
        "config.yaml: title: is required"),
    "empty title": (
        'title: " "\nbase_url: https://example.org/\n',
        "config.yaml:1: title: must not be empty"),
    "title read as a number": (
        "title: 2024\nbase_url: https://example.org/\n",
        'config.yaml:1: title: must be text; quote it: title: "2024"'),
    "null for a text field": (
        MINIMAL + "description:\n",
        "config.yaml:3: description: has no value; write one, or remove the line to use the "
        "default"),
    "relative base_url": (
        "title: T\nbase_url: /news/\n",
        "config.yaml:2: base_url: '/news/' is not an absolute http(s) URL; write it like "
        "https://user.github.io/repo/"),
    "base_url with a query": (
        "title: T\nbase_url: https://example.org/?a=1\n",
        "config.yaml:2: base_url: must not have a query or fragment"),
    "base_url with a password": (
        "title: T\nbase_url: https://u:p@example.org/\n",
        "config.yaml:2: base_url: must not hold a user name or password"),
    "unknown timezone": (
        MINIMAL + "timezone: Europe/Kiev2\n",
        "config.yaml:3: timezone: unknown time zone 'Europe/Kiev2'; use an IANA name like "
        "Europe/Kyiv or UTC"),
    "timezone not text": (
        MINIMAL + "timezone: 5\n",
        'config.yaml:3: timezone: must be text; quote it: timezone: "5"'),
    "bad language": (
        MINIMAL + "language: english!\n",
        "config.yaml:3: language: 'english!' is not a language tag like en or pt-BR"),
    "per_page zero": (
        MINIMAL + "per_page: 0\n",
        "config.yaml:3: per_page: must be 1 or more"),
    "per_page text": (
        MINIMAL + 'per_page: "10"\n',
        "config.yaml:3: per_page: must be a whole number"),
    "per_page octal": (
        MINIMAL + "per_page: 010\n",
        "config.yaml:3: per_page: '010' is read as the number 8 by YAML; write 8, or quote "
        "it: \"010\""),
    "per_page base 60": (
        MINIMAL + "per_page: 1:30\n",
        "config.yaml:3: per_page: '1:30' is read as a base-60 number by YAML; quote it: "
        "\"1:30\""),
    "bad cname": (
        MINIMAL + 'cname: "not a domain"\n',
        "config.yaml:3: cname: 'not a domain' is not a domain name like news.example.org"),
    "permalink without slashes": (
        MINIMAL + 'permalink: "{slug}"\n',
        "config.yaml:3: permalink: must start and end with '/', like "
        "/{year}/{month}/{day}/{slug}/"),
    "permalink with an unknown field": (
        MINIMAL + "permalink: /{year}/{title}/\n",
        "config.yaml:3: permalink: may use only {year} {month} {day} {slug}, and must use "
        "{slug}"),
    "permalink without slug": (
        MINIMAL + "permalink: /{year}/{month}/\n",
        "config.yaml:3: permalink: may use only {year} {month} {day} {slug}, and must use "
        "{slug}"),
    "permalink with a format spec": (
        MINIMAL + "permalink: /{slug!r}/\n",
        "config.yaml:3: permalink: may use only {year} {month} {day} {slug}, and must use "
        "{slug}"),
    "permalink with an empty field": (
        MINIMAL + "permalink: /{}/{slug}/\n",
        "config.yaml:3: permalink: may use only {year} {month} {day} {slug}, and must use "
        "{slug}"),
    "permalink with an unclosed brace": (
        MINIMAL + 'permalink: "/{slug/"\n',
        "config.yaml:3: permalink: has an unmatched '{' or '}'; write fields like {slug}"),
    "permalink with an empty segment": (
        MINIMAL + "permalink: /{year}//{slug}/\n",
        "config.yaml:3: permalink: must not have empty, '.' or '..' segments, like "
        "/{year}//{slug}/"),
    "permalink with dot-dot": (
        MINIMAL + "permalink: /../{slug}/\n",
        "config.yaml:3: permalink: must not have empty, '.' or '..' segments, like "
        "/{year}//{slug}/"),
    "permalink with a query": (
        MINIMAL + "permalink: /{slug}/?x/\n",
        "config.yaml:3: permalink: must not contain spaces or any of \\ ? # %"),
    "invalid YAML": (
        "title: T\nbase_url: [https://example.org\n",
        "config.yaml:2: config: invalid YAML: while parsing a flow sequence, did not find "
        "expected ',' or ']'"),
    "aliases": (
        "title: &t T\nbase_url: https://example.org/\ndescription: *t\n",
        "config.yaml:3: config: YAML aliases (*name) are not allowed here; write the value out"),
    "not a mapping": (
        "- a\n- b\n",
        "config.yaml:1: config: expected `key: value` lines"),
    "key set twice": (
        MINIMAL + 'title: "U"\n',
        "config.yaml:3: title: is set twice, on line 1 and again here; keep one"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_config_errors_name_key_and_line(tmp_path: Path, case: str) -> None:
    text, expected = ERRORS[case]
    assert error_of(tmp_path, text) == expected


def test_error_attributes_locate_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, MINIMAL + "\n\nper_page: -3\n")
    assert (caught.value.key, caught.value.line) == ("per_page", 5)


def test_missing_file_explains_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found; run digest in the site's folder"):
        config.load(tmp_path / "config.yaml")


def test_reference_documents_every_field() -> None:
    rows = {key: (default, doc) for key, default, doc in config.reference()}
    assert rows["title"][0] == "required"
    assert rows["base_url"][0] == "required"
    assert rows["per_page"][0] == "10"
    assert rows["feeds.items"][0] == "20"
    assert all(doc for _, doc in rows.values())
