"""Timestamps as news sites and feeds write them -> timezone-aware datetimes.

A time without an offset is read in the site's time zone (`tz`), as the content
loader reads front matter dates; a date without a time is 00:00 there.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime

_LABEL = re.compile(r"^(?:published|posted|updated|last updated|modified|date)"
                    r"(?:\s+on)?\s*[:\-\u2013\u2014]?\s*", re.IGNORECASE)
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ZONE = re.compile(r"\s*(?:(UTC|GMT|Z)|([+-]\d{2}:?\d{2}))$", re.IGNORECASE)
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
_DAYS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d.%m.%Y", "%Y/%m/%d")
_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %I %p")
_FORMATS = tuple(day + time for day in _DAYS for time in _TIMES)
LOOKS_LIKE_DATE = re.compile(r"\d{4}|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")


def parse_when(text: str, tz: tzinfo) -> datetime | None:
    """A timestamp line -> an aware datetime, or None when it is not one."""
    text = " ".join(text.split())
    if not text or len(text) > 80 or not LOOKS_LIKE_DATE.search(text):
        return None
    text = _WEEKDAY.sub("", _LABEL.sub("", text))
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")), tz)
    except ValueError:
        pass
    zone: tzinfo = tz
    rest, match = text, _ZONE.search(text)
    if match:
        rest = text[:match.start()]
        if match.group(2):
            offset = match.group(2).replace(":", "")
            zone = datetime.strptime(offset, "%z").tzinfo or tz
        else:
            zone = UTC
    rest = _ORDINAL.sub(r"\1", rest.replace(",", " ").replace(" at ", " "))
    rest = " ".join(rest.replace(" - ", " ").replace(" | ", " ").split())
    for form in _FORMATS:
        try:
            return datetime.strptime(rest, form).replace(tzinfo=zone)
        except ValueError:
            continue
    if re.search(r"\b[ap]\.?m\b", text, re.IGNORECASE):
        return None  # the e-mail date parser would ignore the AM/PM
    try:  # RFC 2822 with a zone name (EST, PDT ...)
        return _aware(parsedate_to_datetime(text), tz)
    except (TypeError, ValueError, IndexError):
        return None


def _aware(value: datetime, tz: tzinfo) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def now(tz: tzinfo) -> datetime:
    """The current time in the site's time zone, to the second."""
    return datetime.now(tz).replace(microsecond=0)
