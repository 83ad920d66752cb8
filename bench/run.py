#!/usr/bin/env python3
"""Benchmark digest against Hugo and Pelican on the shared news corpus.

For each corpus size the script lays out the same articles for every tool with
`../shared/bench/anchors/setup.sh`, then times, each `--runs` times (medians reported):

- digest: cold build, warm rebuild (nothing changed), rebuild after editing one
  article, rebuild after adding 20 articles;
- Hugo and Pelican: cold build, when installed.

Peak memory is the largest sum of RSS over the build's whole process tree, sampled
every 20 ms. It prints a Markdown table with the ratios digest/Hugo and digest/Pelican,
a PASS/FAIL line per performance target, and writes results.json and chart.png.

    pip install -e . -r bench/requirements.txt && apt-get install -y hugo
    python bench/run.py                      # 1,000 and 10,000 articles, 3 runs each
    python bench/run.py --huge               # and 100,000
    python bench/run.py --sizes 1000 --runs 1
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED_BENCH = REPO.parent / "shared" / "bench"
SETUP_SCRIPT = SHARED_BENCH / "anchors" / "setup.sh"
GEN_CORPUS = SHARED_BENCH / "gen_corpus.py"

DEFAULT_SIZES = (1_000, 10_000)
HUGE_SIZE = 100_000
REFERENCE_SIZE = 10_000  # the targets are stated for this size
SAMPLE_SECONDS = 0.02
MB = 1024 * 1024
ADDED_PER_RUN = 20
# Every corpus article is dated before 2025-12-31T00:00Z, so articles added on that
# day are the newest of the site: they reach the home page and the feeds, like a
# day's curation does.
ADD_DAY = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)

DIGEST_CONFIG = """\
# Written by bench/run.py: the workload of ../shared/bench/README.md.
title: "Digest benchmark"
base_url: "https://example.org/"
timezone: UTC
per_page: 10
feeds:
  items: 20
  per_tag: true
  full_content: true
  # The workload asks for RSS, for the site and every tag; the peers' sites leave
  # Atom out (Pelican's FEED_ALL_ATOM = None), so digest leaves out Atom and JSON Feed.
  formats: [rss]
# Editions are not part of the shared workload (the peers have nothing like them).
# digest still writes more than the workload asks: day archives.
editions: "off"
"""

DIGEST_SCENARIOS = ("cold", "warm", "edit", "add20")
PEERS = ("hugo", "pelican")
TOOL_NAMES = {"digest": "digest", "hugo": "Hugo", "pelican": "Pelican"}


class BenchError(RuntimeError):
    """A build failed or produced the wrong output."""


@dataclass(frozen=True)
class Measurement:
    """One timed build: wall time, peak memory, CPU time of the process and its children."""

    seconds: float
    peak_bytes: int
    user_seconds: float = 0.0
    system_seconds: float = 0.0


@dataclass
class Series:
    """Repeated measurements of one tool and scenario at one corpus size."""

    size: int
    tool: str
    scenario: str
    runs: list[Measurement] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(m.seconds for m in self.runs)

    @property
    def peak_mb(self) -> float:
        return statistics.median(m.peak_bytes for m in self.runs) / MB

    def to_json(self) -> dict[str, object]:
        return {
            "size": self.size, "tool": self.tool, "scenario": self.scenario,
            "seconds": [round(m.seconds, 4) for m in self.runs],
            "peak_mb": [round(m.peak_bytes / MB, 1) for m in self.runs],
            "cpu_user_seconds": [round(m.user_seconds, 3) for m in self.runs],
            "cpu_system_seconds": [round(m.system_seconds, 3) for m in self.runs],
            "median_seconds": round(self.seconds, 4), "median_peak_mb": round(self.peak_mb, 1),
        }


@dataclass(frozen=True)
class Target:
    """One target of the issue, checked against the measured medians."""

    name: str
    value: float | None
    limit: float
    detail: str = ""

    @property
    def status(self) -> str:
        if self.value is None:
            return "SKIP"
        return "PASS" if self.value <= self.limit else "FAIL"

    def line(self) -> str:
        if self.value is None:
            return f"- SKIP {self.name} ({self.detail})"
        return f"- {self.status} {self.name}: {self.value:.3g} (limit {self.limit:g}){self.detail}"


@dataclass
class Results:
    """Everything one benchmark run measured."""

    series: list[Series] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def find(self, size: int, tool: str, scenario: str = "cold") -> Series | None:
        for s in self.series:
            if (s.size, s.tool, s.scenario) == (size, tool, scenario):
                return s
        return None

    def reference(self, size: int, peer: str, scenario: str) -> Series | None:
        """The peer's cold builds to hold digest's `scenario` against: those timed between
        its runs when there are (see bench_digest_rebuilds), else the cold round's."""
        return self.find(size, peer, beside(scenario)) or self.find(size, peer)

    def note(self, text: str) -> None:
        print(f"note: {text}", flush=True)
        self.notes.append(text)


# --- command line ---------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive article counts, e.g. 1000,10000")
    return sizes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
                        help="comma-separated article counts (default: 1000,10000)")
    parser.add_argument("--huge", action="store_true", help="also build 100,000 articles")
    parser.add_argument("--runs", type=int, default=3, help="repetitions per scenario (median)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/digest-bench"),
                        help="where the corpora and sites are laid out (default /tmp/digest-bench)")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder for results.json and chart.png (default: next to this script)")
    parser.add_argument("--no-peers", action="store_true", help="do not build Hugo and Pelican")
    parser.add_argument("--peers-up-to", type=int, default=REFERENCE_SIZE, metavar="N",
                        help="build Hugo and Pelican only up to N articles (default 10000: "
                             "Pelican would take an estimated 10-20 min a run at 100,000)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    if args.huge and HUGE_SIZE not in args.sizes:
        args.sizes = sorted([*args.sizes, HUGE_SIZE])
    return args


# --- running and sampling a build -----------------------------------------------------------------


def tree_rss(root: psutil.Process) -> int:
    """Sum of the resident memory of a process and all its descendants."""
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):  # exited between listing and reading
            total += proc.memory_info().rss
    return total


def wait_sampling(proc: subprocess.Popen[bytes]) -> int:
    """Wait for proc to exit; return the largest process-tree RSS seen meanwhile."""
    try:
        root = psutil.Process(proc.pid)
    except psutil.NoSuchProcess:
        proc.wait()
        return 0
    peak = 0
    while True:
        peak = max(peak, tree_rss(root))
        try:
            proc.wait(timeout=SAMPLE_SECONDS)
            return peak
        except subprocess.TimeoutExpired:
            continue


def timed_run(cmd: list[str], cwd: Path) -> Measurement:
    """Run cmd in cwd; return wall time and peak tree RSS, or raise if it fails."""
    os.sync()  # write back the previous step's files before the clock starts
    with tempfile.TemporaryFile() as log:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        peak = wait_sampling(proc)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-3000:]
            raise BenchError(f"{' '.join(cmd)} in {cwd} exited {proc.returncode}:\n{tail}")
    # RUSAGE_CHILDREN grows by the CPU time of the waited-for child and of the
    # descendants it waited for (digest's pool workers, Hugo's threads).
    return Measurement(seconds, peak, after.ru_utime - before.ru_utime,
                       after.ru_stime - before.ru_stime)


def remove(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


# --- corpus ---------------------------------------------------------------------------------------


def lay_out(size: int, workdir: Path) -> None:
    """Generate the corpus for every tool into workdir/{digest,hugo,pelican,jekyll}-size."""
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["bash", str(SETUP_SCRIPT), str(size), str(workdir)], check=True,
                   stdout=subprocess.DEVNULL)


def write_digest_config(site: Path) -> None:
    (site / "config.yaml").write_text(DIGEST_CONFIG, encoding="utf-8")


def load_corpus_module() -> ModuleType:
    """Import ../shared/bench/gen_corpus.py, to write added articles in the corpus format."""
    spec = importlib.util.spec_from_file_location("gen_corpus", GEN_CORPUS)
    if spec is None or spec.loader is None:
        raise BenchError(f"cannot load {GEN_CORPUS}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def source_files(site: Path) -> list[Path]:
    return sorted((site / "content").rglob("*.md"))


def edit_article(article: Path, token: str) -> None:
    """Append a sentence that differs on every call to the article's body."""
    with article.open("a", encoding="utf-8") as f:
        f.write(f"\nThe editors added this note to the story in benchmark edit {token}.\n")


def add_articles(site: Path, corpus: ModuleType, first: int, token: str) -> None:
    """Write ADDED_PER_RUN new articles, the newest of the site, with text seeded by token."""
    rng = random.Random(token)
    for k in range(ADDED_PER_RUN):
        number = first + k
        article = corpus.article(number, rng)
        article["date"] = ADD_DAY + dt.timedelta(seconds=30 * (number + 1))
        article["title"] = f"{article['title']} [{token}]"
        article["slug"] = corpus.slugify(f"bench added {number} {token}")
        corpus.emit(article, "digest", str(site))


def count_article_pages(output: Path) -> int:
    """Article pages live at output/YYYY/MM/DD/<slug>/index.html."""
    return sum(1 for _ in output.glob("[0-9]*/[0-9]*/[0-9]*/*/index.html"))


def check_digest_output(site: Path, expected: int) -> None:
    found = count_article_pages(site / "output")
    if found != expected:
        raise BenchError(f"{site}: {found} article pages in output/, expected {expected}")


def check_edit_visible(site: Path, article: Path, token: str) -> None:
    pages = list((site / "output").glob(f"[0-9]*/[0-9]*/[0-9]*/{article.stem}/index.html"))
    if len(pages) != 1 or token not in pages[0].read_text(encoding="utf-8"):
        raise BenchError(f"the edit {token} of {article.name} is not in its page")


# --- digest scenarios -----------------------------------------------------------------------------


def digest_command() -> list[str]:
    """The `digest` command installed with the Python that runs this script: the one on
    PATH may be a version manager's shim (pyenv's is a bash script that costs about
    0.1 s a call, which is not digest's time)."""
    beside = Path(sys.executable).with_name("digest")
    exe = str(beside) if beside.is_file() else shutil.which("digest")
    if exe is None:
        raise BenchError("digest is not installed: run `pip install -e .` in the repository")
    return [exe, "build", "-q"]


def digest_build(site: Path) -> Measurement:
    measurement = timed_run(digest_command(), site)
    check_digest_output(site, len(source_files(site)))
    return measurement


def reset_digest(site: Path) -> None:
    """Back to a site that was never built: no output, no spare tree beside it, no cache."""
    remove(site / "output", *site.glob(".output.digest-*"), site / ".digest-cache")


def progress(size: int, tool: str, scenario: str, run: int, m: Measurement) -> None:
    print(f"  {size:>7,} {tool:<8} {scenario:<6} run {run + 1}: {m.seconds:7.2f} s "
          f"{m.peak_bytes / MB:6.0f} MB  (CPU {m.user_seconds:.2f} s user, "
          f"{m.system_seconds:.2f} s system)", flush=True)


def take_turns(size: int, scenario: str, runs: int,
               steps: dict[str, Callable[[int], Measurement]],
               scenarios: dict[str, str] | None = None) -> list[Series]:
    """`runs` runs of each tool's step, the tools taking turns run by run: a slow spell of a
    shared machine then falls on every tool alike, rather than on whichever ran in it.
    Each round starts with the next tool, so that none is always first. A tool's series
    is named `scenario` unless `scenarios` names it otherwise."""
    series = {tool: Series(size, tool, (scenarios or {}).get(tool, scenario)) for tool in steps}
    tools = list(steps)
    for run in range(runs):
        for tool in tools[run % len(tools):] + tools[:run % len(tools)]:
            measurement = steps[tool](run)
            progress(size, tool, series[tool].scenario, run, measurement)
            series[tool].runs.append(measurement)
    return list(series.values())


def digest_cold(site: Path) -> Callable[[int], Measurement]:
    def cold(_run: int) -> Measurement:
        reset_digest(site)
        return digest_build(site)

    return cold


def beside(scenario: str) -> str:
    """The scenario name of a peer's cold builds timed between digest's `scenario` runs."""
    return f"cold beside {scenario}"


def bench_digest_rebuilds(site: Path, size: int, runs: int, results: Results,
                          reference: Callable[[int], Measurement] | None = None) -> None:
    """warm, edit and add20, from the site as its last cold build left it.

    With a `reference` (Hugo's cold build), it takes turns with each scenario's runs, and
    that scenario's ratio is against those builds: the rebuilds run minutes after the cold
    round, and a slower or faster spell of the machine by then would otherwise fall on
    digest's side of the ratio alone."""
    corpus = load_corpus_module()
    edited = source_files(site)[0]
    stamp = time.strftime("%Y%m%d%H%M%S")

    def warm(_run: int) -> Measurement:
        return digest_build(site)

    def edit(run: int) -> Measurement:
        token = f"{stamp}-{run}"
        edit_article(edited, token)
        measurement = digest_build(site)
        check_edit_visible(site, edited, token)
        return measurement

    def add(run: int) -> Measurement:
        add_articles(site, corpus, run * ADDED_PER_RUN, f"{stamp}-{run}")
        return digest_build(site)

    digest_build(site)
    results.note(f"digest {size:,}: one untimed build after the cold runs, so warm, edit and "
                 "add20 start from a built site with its cache")
    for scenario, step in (("warm", warm), ("edit", edit), ("add20", add)):
        steps = {"digest": step} | ({"hugo": reference} if reference is not None else {})
        results.series += take_turns(size, scenario, runs, steps, {"hugo": beside(scenario)})


# --- peers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Peer:
    """How to build one peer's site from cold."""

    tool: str
    command: list[str]
    scratch: tuple[str, ...]  # folders deleted before every cold build
    install: str  # how to get it, for the note when it is missing

    def installed(self) -> bool:
        return shutil.which(self.command[0]) is not None


PEER_BUILDS = {
    "hugo": Peer("hugo", ["hugo", "--quiet", "-d", "out"], ("out", "resources"),
                 "apt-get install -y hugo"),
    "pelican": Peer("pelican", ["pelican", "-q", "content", "-s", "pelicanconf.py", "-o", "out"],
                    ("out", "cache"), "pip install pelican"),
}


def peer_cold(peer: Peer, site: Path) -> Callable[[int], Measurement]:
    def cold(_run: int) -> Measurement:
        remove(*(site / name for name in peer.scratch))
        return timed_run(peer.command, site)

    return cold


def installed_peers(workdir: Path, size: int,
                    results: Results) -> dict[str, Callable[[int], Measurement]]:
    """The cold build of every peer that is installed, by tool name."""
    steps = {}
    for name in PEERS:
        peer = PEER_BUILDS[name]
        if not peer.installed():
            results.note(f"{TOOL_NAMES[name]} is not installed ({peer.install}); "
                         f"its {size:,} build is skipped")
            continue
        steps[name] = peer_cold(peer, workdir / f"{name}-{size}")
    return steps


# --- report ---------------------------------------------------------------------------------------


def ratio(series: Series, reference: Series | None) -> str:
    if reference is None:
        return "—"
    return f"{series.seconds / reference.seconds:.2f}x"


def table_rows(results: Results) -> Iterator[str]:
    for s in results.series:
        hugo = results.reference(s.size, "hugo", s.scenario) if s.tool == "digest" else None
        pelican = results.reference(s.size, "pelican", s.scenario) if s.tool == "digest" \
            else None
        yield (f"| {s.size:,} | {TOOL_NAMES[s.tool]} | {s.scenario} | {s.seconds:.2f} "
               f"| {s.peak_mb:.0f} | {ratio(s, hugo)} | {ratio(s, pelican)} |")


def format_table(results: Results, runs: int) -> str:
    head = [f"Medians of {runs} run{'s' * (runs != 1)}; ratios are against the peer's cold build "
            "(for warm, edit and add20, the one timed between their runs).",
            "",
            "| articles | tool | scenario | time s | peak MB | digest/Hugo | digest/Pelican |",
            "|---:|---|---|---:|---:|---:|---:|"]
    return "\n".join([*head, *table_rows(results)])


def time_target(results: Results, size: int, scenario: str, peer: str, limit: float) -> Target:
    name = f"{scenario} ≤ {limit:g}x {TOOL_NAMES[peer]} cold"
    mine, theirs = results.find(size, "digest", scenario), results.reference(size, peer, scenario)
    if mine is None or theirs is None:
        return Target(name, None, limit, f"{TOOL_NAMES[peer]} not run")
    detail = f" ({mine.seconds:.2f} s vs {theirs.seconds:.2f} s)"
    return Target(name, mine.seconds / theirs.seconds, limit, detail)


def memory_target(results: Results, size: int) -> Target:
    name = "peak memory ≤ 0.5x Hugo's (digest's largest, any scenario)"
    hugo = results.find(size, "hugo")
    mine = [s.peak_mb for s in results.series if s.size == size and s.tool == "digest"]
    if hugo is None or not mine:
        return Target(name, None, 0.5, "Hugo not run")
    return Target(name, max(mine) / hugo.peak_mb, 0.5,
                  f" ({max(mine):.0f} MB vs {hugo.peak_mb:.0f} MB)")


def scaling_target(results: Results) -> Target | None:
    big, ref = results.find(HUGE_SIZE, "digest"), results.find(REFERENCE_SIZE, "digest")
    if big is None or ref is None:
        return None
    return Target(f"cold {HUGE_SIZE // 1000}k/{REFERENCE_SIZE // 1000}k time ratio ≤ 11",
                  big.seconds / ref.seconds, 11, f" ({big.seconds:.1f} s vs {ref.seconds:.1f} s)")


def target_size(sizes: list[int]) -> int:
    """The issue states its targets at 10,000 articles; else use the largest size run."""
    return REFERENCE_SIZE if REFERENCE_SIZE in sizes else max(sizes)


def evaluate_targets(results: Results, size: int) -> list[Target]:
    targets = [
        time_target(results, size, "cold", "hugo", 1.0),
        time_target(results, size, "warm", "hugo", 0.1),
        time_target(results, size, "edit", "hugo", 0.15),
        time_target(results, size, "add20", "hugo", 0.15),
        memory_target(results, size),
        time_target(results, size, "cold", "pelican", 0.2),
    ]
    scaling = scaling_target(results)
    return targets if scaling is None else [*targets, scaling]


def format_targets(targets: list[Target], size: int) -> str:
    caveat = "" if size == REFERENCE_SIZE else f" (the issue states them at {REFERENCE_SIZE:,})"
    return "\n".join([f"Targets at {size:,} articles{caveat}:", *(t.line() for t in targets)])


# --- files ----------------------------------------------------------------------------------------


def tool_versions(peers: bool) -> dict[str, str | None]:
    def first_line(cmd: list[str]) -> str | None:
        if shutil.which(cmd[0]) is None:
            return None
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return (done.stdout or done.stderr).strip().splitlines()[0]

    versions = {"digest": first_line(["digest", "--version"]), "python": sys.version.split()[0]}
    if peers:
        versions |= {"hugo": first_line(["hugo", "version"]),
                     "pelican": first_line(["pelican", "--version"])}
    return versions


def machine() -> dict[str, object]:
    return {"platform": platform.platform(), "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1)}


def peer_ratios(results: Results, series: Series) -> dict[str, float]:
    """digest's median time over each peer's cold median, at the same size (see
    Results.reference)."""
    if series.tool != "digest":
        return {}
    peers = {name: results.reference(series.size, name, series.scenario) for name in PEERS}
    return {f"time_vs_{name}": round(series.seconds / peer.seconds, 4)
            for name, peer in peers.items() if peer is not None}


def write_json(path: Path, results: Results, targets: list[Target], size: int,
               args: argparse.Namespace) -> None:
    data = {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(), "versions": tool_versions(not args.no_peers),
        "sizes": args.sizes, "runs": args.runs, "notes": results.notes,
        "results": [s.to_json() | peer_ratios(results, s) for s in results.series],
        "targets": {"size": size, "checks": [
            {"name": t.name, "value": None if t.value is None else round(t.value, 4),
             "limit": t.limit, "status": t.status}
            for t in targets]},
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


COLOURS = {"digest": "tab:blue", "hugo": "tab:pink", "pelican": "tab:orange"}
MARKERS = {"cold": "o", "warm": "s", "edit": "^", "add20": "D"}
STYLES = {"cold": "-", "warm": ":", "edit": "--", "add20": "-."}


def chart_lines(results: Results) -> dict[tuple[str, str], list[Series]]:
    """The series grouped by (tool, scenario), each sorted by size."""
    lines: dict[tuple[str, str], list[Series]] = {}
    for s in results.series:
        if s.scenario in MARKERS:  # not the peers' cold builds timed beside rebuilds
            lines.setdefault((s.tool, s.scenario), []).append(s)
    return {key: sorted(points, key=lambda s: s.size) for key, points in lines.items()}


def write_chart(path: Path, results: Results) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(8, 5.5))
    for (tool, scenario), points in chart_lines(results).items():
        ax.plot([s.size for s in points], [s.seconds for s in points],
                STYLES[scenario], marker=MARKERS[scenario], color=COLOURS[tool],
                label=f"{TOOL_NAMES[tool]} {scenario}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sorted({s.size for s in results.series}))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.0f}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{y:g}"))
    ax.set_xlabel("articles")
    ax.set_ylabel("build time, s (median)")
    ax.set_title("digest vs Hugo and Pelican on the shared news corpus")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --- main -----------------------------------------------------------------------------------------


def bench_size(size: int, args: argparse.Namespace, results: Results) -> None:
    print(f"laying out {size:,} articles in {args.workdir} ...", flush=True)
    lay_out(size, args.workdir)
    site = args.workdir / f"digest-{size}"
    write_digest_config(site)
    peers: dict[str, Callable[[int], Measurement]] = {}
    if not args.no_peers and size > args.peers_up_to:
        results.note(f"Hugo and Pelican are not built at {size:,} (--peers-up-to "
                     f"{args.peers_up_to:,})")
    elif not args.no_peers:
        peers = installed_peers(args.workdir, size, results)
    digest, *others = take_turns(size, "cold", args.runs, {"digest": digest_cold(site), **peers})
    results.series.append(digest)
    bench_digest_rebuilds(site, size, args.runs, results, peers.get("hugo"))
    results.series += others


def compile_digest() -> None:
    """Byte-compile the digest package first, as installing a wheel does: an editable
    install compiles on first import, and not at all under PYTHONDONTWRITEBYTECODE, which
    would add the compiling to every timed build."""
    spec = importlib.util.find_spec("digest")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("digest is not installed: pip install -e . -r bench/requirements.txt")
    for folder in spec.submodule_search_locations:
        compileall.compile_dir(folder, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not SETUP_SCRIPT.is_file():
        raise SystemExit(f"cannot find {SETUP_SCRIPT}: the shared folder goes next to the repo")
    compile_digest()
    results = Results()
    if args.no_peers:
        results.note("--no-peers: Hugo and Pelican are not built")
    try:
        for size in args.sizes:
            bench_size(size, args, results)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    size = target_size(args.sizes)
    targets = evaluate_targets(results, size)
    print()
    print(format_table(results, args.runs))
    print()
    print(format_targets(targets, size))
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "results.json", results, targets, size, args)
    write_chart(args.out / "chart.png", results)
    print(f"\nwrote {args.out / 'results.json'} and {args.out / 'chart.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
