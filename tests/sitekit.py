"""Throwaway digest sites in tmp_path, built from dicts, and the real CLI to run on them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent

BASE_CONFIG: dict[str, Any] = {
    "title": "Test Digest",
    "description": "A digest for tests",
    "base_url": "https://example.org/news/",
    "language": "en",
    "timezone": "Europe/Kyiv",
    "author": "Test Desk",
}


def article(title: str = "A story", date: str = "2024-03-26T10:00:00+02:00",
            body: str = "First paragraph.\n\nSecond paragraph.\n", **fields: Any) -> str:
    """The text of an article file with the given front matter fields."""
    front = {"title": title, "date": date, **fields}
    text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    return f"---\n{text}---\n\n{body}"


def write_site(root: Path, files: dict[str, str | bytes],
               config: dict[str, Any] | None = None) -> Path:
    """Write config.yaml and the given files under root; return the config path."""
    root.mkdir(parents=True, exist_ok=True)
    cfg = {**BASE_CONFIG, **(config or {})}
    config_path = root / "config.yaml"
    config_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return config_path


def run_digest(*args: str, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `digest` command (as `python -m digest`) in cwd."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def cold_tree(root: Path, target: Path, env: dict[str, str] | None = None) -> dict[str, bytes]:
    """The site at root built from scratch (no cache) into target, as a tree."""
    result = run_digest("build", "-q", "--no-cache", "-o", str(target), cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    return tree(target)


SUB_PATH = "/some-repo/"


class SubPathHandler(SimpleHTTPRequestHandler):
    """Serves a folder under /some-repo/ only, as GitHub project pages do."""

    def do_GET(self) -> None:
        if not self.path.startswith(SUB_PATH):
            self.send_error(404)
            return
        self.path = "/" + self.path[len(SUB_PATH):]
        super().do_GET()

    def do_HEAD(self) -> None:
        self.send_error(405)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def sub_path_server(folder: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 for `folder` under /some-repo/; yields its base URL.

    It serves at once, so a site can be built into the folder for that URL afterwards.
    """
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                partial(SubPathHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{SUB_PATH}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
