"""Where the default theme lives, and which template files a site can use.

Kept apart from render.py so that an up-to-date check does not load Jinja.
"""

from __future__ import annotations

from pathlib import Path

THEME = Path(__file__).parent / "templates"


def template_files(layouts: Path | None) -> list[Path]:
    """Every template file that can be used (the site's layouts/, then the theme), sorted."""
    folders = [layouts, THEME] if layouts is not None and layouts.is_dir() else [THEME]
    return sorted(p for folder in folders for p in folder.rglob("*")
                  if p.is_file() and "static" not in p.relative_to(folder).parts[:1])
