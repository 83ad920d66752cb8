"""Shared helpers for the curation tests: the real CLI in-process, and article files."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from digest.cli import cli


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    """`digest ARGS` in this process (the current folder is the site's)."""
    return CliRunner().invoke(cli, list(args), input=stdin)


def front(path: Path) -> dict:
    """An article file's front matter."""
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def body(path: Path) -> str:
    """An article file's body."""
    return path.read_text(encoding="utf-8").split("---\n", 2)[2].strip()
