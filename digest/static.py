"""Files copied into the output as they are: the site's static/, then layouts/static/,
then the theme's; the first folder that has a path wins."""

from __future__ import annotations

from pathlib import Path

from digest.config import Config
from digest.theme import THEME


def static_sources(config: Config) -> dict[str, Path]:
    """Files copied as they are, by output path; the first folder that has a path wins."""
    layouts = config.folder("layouts_dir")
    folders = [(config.folder("static_dir"), ""), (layouts / "static", "static"),
               (THEME / "static", "static")]
    found: dict[str, Path] = {}
    for folder, prefix in folders:
        if not folder.is_dir():
            continue
        real = folder.resolve()
        for path in sorted(folder.rglob("*")):
            rel_parts = path.relative_to(folder).parts
            if any(part.startswith(".") for part in rel_parts) or not path.is_file():
                continue
            if not path.resolve().is_relative_to(real):
                continue  # a symbolic link out of the folder is not followed
            found.setdefault("/".join(filter(None, (prefix, *rel_parts))), path)
    return dict(sorted(found.items()))


def static_files(config: Config) -> list[Path]:
    return list(static_sources(config).values())
