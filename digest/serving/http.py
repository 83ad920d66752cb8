"""The preview HTTP server: the built site under its base path, and live-reload events.

Paths are percent-decoded once and taken apart into segments; a '..' or '.'
segment, a backslash or a NUL is refused, and the resolved file must still be
inside the served folder, so no request can read anything outside it.
"""

from __future__ import annotations

import mimetypes
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from digest.serving import EVENTS, PreviewState
from digest.serving.pages import error_page, inject, not_found_page

PING_SECONDS = 15.0
TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
         ".xml": "application/xml", ".json": "application/json", ".css": "text/css",
         ".js": "text/javascript", ".txt": "text/plain; charset=utf-8",
         ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json"}


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams never hold up the shutdown

    def __init__(self, host: str, port: int, state: PreviewState) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.state = state
        super().__init__((host, port), PreviewHandler)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "digest-serve"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    # --- routing -----------------------------------------------------------------------

    def _respond(self, *, head: bool) -> None:
        state = self.server.state
        base = state.base_path
        raw_path = urlsplit(self.path).path or "/"
        path = unquote(raw_path, errors="replace")
        base_decoded = unquote(base)
        if path == base_decoded + EVENTS:
            self._events(head=head)
            return
        if base != "/" and path in ("/", base_decoded.rstrip("/")):
            self._redirect(base)
            return
        if not path.startswith(base_decoded):
            self._send(HTTPStatus.NOT_FOUND, not_found_page(path, base), TYPES[".html"],
                       head=head)
            return
        segments = path[len(base_decoded):].split("/")
        if any(s in (".", "..") or "\\" in s or "\x00" in s for s in segments):
            self._send(HTTPStatus.NOT_FOUND, not_found_page(path, base), TYPES[".html"],
                       head=head)
            return
        root = state.site_dir.resolve()
        target = root.joinpath(*[s for s in segments if s])
        try:
            target = target.resolve()
        except (OSError, RuntimeError):
            target = root / "\x00missing"
        if not target.is_relative_to(root):
            self._not_found(head=head)
            return
        if target.is_dir():
            if not raw_path.endswith("/"):
                self._redirect(quote(raw_path, safe="/%") + "/")
                return
            target = target / "index.html"
        if state.error is not None and (target.suffix in (".html", ".htm")
                                        or not target.is_file()):
            body = error_page(state.error, base, state.version)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, body, TYPES[".html"], head=head)
            return
        if not target.is_file():
            self._not_found(head=head)
            return
        self._file(target, HTTPStatus.OK, head=head)

    def _not_found(self, *, head: bool) -> None:
        """The site's own 404.html, as GitHub Pages does."""
        page = self.server.state.site_dir / "404.html"
        if page.is_file():
            self._file(page, HTTPStatus.NOT_FOUND, head=head)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", TYPES[".txt"], head=head)

    # --- responses ---------------------------------------------------------------------

    def _file(self, path: Path, status: HTTPStatus, *, head: bool) -> None:
        try:
            data = path.read_bytes()
        except OSError:  # replaced by a rebuild between the check and the read
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"Rebuilding; reload the page.\n",
                       TYPES[".txt"], head=head)
            return
        kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] \
            or "application/octet-stream"
        if kind.startswith("text/html"):
            state = self.server.state
            data = inject(data, state.base_path, state.version)
        self._send(status, data, kind, head=head)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, *, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        # 302, not 301: a browser must not remember it for every site served on this port.
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _events(self, *, head: bool) -> None:
        """Server-sent events: 'hello' with the current version, then 'reload' on each build."""
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if head:
            return
        seen = state.version
        try:
            self._event(f"retry: 1000\nevent: hello\ndata: {seen}\n\n")
            while not state.stopping:
                version = state.wait(seen, PING_SECONDS)
                if state.stopping:
                    break
                if version != seen:
                    seen = version
                    self._event(f"event: reload\ndata: {version}\n\n")
                else:
                    self._event(": ping\n\n")
        except OSError:  # the tab was closed
            return

    def _event(self, text: str) -> None:
        self.wfile.write(text.encode("utf-8"))
        self.wfile.flush()

    # --- logging -----------------------------------------------------------------------

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if code == 404:
            sys.stderr.write(f"{self.command} {self.path}: {code}\n")

    def log_error(self, format: str, *args: object) -> None:
        pass
