"""The click commands `digest new` and `digest import` (added to the CLI by digest.cli)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from digest import config as config_module
from digest.curate.dates import parse_when
from digest.curate.fetch import MAX_BYTES, TIMEOUT
from digest.curate.items import CurateError
from digest.curate.new import NewOptions, new_article
from digest.curate.run import Importer, ImportOptions, Progress, shown

CONFIG_OPTION = click.option("--config", "config_path", type=click.Path(path_type=Path),
                             default=Path("config.yaml"), show_default=True,
                             help="The site's config file; paths in it are relative to it.")


def _tags(value: str | None) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in (value or "").split(",") if tag.strip())


def _date(value: str | None, cfg: config_module.Config) -> datetime | None:
    if value is None:
        return None
    when = parse_when(value, cfg.tz)
    if when is None:
        raise click.BadParameter(f"{value!r} is not a date; write it like 2024-03-26 or "
                                 "'2024-03-26 21:57' (the site's time zone) or "
                                 "2024-03-26T21:57:00+02:00", param_hint="--date")
    return when


def furniture(cfg: config_module.Config) -> tuple[str, ...]:
    """Extra furniture patterns from config.yaml (`curation: furniture: [...]`), if any."""
    section = getattr(cfg, "curation", None)
    return tuple(getattr(section, "furniture", ()) or ())


@click.command("new")
@click.argument("title")
@click.option("--tags", help="Comma-separated tags: --tags climate,energy")
@click.option("--source", "source_name", help="Name of the source, e.g. Reuters.")
@click.option("--source-url", help="URL of the original story.")
@click.option("--dateline", help="Where the story was filed from, e.g. Kyiv.")
@click.option("--slug", help="File name and URL segment (default: from the title).")
@click.option("--date", "date_text", help="Date and time (default: now, site's time zone).")
@click.option("--draft", is_flag=True, help="Mark the article as a draft.")
@click.option("--dry-run", is_flag=True, help="Show the file that would be written.")
@CONFIG_OPTION
def new_command(title: str, tags: str | None, source_name: str | None, source_url: str | None,
                dateline: str | None, slug: str | None, date_text: str | None, draft: bool,
                dry_run: bool, config_path: Path) -> None:
    """Write content/YYYY/MM/<slug>.md for a new article and print its path.

    Never overwrites: when the file (or its URL) exists, choose another --slug.
    """
    cfg = config_module.load(config_path)
    options = NewOptions(tags=_tags(tags), source_name=source_name, source_url=source_url,
                         dateline=dateline, slug=slug, date=_date(date_text, cfg),
                         draft=draft, dry_run=dry_run)
    written, text = new_article(cfg, title, options)
    if dry_run:
        click.echo(f"would write {shown(written.path)}:")
        click.echo(text, nl=False)
    else:
        click.echo(shown(written.path))


class _Bar(Progress):
    def __init__(self, bar: object, task: object) -> None:
        self.bar, self.task = bar, task

    def grow(self, n: int) -> None:
        task = self.bar.tasks[0]  # type: ignore[attr-defined]
        self.bar.update(self.task, total=(task.total or 0) + n)  # type: ignore[attr-defined]

    def advance(self) -> None:
        self.bar.advance(self.task)  # type: ignore[attr-defined]


@contextmanager
def _progress() -> Iterator[Progress]:
    """A bar on stderr when it is a terminal; item lines still go to stdout, above it."""
    if not sys.stderr.isatty():
        yield Progress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
    from rich.progress import Progress as RichProgress

    with RichProgress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeRemainingColumn(), transient=True,
                      console=Console(stderr=True),
                      redirect_stdout=sys.stdout.isatty()) as bar:
        yield _Bar(bar, bar.add_task("Importing", total=0))


@click.command("import")
@click.argument("inputs", nargs=-1, required=True, metavar="PATH|URL|-...")
@click.option("--format", "kind", type=click.Choice(["auto", "text", "feed", "html"]),
              default="auto", show_default=True, help="Read every input as this kind.")
@click.option("--date", "date_text",
              help="Date for raw text and pages that carry none (default: now).")
@click.option("--tags", help="Comma-separated tags added to every imported article.")
@click.option("--source", "source_name", help="Source name for every imported article.")
@click.option("--source-url", help="URL of the original story (one input only).")
@click.option("--draft", is_flag=True, help="Mark the imported articles as drafts.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=TIMEOUT, show_default=True,
              help="Seconds to wait for a server.")
@click.option("--max-size", type=click.FloatRange(min=0.001), default=MAX_BYTES / 1e6,
              show_default=True, help="Largest input to read, in MB.")
@CONFIG_OPTION
def import_command(inputs: tuple[str, ...], kind: str, date_text: str | None,
                   tags: str | None, source_name: str | None, source_url: str | None,
                   draft: bool, dry_run: bool, timeout: float, max_size: float,
                   config_path: Path) -> None:
    """Turn raw article text, RSS/Atom feeds and web pages (files or URLs; '-' reads
    standard input) into articles under content/YYYY/MM/.

    Prints one line per item (written, skipped, failed) and a summary; items already in
    content/ (same source URL or id) are skipped, so importing again is safe. Exits with
    1 when any item failed.
    """
    if source_url and len(inputs) > 1:
        raise click.UsageError("--source-url names the story of one input; pass one input")
    cfg = config_module.load(config_path)
    options = ImportOptions(
        format=None if kind == "auto" else kind, date=_date(date_text, cfg), tags=_tags(tags),
        source_name=source_name, source_url=source_url, draft=draft, dry_run=dry_run,
        timeout=timeout, max_bytes=int(max_size * 1_000_000), furniture=furniture(cfg))
    with _progress() as progress:
        summary = Importer(cfg, options, _echo, progress).run(list(inputs))
    click.echo(summary.line(dry_run))
    if summary.failed:
        sys.exit(1)


def _echo(line: str) -> None:
    click.echo(line)


__all__ = ["CurateError", "import_command", "new_command"]
