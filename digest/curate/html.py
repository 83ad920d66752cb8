"""Web pages (a saved HTML file or a fetched URL) -> a Draft, with trafilatura.

trafilatura is optional (`pip install 'digest[html]'`, which brings lxml_html_clean too,
needed by its dependency justext beside lxml 6); without it, a clear message says so.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from digest.curate.convert import html_to_markdown
from digest.curate.dates import parse_when
from digest.curate.items import CurateError, Draft, add_tags
from digest.text import plain_text, truncate
from digest.urls import clean_url

INSTALL_HINT = ("reading web pages needs the html extra: pip install 'digest[html]' "
                "(trafilatura and lxml_html_clean)")
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
MIN_WORDS = 10  # less main text than this is a menu or a stub, not an article


def _trafilatura() -> Any:
    try:
        import trafilatura
    except ImportError as error:  # also: lxml.html.clean missing beside lxml 6
        raise CurateError(f"{INSTALL_HINT} ({error})") from None
    return trafilatura


def page_draft(data: bytes, *, url: str | None, tz: tzinfo, now: datetime,
               date: datetime | None = None) -> Draft:
    """The article in a web page: title, date, author, canonical URL and main text."""
    trafilatura = _trafilatura()
    tree = trafilatura.load_html(data)
    if tree is None:
        raise CurateError("cannot read the page as HTML")
    metadata = trafilatura.extract_metadata(
        tree, default_url=url,
        date_config={"extensive_search": True, "original_date": True,
                     "outputformat": DATE_FORMAT})
    main = trafilatura.extract(trafilatura.load_html(data), url=url, output_format="html",
                               include_links=True, include_formatting=True,
                               include_images=True, include_tables=True,
                               include_comments=False, favor_precision=True)
    title = (metadata.title if metadata else "") or ""
    if not title.strip():
        raise CurateError("no title found in the page")
    if not main:
        raise CurateError("no article text found in the page")
    canonical = metadata.url if metadata.url and metadata.url.startswith("http") else None
    base = canonical or url
    found = parse_when(metadata.date, tz) if metadata.date else None
    draft = Draft(title=title.strip(), date=found or date or now)
    if found is None and date is None:
        draft.notes.append("no date found in the page: dated now (use --date)")
    draft.body = _without_title(html_to_markdown(main, base_url=base), draft.title)
    words = len(plain_text(main).split())
    if not draft.body or words < MIN_WORDS:
        raise CurateError(f"no article text found in the page (only {words} word"
                          f"{'s' * (words != 1)} outside menus and footers)")
    draft.source_url = clean_url(canonical or url) if (canonical or url) else None
    if url and draft.source_url and url != draft.source_url:
        draft.also_urls.append(url)
    draft.source_name = metadata.sitename or metadata.hostname or None
    if metadata.author:
        draft.authors = [name.strip() for name in metadata.author.split(";") if name.strip()]
    if metadata.description:
        draft.summary = truncate(" ".join(metadata.description.split()), 1000)
    draft.tags = add_tags([], list(metadata.tags or []))
    if metadata.image and metadata.image.startswith(("http://", "https://")):
        draft.image = metadata.image
    return draft


def _without_title(markdown: str, title: str) -> str:
    """The body without a first heading that repeats the title."""
    first, _, rest = markdown.partition("\n\n")
    if first.lstrip("#").strip().replace("\\", "") == title.strip():
        return rest.strip()
    return markdown
