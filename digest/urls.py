"""Source URLs compared as one page: scheme, 'www.', default ports, tracking parameters,
fragments and trailing slashes do not make two stories different. Used by `digest import`
to skip what is already curated and by `digest check` to report duplicates."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only track where a click came from.
TRACKING = re.compile(
    r"utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_[ce]id|igshid|yclid|_ga|_gl|"
    r"_hsenc|_hsmi|mkt_tok|vero_id|wt\.mc_id|ocid|cmpid|ns_\w+|ref_src|ref_url|s_cid|"
    r"sr_share|__twitter_impression|guccounter|guce_\w+",
    re.IGNORECASE)


def _query(query: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
            if not TRACKING.fullmatch(k)]


def clean_url(url: str) -> str:
    """The URL without tracking parameters or fragment, otherwise as written."""
    parts = urlsplit(url.strip())
    query = _query(parts.query)
    if len(query) == len(parse_qsl(parts.query, keep_blank_values=True)):
        return urlunsplit(parts._replace(fragment=""))
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def normalize_url(url: str) -> str:
    """A key equal for URLs of one page: no scheme, 'www.', tracking parameters, fragment,
    default port or trailing slash; parameters sorted. Other strings (ids) are kept."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return text
    host = (parts.hostname or "").rstrip(".").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    shown_port = f":{port}" if port and port not in (80, 443) else ""
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~")
    path = re.sub(r"/{2,}", "/", path).rstrip("/")
    query = urlencode(sorted(_query(parts.query)))
    return f"{host}{shown_port}{path}" + (f"?{query}" if query else "")
