"""Raw article text, as pasted from a news site -> a Draft.

    Headline
    2024-03-26 21:57:13            a timestamp (site's time zone unless it has an offset)
    Moscow (agencies)              a dateline, with the source in brackets
    Body paragraphs ...
    Related Articles: ...          site furniture: dropped (FURNITURE, extended by config)
    #Kremlin #peace #talks         hashtags: the tags

Plain articles (headline, blank line, paragraphs) work too; they are dated by --date or now.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, tzinfo

import charset_normalizer

from digest.curate.convert import text_to_markdown
from digest.curate.dates import parse_when
from digest.curate.items import CurateError, Draft, add_tags
from digest.text import clean

_SHARE = (r"(?:share|tweet|print|email|e-mail|mail|facebook|twitter|x|whatsapp|telegram|"
          r"linkedin|reddit|pinterest|copy link|messenger|viber)")
# Lines that are site furniture, not article: matched (case-insensitively) against a whole
# line with its spaces stripped. config.yaml adds to these (curation: furniture: [...]).
FURNITURE = (
    r"related (articles?|stories|posts|news|content|coverage|reading)\b.*",
    r"(read|see) (more|also)(\s*[:\u00bb\u203a>|\u2013\u2014-].*)?",
    r"(also read|more on this( story)?|more from \w+)\s*:.*",
    r"leave a (comment|reply)\b.*",
    r"(\d+\s+)?(comments?|responses?|replies)(\s*\(\d+\))?\s*:?",
    r"(this site uses akismet to reduce spam|your email address will not be published|"
    r"required fields are marked|save my name, email|notify me of (new|follow-up))\b.*",
    r"(click to )?share (this|on|via|the article|article)\b.*",
    rf"{_SHARE}(?:[\s|/\u00b7\u2022,:]+{_SHARE})*[\s|/\u00b7\u2022,:]*",
    r"(like this|loading\.\.\.|advertisement|advertising|sponsored( content)?|post navigation)"
    r"\s*:?",
    r"((subscribe|sign up)( to| for)? (our|the|my) (free )?(daily )?newsletter|follow us on|"
    r"you (may|might) also like|recommended( for you)?|most (read|popular)|"
    r"(previous|next) (post|article|story))\b.*",
    r"(copyright\s*)?(\u00a9|\(c\)|copyright)\s*\d{4}\b.*",
    r"all rights reserved\.?",
)
MAX_HEADLINE = 300
_HASHTAGS = re.compile(r"(?:#[^\W\d_][\w-]*[\s,]*)+")
_HASHTAG = re.compile(r"#([^\W\d_][\w-]*)")
_TAGS_LINE = re.compile(r"tags?\s*:\s*(.+)", re.IGNORECASE)
_DATELINE = re.compile(r"(?P<place>[^\W\d_][^()\n]{0,60}?)\s*\((?P<source>[^()\n]{1,60})\)")
_INLINE_DATELINE = re.compile(r"(?P<place>[^\W\d_][\w .,'\u2019-]{0,40}?)\s*"
                              r"\((?P<source>[^()\n]{1,40})\)\s*[-\u2013\u2014:]\s+")
_BYLINE = re.compile(r"by\s+(?P<names>[^\W\d_].{1,80})", re.IGNORECASE)
_UPDATED = re.compile(r"(last\s+)?updated\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;\u2026\"'\u201d\u2019\u00bb)\]]$")
WRAPPED_WIDTH = 100
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def compile_furniture(extra: Iterable[str] = ()) -> list[re.Pattern[str]]:
    """The default furniture patterns plus `extra`; ValueError names a pattern that is not a
    regular expression."""
    compiled = []
    for pattern in (*FURNITURE, *extra):
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as error:
            raise ValueError(f"{pattern!r} is not a regular expression: {error}") from None
    return compiled


def decode_text(data: bytes) -> str:
    """Bytes in any common encoding -> text; CurateError when it cannot be told."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = None if b"\x00" in data else charset_normalizer.from_bytes(data).best()
    if best is None:
        raise CurateError("cannot tell the text encoding (is it a binary file?); save it as "
                          "UTF-8 text, or pass a feed or web page")
    return str(best)


def _lines(text: str) -> list[str]:
    text, _ = clean(unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")))
    return [line.strip() for line in text.split("\n")]


def parse(text: str, *, tz: tzinfo, now: datetime, furniture: list[re.Pattern[str]],
          date: datetime | None = None) -> Draft:
    """Raw article text -> Draft; `date` (from --date, else `now`) is used when the text
    has no timestamp line."""
    lines = [line for line in _lines(text)
             if not any(pattern.fullmatch(line) for pattern in furniture)]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise CurateError("the text is empty; it should start with the headline")
    headline = re.sub(r"^#+\s+", "", lines.pop(0)).strip()
    if len(headline) > MAX_HEADLINE:
        raise CurateError(f"the first line is {len(headline):,} characters long; a raw "
                          "article starts with its headline on a line of its own")
    draft = Draft(title=headline, date=date or now)
    lines, found = _header(lines, draft, tz, found_date=False)
    if not found and date is None:
        draft.notes.append("no timestamp in the text: dated now (use --date)")
    paragraphs = _paragraphs(lines, draft)
    if paragraphs and draft.dateline is None:
        match = _INLINE_DATELINE.match(paragraphs[0])
        if match and _wire_place(match["place"]):
            draft.dateline, draft.source_name = match["place"].strip(), match["source"].strip()
            paragraphs[0] = paragraphs[0][match.end():]
    if not paragraphs:
        raise CurateError("no article text after the headline")
    draft.body = text_to_markdown(paragraphs)
    return draft


def _header(lines: list[str], draft: Draft, tz: tzinfo,
            found_date: bool) -> tuple[list[str], bool]:
    """Read the timestamp, dateline and byline lines after the headline; return the rest."""
    seen = 0
    while lines and seen < 5:
        line = lines[0]
        if not line:
            lines.pop(0)
            continue
        when = parse_when(line, tz) if len(line) <= 80 else None
        dateline = _DATELINE.fullmatch(line) if len(line) <= 120 else None
        if dateline and dateline["place"][0].islower():
            dateline = None
        byline = _BYLINE.fullmatch(line) if len(line) <= 90 else None
        names = _names(byline["names"]) if byline else []
        if when and _UPDATED.match(line) and draft.updated is None:
            draft.updated = when
        elif when and not found_date:
            draft.date, found_date = when, True
        elif dateline and draft.dateline is None:
            draft.dateline = dateline["place"].strip()
            draft.source_name = dateline["source"].strip()
        elif names and not draft.authors:
            draft.authors = names
        else:
            break
        lines.pop(0)
        seen += 1
    if draft.updated and draft.updated <= draft.date:
        draft.updated = None
    return lines, found_date


def _names(text: str) -> list[str]:
    """'Ana Costa and Rui Lopes' -> the names; [] unless every part looks like a name:
    one to four words, the first and last not lower-case ('By the end of ...' is not)."""
    names = [name for name in re.split(r"\s*(?:,|\band\b|&)\s*", text.rstrip(".")) if name]
    for name in names:
        words = name.split()
        if not 1 <= len(words) <= 4 or words[0][0].islower() or words[-1][0].islower():
            return []
        if any(not word[0].isalpha() for word in words):
            return []
    return names


def _wire_place(place: str) -> bool:
    """A wire-style inline dateline starts with a place in capitals: 'LISBON (Lusa) - ...'."""
    first = place.split()[0].rstrip(",")
    return len(first) >= 2 and first.isupper()


def _paragraphs(lines: list[str], draft: Draft) -> list[str]:
    """Body lines -> paragraphs; hashtag and 'Tags:' lines become tags."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        tags_line = _TAGS_LINE.fullmatch(line) if len(line) <= 200 else None
        if _HASHTAGS.fullmatch(line):
            draft.tags = add_tags(draft.tags, [t.lower() for t in _HASHTAG.findall(line)])
        elif tags_line:
            draft.tags = add_tags(draft.tags, re.split(r"\s*[,;|]\s*", tags_line.group(1)))
        elif line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    paragraphs: list[str] = []
    for block in blocks:
        if _wrapped(block):
            paragraphs.append(" ".join(block))
        else:
            paragraphs += block
    return paragraphs


def _wrapped(block: list[str]) -> bool:
    """A block hard-wrapped at a fixed width (one paragraph), rather than one paragraph a
    line as news sites paste: its lines are short and most end mid-sentence."""
    if len(block) < 2 or any(len(line) > WRAPPED_WIDTH for line in block[:-1]):
        return False
    open_ended = sum(1 for line in block[:-1] if not _SENTENCE_END.search(line))
    return open_ended * 2 >= len(block) - 1
