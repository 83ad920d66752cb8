"""The parts of `digest serve`: the preview state, the HTTP handler, the file watcher
and the pages only the preview server shows (live-reload script, build errors)."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

EVENTS = "__digest/events"  # the server-sent events endpoint, under the base path


class PreviewState:
    """What the server shows: the folder, the base path, and the last build's outcome.

    Every build outcome gets a new version; pages carry the version they were
    served at, and the events endpoint tells open tabs when it changes.
    """

    def __init__(self, site_dir: Path, base_path: str) -> None:
        self.site_dir = site_dir
        self.base_path = base_path
        self.error: str | None = None
        self.stopping = False
        self._token = secrets.token_hex(4)  # a restarted server never repeats a version
        self._count = 0
        self._changed = threading.Condition()

    @property
    def version(self) -> str:
        return f"{self._token}-{self._count}"

    def publish(self, error: str | None, base_path: str | None = None) -> None:
        with self._changed:
            self.error = error
            if base_path:
                self.base_path = base_path
            self._count += 1
            self._changed.notify_all()

    def wait(self, seen: str, timeout: float) -> str:
        """The version once it differs from `seen`, or after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen or self.stopping, timeout)
            return self.version

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()
