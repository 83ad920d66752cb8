"""build(config) -> BuildReport: the one place that runs the steps in order.

Everything is loaded, validated and planned before output/ changes; then every
output file gets an input key, and only files whose key changed are rendered. A
rebuild after edits to articles' bodies alone skips loading and planning: it remakes
the files that show those articles from the last build's recipes (digest.replay).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest import __version__, content, output, search, theme
from digest.cache import ArticleCache, EntryStore, code_key, content_hash
from digest.config import Config
from digest.errors import ContentErrors, StrictError, TemplateError
from digest.manifest import ManifestStore, TreeRecord
from digest.models import shape_line
from digest.static import static_files
from digest.views import SiteView, site_view

if TYPE_CHECKING:
    from digest.jobs import OutputJob
    from digest.models import Article
    from digest.render import Renderer
    from digest.site import SitePlan


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None  # default: the config's output_dir
    drafts: bool = False
    strict: bool = False
    force: bool = False
    jobs: int = 0  # 0: one per core
    cache: bool = True
    progress: bool = False


@dataclass
class BuildReport:
    articles: int = 0
    pages: int = 0
    feeds: int = 0
    rendered: int = 0  # output files written this time
    cached: int = 0  # articles that came from the cache
    drafts: int = 0
    scheduled: int = 0
    seconds: float = 0.0
    up_to_date: bool = False
    output: Path = Path("output")
    warnings: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # step -> seconds, in order

    def timings(self) -> str:
        """One line per step of the build, for `digest build --timings`."""
        width = max((len(name) for name in self.phases), default=0)
        return "\n".join(f"{name:<{width}} {seconds:7.3f} s"
                         for name, seconds in self.phases.items())

    def summary(self) -> str:
        parts = [f"Built {self.articles:,} article{'s' * (self.articles != 1)}, "
                 f"{self.pages:,} pages, {self.feeds:,} feeds in {self.seconds:.1f} s"]
        if self.cached:
            parts.append(f"{self.cached:,} articles from the cache")
        parts.append("output already up to date" if self.up_to_date
                     else f"{self.rendered:,} files rendered")
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


def _site_key(config: Config) -> str:
    """What every output file depends on: digest, the config and the templates."""
    portable = replace(config, root=Path("."), path="")
    indexer = search.version() if config.search else None
    digest = hashlib.blake2b(repr((code_key(), portable, indexer)).encode(), digest_size=16)
    for path in theme.template_files(config.folder("layouts_dir")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _frame_key(site_key: str, sources: content.Sources, config: Config,
               options: BuildOptions) -> str:
    """Everything a build reads but the article files."""
    digest = hashlib.blake2b(repr((site_key, options.drafts)).encode(), digest_size=16)
    for error in sources.errors:
        digest.update(str(error).encode())
    for data, rel in sources.notes:
        digest.update(rel.encode() + b"\0" + hashlib.blake2b(data).digest())
    for path in static_files(config):  # name, size and mtime: cheap, and enough to notice
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _inputs_key(frame: str, keys: list[str] | None) -> str:
    """Everything a build reads, fingerprinted; "" without a cache (no up-to-date check)."""
    if keys is None:
        return ""
    digest = hashlib.blake2b(frame.encode(), digest_size=16)
    for key in keys:
        digest.update(key.encode())
    return digest.hexdigest()


def _shape_key(site_key: str, options: BuildOptions, loaded: content.LoadResult) -> str:
    """What planning reads: two builds with the same shape key put the same articles on the
    same pages, and differ at most in the articles' bodies (see jobs.Reuse)."""
    digest = hashlib.blake2b(repr((site_key, options.drafts, sorted(loaded.notes.items())))
                             .encode("utf-8", "surrogatepass"), digest_size=16)
    for article in loaded.articles:
        digest.update(f"{article.source_path}\0{shape_line(article)}\0"
                      .encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _up_to_date(record: TreeRecord | None, inputs: str, options: BuildOptions,
                moment: datetime) -> bool:
    """The output was built from exactly these inputs, and nothing has fallen due since."""
    if record is None or not inputs or record.inputs != inputs or options.force:
        return False
    if record.fallen_due(moment):
        return False
    return not (options.strict and record.report.get("warnings"))


def _whole(out: Path, record: TreeRecord) -> bool:
    """Every file of the record is in the output: one deleted by hand makes the output out
    of date (the build makes it again)."""
    return all(output.present(out, path) for path in record.files)


class _Clock:
    """Seconds spent in each step of a build."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - self.last
        self.last = now

    def finish(self, report: BuildReport) -> BuildReport:
        report.phases = self.phases
        report.seconds = time.perf_counter() - self.started
        return report


@contextmanager
def _no_collections() -> Iterator[None]:
    """A build makes millions of objects that live until it ends, and hardly any
    reference cycles (about two per article). The cycle collector, even run every 50,000
    allocations, spends 0.2 s of a build of 10,000 articles walking objects that are not
    garbage. So it is off while a build runs; once back on, it finds those few cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(config: Config, options: BuildOptions | None = None) -> BuildReport:
    with _no_collections():
        return _build(config, options or BuildOptions())


def _build(config: Config, options: BuildOptions) -> BuildReport:
    clock = _Clock()
    moment = now()
    settings = content.Settings.of(config)
    cache = ArticleCache(config.folder("cache_dir"), settings) if options.cache else None
    store = ManifestStore(config.folder("cache_dir"), enabled=options.cache)
    out = (options.output or config.folder("output_dir")).absolute()
    site = site_view(config, __version__)
    site_key = _site_key(config)
    clock.mark("settings")

    output.check_owner(out, force=options.force, keep=config.keep, protected=_protected(config))
    if config.search:
        search.executable()  # pagefind-bin missing: say so before any work
    sources = content.scan(config.folder("content_dir"), settings,
                           cache.unchanged if cache else None)
    clock.mark("scan")
    keys = cache.keys(sources) if cache else None
    frame = _frame_key(site_key, sources, config, options)
    inputs = _inputs_key(frame, keys)
    current = store.load(output.read_marker(out)) if out.is_dir() else None
    clock.mark("up-to-date check")
    if current is not None and _up_to_date(current, inputs, options, moment) \
            and _whole(out, current):
        if cache is not None and any(data is not None for data, _ in sources.items):
            cache.remember_files()
        return clock.finish(BuildReport(**current.report, up_to_date=True, output=out))

    # Imported here: an up-to-date build returns above without loading Jinja, the
    # process pool or the feed libraries.
    from digest import parallel, render
    from digest.jobs import Reuse, plan_jobs
    from digest.replay import KeptFileGone, RecipeStore, plan_replay
    from digest.site import plan

    clock.mark("imports")
    jobs = options.jobs or parallel.default_jobs()
    renderer = render.Renderer(config.folder("layouts_dir"), site, config.root)
    entries = EntryStore(config.folder("cache_dir"), site_key) if options.cache else None
    recipes = RecipeStore(config.folder("cache_dir")) if cache is not None else None

    def keep_articles() -> None:
        """Save the articles read for the next build: also when this one fails."""
        if cache is not None and keys is not None:
            cache.save(set(keys))

    if cache is not None and recipes is not None and keys is not None and current is not None \
            and not options.force and not config.search:
        replay = plan_replay(config=config, settings=settings, site=site, site_key=site_key,
                             renderer=renderer, cache=cache, recipes=recipes, sources=sources,
                             keys=keys, frame=frame, inputs=inputs, current=current,
                             drafts=options.drafts, now=moment)
        clock.mark("replay")
        if replay is not None:
            for key, result in replay.fresh.items():
                cache.put(key, result)
            report = BuildReport(**replay.record.report, output=out,
                                 cached=len(keys) - len(replay.fresh))

            def describe_replay() -> None:
                keep_articles()
                recipes.save({**replay.meta, "inputs": inputs}, replay.sources, replay.jobs,
                             replay.record.files, after=current.inputs)

            try:
                report.rendered = _write_and_remember(
                    out, replay.jobs, replay.record, store, current, config, options, jobs,
                    clock, renderer, entries, {}, replay.fingerprints, describe_replay)
            except KeptFileGone:
                pass  # the output lost a file: planned below, as if there were no recipes
            else:
                clock.mark("save")
                return clock.finish(report)
    # Planned: every article is loaded (from the cache when it has them) and placed.
    rels = [rel for _, rel in sources.items]
    loaded = content.load(sources, settings, drafts=options.drafts, now=moment,
                          mapper=parallel.article_mapper(jobs), cache=cache, keys=keys,
                          entry=_entry_maker(config, site, renderer))
    del sources  # the files' bytes are not needed any more
    clock.mark("load")

    errors = list(loaded.errors)
    try:
        site_plan = plan(loaded.articles, config, site, loaded.notes)
    except ContentErrors as error:
        errors += error.errors
    if errors:
        keep_articles()
        raise ContentErrors(errors)
    if options.strict and loaded.warnings:
        keep_articles()
        raise StrictError(loaded.warnings)

    clock.mark("plan")
    renderer.add_entries(loaded.entries)
    shape = _shape_key(site_key, options, loaded)
    fingerprints = {view.fingerprint for _, view in site_plan.articles}
    reuse = None
    # The recipe store describes the last tree: files whose key does not change keep
    # their stored recipe, and keys can be reused (their recipes are not made).
    in_sync = current is not None and recipes is not None \
        and recipes.meta().get("inputs") == current.inputs
    if current is not None and current.shape == shape and not options.force and in_sync:
        reuse = Reuse(current.files, frozenset(fingerprints.difference(current.fingerprints)))
    output_jobs = plan_jobs(site_plan, config, site, renderer, site_key, shape, reuse)
    counts = {"articles": len(site_plan.articles), "pages": len(site_plan.pages),
              "feeds": len(site_plan.feeds), "drafts": loaded.drafts,
              "scheduled": loaded.scheduled, "warnings": loaded.warnings}
    # The files' keys: now when there is a last tree to compare with, else while the
    # pages render (see _write).
    record = TreeRecord({}, inputs,
                        loaded.next_change.isoformat() if loaded.next_change else None, counts,
                        shape=shape, fingerprints=sorted(fingerprints))
    if current is not None:
        record.files = {job.path: job.key for job in output_jobs}
    clock.mark("output keys")
    report = BuildReport(**counts, cached=loaded.cached, output=out)

    def describe() -> None:
        """Keep this build's articles and recipes (see digest.replay) for the next one."""
        keep_articles()
        if recipes is None or keys is None:
            return
        known = current.files if current is not None and in_sync else {}
        recipes.save({"inputs": inputs, "frame": frame,
                      "spelling": json.dumps(_spelling(site_plan), sort_keys=True)},
                     _source_rows(rels, keys, site_plan),
                     [job for job in output_jobs if known.get(job.path) != job.key],
                     record.files, after=current.inputs if current and in_sync else None,
                     every_source=True)

    if current is not None and current.files == record.files and not options.force \
            and _whole(out, current):
        record.hashes = current.hashes
        describe()
        store.save(record)  # same output from changed inputs: remember the new inputs
        report.up_to_date = True
    else:
        report.rendered = _write_and_remember(out, output_jobs, record, store, current, config,
                                              options, jobs, clock, renderer, entries,
                                              loaded.entries, fingerprints, describe)
    clock.mark("save")
    return clock.finish(report)


def _spelling(site_plan: SitePlan) -> dict[str, str]:
    """Each tag's spelling on the site, by its key (see content.finish)."""
    return {tag.key: tag.name for article, _ in site_plan.articles for tag in article.tags}


def _source_rows(rels: list[str], keys: list[str],
                 site_plan: SitePlan) -> list[tuple[str, str, str, str]]:
    """The recipe store's row of every article file: (path, cache key, fingerprint, shape)."""
    shown = {article.source_path: (view.fingerprint, shape_line(article))
             for article, view in site_plan.articles}
    return [(rel, key, *shown.get(rel, ("", ""))) for rel, key in zip(rels, keys, strict=True)]


def _write_and_remember(out: Path, output_jobs: list[OutputJob], record: TreeRecord,
                        store: ManifestStore, current: TreeRecord | None, config: Config,
                        options: BuildOptions, jobs: int, clock: _Clock, renderer: Renderer,
                        entries: EntryStore | None, known_entries: dict[str, str],
                        fingerprints: set[str], describe: Callable[[], None]) -> int:
    """_write, which `describe`s the build for the next one and keeps the list entries
    rendered while reading, as the pages render; before the new tree is swapped in, it
    keeps those rendered with the pages (a build stopped after the swap then leaves
    nothing undone)."""
    if entries is not None and not fingerprints <= known_entries.keys():
        renderer.use_stored_entries(entries.load)  # else every entry is known already
    learnt: dict[str, str] = {}

    def describe_and_keep_entries() -> None:
        describe()
        if entries is not None and known_entries:
            entries.save(known_entries, fingerprints)

    def remember() -> None:
        # Each save also forgets the entries of articles gone from the site: without
        # entries from reading, this is the save that does it.
        if entries is not None and (learnt or not known_entries):
            entries.save(learnt, fingerprints)

    return _write(out, output_jobs, record, store, current, config, options, jobs, clock,
                  (renderer.new_entries, learnt.update), describe_and_keep_entries, remember)


def _entry_maker(config: Config, site: SiteView,
                 renderer: Renderer) -> Callable[[Article], tuple[str, str] | None]:
    """Renders an article's list entry as soon as it is read, in the Markdown workers, so
    that it is rendered once: otherwise every page renderer makes its own copy of most.
    The entry is keyed by the article's fingerprint: an article whose tags are respelled
    afterwards gets another one, and its entry is rendered with the pages."""

    from digest.site import article_url, article_view

    def entry(article: Article) -> tuple[str, str] | None:
        view = article_view(site, article, article_url(config, article))
        try:
            return view.fingerprint, renderer.entry_html(view)
        except TemplateError:
            return None  # reported when a page that lists the article is rendered

    return entry


def _protected(config: Config) -> tuple[Path, ...]:
    """Folders an output folder must never be, nor hold."""
    return (config.root, *(config.folder(name) for name in (
        "content_dir", "layouts_dir", "static_dir", "cache_dir")))


def _write(out: Path, output_jobs: list[OutputJob], record: TreeRecord, store: ManifestStore,
           current: TreeRecord | None, config: Config, options: BuildOptions,
           jobs: int, clock: _Clock,
           gather: tuple[Callable[[], Any], Callable[[Any], None]],
           describe: Callable[[], None], before_commit: Callable[[], None]) -> int:
    """Bring the spare tree (or a new one) up to date, then swap it in; returns files made.

    `record.files` holds the output keys when there is an earlier tree (they were compared
    with it); else this process works them out while the other processes render. Then it
    `describe`s the build and renders its share."""
    from digest import parallel
    from digest.progress import Progress

    stage = output.Stage(out, force=options.force, keep=config.keep,
                         protected=_protected(config))
    try:
        spare = store.load(output.read_marker(stage.spare))
        stage.start(spare.files if spare else None)
        base_hashes = spare.hashes if spare else {}
        now_in_output = current.files if current else {}
        output_hashes = current.hashes if current else {}
        # Folders made in a new stage (each process keeps its own set); a stage that
        # starts from the spare tree has most of them, and a file's folder is made only
        # when writing it fails.
        folders: set[str] | None = None if stage.base else set()
        todo: list[int] = []
        from_spare: list[int] = []  # files the spare tree holds already
        for index, job in enumerate(output_jobs):
            path = job.path  # a key is asked for only if there is one to compare it with
            in_base, in_output = stage.base.get(path), now_in_output.get(path)
            if in_base is not None and in_base == job.key and path in base_hashes:
                record.hashes[path] = base_hashes[path]
                from_spare.append(index)
            elif in_output is not None and in_output == job.key and path in output_hashes:
                if output.link_file(os.path.join(out, path), stage.path, path, folders,
                                    existing=in_base is not None):
                    record.hashes[path] = output_hashes[path]
                else:  # deleted from the output by hand: made again
                    stage.base.pop(path, None)  # and gone from the stage (link_file)
                    todo.append(index)
            else:
                todo.append(index)
        stage.prune({job.path for job in output_jobs})
        clock.mark("stage")
        # The spare tree was the output before the last build, where files may have been
        # deleted by hand: the files taken from it are looked for while the pages render.
        lost: list[int] = []

        def alongside() -> None:
            if current is None:  # with an earlier tree, the caller has the keys already
                record.files = {job.path: job.key for job in output_jobs}
            describe()
            lost.extend(index for index in from_spare
                        if not output.present(stage.path, output_jobs[index].path))

        def make(index: int) -> tuple[str, str]:
            """Render one file; files whose bytes did not change are left alone."""
            job = output_jobs[index]
            data = job.make()
            digest = content_hash(data)
            in_base = job.path in stage.base
            if base_hashes.get(job.path) == digest and in_base \
                    and output.present(stage.path, job.path):
                pass  # the spare tree already holds these bytes
            elif output_hashes.get(job.path) == digest and output.link_file(
                    os.path.join(out, job.path), stage.path, job.path, folders,
                    existing=in_base):
                pass  # linked from the output: the file keeps its mtime
            else:
                output.write_file(stage.path, job.path, data, folders, existing=in_base)
            return job.path, digest

        with Progress(enabled=options.progress).bar("Rendering", len(todo)) as advance:
            record.hashes.update(parallel.run_all(lambda i: make(todo[i]), len(todo), jobs,
                                                  advance, *gather, alongside=alongside))
        for index in lost:  # rare: made here, from scratch
            stage.base.pop(output_jobs[index].path, None)
            record.hashes.update([make(index)])
        clock.mark("render")
        if config.search:
            search.index(stage.path, base_path=config.base_path, language=config.language,
                         previous=out)
        else:
            search.clear(stage.path)
        clock.mark("search")
        before_commit()
        stage.commit(store.save(record))
    except BaseException:
        stage.discard()
        raise
    return len(todo) + len(lost)
