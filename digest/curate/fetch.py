"""Fetching URLs with httpx: timeouts, redirects, a clear user agent, a size limit, and
one clear message for each way a fetch can fail."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from digest import __version__
from digest.curate.items import CurateError

USER_AGENT = f"digest/{__version__} (static news digest; curation import)"
TIMEOUT = 20.0  # seconds: to connect, between bytes, and for the whole download
MAX_BYTES = 10_000_000
MAX_REDIRECTS = 5
ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
          "text/html;q=0.9, text/plain;q=0.8, */*;q=0.5")


@dataclass(frozen=True)
class Fetched:
    data: bytes
    url: str  # after redirects
    content_type: str  # media type only, lower case: "text/html"


def _mb(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


class Fetcher:
    """One HTTP client for a whole import (connections are reused)."""

    def __init__(self, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> None:
        self.timeout, self.max_bytes = timeout, max_bytes
        self._client: httpx.Client | None = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout), follow_redirects=True,
                max_redirects=MAX_REDIRECTS, trust_env=True,
                headers={"User-Agent": USER_AGENT, "Accept": ACCEPT})
        return self._client

    def get(self, url: str) -> Fetched:
        """The body of `url`; CurateError says what went wrong (refused, timed out ...)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CurateError(f"{url!r} is not an http(s) URL")
        host = parts.netloc.rsplit("@", 1)[-1]
        try:
            return self._get(url)
        except httpx.ConnectTimeout:
            raise CurateError(f"timed out after {self.timeout:g} s connecting to {host}") \
                from None
        except httpx.TimeoutException:
            raise CurateError(f"{host} did not answer within {self.timeout:g} s") from None
        except httpx.ConnectError as error:
            raise CurateError(f"cannot connect to {host}: {_reason(error)}") from None
        except httpx.TooManyRedirects:
            raise CurateError(f"more than {MAX_REDIRECTS} redirects") from None
        except httpx.HTTPStatusError as error:
            response = error.response
            raise CurateError(f"the server answered {response.status_code} "
                              f"{response.reason_phrase}".rstrip()) from None
        except httpx.HTTPError as error:  # protocol errors, a dropped connection ...
            raise CurateError(f"fetching failed: {_reason(error)}") from None

    def _get(self, url: str) -> Fetched:
        started = time.monotonic()
        with self.client.stream("GET", url) as response:
            response.raise_for_status()
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise CurateError(f"the response is {_mb(int(declared))}; the limit is "
                                  f"{_mb(self.max_bytes)}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise CurateError(f"the response is larger than the limit of "
                                      f"{_mb(self.max_bytes)}")
                if time.monotonic() - started > self.timeout * 3:
                    raise CurateError(f"the download took more than {self.timeout * 3:g} s")
                chunks.append(chunk)
            media = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return Fetched(b"".join(chunks), str(response.url), media)


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if "refused" in text.lower():
        return "connection refused (is the server running, and the port right?)"
    if "name or service not known" in text.lower() or "nodename nor servname" in text.lower():
        return "the host name is unknown"
    return text
