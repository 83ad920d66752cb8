"""Instructions, not seconds: what one step of a build costs, counted under valgrind.

Build times on a shared machine move by a quarter from one run to the next, which
hides a change of a few percent in one step. The number of instructions a step runs
does not move: this script counts them with valgrind's cachegrind for reading an
article (front matter, Markdown, sanitizing), and for rendering an article page, a list
page, a list entry and a feed, on a site of the shared corpus.

    apt-get install -y valgrind
    python bench/instructions.py                    # 300 articles
    python bench/instructions.py --steps read,page --count 100

Each step runs in a fresh process twice, doing the work `--count` times and not at all;
the difference, divided by the count, is the step's cost. Instructions are a proxy for
time, not time: a cache miss or SHA-256 (which valgrind runs without the processor's
SHA instructions) costs more or less than its count says.
"""

from __future__ import annotations

import argparse
import gc
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import DIGEST_CONFIG, GEN_CORPUS, digest_command  # noqa: E402

STEPS = ("read", "page", "list", "entry", "feed")
DESCRIPTIONS = {
    "read": "read an article file (content.read_article)",
    "page": "render an article page",
    "list": "render a home or tag page (entries stored)",
    "entry": "render an article's list entry",
    "feed": "render a feed (RSS, up to 20 items)",
}


def make_site(folder: Path, articles: int) -> Path:
    """A site of `articles` articles of the shared corpus, built once (so its cache
    holds them)."""
    site = folder / "site"
    subprocess.run([sys.executable, str(GEN_CORPUS), "--count", str(articles), "--format",
                    "digest", str(site)], check=True, stdout=subprocess.DEVNULL)
    (site / "config.yaml").write_text(DIGEST_CONFIG, encoding="utf-8")
    subprocess.run(digest_command(), cwd=site, check=True)
    return site


def count_instructions(step: str, count: int, site: Path) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no",
               "--cachegrind-out-file=/dev/null", sys.executable, __file__, "--child", step,
               "--count", str(count), "--site", str(site)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def child(step: str, count: int, site: Path) -> None:
    """Set the site up as a build would, then do `step` `count` times."""
    import os

    from digest import __version__, build, content, feeds
    from digest import render as rendering
    from digest.cache import ArticleCache, EntryStore
    from digest.cli import load_config
    from digest.site import plan
    from digest.views import site_view

    gc.disable()  # as during a build
    os.chdir(site)
    config = load_config(Path("config.yaml"))
    settings = content.Settings.of(config)
    site_values = site_view(config, __version__)
    cache = ArticleCache(config.folder("cache_dir"), settings)
    sources = content.scan(config.folder("content_dir"), settings, None)
    loaded = content.load(sources, settings, drafts=False, now=build.now(), cache=cache,
                          keys=cache.keys(sources))
    site_plan = plan(loaded.articles, config, site_values, loaded.notes)
    renderer = rendering.Renderer(config.folder("layouts_dir"), site_values, config.root)
    markdown = content.Renderer(settings.typographer)
    files = [(sources.data(i), rel) for i, (_, rel) in enumerate(sources.items)]
    views = [view for _, view in site_plan.articles]
    lists = [page for page in site_plan.pages if page.template == "list.html"]
    pages = [page for page in site_plan.pages if page.template == "article.html"]
    if step == "list":
        entries = EntryStore(config.folder("cache_dir"), build._site_key(config))
        renderer.use_stored_entries(entries.load)
    work: dict[str, Callable[[int], object]] = {
        "read": lambda i: content.read_article(*files[i % len(files)], settings, markdown),
        "page": lambda i: renderer.render(pages[i % len(pages)]),
        "list": lambda i: renderer.render(lists[i % len(lists)]),
        "entry": lambda i: renderer.entry_html(views[i % len(views)]),
        "feed": lambda i: feeds.render(site_plan.feeds[i % len(site_plan.feeds)], config,
                                       site_values),
    }
    work[step](0)  # the first time compiles templates and fills caches: not counted
    for i in range(1, count + 1):
        work[step](i)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="size of the site")
    parser.add_argument("--count", type=int, default=300, help="times each step is done")
    parser.add_argument("--steps", default=",".join(STEPS), help="of " + ",".join(STEPS))
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--site", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.count, args.site)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install -y valgrind")
    steps = [step.strip() for step in args.steps.split(",")]
    unknown = set(steps).difference(STEPS)
    if unknown:
        raise SystemExit(f"unknown steps: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="digest-instructions-") as folder:
        site = make_site(Path(folder), args.articles)
        print(f"{args.articles} articles; each step {args.count} times, in instructions:")
        for step in steps:
            base = count_instructions(step, 0, site)
            total = count_instructions(step, args.count, site)
            print(f"  {step:<6} {(total - base) / args.count:>12,.0f}  {DESCRIPTIONS[step]}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
