"""Watching the site's inputs with watchfiles: content/, layouts/, static/, config.yaml.

Two watchers run in threads. One watches the input folders that exist, recursively.
The other watches, not recursively, the folder of config.yaml and the nearest
existing parent of each missing input folder: it sees config.yaml being saved
(also by editors that write a new file and rename it) and an input folder being
created or removed, after which the folders are watched anew.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import watchfiles

# An empty yield every 200 ms: the first one says the watch is in place.
TIMEOUTS = {"rust_timeout": 200, "yield_on_timeout": True}
Targets = Callable[[], tuple[Path, list[Path]]]  # (config file, input folders)


class Watcher:
    def __init__(self, targets: Targets, on_change: Callable[[set[Path]], None]) -> None:
        self.targets = targets
        self.on_change = on_change
        self._stop = threading.Event()
        self._restart = [threading.Event(), threading.Event()]
        self._ready = [threading.Event(), threading.Event()]
        self._sessions = threading.Condition()
        self._folder_sessions = 0  # watches of the folders set up so far
        self._polling = False  # True when the system cannot notify us of changes
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True,
                                          name=f"digest-watch-{i}") for i in range(2)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def wait_ready(self, timeout: float) -> bool:
        """Wait until both watchers watch (changes from then on are seen)."""
        deadline = time.monotonic() + timeout
        return all(event.wait(max(0.0, deadline - time.monotonic())) for event in self._ready)

    def refresh(self, which: tuple[int, ...] = (0, 1)) -> None:
        """Watch again: the set of folders (or their existence) may have changed."""
        for index in which:
            self._restart[index].set()

    def stop(self) -> None:
        self._stop.set()
        self.refresh()
        for thread in self._threads:
            thread.join(timeout=5)

    def _run(self, which: int) -> None:
        while not self._stop.is_set():
            restart = self._restart[which] = threading.Event()
            if self._stop.is_set():
                return
            config, folders = self.targets()
            try:
                if which == 0:
                    self._watch_folders(folders, restart)
                else:
                    self._watch_anchors(config, folders, restart)
            except (FileNotFoundError, NotADirectoryError):
                time.sleep(0.2)  # a folder went away between looking and watching
            except OSError as error:  # e.g. the system's limit of inotify watches reached
                if self._polling:
                    raise
                self._polling = True
                sys.stderr.write(f"note: cannot watch files ({error}); polling them instead\n")

    def _watch_folders(self, folders: list[Path], restart: threading.Event) -> None:
        existing = [f for f in folders if f.is_dir()]
        if not existing:
            self._watching()
            restart.wait()
            return
        first = True
        for changes in watchfiles.watch(*existing, stop_event=restart, step=50,
                                        raise_interrupt=False, force_polling=self._polling or None,
                                        **TIMEOUTS):
            if first:  # the first yield (empty, or changes): the watch is in place
                self._watching()
                first = False
            if changes:
                self.on_change({Path(path) for _, path in changes})

    def _watching(self) -> None:
        with self._sessions:
            self._folder_sessions += 1
            self._sessions.notify_all()
        self._ready[0].set()

    def _rewatch_folders(self) -> None:
        """Watch the folders anew, and wait (briefly) until that watch is in place."""
        with self._sessions:
            before = self._folder_sessions
        self.refresh((0,))
        with self._sessions:
            self._sessions.wait_for(lambda: self._folder_sessions > before
                                    or self._stop.is_set(), timeout=2)

    @staticmethod
    def _anchors(config: Path, folders: list[Path]) -> set[Path]:
        anchors = {config.parent}
        for folder in folders:
            parent = folder
            while not parent.is_dir() and parent != parent.parent:
                parent = parent.parent
            anchors.add(parent if parent != folder else folder.parent)
        return anchors

    def _watch_anchors(self, config: Path, folders: list[Path],
                       restart: threading.Event) -> None:
        anchors = self._anchors(config, folders)
        interesting = {config, *folders}
        for changes in watchfiles.watch(*sorted(anchors), stop_event=restart, step=50,
                                        recursive=False, raise_interrupt=False,
                                        watch_filter=None, force_polling=self._polling or None,
                                        **TIMEOUTS):
            self._ready[1].set()
            paths = {Path(path) for _, path in changes}
            hits = {p for p in paths if p in interesting or any(f in p.parents for f in folders)}
            if not hits:
                continue
            if hits - {config}:
                # An input folder appeared or went: watch the new set before building, so
                # that files written into a new folder meanwhile are in the build.
                self._rewatch_folders()
                if self._anchors(config, folders) != anchors:
                    restart.set()  # and watch other parents of the missing folders
            self.on_change(hits)
