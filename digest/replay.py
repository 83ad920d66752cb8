"""Body-only rebuilds: when every article file that changed kept its shape (every field
but the body), the last build's plan still holds, and only the files that show those
articles change.

After each build the recipe store remembers, for every output file, its recipe (the
text its input key is made from: the template and data of a page, with articles by
fingerprint; see jobs.key_of), and for every article file its cache key, fingerprint and
shape. A later build whose changed files all keep their shape reads only those files,
finds the recipes that show them, makes those files again from their recipes and the
build cache, and takes every other file from the last tree: it neither plans the site
nor reads the other articles.

Recipes are read by a small evaluator that builds nothing but view values (never
pickle or eval: a cache restored from elsewhere cannot run code). Anything unexpected
makes the build plan the site as usual.
"""

from __future__ import annotations

import ast
import json
import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from digest import editions
from digest.cache import ArticleCache
from digest.charts import Bar, Chart, Tick
from digest.config import Config
from digest.content import FileResult, Settings, Sources, read_article, respell
from digest.jobs import SEP, OutputJob, edition_feed_job, feed_job, page_job, recipe_key
from digest.manifest import TreeRecord
from digest.markup import Renderer as MarkdownRenderer
from digest.models import Article, EditionFeedSpec, FeedSpec, Page, Tag, shape_line
from digest.render import Renderer
from digest.site import article_url, article_view
from digest.views import ArticleView, FeedLink, Link, PageMeta, SiteView, article_page_meta

# Changed files are read again in this one process: more than this many take the planned
# build, which reads them with the process pool.
MAX_CHANGED = 200


class RecipeError(ValueError):
    """A recipe this code cannot read back: plan the site instead."""


@dataclass(frozen=True)
class Known:
    """What the store knows of one article file from the last build."""

    key: str  # its cache key
    fingerprint: str  # "" when the file is not on the site (a draft, scheduled, broken)
    shape: str


class RecipeStore:
    """<cache_dir>/recipes.sqlite: the last build's recipes and article files."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "recipes.sqlite"

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS sources "
                   "(rel TEXT PRIMARY KEY, key TEXT, fingerprint TEXT, shape TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS recipes "
                   "(path TEXT PRIMARY KEY, key TEXT, recipe TEXT)")
        return db

    def meta(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            with closing(self._connect()) as db:
                return dict(db.execute("SELECT name, value FROM meta"))
        except sqlite3.DatabaseError:
            return {}

    def sources(self) -> dict[str, Known]:
        """The article files of the last build ({} from a damaged store)."""
        try:
            with closing(self._connect()) as db:
                return {rel: Known(key, fingerprint, shape) for rel, key, fingerprint, shape
                        in db.execute("SELECT rel, key, fingerprint, shape FROM sources")}
        except sqlite3.DatabaseError:
            return {}

    def source_count(self) -> int | None:
        """How many article files the last build had (None from a damaged store): a
        count, without reading the rows."""
        try:
            with closing(self._connect()) as db:
                (count,), = db.execute("SELECT count(*) FROM sources")
                return count
        except sqlite3.DatabaseError:
            return None

    def showing(self, fingerprints: Iterable[str], files: dict[str, str],
                site_key: str) -> list[tuple[str, str, str]] | None:
        """(path, key, recipe) of every file whose recipe shows one of `fingerprints`; None
        unless every stored recipe is one of `files` (path -> key) and makes its key, and
        none is missing, so that no file showing them can be missed (nor from a damaged
        store)."""
        wanted = tuple(fingerprints)
        shown = []
        count = 0
        try:
            with closing(self._connect()) as db:
                stored = db.execute("SELECT value FROM meta WHERE name = 'recipes'").fetchone()
                for path, key, recipe in db.execute("SELECT path, key, recipe FROM recipes"):
                    if files.get(path) != key or recipe_key(site_key, recipe) != key:
                        return None
                    count += 1
                    if any(fingerprint in recipe for fingerprint in wanted):
                        shown.append((path, key, recipe))
        except sqlite3.DatabaseError:
            return None
        return shown if stored is not None and stored[0] == str(count) else None

    def save(self, meta: dict[str, str], sources: list[tuple[str, str, str, str]],
             jobs: list[OutputJob], files: dict[str, str], *, after: str | None = None,
             every_source: bool = False) -> None:
        """Describe a new build whose tree holds `files`, with the recipes of `jobs` and the
        rows of `sources`. With `after`, the store described the build whose inputs key
        that is, and the new build changed only some of it: files without a recipe in
        `jobs` keep theirs (their key did not change), and `sources` are the article files
        that changed (unless `every_source`). Without, `jobs` and `sources` are the whole
        site."""
        try:
            self._save(meta, sources, jobs, files, after, every_source or after is None)
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)
            if after is None:  # a damaged file is replaced by a new one
                self._save(meta, sources, jobs, files, None, True)

    def _save(self, meta: dict[str, str], sources: list[tuple[str, str, str, str]],
              jobs: list[OutputJob], files: dict[str, str], after: str | None,
              every_source: bool) -> None:
        with closing(self._connect()) as db, db:
            if after is not None:
                described = db.execute("SELECT value FROM meta WHERE name = 'inputs'").fetchone()
                if described is None or described[0] != after:
                    db.execute("DELETE FROM meta")  # it describes no build now
                    return
            db.execute("DELETE FROM meta")
            if after is None:
                db.execute("DELETE FROM recipes")
            if every_source:
                _replace_sources(db, sources)
            else:
                db.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)", sources)
            rows = [(job.path, job.key, job.recipe) for job in jobs if job.recipe]
            db.executemany("INSERT OR REPLACE INTO recipes VALUES (?, ?, ?)", rows)
            if after is not None:
                stale = [(path,) for (path,) in db.execute("SELECT path FROM recipes")
                         if path not in files]
                db.executemany("DELETE FROM recipes WHERE path = ?", stale)
                (count,), = db.execute("SELECT count(*) FROM recipes")
            else:
                count = len(rows)  # one job per path
            db.executemany("INSERT INTO meta VALUES (?, ?)",
                           sorted({**meta, "recipes": str(count)}.items()))


def _replace_sources(db: sqlite3.Connection, rows: list[tuple[str, str, str, str]]) -> None:
    """Make the sources table hold exactly `rows`, writing only the rows that differ from
    it: a rebuild changes a few of thousands, and reading them all costs a third of
    writing them all."""
    wanted = {row[0]: tuple(row) for row in rows}
    gone = []
    for row in db.execute("SELECT rel, key, fingerprint, shape FROM sources"):
        new = wanted.get(row[0])
        if new is None:
            gone.append((row[0],))
        elif new == row:
            del wanted[row[0]]
    db.executemany("DELETE FROM sources WHERE rel = ?", gone)
    db.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)", wanted.values())


# --- reading recipes back -------------------------------------------------------------------


_FINGERPRINT = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
_CALLABLE = {cls.__name__: cls for cls in (PageMeta, FeedLink, Link, Tag, Chart, Bar, Tick,
                                           Markup)}


def _literal(node: ast.AST) -> Any:
    """The value of a repr made of literals and view-value constructors."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_literal(item) for item in node.elts)
    if isinstance(node, ast.List):
        return [_literal(item) for item in node.elts]
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
            and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) in (int, float):
        return -node.operand.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in _CALLABLE \
            and not any(isinstance(arg, ast.Starred) for arg in node.args) \
            and all(keyword.arg for keyword in node.keywords):
        return _CALLABLE[node.func.id](*[_literal(arg) for arg in node.args],
                                       **{k.arg: _literal(k.value) for k in node.keywords})
    raise RecipeError(f"unexpected {type(node).__name__} in a recipe")


def literal(text: str) -> Any:
    try:
        return _literal(ast.parse(text, mode="eval").body)
    except (SyntaxError, TypeError, ValueError, RecursionError) as error:
        raise RecipeError(str(error)) from None


class Reader:
    """Makes pages, feeds and editions from recipes, with articles from `views`."""

    def __init__(self, views: dict[str, ArticleView], site: SiteView) -> None:
        self.views = views
        self.site = site

    def view(self, fingerprint: str) -> ArticleView:
        try:
            return self.views[fingerprint]
        except KeyError:
            raise RecipeError(f"no article with fingerprint {fingerprint}") from None

    def pairs(self, fingerprints: Iterable[str]) -> tuple[tuple[Article, ArticleView], ...]:
        return tuple((view.article, view) for view in map(self.view, fingerprints))

    def edition(self, text: str) -> editions.Edition:
        value = literal(text)
        if not (isinstance(value, tuple) and len(value) == 8):
            raise RecipeError("not an edition")
        edition_id, title, url, start, end, note, note_title, fingerprints = value
        return editions.make(edition_id, title, url, date.fromisoformat(start),
                             date.fromisoformat(end),
                             None if note is None else Markup(note), note_title,
                             self.pairs(fingerprints), self.site)

    def context(self, text: str) -> dict[str, Any]:
        if not text:
            return {}
        parts = text.split(SEP)
        context: dict[str, Any] = {}
        for name, part in zip(parts[::2], parts[1::2], strict=True):
            kind, rest = part[:1], part[1:]
            if kind == "@":
                context[name] = self.view(rest)
            elif kind == "[":
                context[name] = [self.view(fingerprint) for fingerprint in rest.split(" ")]
            elif kind == "E":
                context[name] = self.edition(rest)
            elif kind == "A":
                context[name] = article_page_meta(self.site, self.view(rest))
            elif kind == "=":
                context[name] = literal(rest)
            else:
                raise RecipeError(f"unknown part {kind!r}")
        return context

    def job(self, path: str, recipe: str, config: Config, renderer: Renderer,
            site_key: str) -> OutputJob:
        """The output job of the file at `path` made from its recipe (see digest.jobs)."""
        kind, header, data = [*recipe.split(SEP, 2), "", ""][:3]
        fixed = literal(header)
        if kind == "page" and _strings(fixed, 2):
            url, template = fixed
            return page_job(Page(url, path, template, self.context(data)), site_key, renderer)
        if kind == "feed" and _strings(fixed, 4):
            spec = FeedSpec(fixed[0], path, *fixed[1:], self.pairs(data.split(" ") if data else ()))
            return feed_job(spec, config, self.site, site_key)
        if kind == "editions" and _strings(fixed, 4):
            found = tuple(self.edition(text) for text in data.split(SEP)) if data else ()
            spec = EditionFeedSpec(fixed[0], path, *fixed[1:], found)
            return edition_feed_job(spec, config, self.site, renderer, site_key)
        raise RecipeError(f"cannot read a {kind!r} recipe")


def _strings(value: Any, count: int) -> bool:
    return isinstance(value, tuple) and len(value) == count \
        and all(isinstance(item, str) for item in value)


# --- the body-only rebuild ------------------------------------------------------------------


@dataclass
class Replay:
    """A rebuild worked out from the last one; build.py writes it."""

    jobs: list[OutputJob]
    record: TreeRecord
    fresh: dict[str, FileResult]  # cache key -> the article files read again
    sources: list[tuple[str, str, str, str]]  # the store's rows of the changed files
    meta: dict[str, str]  # the store's description of the last build
    fingerprints: set[str]  # of every article on the site


class KeptFileGone(Exception):
    """A file the rebuild takes from the last tree is not there (deleted by hand): the
    build plans the site instead, which makes every file it cannot take."""


def _kept() -> bytes:
    """Makes a file the rebuild takes from the last tree: its key holds, so only called
    when the file has gone from there."""
    raise KeptFileGone


def plan_replay(*, config: Config, settings: Settings, site: SiteView, site_key: str,
                renderer: Renderer, cache: ArticleCache, recipes: RecipeStore,
                sources: Sources, keys: list[str], frame: str, inputs: str,
                current: TreeRecord, drafts: bool, now: datetime) -> Replay | None:
    """The rebuild that changes only what shows the changed articles, or None when the
    site must be planned (something other than article bodies changed)."""
    meta = recipes.meta()
    if meta.get("inputs") != current.inputs or meta.get("frame") != frame \
            or current.report.get("warnings") or sources.errors:
        return None
    if current.fallen_due(now):
        return None
    rels = [rel for _, rel in sources.items]
    if recipes.source_count() != len(rels):
        return None  # files were added or removed: known without reading the rows
    known = recipes.sources()
    if len(known) != len(rels) or not all(rel in known for rel in rels):
        return None  # files were added, removed or renamed
    changed = [i for i, rel in enumerate(rels) if known[rel].key != keys[i]]
    if not changed or len(changed) > MAX_CHANGED:
        return None
    spelling: dict[str, str] = json.loads(meta.get("spelling", "{}"))

    # The changed files, read again: each must still be on the site with the same shape.
    markdown = MarkdownRenderer(settings.typographer)
    fresh: dict[str, FileResult] = {}
    new_views: dict[str, ArticleView] = {}  # old fingerprint -> the article as it is now
    rows = []
    for i in changed:
        rel = rels[i]
        result = read_article(sources.data(i), rel, settings, markdown)
        article = result.article
        if article is None or result.errors or result.warnings or not known[rel].fingerprint \
                or (article.draft and not drafts) or (article.date > now and not drafts):
            return None
        article = _respelled(article, spelling)
        if article is None or shape_line(article) != known[rel].shape:
            return None
        view = article_view(site, article, article_url(config, article))
        new_views[known[rel].fingerprint] = view
        fresh[keys[i]] = result
        rows.append((rel, keys[i], view.fingerprint, known[rel].shape))

    shown = recipes.showing(new_views, current.files, site_key)
    if shown is None:
        return None  # the store does not describe the last tree
    try:
        views = _views(shown, new_views, known, rels, keys, cache, spelling, config, site)
        reader = Reader(views, site)
        remade = {path: reader.job(path, recipe, config, renderer, site_key)
                  for path, _, recipe in shown}
    except RecipeError:
        return None
    jobs = [remade.get(path) or OutputJob(path, key, _kept)
            for path, key in current.files.items()]
    fingerprints = set(current.fingerprints).difference(new_views)
    fingerprints.update(view.fingerprint for view in new_views.values())
    record = TreeRecord({job.path: job.key for job in jobs}, inputs, current.until,
                        dict(current.report), shape=current.shape,
                        fingerprints=sorted(fingerprints))
    return Replay(jobs, record, fresh, rows, meta, fingerprints)


def _respelled(article: Article, spelling: dict[str, str]) -> Article | None:
    """The article with its tags spelled as on the site; None if a tag is new to it."""
    if any(tag.key not in spelling for tag in article.tags):
        return None
    return respell(article, spelling)


def _views(shown: list[tuple[str, str, str]], new_views: dict[str, ArticleView],
           known: dict[str, Known], rels: list[str], keys: list[str], cache: ArticleCache,
           spelling: dict[str, str], config: Config, site: SiteView) -> dict[str, ArticleView]:
    """Every article the recipes show, from the build cache, by its fingerprint."""
    wanted = set(_FINGERPRINT.findall(SEP.join(recipe for _, _, recipe in shown)))
    wanted.difference_update(new_views)
    key_of = dict(zip(rels, keys, strict=True))
    by_fingerprint = {k.fingerprint: rel for rel, k in known.items() if k.fingerprint in wanted}
    if len(by_fingerprint) != len(wanted):
        raise RecipeError("a recipe shows an article the store does not know")
    results = cache.get_some([key_of[rel] for rel in by_fingerprint.values()])
    views = dict(new_views)
    for fingerprint, rel in by_fingerprint.items():
        result = results.get(key_of[rel])
        article = result.article if result else None
        article = _respelled(article, spelling) if article else None
        if article is None:
            raise RecipeError(f"{rel} is not in the build cache")
        view = article_view(site, article, article_url(config, article))
        if view.fingerprint != fingerprint:
            raise RecipeError(f"{rel} is not as the last build showed it")
        views[fingerprint] = view
    return views
