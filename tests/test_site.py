"""Planning: URLs, pagination, related items, prev/next, archives, feeds and collisions."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digest import __version__, config, jobs, site
from digest.errors import ContentErrors
from digest.models import Article, Tag
from digest.site import Page, SitePlan, plan
from digest.text import slugify
from digest.views import site_view

TZ = "Europe/Kyiv"


def make_config(tmp_path: Path, **overrides: Any) -> config.Config:
    lines = {"title": '"Site"', "base_url": "https://example.org/news/", "timezone": TZ,
             **{k: str(v) for k, v in overrides.items()}}
    path = tmp_path / "config.yaml"
    path.write_text("".join(f"{k}: {v}\n" for k, v in lines.items()), encoding="utf-8")
    return config.load(path)


def make(title: str, when: str, tags: tuple[str, ...] = (), slug: str | None = None,
         path: str | None = None, article_id: str | None = None) -> Article:
    moment = datetime.fromisoformat(when)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(TZ))
    moment = moment.astimezone(ZoneInfo(TZ))
    slug = slug or slugify(title)
    return Article(
        source_path=path or f"content/{slug}.md", title=title, date=moment, slug=slug,
        id=article_id or f"tag:example.org,{moment:%Y-%m-%d}:/news/{slug}",
        body_html=f"<p>{title}</p>", summary=title,
        tags=tuple(Tag(name, slugify(name)) for name in tags),
        lines={"title": 2, "date": 3, **({"tags": 4} if tags else {}),
               **({"id": 5} if article_id else {})})


def plan_of(tmp_path: Path, articles: list[Article], **overrides: Any) -> SitePlan:
    cfg = make_config(tmp_path, **overrides)
    return plan(articles, cfg, site_view(cfg, __version__))


def pages_by_url(result: SitePlan) -> dict[str, Page]:
    by_url = {page.url: page for page in result.pages}
    assert len(by_url) == len(result.pages), "two pages share a URL"
    return by_url


def titles(items: list[Any]) -> list[str]:
    return [item.title for item in items]


def five_articles() -> list[Article]:
    return [make(f"A{n}", f"2024-03-{n:02d}T12:00:00") for n in range(1, 6)]


def test_article_urls_follow_the_permalink_under_the_base_path(tmp_path: Path) -> None:
    result = plan_of(tmp_path, [make("Hello", "2024-03-26T10:00:00")])
    [(_, view)] = result.articles
    assert view.url == "/news/2024/03/26/hello/"
    assert view.abs_url == "https://example.org/news/2024/03/26/hello/"
    assert pages_by_url(result)[view.url].output_path == "2024/03/26/hello/index.html"
    custom = plan_of(tmp_path, [make("Hello", "2024-03-26T10:00:00")],
                     permalink="/{year}/{slug}/")
    assert custom.articles[0][1].url == "/news/2024/hello/"


def test_home_is_newest_first_and_paginated(tmp_path: Path) -> None:
    result = plan_of(tmp_path, five_articles(), per_page=2)
    by_url = pages_by_url(result)
    home = [by_url[u] for u in ("/news/", "/news/page/2/", "/news/page/3/")]
    assert [p.output_path for p in home] == [
        "index.html", "page/2/index.html", "page/3/index.html"]
    assert [titles(p.context["items"]) for p in home] == [["A5", "A4"], ["A3", "A2"], ["A1"]]
    assert [p.context["pagination"] for p in home] == [
        {"number": 1, "count": 3, "previous": None, "next": "/news/page/2/"},
        {"number": 2, "count": 3, "previous": "/news/", "next": "/news/page/3/"},
        {"number": 3, "count": 3, "previous": "/news/page/2/", "next": None},
    ]
    assert home[1].context["page"].title == "Site (page 2)"
    assert home[1].context["page"].canonical == "https://example.org/news/page/2/"
    assert "/news/page/4/" not in by_url


def test_an_empty_site_still_has_a_home_page(tmp_path: Path) -> None:
    result = plan_of(tmp_path, [])
    by_url = pages_by_url(result)
    assert by_url["/news/"].context["items"] == []
    assert {"/news/tags/", "/news/archive/", "/news/404.html"} <= set(by_url)
    assert [(f.kind, f.output_path, f.articles) for f in result.feeds] == [
        ("rss", "feed.xml", ()), ("atom", "atom.xml", ()), ("json", "feed.json", ())]


def test_same_date_articles_are_ordered_by_file(tmp_path: Path) -> None:
    same = "2024-03-26T10:00:00"
    result = plan_of(tmp_path, [make("B", same, path="content/b.md"),
                                make("A", same, path="content/a.md")])
    assert titles([a for a, _ in result.articles]) == ["A", "B"]


def test_previous_and_next_articles(tmp_path: Path) -> None:
    result = plan_of(tmp_path, five_articles()[:3])
    by_url = pages_by_url(result)
    contexts = [by_url[view.url].context for _, view in result.articles]  # newest first
    assert [(c["newer"] and c["newer"].title, c["older"] and c["older"].title)
            for c in contexts] == [(None, "A2"), ("A3", "A1"), ("A2", None)]


def test_related_is_most_shared_tags_then_earlier_coverage_newest_first(tmp_path: Path) -> None:
    articles = [
        make("Me", "2024-03-10T12:00:00", ("a", "b", "c")),
        make("Two old", "2024-03-01T12:00:00", ("a", "b")),
        make("Two new", "2024-03-05T12:00:00", ("b", "c")),
        make("Three", "2024-02-01T12:00:00", ("A", "b", "c", "z")),  # tags match case-insensitively
        make("One newest", "2024-03-20T12:00:00", ("c",)),
        make("One older", "2024-03-15T12:00:00", ("a",)),
        make("One oldest", "2024-01-15T12:00:00", ("b",)),
        make("None", "2024-03-25T12:00:00", ("x",)),
    ]
    result = plan_of(tmp_path, articles)
    by_url = pages_by_url(result)
    related = {a.title: titles(by_url[v.url].context["related"]) for a, v in result.articles}
    # Score 3, then score 2 (earlier, newest first), then score 1: the earlier one before
    # the later ones.
    assert related["Me"] == ["Three", "Two new", "Two old", "One oldest", "One newest"]
    assert related["One oldest"] == ["Me", "Two new", "Two old", "Three"]  # all later
    assert related["None"] == []
    assert "One newest" not in related["One newest"]


def test_related_holds_at_most_five(tmp_path: Path) -> None:
    articles = [make(f"T{n}", f"2024-03-{n:02d}T12:00:00", ("same",)) for n in range(1, 10)]
    result = plan_of(tmp_path, articles)
    by_url = pages_by_url(result)
    newest = result.articles[0][1]
    assert titles(by_url[newest.url].context["related"]) == ["T8", "T7", "T6", "T5", "T4"]
    oldest = result.articles[-1][1]  # nothing earlier: later ones, newest first
    assert titles(by_url[oldest.url].context["related"]) == ["T9", "T8", "T7", "T6", "T5"]


def test_tag_index_and_paginated_tag_pages(tmp_path: Path) -> None:
    articles = [make(f"A{n}", f"2024-03-{n:02d}T12:00:00", ("Climate", "Україна") if n < 4
                     else ("Climate",)) for n in range(1, 6)]
    result = plan_of(tmp_path, articles, per_page=2)
    assert [(t.name, t.url, t.count) for t in result.tags] == [
        ("Climate", "/news/tags/climate/", 5),
        ("Україна", "/news/tags/%D1%83%D0%BA%D1%80%D0%B0%D1%97%D0%BD%D0%B0/", 3)]
    by_url = pages_by_url(result)
    assert by_url["/news/tags/"].output_path == "tags/index.html"
    climate = [by_url[u] for u in ("/news/tags/climate/", "/news/tags/climate/page/2/",
                                   "/news/tags/climate/page/3/")]
    assert [titles(p.context["items"]) for p in climate] == [["A5", "A4"], ["A3", "A2"], ["A1"]]
    assert climate[0].context["tag_feed"] == "/news/tags/climate/feed.xml"
    assert climate[0].context["page"].feeds[0].url == "/news/tags/climate/feed.xml"
    ukraine = by_url["/news/tags/%D1%83%D0%BA%D1%80%D0%B0%D1%97%D0%BD%D0%B0/"]
    assert ukraine.output_path == "tags/україна/index.html"


def test_archives_by_year_month_and_day(tmp_path: Path) -> None:
    articles = [make("Jan", "2023-01-05T12:00:00"), make("Mar a", "2024-03-26T09:00:00"),
                make("Mar b", "2024-03-26T18:00:00"), make("Mar c", "2024-03-02T12:00:00")]
    by_url = pages_by_url(plan_of(tmp_path, articles))
    year = by_url["/news/2024/"].context
    assert [(g.name, g.url, g.count) for g in year["groups"]] == [
        ("March 2024", "/news/2024/03/", 3)]
    month = by_url["/news/2024/03/"].context
    assert [(g.name, g.url, g.count) for g in month["groups"]] == [
        ("26 March 2024", "/news/2024/03/26/", 2), ("2 March 2024", "/news/2024/03/02/", 1)]
    assert titles(month["items"]) == ["Mar b", "Mar a", "Mar c"]
    assert titles(by_url["/news/2024/03/26/"].context["items"]) == ["Mar b", "Mar a"]
    assert by_url["/news/2024/03/26/"].output_path == "2024/03/26/index.html"
    overview = by_url["/news/archive/"].context["years"]
    assert [(y["name"], y["count"]) for y in overview] == [("2024", 3), ("2023", 1)]
    assert "/news/2023/01/05/" in by_url


def test_dates_are_bucketed_in_the_site_timezone(tmp_path: Path) -> None:
    # 23:30 UTC on the 26th is 01:30 on the 27th in Kyiv: URL and archives say the 27th.
    late = make("Late", "2024-03-26T23:30:00+00:00")
    by_url = pages_by_url(plan_of(tmp_path, [late]))
    assert "/news/2024/03/27/late/" in by_url
    assert titles(by_url["/news/2024/03/27/"].context["items"]) == ["Late"]
    assert "/news/2024/03/26/" not in by_url
    # New Year's Eve in UTC is already next year in Kyiv.
    new_year = make("NY", "2024-12-31T22:30:00+00:00")
    by_url = pages_by_url(plan_of(tmp_path, [new_year]))
    assert {"/news/2025/", "/news/2025/01/", "/news/2025/01/01/"} <= set(by_url)


def test_feeds_hold_the_newest_items(tmp_path: Path) -> None:
    articles = [make(f"A{n}", f"2024-03-{n:02d}T12:00:00", ("x",) if n % 2 else ("y",))
                for n in range(1, 6)]
    result = plan_of(tmp_path, articles, feeds="{items: 2}")
    assert [(f.kind, f.output_path, f.url, titles([a for a, _ in f.articles]))
            for f in result.feeds] == [
        ("rss", "feed.xml", "/news/feed.xml", ["A5", "A4"]),
        ("atom", "atom.xml", "/news/atom.xml", ["A5", "A4"]),
        ("json", "feed.json", "/news/feed.json", ["A5", "A4"]),
        ("rss", "tags/x/feed.xml", "/news/tags/x/feed.xml", ["A5", "A3"]),
        ("json", "tags/x/feed.json", "/news/tags/x/feed.json", ["A5", "A3"]),
        ("rss", "tags/y/feed.xml", "/news/tags/y/feed.xml", ["A4", "A2"]),
        ("json", "tags/y/feed.json", "/news/tags/y/feed.json", ["A4", "A2"]),
    ]
    no_tags = plan_of(tmp_path, articles, feeds="{per_tag: false}")
    assert [f.output_path for f in no_tags.feeds] == ["feed.xml", "atom.xml", "feed.json"]
    tag_page = pages_by_url(no_tags)["/news/tags/x/"]
    assert tag_page.context["tag_feed"] is None
    assert [f.url for f in tag_page.context["page"].feeds] == [
        "/news/feed.xml", "/news/atom.xml", "/news/feed.json"]


def test_every_page_links_the_site_feeds(tmp_path: Path) -> None:
    result = plan_of(tmp_path, five_articles())
    for page in result.pages:
        urls = [f.url for f in page.context["page"].feeds]
        assert "/news/feed.xml" in urls and "/news/atom.xml" in urls, page.url


def collision_messages(tmp_path: Path, articles: list[Article], **overrides: Any) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        plan_of(tmp_path, articles, **overrides)
    return [str(error) for error in caught.value.errors]


def test_two_articles_on_one_url_name_both_files(tmp_path: Path) -> None:
    messages = collision_messages(tmp_path, [
        make("Same", "2024-03-26T10:00:00", path="content/a/same.md"),
        make("Same", "2024-03-26T20:00:00", path="content/b/same.md")])
    assert messages == [
        "content/a/same.md:2: slug: content/b/same.md and content/a/same.md both want "
        "/2024/03/26/same/index.html; give one of them a different slug (or file name)"]


def test_an_article_cannot_take_a_page_of_the_site(tmp_path: Path) -> None:
    messages = collision_messages(tmp_path, [make("Tags", "2024-03-26T10:00:00")],
                                  permalink="/{slug}/")
    assert messages == [
        "content/tags.md:2: slug: content/tags.md and the tag index both want "
        "/tags/index.html; give one of them a different slug (or file name)"]
    messages = collision_messages(tmp_path, [make("2024", "2024-03-26T10:00:00", slug="2024")],
                                  permalink="/{slug}/")
    assert messages == [
        "content/2024.md:2: slug: content/2024.md and the archive /2024/ both want "
        "/2024/index.html; give one of them a different slug (or file name)"]


def test_duplicate_feed_ids_are_an_error(tmp_path: Path) -> None:
    messages = collision_messages(tmp_path, [
        make("One", "2024-03-26T10:00:00", article_id="urn:x"),
        make("Two", "2024-03-25T10:00:00", article_id="urn:x")])
    assert messages == [
        "content/two.md:5: id: the feed id 'urn:x' is also used by content/one.md; ids must "
        "be unique (set a different id:)"]


def test_two_tags_with_one_slug_are_an_error_on_the_tags_line(tmp_path: Path) -> None:
    messages = collision_messages(tmp_path, [make("A", "2024-03-20T10:00:00", ("C++",)),
                                             make("B", "2024-03-21T10:00:00", ("C",))])
    assert messages == ["content/a.md:4: tags: the tags 'C' and 'C++' both get the URL "
                        "/tags/c/; rename one of them"]


def test_all_collisions_are_reported_together(tmp_path: Path) -> None:
    messages = collision_messages(tmp_path, [
        make("Same", "2024-03-26T10:00:00", path="content/a.md", article_id="urn:1"),
        make("Same", "2024-03-26T11:00:00", path="content/b.md", article_id="urn:1"),
        make("Other", "2024-03-20T10:00:00", path="content/c.md"),
        make("Other", "2024-03-20T11:00:00", path="content/d.md")])
    assert [m.split(":")[0] for m in messages] == ["content/a.md", "content/c.md"]


def _related_by_brute_force(tag_sets: list[set[str]], index: int) -> list[int]:
    """Every other article sorted by shared tags, then earlier coverage (newest first),
    then later coverage (newest first); at most five, none sharing no tag."""
    def order(j: int) -> tuple[int, int, int]:
        return (-len(tag_sets[index] & tag_sets[j]), 0 if j > index else 1, j)
    others = [j for j in range(len(tag_sets)) if j != index and tag_sets[index] & tag_sets[j]]
    return sorted(others, key=order)[:site.RELATED_COUNT]


@pytest.mark.parametrize("count", [7, 60, 3000])
def test_related_bit_sets_agree_with_sorting_every_article(count: int) -> None:
    """Sparse and dense tags, sites smaller and larger than the search window."""
    rng = random.Random(count)
    names = [f"t{n}" for n in range(40)]
    weights = [1 / (n + 1) for n in range(40)]
    tag_sets = [set(rng.choices(names, weights, k=rng.randint(0, 5))) for _ in range(count)]
    members: dict[str, int] = {}
    for position, tags in enumerate(tag_sets):
        for tag in tags:
            members[tag] = members.get(tag, 0) | 1 << position
    for index in range(0, count, max(1, count // 300)):
        assert site._related(index, sorted(tag_sets[index]), members) == \
            _related_by_brute_force(tag_sets, index), index


def test_an_article_page_is_keyed_by_what_it_shows_without_making_its_data(
        tmp_path: Path) -> None:
    articles = [make("Lone", "2024-03-01T08:00:00"),  # no tags: nothing related
                make("Oldest", "2024-02-01T08:00:00", ("war", "talks")),
                *[make(f"Story {n}", f"2024-03-{n + 2:02d}T08:00:00",
                       ("war", "talks") if n % 2 else ("war",)) for n in range(8)]]
    pages = [page for page in plan_of(tmp_path, articles).pages
             if isinstance(page, site.ArticlePage)]
    assert len(pages) == len(articles)
    for page in pages:
        data = jobs.page_data(page)
        assert data == jobs.key_of(page.context)  # the same text, from the made data
    related = [len(page.context["related"]) for page in pages]
    assert 0 in related and 5 in related
    assert pages[0].context["newer"] is None and pages[-1].context["older"] is None
