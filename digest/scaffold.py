"""`digest init DIR`: a new digest site that builds, checks and publishes at once.

The files come from `digest/scaffold/` (stored without leading dots so that they
ship in the wheel as they are); config.yaml is generated from the typed config,
so every key and its comment match the settings digest really accepts.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from string import Template

import click

from digest import config as config_module
from digest.errors import DigestError

FILES = Path(__file__).with_name("scaffold")
ALLOWED_IN_NEW_FOLDER = {".git"}  # `git init` (or a fresh clone of an empty repo) first is fine
SAMPLE_DESCRIPTION = "Curated news, a few items a day."

CONFIG_HEAD = """\
# Settings of this digest site, read by `digest build`, `digest serve` and `digest check`.
# Every setting digest knows is listed below with a line about what it does;
# unknown keys are rejected (with a "did you mean" hint). Folders are relative to
# this file. Quote text that could be read as a number, a date or true/false.
"""

NOTES = {
    "base_url": "The GitHub Pages workflow replaces it with the real address when it builds "
                "(digest build --base-url), so the site also works under a project sub-path.",
}


@dataclass(frozen=True)
class Created:
    root: Path
    files: list[str]  # relative paths, in the order written
    config: config_module.Config


def _yaml_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a YAML double-quoted scalar
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml_scalar(item) for item in value) + "]"
    raise TypeError(f"no YAML form for {value!r}")


def config_text(title: str, base_url: str, *, description: str = SAMPLE_DESCRIPTION) -> str:
    """config.yaml with a comment above every key, from `digest.config.reference()`."""
    chosen: dict[str, object] = {"title": title, "base_url": base_url,
                                 "description": description}
    lines = [CONFIG_HEAD.rstrip("\n")]
    rows = config_module.reference()
    # A section's keys go right under it, whatever order reference() lists them in.
    ordered = [row for row in rows if "." not in row[0]]
    for section in [row[0] for row in ordered if row[1] == "(section)"]:
        at = next(i for i, row in enumerate(ordered) if row[0] == section)
        children = [row for row in rows if row[0].startswith(section + ".")]
        ordered[at + 1:at + 1] = children
    for key, default, doc in ordered:
        depth = key.count(".")
        indent = "  " * depth
        name = key.rsplit(".", 1)[-1]
        comment = doc + (" (required)" if default == "required" else "")
        if key in NOTES:
            comment += " " + NOTES[key]
        if depth == 0:
            lines.append("")
        lines += textwrap.wrap(comment, width=88 - len(indent), initial_indent=f"{indent}# ",
                               subsequent_indent=f"{indent}# ", break_on_hyphens=False,
                               break_long_words=False)
        if default == "(section)":
            lines.append(f"{indent}{name}:")
            continue
        if key in chosen:
            value = chosen[key]
        elif default == "required":
            raise AssertionError(f"digest init has no value for the required setting {key}")
        else:
            value = ast.literal_eval(default)
        lines.append(f"{indent}{name}: {_yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


def _asset(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


def _sample_article(title: str, when: datetime) -> tuple[str, str]:
    text = Template(_asset("welcome.md")).substitute(
        title=json.dumps(f"Welcome to {title}", ensure_ascii=False),
        date=when.isoformat(timespec="minutes"))
    return f"content/{when:%Y}/{when:%m}/welcome.md", text


def _default_title(root: Path) -> str:
    words = re.sub(r"[-_.]+", " ", root.name).strip()
    return words[:1].upper() + words[1:] if words else "My Digest"


def _default_base_url(root: Path) -> str:
    repo = re.sub(r"[^a-z0-9-]+", "-", root.name.lower()).strip("-") or "digest"
    return f"https://example.github.io/{repo}/"


def _check_target(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise DigestError(f"{root} exists and is not a folder; choose a new folder for the site")
    if root.is_dir():
        found = sorted(p.name for p in root.iterdir() if p.name not in ALLOWED_IN_NEW_FOLDER)
        if found:
            shown = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
            raise DigestError(
                f"{root} is not empty (it holds {shown}); digest init only writes into a new "
                "or empty folder, so that nothing of yours is overwritten. Choose another "
                "folder, e.g. digest init my-digest")


def _validated(text: str) -> config_module.Config:
    """Load the generated config.yaml the way `digest build` will, before writing anything."""
    with tempfile.TemporaryDirectory(prefix="digest-init-") as folder:
        path = Path(folder) / "config.yaml"
        path.write_text(text, encoding="utf-8")
        return config_module.load(path)


def create(root: Path, *, title: str | None = None, base_url: str | None = None,
           now: datetime | None = None) -> Created:
    """Write a new site into `root` (created if missing; refused if not empty)."""
    root = root.absolute()
    _check_target(root)
    title = (title or _default_title(root)).strip()
    text = config_text(title, base_url or _default_base_url(root))
    cfg = _validated(text)  # raises ConfigError for a bad --title or --base-url
    when = (now or datetime.now(tz=UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    article_path, article = _sample_article(cfg.title, when)
    files = {
        "config.yaml": text,
        article_path: article,
        "layouts/README.md": _asset("layouts_README.md"),
        ".gitignore": _asset("gitignore.txt"),
        ".github/workflows/pages.yml": _asset("pages.yml"),
    }
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as handle:  # never overwrite
            handle.write(data)
    return Created(root, list(files), config_module.load(root / "config.yaml"))


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The site's name (default: from the folder name).")
@click.option("--base-url", default=None,
              help="Where the site will be published, e.g. https://user.github.io/repo/.")
def init_command(directory: Path, title: str | None, base_url: str | None) -> None:
    """Create a new digest site in DIRECTORY: config, a sample article, a Pages workflow."""
    created = create(directory, title=title, base_url=base_url)
    click.echo(f"Created the digest site “{created.config.title}” in {directory}:")
    for rel in created.files:
        click.echo(f"  {rel}")
    click.echo("Next:")
    click.echo(f"  cd {shlex.quote(str(directory))}")
    click.echo("  digest serve     # preview with live reload")
    click.echo("  digest build     # write the site to output/")
    click.echo("  digest check     # broken links, duplicate sources, feed problems")
    click.echo("Publish: push to GitHub and set Settings → Pages → Source to “GitHub Actions”.")
