"""Tree records: what the last builds wrote, read back exactly."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sitekit import article, run_digest, tree, write_site

from digest.manifest import ManifestStore, TreeRecord
from digest.output import manifest_id, read_marker


def _record() -> TreeRecord:
    files = {"index.html": "k1", "tags/a b/index.html": "k2",
             "static/odd\nname.txt": "k3", "static/caf\udce9.txt": "k4", "sitemap.xml": "k5"}
    hashes = {"index.html": "h1", "tags/a b/index.html": "h2", "static/odd\nname.txt": "h3",
              "static/caf\udce9.txt": "h4"}  # sitemap.xml: no hash known
    return TreeRecord(files, "inputs-key", "2030-01-01T00:00:00+00:00",
                      {"articles": 2, "warnings": ["a\nwarning"]}, hashes, "shape-key",
                      ["f1", "f2"])


def test_a_record_comes_back_exactly(tmp_path: Path) -> None:
    store = ManifestStore(tmp_path)
    record = _record()
    identifier = store.save(record)
    assert store.load(identifier) == record
    assert list(store.load(identifier).files) == list(record.files)  # in the same order


def test_the_name_of_a_record_depends_on_its_files_and_keys_only(tmp_path: Path) -> None:
    record = _record()
    shuffled = dict(reversed(record.files.items()))
    assert manifest_id(shuffled) == manifest_id(record.files)
    assert manifest_id({**record.files, "index.html": "other"}) != manifest_id(record.files)
    assert ManifestStore(tmp_path, enabled=False).save(record) == manifest_id(record.files)
    assert not (tmp_path / "trees").exists()


def test_only_the_newest_records_are_kept(tmp_path: Path) -> None:
    store = ManifestStore(tmp_path)
    names = []
    for n in range(7):  # a second apart: file times can be coarser than the saves
        names.append(store.save(TreeRecord({"index.html": f"key {n}"})))
        os.utime(tmp_path / "trees" / f"{names[-1]}.tree", (1_700_000_000 + n,) * 2)
    assert sorted(p.stem for p in (tmp_path / "trees").iterdir()) == sorted(names[-4:])


def test_a_damaged_or_foreign_record_reads_as_none(tmp_path: Path) -> None:
    store = ManifestStore(tmp_path)
    identifier = store.save(_record())
    path = tmp_path / "trees" / f"{identifier}.tree"
    text = path.read_bytes()
    path.write_bytes(text.replace(b"\0k2", b""))  # a path without its key and hash
    assert store.load(identifier) is None
    path.write_bytes(b"not json\n\n")
    assert store.load(identifier) is None
    head, _, rest = text.partition(b"\n")
    path.write_bytes(json.dumps({**json.loads(head), "format": 1}).encode() + b"\n" + rest)
    assert store.load(identifier) is None
    assert store.load("../trees") is None and store.load("missing") is None


def test_a_tree_whose_record_is_in_an_older_format_is_built_again(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": article("First"), "content/b.md": article("Second")})
    assert run_digest("build", "-q", cwd=tmp_path).returncode == 0
    built = tree(tmp_path / "output")
    identifier = read_marker(tmp_path / "output")
    record = tmp_path / ".digest-cache" / "trees" / f"{identifier}.tree"
    # What an older digest stored: one JSON object, under another name.
    record.with_suffix(".json").write_text(json.dumps({"files": {}, "inputs": ""}))
    record.unlink()
    result = run_digest("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" not in result.stdout and "files rendered" in result.stdout
    assert tree(tmp_path / "output") == built
    assert run_digest("build", cwd=tmp_path).stdout.count("up to date") == 1
