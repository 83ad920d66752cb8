"""Owns output/: builds the new tree beside it, then swaps it in with renames.

A build that fails, or is killed, leaves the previous output/ as it was; the
leftovers of an interrupted build are removed by the next one. digest only
replaces a folder that holds its marker file (or is empty), so `-o .` or
`-o content` cannot wipe a site.

Rebuilds are incremental: the tree before last is kept as a hidden spare beside
output/; the next build brings it up to date (files whose inputs did not change
are left alone, so their bytes and mtimes stay) and swaps it in.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from digest.errors import OutputError

MARKER = ".digest-output"
MARKER_HEAD = "This folder is written by digest build and replaced on every build.\n"


def safe_relative(path: str) -> str:
    """A relative path that stays inside the folder, or ValueError."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path \
            or any(part in ("", ".", "..") for part in path.rstrip("/").split("/")):
        raise ValueError(f"unsafe output path {path!r}")
    return path


# A new file, for writing: never an existing one (see write_file).
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)


def write_file(root: Path | str, rel: str, data: bytes, folders: set[str] | None = None,
               *, existing: bool = False) -> None:
    """Write a file as a new inode (never in place: it may be hard-linked elsewhere).

    `folders` holds folders known to exist, which this adds to: a build writes some
    20,000 files into as many new folders, and a file's folder is made first rather than
    after a failed open. os.open and os.write rather than open(): no file object, no
    buffer, no fstat, for a third less time per file. A file the caller knows to be
    there (`existing`, in a tree that is not being served) is unlinked first, which
    takes about half the time of writing a copy and renaming it over the file."""
    target = _place(root, rel, folders, existing)
    try:
        handle = os.open(target, _NEW_FILE, 0o666)
    except FileExistsError:
        temporary = target + ".digest-new"
        with open(temporary, "wb") as new:
            new.write(data)
        os.replace(temporary, target)
        return
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handle = os.open(target, _NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


def _place(root: Path | str, rel: str, folders: set[str] | None, existing: bool) -> str:
    """The path of a new file root/rel, its folder made (see write_file) and the file
    there, if `existing`, removed."""
    target = os.path.join(root, safe_relative(rel))
    if folders is not None:
        make_folder(os.path.dirname(target), folders)
    if existing:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
    return target


def make_folder(folder: str, folders: set[str]) -> None:
    """os.makedirs(folder, exist_ok=True), remembering in `folders` what it made or found."""
    if folder in folders:
        return
    try:
        os.mkdir(folder)
    except FileNotFoundError:
        make_folder(os.path.dirname(folder), folders)
        with contextlib.suppress(FileExistsError):  # another process may be quicker
            os.mkdir(folder)
    except FileExistsError:
        pass  # made by another process, or there before; a file there fails the open
    folders.add(folder)


def link_file(source: Path | str, root: Path | str, rel: str,
              folders: set[str] | None = None, *, existing: bool = False) -> bool:
    """Put `source`'s bytes (and mtime) at root/rel by a hard link, else a copy; `folders`
    and `existing` as for write_file. False when there is no `source` (someone deleted it
    from the output): then the caller makes the file itself."""
    target = _place(root, rel, folders, existing)
    try:
        os.link(source, target)
        return True
    except FileNotFoundError:
        if not os.path.lexists(source):
            return False
        os.makedirs(os.path.dirname(target), exist_ok=True)
    except FileExistsError:
        os.unlink(target)
    except OSError:
        pass  # no hard links here (another file system): copy below
    try:
        _link_or_copy(source, target)
    except FileNotFoundError:
        if os.path.lexists(source):
            raise
        return False
    return True


def present(root: Path | str, rel: str) -> bool:
    """Whether root/rel is there: os.access, the quickest way to ask (a third quicker than
    os.path.exists, which makes a stat result)."""
    return os.access(os.path.join(root, rel), os.F_OK)


def manifest_id(files: dict[str, str]) -> str:
    """A name for a tree's record, from its files and their keys (in any order)."""
    text = "\0".join([f"{path}\0{key}" for path, key in sorted(files.items())])
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def read_marker(tree: Path) -> str | None:
    """The manifest id a digest tree was written with, if it is one."""
    try:
        text = (tree / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.splitlines()
    return lines[1].removeprefix("manifest: ") if len(lines) > 1 else None


def check_owner(out: Path, *, force: bool, keep: tuple[str, ...],
                protected: tuple[Path, ...]) -> None:
    """Refuse to replace a folder that digest does not own, or that holds the site."""
    if out.is_symlink():
        raise OutputError(f"{out} is a symbolic link; point --output at a real folder")
    real = out.resolve()
    for folder in (*protected, Path.home()):
        if folder.resolve().is_relative_to(real):
            relation = "is" if real == folder.resolve() else "holds"
            raise OutputError(f"{out} {relation} {folder}, which a build must never "
                              "replace; choose another --output, such as output/")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; choose another --output")
    if (out / ".git").exists() and ".git" not in keep and not force:
        raise OutputError(f"{out} holds a .git folder, which a build would delete. To "
                          "deploy from a branch checked out there, add `keep: [.git]` to "
                          "config.yaml; otherwise choose another --output.")
    if force or (out / MARKER).is_file() or \
            all(entry.name in keep for entry in out.iterdir()):
        return  # ours, or holding nothing but what the build keeps
    raise OutputError(
        f"{out} is not empty and was not written by digest (no {MARKER} file in it), so "
        "building would replace what is there. Choose another --output, empty the folder, "
        "or pass --force if it really is a build folder to replace.")


class Stage:
    """A new output tree under construction, beside output/."""

    def __init__(self, output: Path, *, force: bool = False, keep: Iterable[str] = (),
                 protected: Iterable[Path] = ()) -> None:
        self.output = output.absolute()
        self.force = force
        self.keep = tuple(keep)
        self.protected = tuple(protected)
        self.check_owner()
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self._clean_leftovers()
        self.path = self._sibling(f"tmp-{os.getpid()}")
        self.base: dict[str, str] = {}  # what the stage already holds: path -> input key

    def _sibling(self, kind: str) -> Path:
        return self.output.parent / f".{self.output.name}.digest-{kind}"

    @property
    def spare(self) -> Path:
        return self._sibling("spare")

    def check_owner(self) -> None:
        check_owner(self.output, force=self.force, keep=self.keep, protected=self.protected)

    def _clean_leftovers(self) -> None:
        prefix = f".{self.output.name}.digest-"
        for leftover in self.output.parent.glob(prefix + "*"):
            if leftover == self.spare or not leftover.is_dir() or leftover.is_symlink():
                continue
            shutil.rmtree(leftover, ignore_errors=True)

    def start(self, spare_files: dict[str, str] | None) -> None:
        """Begin from the spare tree when its manifest is known, else from nothing."""
        if spare_files is not None and self.spare.is_dir():
            (self.spare / MARKER).unlink(missing_ok=True)  # half-updated trees have no marker
            self.spare.rename(self.path)
            self.base = spare_files
        else:
            if self.spare.exists():
                shutil.rmtree(self.spare, ignore_errors=True)
            self.path.mkdir()

    def prune(self, wanted: set[str]) -> None:
        """Remove what the stage holds from an earlier build that this build does not make."""
        for rel in sorted(set(self.base) - wanted, reverse=True):
            target = self.path / safe_relative(rel)
            target.unlink(missing_ok=True)
            parent = target.parent
            while parent != self.path and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def commit(self, manifest: str) -> None:
        """Swap the finished tree in place of output/; the old one becomes the spare."""
        (self.path / MARKER).write_text(f"{MARKER_HEAD}manifest: {manifest}\n", encoding="utf-8")
        self.check_owner()
        if self.output.exists():
            for name in self.keep:
                self._keep(name)
            owned = (self.output / MARKER).is_file()
            old = self.spare if owned else self._sibling(f"old-{os.getpid()}")
            self.output.rename(old)
            self.path.rename(self.output)
            if not owned:
                shutil.rmtree(old, ignore_errors=True)
        else:
            self.path.rename(self.output)

    def _keep(self, name: str) -> None:
        """Carry a kept file or folder over by hard links: the old tree stays whole."""
        kept = self.output / safe_relative(name)
        target = self.path / safe_relative(name)
        if not kept.exists() or kept.is_symlink():
            return
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        if kept.is_dir():
            shutil.copytree(kept, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(kept, target)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
