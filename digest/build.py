"""build(config) -> BuildReport: the one place that runs the steps in order.

Everything is loaded, validated, planned and rendered before output/ changes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from digest import __version__, content, feeds, output, render, sitemap
from digest.config import Config
from digest.errors import ContentErrors, StrictError
from digest.site import plan
from digest.views import site_view


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None  # default: the config's output_dir
    drafts: bool = False
    strict: bool = False
    force: bool = False


@dataclass
class BuildReport:
    articles: int = 0
    pages: int = 0
    feeds: int = 0
    files: int = 0
    drafts: int = 0
    scheduled: int = 0
    seconds: float = 0.0
    output: Path = Path("output")
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"Built {self.articles:,} article{'s' * (self.articles != 1)}, "
                 f"{self.pages:,} pages, {self.feeds:,} feeds in {self.seconds:.1f} s"]
        if self.drafts:
            parts.append(f"{self.drafts} draft{'s' * (self.drafts != 1)} left out")
        if self.scheduled:
            parts.append(f"{self.scheduled} scheduled for later (dated in the future)")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'s' * (len(self.warnings) != 1)}")
        return "; ".join(parts) + "."


def now() -> datetime:
    """The build's clock: SOURCE_DATE_EPOCH when set, so builds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def build(config: Config, options: BuildOptions | None = None) -> BuildReport:
    options = options or BuildOptions()
    started = time.perf_counter()
    settings = content.Settings(str(config.root), config.timezone, config.host, config.base_path)
    loaded = content.load(config.folder("content_dir"), settings, drafts=options.drafts,
                          now=now())
    report = BuildReport(drafts=loaded.drafts, scheduled=loaded.scheduled,
                         warnings=loaded.warnings)
    site = site_view(config, __version__)
    errors = list(loaded.errors)
    site_plan = None
    try:
        site_plan = plan(loaded.articles, config, site)
    except ContentErrors as error:
        errors += error.errors
    if errors:
        raise ContentErrors(errors)
    assert site_plan is not None
    if options.strict and report.warnings:
        raise StrictError(report.warnings)

    out = (options.output or config.folder("output_dir")).absolute()
    renderer = render.Renderer(config.folder("layouts_dir"), site, config.root)
    files: list[tuple[str, bytes]] = [(page.output_path, renderer.render(page))
                                      for page in site_plan.pages]
    files += [(spec.output_path, feeds.render(spec, config, site)) for spec in site_plan.feeds]
    files += [("sitemap.xml", sitemap.sitemap(site_plan, site)),
              ("robots.txt", sitemap.robots(site)), (".nojekyll", b"")]
    if config.cname:
        files.append(("CNAME", f"{config.cname}\n".encode()))

    stage = output.Stage(out, force=options.force)
    try:
        for rel, data in files:
            stage.write(rel, data)
        stage.copy_tree(config.folder("layouts_dir") / "static", "static")
        stage.copy_tree(render.THEME / "static", "static")
        stage.copy_tree(config.folder("static_dir"))
        stage.commit()
    except BaseException:
        stage.discard()
        raise
    report.articles = len(site_plan.articles)
    report.pages = len(site_plan.pages)
    report.feeds = len(site_plan.feeds)
    report.files = stage.files
    report.output = out
    report.seconds = time.perf_counter() - started
    return report
