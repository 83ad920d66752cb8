"""`digest import URL`: feeds, pages and raw text served by a real HTTP server on 127.0.0.1,
with redirects, timeouts, a size limit, and clear errors when fetching fails."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from curatekit import front, run

from digest.curate.fetch import USER_AGENT, Fetcher
from digest.curate.items import CurateError

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "raw"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/plain"
    status: int = 200
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()
    chunked: bool = False  # send without Content-Length, in chunks


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up (after a timeout, or over the size limit)


class Server:
    """A real HTTP server on 127.0.0.1 that serves `routes` and records what it saw."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[tuple[str, str]] = []  # (path, user agent)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.seen.append((self.path, self.headers.get("User-Agent", "")))
                route = server.routes.get(self.path)
                if route is None:
                    route = Route(b"not here", status=404)
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    for name, value in route.headers:
                        self.send_header(name, value)
                    if route.chunked:
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        for start in range(0, len(route.body), 65536):
                            chunk = route.body[start:start + 65536]
                            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.write(b"0\r\n\r\n")
                    else:
                        self.send_header("Content-Length", str(len(route.body)))
                        self.end_headers()
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = _Quiet(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()





def articles(root: Path) -> list[Path]:
    return sorted((root / "content").rglob("*.md")) if (root / "content").exists() else []


def free_port() -> int:
    """A port nothing listens on (bound, then closed), for a refused connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_feed_over_http_imports_once_with_a_clear_user_agent(site: Path,
                                                                server: Server) -> None:
    server.routes["/feeds/wire"] = Route((FIXTURES / "feed-50.xml").read_bytes(),
                                         "application/rss+xml; charset=utf-8")
    server.routes["/old-feed"] = Route(status=301, headers=(("Location", "/feeds/wire"),))
    result = run("import", f"{server.url}/old-feed")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Imported: 50 written, 0 skipped, 0 failed."
    assert [path for path, _ in server.seen] == ["/old-feed", "/feeds/wire"]
    assert all(agent == USER_AGENT and agent.startswith("digest/") for _, agent in server.seen)
    again = run("import", f"{server.url}/feeds/wire")
    assert again.output.splitlines()[-1] == "Imported: 0 written, 50 skipped, 0 failed."


def test_a_page_and_a_raw_text_over_http(site: Path, server: Server) -> None:
    pytest.importorskip("trafilatura")
    page = (FIXTURES / "page-news.html").read_bytes().replace(
        b'href="/authors/marta-silva/"', b'href="/authors/x"')
    server.routes["/story?id=7&utm_source=mail"] = Route(page, "text/html; charset=utf-8")
    server.routes["/raw/kremlin"] = Route(
        (SAMPLES / "2024-03-26-kremlin-peace-talks.txt").read_bytes(), "text/plain")
    result = run("import", f"{server.url}/story?id=7&utm_source=mail",
                 f"{server.url}/raw/kremlin")
    assert result.exit_code == 0, result.output
    page_file, kremlin_file = (
        path for path in articles(site) if path.name.startswith(("harbour", "russias")))
    assert front(page_file)["source"]["url"] == (
        "https://www.coastal-ledger.example/news/2024/03/harbour-city-open-bus-data")
    assert front(kremlin_file)["source"] == {"name": "agencies",
                                             "url": f"{server.url}/raw/kremlin"}
    again = run("import", f"{server.url}/story?id=7&utm_source=mail",
                f"{server.url}/raw/kremlin")
    assert again.output.splitlines() == [
        f"skipped {server.url}/story?id=7&utm_source=mail: already in "
        f"{page_file.relative_to(site).as_posix()} (same source URL)",
        f"skipped {server.url}/raw/kremlin: already in "
        f"{kremlin_file.relative_to(site).as_posix()} (same source URL)",
        "Imported: 0 written, 2 skipped, 0 failed.",
    ]


def test_a_refused_connection_is_a_clear_error(site: Path) -> None:
    port = free_port()
    result = run("import", f"http://127.0.0.1:{port}/feed.xml")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"failed http://127.0.0.1:{port}/feed.xml: cannot connect to 127.0.0.1:{port}: "
        "connection refused (is the server running, and the port right?)",
        "Imported: 0 written, 0 skipped, 1 failed.",
    ]


def test_a_slow_server_times_out(site: Path, server: Server) -> None:
    server.routes["/slow"] = Route(b"late", delay=2.0)
    started = time.monotonic()
    result = run("import", f"{server.url}/slow", "--timeout", "0.3")
    assert time.monotonic() - started < 1.5
    assert result.exit_code == 1
    assert (f"failed {server.url}/slow: 127.0.0.1:{server.url.rsplit(':', 1)[1]} did not "
            "answer within 0.3 s") in result.output


@pytest.mark.parametrize(("chunked", "message"), [
    (False, "the response is 1.5 MB; the limit is 1 MB"),
    (True, "the response is larger than the limit of 1 MB"),
])
def test_responses_over_the_size_limit_are_refused(site: Path, server: Server, chunked: bool,
                                                   message: str) -> None:
    server.routes["/big"] = Route(b"x" * 1_500_000, chunked=chunked)
    result = run("import", f"{server.url}/big", "--max-size", "1")
    assert result.exit_code == 1
    assert f"failed {server.url}/big: {message}" in result.output


def test_http_errors_and_redirect_loops_fail_without_stopping_the_others(
        site: Path, server: Server) -> None:
    server.routes["/loop"] = Route(status=302, headers=(("Location", "/loop"),))
    server.routes["/gone"] = Route(b"gone", status=410)
    server.routes["/ok"] = Route(b"A fine headline\n\nA fine body.\n", "text/plain")
    result = run("import", f"{server.url}/missing", f"{server.url}/loop", f"{server.url}/ok",
                 f"{server.url}/gone", "ftp://127.0.0.1/file", "--date", "2024-03-26")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"failed {server.url}/missing: the server answered 404 Not Found",
        f"failed {server.url}/loop: more than 5 redirects",
        f"written content/2024/03/a-fine-headline.md  ({server.url}/ok)",
        f"failed {server.url}/gone: the server answered 410 Gone",
        "failed ftp://127.0.0.1/file: 'ftp://127.0.0.1/file' is not an http(s) URL",
        "Imported: 1 written, 0 skipped, 4 failed.",
    ]


def test_fetcher_reports_what_it_got(server: Server) -> None:
    server.routes["/feed"] = Route(b"<rss/>", "Application/RSS+XML; charset=utf-8")
    with Fetcher(timeout=2, max_bytes=100) as fetcher:
        fetched = fetcher.get(f"{server.url}/feed")
        assert (fetched.data, fetched.content_type) == (b"<rss/>", "application/rss+xml")
        assert fetched.url == f"{server.url}/feed"
        with pytest.raises(CurateError, match="not an http"):
            fetcher.get("file:///etc/passwd")
