"""`digest check`: validate the content and the built site, for CI and before publishing.

- content: every ContentError of loading and planning, all at once;
- duplicate source URLs across articles (drafts included), compared normalized;
- internal links and images of the built pages (digest.checks.links);
- feeds well-formed and complete (digest.checks.feeds).

Exit code 0 when there is no error (warnings are printed but pass), 1 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from digest import __version__, content, parallel
from digest import config as config_module
from digest.build import now as build_now
from digest.checks import Problem, feeds, links
from digest.config import Config
from digest.errors import ContentError, ContentErrors
from digest.models import Article
from digest.site import plan
from digest.urls import normalize_url
from digest.views import site_view

_WARNING = re.compile(r"(?P<file>[^:]+):(?P<line>\d+): (?P<message>.*)", re.DOTALL)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    articles: int = 0
    pages: int = 0
    feeds: int = 0
    links: int = 0
    output: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def summary(self) -> str:
        errors = len(self.errors)
        warnings = len(self.problems) - errors
        checked = (f"{self.articles:,} article{'s' * (self.articles != 1)}, "
                   f"{self.pages:,} HTML file{'s' * (self.pages != 1)} "
                   f"({self.links:,} internal links), {self.feeds:,} feed"
                   f"{'s' * (self.feeds != 1)}")
        if not self.problems:
            return f"No problems: checked {checked}."
        counts = [f"{errors} error{'s' * (errors != 1)}"]
        if warnings:
            counts.append(f"{warnings} warning{'s' * (warnings != 1)}")
        return f"{', '.join(counts)} in {checked}."


def duplicate_sources(articles: list[Article]) -> list[Problem]:
    first: dict[str, Article] = {}
    problems = []
    for article in sorted(articles, key=lambda a: (a.date, a.source_path)):
        if article.source is None or not article.source.url:
            continue
        key = normalize_url(article.source.url)
        earlier = first.setdefault(key, article)
        if earlier is article:
            continue
        line = earlier.lines.get("source")
        where = f"{earlier.source_path}:{line}" if line else earlier.source_path
        problems.append(Problem(
            "duplicate-source", article.source_path, article.lines.get("source"),
            f"source: {article.source.url} is also the source of {where} (the same story "
            "curated twice?)"))
    return problems


def _content_problem(error: ContentError) -> Problem:
    message = f"{error.field}: {error.message}" if error.field else error.message
    return Problem("content", error.path, error.line, message)


def _warning(text: str) -> Problem:
    match = _WARNING.fullmatch(text)
    if match:
        return Problem("content", match["file"], int(match["line"]), match["message"],
                       "warning")
    return Problem("content", "", None, text, "warning")


def check_content(cfg: Config, report: Report) -> dict[str, links.Owner]:
    """Load and plan like `digest build` does; returns who owns each article page."""
    when = build_now()
    settings = content.Settings.of(cfg)
    sources = content.scan(cfg.folder("content_dir"), settings)
    loaded = content.load(sources, settings, drafts=True, now=when,
                          mapper=parallel.article_mapper(parallel.default_jobs()))
    errors = list(loaded.errors)
    report.problems += [_warning(w) for w in loaded.warnings]
    published = [a for a in loaded.articles if not a.draft and a.date <= when]
    owners: dict[str, links.Owner] = {}
    try:
        site_plan = plan(published, cfg, site_view(cfg, __version__))
    except ContentErrors as error:
        errors += error.errors
    else:
        by_url = {view.url: article for article, view in site_plan.articles}
        for page in site_plan.pages:
            article = by_url.get(page.url)
            if article is not None and page.template == "article.html":
                owners[page.output_path] = links.Owner(article.source_path, article.image,
                                                       article.lines.get("image"))
    report.articles = len(published)
    report.problems += [_content_problem(e) for e in ContentErrors(errors).errors]
    report.problems += duplicate_sources(loaded.articles)
    return owners


def built_base_url(out: Path) -> str | None:
    """The base_url the output was built with, read from its robots.txt (None if unknown)."""
    try:
        text = (out / "robots.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r"^Sitemap:\s*(https?://\S+/)sitemap\.xml\s*$", text, re.MULTILINE)
    return match.group(1) if match else None


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


def run(cfg: Config, output: Path | None = None, base_url: str | None = None) -> Report:
    """Every check; the links are checked against the base_url the output was built with."""
    report = Report()
    out = (output or cfg.folder("output_dir")).absolute()
    report.output = _shown(out, cfg.root) if output is None else str(output)
    site_base = base_url or (built_base_url(out) if out.is_dir() else None) or cfg.base_url
    owners = check_content(cfg.with_base_url(site_base), report)
    if not out.is_dir():
        report.problems.append(Problem(
            "output", report.output, None,
            f"{report.output}/ does not exist; run `digest build` first, then check again"))
        return report
    site = links.Site(out, cfg.with_base_url(site_base).base_url, report.output)
    feed_problems, feed_refs, report.feeds = feeds.check(site)
    link_problems, report.links = links.check(site, feed_refs, owners,
                                              parallel.default_jobs())
    report.pages = sum(1 for rel in site.files if rel.endswith((".html", ".htm")))
    report.problems += feed_problems + link_problems
    return report


@click.command("check")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              default=Path("config.yaml"), show_default=True,
              help="The site's config file; paths in it are relative to it.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="The built site to check (default: the config's output_dir).")
@click.option("--base-url", default=None,
              help="The base_url the site was built with (default: read from the built "
                   "site's robots.txt, else the config's).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: a list of problems for machines.")
def check_command(config_path: Path, output: Path | None, base_url: str | None,
                  fmt: str) -> None:
    """Check the content and the built site: links, images, sources, feeds.

    Exits with 1 when there is an error, so CI can stop before publishing.
    """
    cfg = config_module.load(config_path)
    report = run(cfg, output, base_url)
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in report.problems], ensure_ascii=False,
                              indent=2))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(report.summary())
    if report.errors:
        sys.exit(1)
