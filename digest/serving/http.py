"""The preview HTTP server: the built site under its base path, and live-reload events.

Paths are percent-decoded once and taken apart into segments; a '..' or '.'
segment, a backslash or a NUL is refused, and the resolved file must still be
inside the served folder, so no request can read anything outside it.
"""

from __future__ import annotations

import mimetypes
import os
import socket
import sys
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from digest.serving import EVENTS, PreviewState
from digest.serving.pages import error_page, inject, not_found_page

PING_SECONDS = 15.0
SWAP_WAIT = 2.0  # seconds a request waits for the served folder to be back
SWAP_RETRIES = 3  # times a request is answered again after the tree was swapped
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
        for _ in range(SWAP_RETRIES):
            tree = self._wait_for_tree()
            if self._answer(raw_path, segments, head=head, tree=tree):
                return
        self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"Rebuilding; reload the page.\n",
                   TYPES[".txt"], head=head)

    def _wait_for_tree(self) -> int | None:
        """The identity of the served folder once it is in place. A rebuild swaps the new
        tree in with two renames, and a request that comes between them waits for the
        second rather than being told the page is missing."""
        state = self.server.state
        deadline = time.monotonic() + SWAP_WAIT
        while (tree := self._tree()) is None:
            if state.error is not None or time.monotonic() > deadline:
                return None  # no site to show (a failed first build shows its error)
            time.sleep(0.005)
        return tree

    def _tree(self) -> int | None:
        """The served folder's inode; None while it is not there."""
        try:
            return os.stat(self.server.state.site_dir).st_ino
        except OSError:
            return None

    def _same_tree(self, tree: int | None) -> bool:
        return self._tree() == tree

    def _answer(self, raw_path: str, segments: list[str], *, head: bool,
                tree: int | None) -> bool:
        """Answer from the folder as it is; False, having sent nothing, when it was swapped
        for a new tree while a missing file was looked for, or a file read."""
        state = self.server.state
        root = state.site_dir.resolve()
        target = root.joinpath(*[s for s in segments if s])
        try:
            target = target.resolve()
        except (OSError, RuntimeError):
            target = root / "\x00missing"
        if not target.is_relative_to(root):
            return self._not_found(head=head, tree=tree)
        if target.is_dir():
            if not raw_path.endswith("/"):
                self._redirect(quote(raw_path, safe="/%") + "/")
                return True
            target = target / "index.html"
        if state.error is not None and (target.suffix in (".html", ".htm")
                                        or not target.is_file()):
            body = error_page(state.error, state.base_path, state.version)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, body, TYPES[".html"], head=head)
            return True
        if not target.is_file():
            return self._not_found(head=head, tree=tree)
        return self._file(target, HTTPStatus.OK, head=head, tree=tree)

    def _not_found(self, *, head: bool, tree: int | None) -> bool:
        """The site's own 404.html, as GitHub Pages does."""
        if not self._same_tree(tree):
            return False
        page = self.server.state.site_dir / "404.html"
        if page.is_file():
            return self._file(page, HTTPStatus.NOT_FOUND, head=head, tree=tree)
        self._send(HTTPStatus.NOT_FOUND, b"Not found\n", TYPES[".txt"], head=head)
        return True

    # --- responses ---------------------------------------------------------------------

    def _file(self, path: Path, status: HTTPStatus, *, head: bool, tree: int | None) -> bool:
        try:
            data = path.read_bytes()
        except OSError:  # a rebuild swapped the tree between the check and the read
            if not self._same_tree(tree):
                return False
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"Cannot read the file; reload the "
                       b"page.\n", TYPES[".txt"], head=head)
            return True
        kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] \
            or "application/octet-stream"
        if kind.startswith("text/html"):
            state = self.server.state
            data = inject(data, state.base_path, state.version)
        self._send(status, data, kind, head=head)
        return True

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
