"""Random sequences of edits: after every one, an incremental build (from the last
build's tree, cache and recipes) gives exactly the bytes of a cold build.

Hypothesis drives a small site through edits of bodies, titles, summaries, dates, tags,
drafts and file names, additions, deletions and editor's notes, and through changes of
its settings and of a layout whose list entries show whole bodies. Body edits
take the body-only rebuild (digest.replay); a pasted control character makes a warning,
which sends the build through planning with the last build's keys (jobs.Reuse); every
other edit plans the site. A failing run prints its sequence of steps (not shrunk: every
step is two builds, and shrinking would take minutes).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sitekit import article, tree, write_site

from digest.build import BuildOptions, build
from digest.config import load

TAGS = ["climate", "Energy", "energy policy", "Україна", "日本", "trade"]
WORDS = ["ceasefire", "talks", "*sanctions*", "grain", "[a link](https://example.org/x)",
         "border", "**vote**", "`code`", "rates", "drought", "it's", '"quoted"', "--"]
DAYS = [f"2024-0{month}-{day:02d}" for month in (1, 2) for day in (3, 4, 17)]


@dataclass(frozen=True)
class Story:
    title: str
    day: str
    hour: int
    tags: tuple[str, ...]
    body: tuple[str, ...]
    summary: str | None = None
    draft: bool = False

    def text(self) -> str:
        fields: dict[str, object] = {"tags": list(self.tags)}
        if self.summary:
            fields["summary"] = self.summary
        if self.draft:
            fields["draft"] = True
        return article(title=self.title, date=f"{self.day}T{self.hour:02d}:15:00Z",
                       body="\n\n".join(self.body) + "\n", **fields)


words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
stories = st.builds(
    Story, title=words.map(str.capitalize), day=st.sampled_from(DAYS),
    hour=st.integers(0, 23), tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True)
    .map(tuple), body=st.lists(words, min_size=1, max_size=3).map(tuple))


ENTRY_WITH_BODY = ('<article><h2><a href="{{ item.url }}">{{ item.title }}</a></h2>\n'
                   "{{ item.body }}</article>\n")


@dataclass
class Site:
    root: Path
    stories: dict[str, Story] = field(default_factory=dict)  # file name -> story
    notes: dict[str, str] = field(default_factory=dict)  # day -> note
    made: int = 0
    bodies_in_lists: bool = False  # a layout whose list entries show whole bodies
    config: dict[str, object] = field(default_factory=lambda: {
        "per_page": 2, "editions": "daily", "typographer": False,
        "feeds": {"items": 3, "formats": ["rss", "atom", "json"]}})

    def write(self) -> None:
        """Bring the files up to date: only changed files are written, as an editor would."""
        config = self.root / "config.yaml"
        before = config.read_text(encoding="utf-8") if config.exists() else None
        write_site(self.root / "next", {}, config=self.config)
        if (self.root / "next/config.yaml").read_text(encoding="utf-8") != before:
            (self.root / "next/config.yaml").replace(config)
        shutil.rmtree(self.root / "next")
        entry = self.root / "layouts/entry.html"
        if self.bodies_in_lists and not entry.exists():
            entry.parent.mkdir(exist_ok=True)
            entry.write_text(ENTRY_WITH_BODY, encoding="utf-8")
        elif not self.bodies_in_lists:
            entry.unlink(missing_ok=True)
        content = self.root / "content"
        wanted = {name: story.text() for name, story in self.stories.items()}
        wanted |= {f"editions/{day}.md": f"---\ntitle: Notes\n---\n\n{note}\n"
                   for day, note in self.notes.items()}
        for path in content.rglob("*.md") if content.exists() else ():
            if path.relative_to(content).as_posix() not in wanted:
                path.unlink()
        for name, text in wanted.items():
            path = content / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")


class IncrementalBuilds(RuleBasedStateMachine):
    """Each rule changes the site's files; the invariant builds and compares."""

    def __init__(self) -> None:
        super().__init__()
        self.site: Site | None = None
        self.dirty = False

    @initialize(initial=st.lists(stories, min_size=3, max_size=6), bodies_in_lists=st.booleans())
    def start(self, initial: list[Story], bodies_in_lists: bool) -> None:
        base = Path(self.tmp.mkdtemp())
        self.site = Site(base / "site", bodies_in_lists=bodies_in_lists)
        for story in initial:
            self._add(story)
        self.dirty = True

    def _add(self, story: Story) -> None:
        assert self.site is not None
        self.site.made += 1
        self.site.stories[f"{story.day[:7].replace('-', '/')}/story-{self.site.made}.md"] = story

    def _pick(self, index: int) -> str:
        assert self.site is not None
        names = sorted(self.site.stories)
        return names[index % len(names)]

    def _change(self, index: int, **changes: object) -> None:
        assert self.site is not None
        name = self._pick(index)
        self.site.stories[name] = replace(self.site.stories[name], **changes)
        self.dirty = True

    @rule(index=st.integers(0, 50), more=words)
    def edit_body(self, index: int, more: str) -> None:
        assert self.site is not None
        story = self.site.stories[self._pick(index)]
        self._change(index, body=(*story.body, more))

    @rule(index=st.integers(0, 50), more=words)
    def paste_control_character(self, index: int, more: str) -> None:
        """Text pasted with a control character: removed, with a warning."""
        assert self.site is not None
        story = self.site.stories[self._pick(index)]
        self._change(index, body=(*story.body, f"{more}\x07"))

    @rule(index=st.integers(0, 50), title=words)
    def retitle(self, index: int, title: str) -> None:
        self._change(index, title=title.capitalize())

    @rule(index=st.integers(0, 50), summary=st.none() | words)
    def resummarize(self, index: int, summary: str | None) -> None:
        self._change(index, summary=summary)

    @rule(index=st.integers(0, 50), day=st.sampled_from(DAYS), hour=st.integers(0, 23))
    def redate(self, index: int, day: str, hour: int) -> None:
        self._change(index, day=day, hour=hour)

    @rule(index=st.integers(0, 50),
          tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True).map(tuple))
    def retag(self, index: int, tags: tuple[str, ...]) -> None:
        self._change(index, tags=tags)

    @rule(index=st.integers(0, 50))
    def toggle_draft(self, index: int) -> None:
        assert self.site is not None
        self._change(index, draft=not self.site.stories[self._pick(index)].draft)

    @rule(story=stories)
    def add(self, story: Story) -> None:
        self._add(story)
        self.dirty = True

    @rule(index=st.integers(0, 50))
    def delete(self, index: int) -> None:
        assert self.site is not None
        if len(self.site.stories) > 1:
            del self.site.stories[self._pick(index)]
            self.dirty = True

    @rule(index=st.integers(0, 50))
    def rename(self, index: int) -> None:
        assert self.site is not None
        name = self._pick(index)
        self.site.made += 1
        folder = name.rsplit("/", 1)[0]
        self.site.stories[f"{folder}/renamed-{self.site.made}.md"] = self.site.stories.pop(name)
        self.dirty = True

    @rule(day=st.sampled_from(DAYS), note=st.none() | words)
    def annotate(self, day: str, note: str | None) -> None:
        assert self.site is not None
        if note is None:
            self.site.notes.pop(day, None)
        else:
            self.site.notes[day] = note
        self.dirty = True

    @rule(per_page=st.integers(1, 3), editions=st.sampled_from(["daily", "weekly", "off"]),
          items=st.integers(2, 3), typographer=st.booleans())
    def reconfigure(self, per_page: int, editions: str, items: int, typographer: bool) -> None:
        assert self.site is not None
        self.site.config = {**self.site.config, "per_page": per_page, "editions": editions,
                            "typographer": typographer,
                            "feeds": {"items": items, "formats": ["rss", "atom", "json"]}}
        self.dirty = True

    @rule()
    def relayout(self) -> None:
        assert self.site is not None
        self.site.bodies_in_lists = not self.site.bodies_in_lists
        self.dirty = True

    @invariant()
    def incremental_equals_cold(self) -> None:
        if self.site is None or not self.dirty:
            return
        self.dirty = False
        self.site.write()
        config = load(self.site.root / "config.yaml")
        build(config, BuildOptions(jobs=1))
        cold = self.site.root.parent / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        build(config, BuildOptions(jobs=1, cache=False, output=cold))
        warm, expected = tree(self.site.root / "output"), tree(cold)
        assert warm.keys() == expected.keys()
        assert [path for path in warm if warm[path] != expected[path]] == []


class _TempDirs:
    def __init__(self, base: Path) -> None:
        self.base, self.count = base, 0

    def mkdtemp(self) -> str:
        self.count += 1
        path = self.base / f"run-{self.count}"
        path.mkdir()
        return str(path)


def test_incremental_builds_equal_cold_builds_after_random_edits(tmp_path: Path) -> None:
    IncrementalBuilds.tmp = _TempDirs(tmp_path)  # type: ignore[attr-defined]
    runner = IncrementalBuilds.TestCase
    # Every step is two builds: a fifth of the profile's examples (8; 400 with
    # HYPOTHESIS_PROFILE=long).
    runner.settings = settings(max_examples=max(1, settings.default.max_examples // 5),
                               stateful_step_count=12, deadline=None,
                               phases=[Phase.explicit, Phase.reuse, Phase.generate],
                               suppress_health_check=[HealthCheck.too_slow])
    runner().runTest()
