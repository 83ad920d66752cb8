"""`digest serve`: a real server in a subprocess, real HTTP requests, real file edits."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sitekit import article, write_site

from digest.serving import PreviewState
from digest.serving.http import PreviewServer

COMMANDS = """
from digest.check import check_command
from digest.cli import cli, main
from digest.scaffold import init_command
from digest.serve import serve_command
for command in (init_command, check_command, serve_command):
    cli.commands.setdefault(command.name, command)
main()
"""
# A server whose test process is gone (even killed) stops too: its stdin ends.
ORPHAN_GUARD = """
import os, signal, sys, threading

def stop_when_orphaned():
    sys.stdin.read()
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=stop_when_orphaned, daemon=True).start()
"""
STORY = "content/2024/03/a-story.md"
STORY_URL = "2024/03/26/a-story/"  # under the base path /news/
SECRET = "secret-7f3a9c"


def raw_request(port: int, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """A request with the path sent exactly as given (no client-side normalizing)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT/news/
    preview: Path  # the folder the preview is built in
    site: Path
    lines: queue.Queue[str]

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    def raw(self, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        return raw_request(self.port, method, path)

    def get(self, path: str = "") -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")


def start(site: Path, *args: str) -> Server:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_GUARD + COMMANDS, "serve", "--port", "0", *args],
        cwd=site, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        match = re.search(r"Serving at (http://\S+) \(preview built in (\S+?);", line)
        if match:
            preview = Path(match.group(2)).parent
            return Server(process, match.group(1), preview, site, lines)
    process.kill()
    raise AssertionError("the server did not start:\n" + "".join(seen))


def stop(server: Server) -> int:
    try:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGINT)
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
                raise
        return server.process.returncode
    finally:
        if server.process.stdin is not None:
            server.process.stdin.close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    write_site(tmp_path, {
        STORY: article("A story", body="First version of the story.\n"),
        "content/2024/03/draft.md": article("Unfinished draft", draft=True),
        "secret.txt": SECRET,
    })
    return tmp_path


@pytest.fixture
def server(site: Path) -> Iterator[Server]:
    running = start(site)
    try:
        yield running
    finally:
        stop(running)


class Events:
    """Reads server-sent events from the live-reload endpoint."""

    def __init__(self, server: Server) -> None:
        self.response = urllib.request.urlopen(server.url + "__digest/events", timeout=10)

    def next(self, seconds: float = 10) -> tuple[str, str]:
        """The next event; fails after `seconds` (keep-alive pings do not count)."""
        deadline = time.monotonic() + seconds
        event, data = "message", ""
        while True:
            if time.monotonic() > deadline:
                raise AssertionError(f"no event within {seconds} s")
            line = self.response.readline().decode("utf-8")
            if not line:
                raise AssertionError("the event stream ended")
            line = line.rstrip("\n")
            if line == "":
                if data or event != "message":
                    return event, data
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            if name == "event":
                event = value
            elif name == "data":
                data = value

    def next_named(self, name: str) -> str:
        while True:
            event, data = self.next()
            if event == name:
                return data

    def close(self) -> None:
        self.response.close()


def edit(site: Path, text: str) -> None:
    (site / STORY).write_text(text, encoding="utf-8")


def settle(server: Server, path: str, status: int, text: str) -> str:
    """The page once it shows `text` with `status`: a build may have read a half-saved file
    (as it can from an editor), and the next build, a moment later, fixes that."""
    deadline = time.monotonic() + 10
    while True:
        got, page = server.get(path)
        if (got == status and text in page) or time.monotonic() > deadline:
            assert got == status, page
            assert text in page
            return page
        time.sleep(0.05)


def test_serves_the_base_path_with_the_reload_script_only_in_responses(server: Server) -> None:
    status, page = server.get()
    assert status == 200
    assert 'id="digest-live-reload"' in page and "/news/__digest/events" in page
    assert "A story" in page and "Unfinished draft" not in page
    # base_url is the preview's own address while serving
    assert f'href="http://127.0.0.1:{server.port}/news/' in page
    # never in the files: neither in the preview folder nor in a published output/
    built = (server.preview / "site" / "index.html").read_text(encoding="utf-8")
    assert "digest-live-reload" not in built
    assert not (server.site / "output").exists()
    status, feed = server.get("feed.xml")
    assert status == 200 and "digest-live-reload" not in feed


def test_edit_reloads_break_shows_the_error_fix_recovers(server: Server, site: Path) -> None:
    events = Events(server)
    try:
        assert events.next_named("hello")
        edit(site, article("A story", body="Second version, with <b>news</b>.\n"))
        assert events.next_named("reload")
        settle(server, STORY_URL, 200, "Second version")

        edit(site, "---\ntitle: A story\ndate: \"<b>not a date</b>\"\n---\nBody.\n")
        assert events.next_named("reload")
        page = settle(server, "", 500, "is not a date")
        assert STORY in page
        assert "&lt;b&gt;not a date&lt;/b&gt;" in page and "<b>not a date" not in page
        assert 'id="digest-live-reload"' in page  # so that fixing the file reloads the tab
        status, page = server.get(STORY_URL)
        assert status == 500 and STORY in page

        edit(site, article("A story", body="Third version.\n"))
        assert events.next_named("reload")
        settle(server, STORY_URL, 200, "Third version")
    finally:
        events.close()
    assert server.process.poll() is None  # kept running through the error


def test_a_template_or_config_change_rebuilds(server: Server, site: Path) -> None:
    events = Events(server)
    try:
        events.next_named("hello")
        (site / "layouts").mkdir()
        (site / "layouts/masthead.html").write_text(
            '<p class="masthead-title"><a href="{{ site.home_url }}">Custom masthead</a></p>\n',
            encoding="utf-8")
        events.next_named("reload")
        settle(server, "", 200, "Custom masthead")
        config = (site / "config.yaml").read_text(encoding="utf-8")
        (site / "config.yaml").write_text(config.replace("Test Digest", "Renamed Digest"),
                                          encoding="utf-8")
        events.next_named("reload")
        settle(server, "", 200, "Renamed Digest")
    finally:
        events.close()


def test_a_static_file_change_rebuilds(server: Server, site: Path) -> None:
    events = Events(server)
    try:
        events.next_named("hello")
        (site / "static").mkdir()
        (site / "static/notice.txt").write_text("First notice.\n", encoding="utf-8")
        events.next_named("reload")
        settle(server, "notice.txt", 200, "First notice.")
        (site / "static/notice.txt").write_text("Second notice, longer.\n", encoding="utf-8")
        events.next_named("reload")
        settle(server, "notice.txt", 200, "Second notice, longer.")
    finally:
        events.close()


def test_paths_outside_the_base_path_and_traversal(server: Server) -> None:
    status, headers, _ = server.raw("GET", "/")
    assert status == 302 and headers["Location"] == "/news/"
    status, headers, _ = server.raw("GET", "/news")
    assert status == 302 and headers["Location"] == "/news/"
    status, headers, _ = server.raw("GET", "/news/tags")
    assert status == 302 and headers["Location"] == "/news/tags/"
    for path in ("/other/", "/secret.txt", "/config.yaml", "/newsroom/"):
        assert server.raw("GET", path)[0] == 404, path
    for path in ("/news/../secret.txt", "/news/../../secret.txt", "/news/%2e%2e/secret.txt",
                 "/news/%2E%2E/%2e%2e/secret.txt", "/news/..%2fsecret.txt",
                 "/news/%2e%2e%2f%2e%2e%2fsecret.txt", "/news/..%5c..%5csecret.txt",
                 "/news/%00/../secret.txt", "/news/./index.html", "/news//../secret.txt",
                 "/news/static/../../secret.txt"):
        status, _, body = server.raw("GET", path)
        assert status == 404, path
        assert SECRET.encode() not in body, path
    status, _, body = server.raw("GET", "/news/no-such-page/")
    assert status == 404 and b"Page not found" in body  # the site's own 404.html
    status, headers, body = server.raw("HEAD", "/news/")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_a_request_between_the_renames_of_a_swap_waits_for_the_new_tree(
        tmp_path: Path) -> None:
    """A rebuild moves the served folder away and the new tree into its place: a request
    in between is answered from the new tree, not told that the page is missing."""
    served, new = tmp_path / "site", tmp_path / "new"
    (new / "tags").mkdir(parents=True)
    (new / "index.html").write_text("<p>the new tree</p>", encoding="utf-8")
    (new / "tags" / "index.html").write_text("<p>tags</p>", encoding="utf-8")
    (new / "404.html").write_text("<p>the site's 404</p>", encoding="utf-8")
    state = PreviewState(served, "/")
    server = PreviewServer("127.0.0.1", 0, state)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    try:
        for path, status, expected in (("/", 200, b"the new tree"), ("/tags", 302, b""),
                                       ("/gone/", 404, b"the site's 404")):
            threading.Timer(0.3, new.rename, (served,)).start()
            got, headers, body = raw_request(port, "GET", path)
            assert (got, expected in body) == (status, True), (path, body)
            if status == 302:
                assert headers["Location"] == "/tags/"
            served.rename(new)
        state.publish("a build error")  # nothing to wait for: the error is the answer
        started = time.monotonic()
        got, _, body = raw_request(port, "GET", "/")
        assert got == 500 and b"a build error" in body
        assert time.monotonic() - started < 1
    finally:
        server.shutdown()
        server.server_close()


def test_drafts_are_shown_with_drafts(site: Path) -> None:
    running = start(site, "--drafts")
    try:
        assert "Unfinished draft" in running.get()[1]
    finally:
        stop(running)


def test_ctrl_c_stops_cleanly_and_removes_the_preview(site: Path) -> None:
    running = start(site)
    events = Events(running)  # an open event stream must not hold up the shutdown
    try:
        events.next_named("hello")
        assert running.preview.is_dir()
        started = time.monotonic()
        assert stop(running) == 0
        assert time.monotonic() - started < 5
        assert not running.preview.exists()
    finally:
        events.close()
        stop(running)


def test_a_port_in_use_is_a_clear_error(server: Server, site: Path) -> None:
    result = subprocess.run([sys.executable, "-c", COMMANDS, "serve", "--port", str(server.port)],
                            cwd=site, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 1
    assert "cannot listen" in result.stderr and "Traceback" not in result.stderr
