"""`digest serve`: build, serve on 127.0.0.1 under base_url's path, rebuild on change,
reload open tabs.

The preview is built into a temporary folder, never into output/: while serving,
base_url is http://127.0.0.1:PORT/<path>/, and output/ must keep the real
addresses (a deploy from it must never publish localhost links). The folder is
removed when the server stops. The article cache of the preview lives in
<cache_dir>/serve/, apart from the build's (its entries depend on base_url),
so restarting the server is fast and `digest build` keeps its own cache.

A build error does not stop the server: every page shows the message until a
save fixes it. The live-reload script is added to HTML responses by the server
(digest.serving.pages), never to the built files.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import FrameType

import click

from digest import config as config_module
from digest.build import BuildOptions, build
from digest.config import Config
from digest.errors import DigestError
from digest.serving import PreviewState
from digest.serving.http import PreviewServer
from digest.serving.watch import Watcher


def url_host(host: str) -> str:
    """How URLs name the host the server listens on."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class Preview:
    """Builds the preview and publishes each outcome to the server's state."""

    def __init__(self, config_path: Path, drafts: bool, folder: Path) -> None:
        # The folder resolved like Config.folder() resolves the input folders, so that
        # watched paths compare equal (e.g. where /tmp is a symbolic link).
        self.config_path = config_path.absolute().parent.resolve() / config_path.name
        self.origin = "http://127.0.0.1:8000"  # set once the server has its port
        self.drafts = drafts
        self.site_dir = folder / "site"
        self.state = PreviewState(self.site_dir, "/")
        self.config: Config | None = None  # the last config that loaded
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._lock_paths = threading.Lock()
        self._paths: set[Path] = set()
        self.on_new_targets: Callable[[], None] = lambda: None

    def load_config(self) -> Config:
        cfg = config_module.load(self.config_path)
        self.config = cfg
        return cfg

    def build(self, *, jobs: int = 1) -> bool:
        """One build; True when it succeeded. Errors are shown in the browser."""
        started = time.perf_counter()
        with self._lock:
            before = self.targets()
            base_path = self.config.base_path if self.config else None
            try:
                cfg = self.load_config()
                base_path = cfg.base_path
                cfg = replace(cfg.with_base_url(self.origin + cfg.base_path),
                              cache_dir=str(Path(cfg.cache_dir) / "serve"))
                # Not forced: a build whose inputs did not change (a save of the same
                # bytes, or the catch-up build after the first) leaves the folder alone,
                # and a request is never answered from a tree half swapped.
                report = build(cfg, BuildOptions(output=self.site_dir, drafts=self.drafts,
                                                 jobs=jobs))
            except DigestError as error:
                self.state.publish(str(error), base_path)
                click.echo(f"error: {error}", err=True)
                return False
            except Exception:  # a bug in digest: show it, keep serving
                message = traceback.format_exc()
                self.state.publish(f"digest failed unexpectedly (a bug):\n{message}", base_path)
                click.echo(message, err=True)
                return False
            finally:
                if self.targets() != before:
                    self.on_new_targets()
            if report.rendered == 0 and self.state.error is None \
                    and base_path == self.state.base_path:
                return True  # nothing changed: open tabs need no reload
            self.state.publish(None, base_path)
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"{report.summary()} ({time.perf_counter() - started:.2f} s in all)")
        return True

    def targets(self) -> tuple[Path, list[Path]]:
        """What to watch: config.yaml and the input folders of the last config that loaded."""
        cfg = self.config or Config(title="-", base_url="http://127.0.0.1/",
                                    root=self.config_path.parent)
        folders = [cfg.folder(name) for name in ("content_dir", "layouts_dir", "static_dir")]
        return self.config_path, folders

    def changed(self, paths: set[Path]) -> None:
        with self._lock_paths:
            self._paths |= paths
        self._wanted.set()

    def run_builder(self, stop: threading.Event) -> None:
        """Rebuild after changes; changes made during a build lead to one more build."""
        while True:
            self._wanted.wait()
            if stop.is_set():
                return
            self._wanted.clear()
            with self._lock_paths:
                paths, self._paths = sorted(self._paths), set()
            if paths:
                shown = [_relative(p, self.config_path.parent) for p in paths[:3]]
                more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
                click.echo(f"Changed: {', '.join(shown)}{more}")
            self.build()

    def wake(self) -> None:
        self._wanted.set()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(config_path: Path, host: str, port: int, drafts: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="digest-serve-"))
    try:
        _serve(config_path, host, port, drafts, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _serve(config_path: Path, host: str, port: int, drafts: bool, folder: Path) -> None:
    config_module.load(config_path)  # a missing or broken config.yaml: say so, serve nothing
    preview = Preview(config_path, drafts, folder)
    try:
        server = PreviewServer(host, port, preview.state)
    except OSError as error:
        raise DigestError(f"cannot listen on {host}:{port}: {error.strerror or error}; "
                          "choose another --port (or --port 0 for any free one)") from None
    preview.origin = f"http://{url_host(host)}:{server.server_address[1]}"
    stop = threading.Event()
    builder = threading.Thread(target=preview.run_builder, args=(stop,), daemon=True,
                               name="digest-builder")
    watcher = Watcher(preview.targets, preview.changed)
    preview.on_new_targets = watcher.refresh
    previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        preview.build(jobs=0)  # no other thread runs yet: the first build may use every core
        watcher.start()
        watcher.wait_ready(timeout=5)
        builder.start()
        preview.wake()  # catch up with edits made during the first build (if none: no reload)
        address = f"{preview.origin}{preview.state.base_path}"
        click.echo(f"Serving at {address} (preview built in {preview.site_dir}; drafts "
                   f"{'shown' if drafts else 'hidden'}). Press Ctrl-C to stop.")
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        preview.state.stop()
        stop.set()
        preview.wake()
        watcher.stop()
        server.server_close()
        if builder.is_alive():
            builder.join(timeout=10)


@click.command("serve")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              default=Path("config.yaml"), show_default=True,
              help="The site's config file; paths in it are relative to it.")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 lets other machines in).")
@click.option("--drafts", is_flag=True, help="Show drafts and future-dated articles.")
def serve_command(config_path: Path, port: int, host: str, drafts: bool) -> None:
    """Preview the site with live reload: rebuilds on every change to content/, layouts/,
    static/ or config.yaml, and reloads open tabs."""
    serve(config_path, host, port, drafts)
