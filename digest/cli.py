"""The `digest` command. A DigestError becomes one clear message and exit code 1."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from digest import __version__
from digest import config as config_module
from digest.errors import DigestError

# Commands that live in their own modules, imported only when used: `digest build`
# does not pay for the HTTP, HTML and file-watching libraries of the others.
LAZY_COMMANDS = {
    "init": "digest.scaffold:init_command",
    "check": "digest.check:check_command",
    "serve": "digest.serve:serve_command",
    "new": "digest.curate.commands:new_command",
    "import": "digest.curate.commands:import_command",
}

CONFIG_OPTION = click.option("--config", "config_path", type=click.Path(path_type=Path),
                             default=Path("config.yaml"), show_default=True,
                             help="The site's config file; paths in it are relative to it.")


def load_config(path: Path, base_url: str | None = None) -> config_module.Config:
    cfg = config_module.load(path)
    return cfg.with_base_url(base_url) if base_url else cfg


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attribute = LAZY_COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def cli() -> None:
    """digest: a static site generator for curated news digests."""


@cli.command("build")
@CONFIG_OPTION
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Build into this folder instead of the config's output_dir.")
@click.option("--base-url", default=None, help="Override base_url (e.g. in CI).")
@click.option("--drafts", is_flag=True, help="Include drafts and future-dated articles.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--force", is_flag=True,
              help="Replace the output folder even if digest did not write it.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0,
              help="Processes to use; 0 (default) = one per core.")
@click.option("--no-cache", is_flag=True, help="Ignore and do not write the build cache.")
@click.option("--timings", is_flag=True, help="Print how long each step took (to stderr).")
def build_command(config_path: Path, output: Path | None, base_url: str | None, drafts: bool,
                  quiet: bool, strict: bool, force: bool, jobs: int, no_cache: bool,
                  timings: bool) -> None:
    """Build the site from content/, layouts/ and config.yaml into output/."""
    from digest.build import BuildOptions, build

    cfg = load_config(config_path, base_url)
    report = build(cfg, BuildOptions(output=output, drafts=drafts, strict=strict, force=force,
                                     jobs=jobs, cache=not no_cache, progress=not quiet))
    if not quiet:
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(report.summary())
    if timings:
        click.echo(report.timings(), err=True)
    global _exit_at_once
    _exit_at_once = True


# Set by a finished build: freeing its tens of thousands of objects one by one at exit
# would only cost time (a fifth of a second on 10,000 articles).
_exit_at_once = False


def main() -> None:
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except DigestError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    code = code if isinstance(code, int) else 0
    if _exit_at_once:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
