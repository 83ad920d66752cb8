"""Owns output/: builds the new tree in a temporary folder beside it, then swaps it in.

A build that fails, or is killed, leaves the previous output/ as it was; the
leftovers of an interrupted build are removed by the next one. digest only
replaces a folder that holds its marker file (or is empty), so `-o .` or
`-o content` cannot wipe a site.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from digest.errors import OutputError

MARKER = ".digest-output"
MARKER_TEXT = "This folder is written by digest build and replaced on every build.\n"


def _siblings(output: Path, kind: str) -> str:
    return f".{output.name}.digest-{kind}-"


def safe_relative(path: str) -> PurePosixPath:
    """A relative path that stays inside the folder, or ValueError."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(p in ("", ".", "..") for p in pure.parts) \
            or "\\" in path or "\x00" in path:
        raise ValueError(f"unsafe output path {path!r}")
    return pure


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class Stage:
    """A new output tree under construction."""

    def __init__(self, output: Path, *, force: bool = False) -> None:
        self.output = output.absolute()
        self.force = force
        self.check_owner()
        parent = self.output.parent
        parent.mkdir(parents=True, exist_ok=True)
        self._clean_leftovers()
        self.path = parent / f"{_siblings(self.output, 'tmp')}{os.getpid()}"
        self.path.mkdir()
        self.files = 0
        self.bytes = 0

    def check_owner(self) -> None:
        out = self.output
        if out.is_symlink():
            raise OutputError(f"{out} is a symbolic link; point --output at a real folder")
        if not out.exists():
            return
        if not out.is_dir():
            raise OutputError(f"{out} exists and is not a folder; choose another --output")
        if self.force or (out / MARKER).is_file() or not any(out.iterdir()):
            return
        raise OutputError(
            f"{out} is not empty and was not written by digest (no {MARKER} file in it), so "
            "building would replace what is there. Choose another --output, empty the folder, "
            "or pass --force if it really is a build folder to replace.")

    def _clean_leftovers(self) -> None:
        parent = self.output.parent
        for kind in ("tmp", "old"):
            prefix = _siblings(self.output, kind)
            for leftover in parent.glob(prefix + "*"):
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)

    def write(self, rel: str, data: bytes) -> None:
        target = self.path / safe_relative(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            handle.write(data)
        self.files += 1
        self.bytes += len(data)

    def copy_tree(self, source: Path, prefix: str = "") -> None:
        """Copy regular files under source (no symlinks out of it) into the stage."""
        if not source.is_dir():
            return
        real = source.resolve()
        for folder, dirs, files in os.walk(source):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(folder) / name
                if name.startswith(".") or not path.resolve().is_relative_to(real):
                    continue
                rel = (Path(prefix) / path.relative_to(source)).as_posix()
                target = self.path / safe_relative(rel)
                if target.exists():
                    continue  # an override earlier in the search order wins
                self.write(rel, path.read_bytes())

    def _keep(self, name: str) -> None:
        """Carry a kept file or folder over by hard links: the old tree stays whole."""
        kept = self.output / safe_relative(name)
        target = self.path / safe_relative(name)
        if not kept.exists() or kept.is_symlink() or target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        if kept.is_dir():
            shutil.copytree(kept, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(kept, target)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def commit(self, keep: Iterable[str] = ()) -> None:
        """Swap the finished tree in place of output/ with renames."""
        self.write(MARKER, MARKER_TEXT.encode())
        self.check_owner()
        old = None
        if self.output.exists():
            for name in keep:
                self._keep(name)
            old = self.output.parent / f"{_siblings(self.output, 'old')}{os.getpid()}"
            self.output.rename(old)
        self.path.rename(self.output)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
