"""A build either fully succeeds or changes nothing; digest never replaces what it does not own;
the output is the same bytes whatever the machine's time zone, locale, hash seed or file order."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sitekit import REPO, article, cold_tree, run_digest, tree, write_site

EPOCH = "1767225600"  # 2026-01-01: fixes which articles are "in the future"


def _big_site(root: Path, count: int = 600) -> None:
    files = {f"content/2024/{1 + i % 12:02d}/item-{i}.md": article(
        title=f"Item {i}", date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00+00:00",
        tags=[f"tag-{i % 40}", "common"], body=("A paragraph of text. " * 40 + "\n\n") * 4)
        for i in range(count)}
    write_site(root, files, config={"per_page": 2})


def test_killing_a_build_at_any_moment_leaves_the_previous_output_intact(
        tmp_path: Path) -> None:
    root = tmp_path / "site"
    _big_site(root)
    assert run_digest("build", "-q", cwd=root).returncode == 0
    before = tree(root / "output")
    # Change everything, so the next build has real work to do at every stage.
    config = root / "config.yaml"
    config.write_text(config.read_text().replace("Test Digest", "Renamed Digest"))
    killed = []
    for delay in (0.05, 0.3, 0.8, 1.5, 2.5):
        process = subprocess.Popen([sys.executable, "-m", "digest", "build", "-q"], cwd=root,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(delay)
        if process.poll() is not None:
            break  # finished before the kill: nothing more to learn at longer delays
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        killed.append((delay, tree(root / "output")))
    result = run_digest("build", "-q", cwd=root)
    assert result.returncode == 0, result.stderr
    after = tree(root / "output")
    assert after != before and "Renamed Digest" in after["index.html"].decode()
    for delay, output in killed:
        # The old tree, or (killed in the moment after the swap) the whole new one.
        whole = output == before or output == after  # a bool: no diff of two trees
        assert whole, f"output changed when killed after {delay} s"
    leftovers = [p.name for p in root.iterdir() if "digest-tmp" in p.name]
    assert leftovers == []


@pytest.mark.parametrize("target", [".", "content", "~"])
def test_building_into_the_site_content_or_home_folder_is_refused(tmp_path: Path,
                                                                    target: str) -> None:
    root = tmp_path / "site"
    write_site(root, {"content/a.md": article()})
    before = tree(root)
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    result = run_digest("build", "-o", target.replace("~", str(home)), "--force", cwd=root,
                        env={"HOME": str(home)})
    assert result.returncode == 1
    assert "must never replace" in result.stderr and "Traceback" not in result.stderr
    assert tree(root) == before
    assert (home / "notes.txt").read_text() == "mine"


def test_a_folder_with_git_or_foreign_files_is_refused_unless_kept(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {"content/a.md": article()})
    deploy = root / "deploy"
    (deploy / ".git").mkdir(parents=True)
    (deploy / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    result = run_digest("build", "-o", "deploy", cwd=root)
    assert result.returncode == 1 and "keep: [.git]" in result.stderr
    assert (deploy / ".git/HEAD").exists()

    foreign = root / "stuff"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    result = run_digest("build", "-o", "stuff", cwd=root)
    assert result.returncode == 1 and "not written by digest" in result.stderr
    assert (foreign / "thesis.tex").read_text() == "precious"

    config = root / "config.yaml"
    config.write_text(config.read_text() + "keep: [.git, CNAME]\n")
    assert run_digest("build", "-q", "-o", "deploy", cwd=root).returncode == 0
    (deploy / "CNAME").write_text("news.example.org\n")
    (root / "content/b.md").write_text(article(title="Another", date="2024-03-27"))
    assert run_digest("build", "-q", "-o", "deploy", cwd=root).returncode == 0
    assert (deploy / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (deploy / "CNAME").read_text() == "news.example.org\n"
    assert (deploy / "index.html").exists()


def test_the_output_holds_no_symbolic_links(tmp_path: Path) -> None:
    root = tmp_path / "site"
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    write_site(root, {"content/a.md": article(), "static/logo.txt": "logo"})
    (root / "static/leak.txt").symlink_to(outside)
    (root / "static/inside.txt").symlink_to(root / "static/logo.txt")
    assert run_digest("build", "-q", cwd=root).returncode == 0
    links = [p for p in (root / "output").rglob("*") if p.is_symlink()]
    assert links == []
    assert not (root / "output/leak.txt").exists()
    assert (root / "output/inside.txt").read_text() == "logo"


def test_files_deleted_from_the_output_by_hand_are_made_again(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {f"content/{n}.md": article(f"Story {n}", tags=["common"],
                                                 summary=f"Summary {n}.")
                      for n in range(3)})
    for _ in range(2):  # the second build leaves a spare tree beside the output
        assert run_digest("build", "-q", cwd=root).returncode == 0
    # Nothing changed but the output: not up to date, and only the lost file is made.
    (root / "output/tags/common/index.html").unlink()
    result = run_digest("build", cwd=root)
    assert "1 files rendered" in result.stdout or "1 file rendered" in result.stdout, result.stdout
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold-0")
    # The next build links the 404 page from the output (its key stays) and renders the
    # tag page (it shows the edited article) to the same bytes, which it would link too.
    for rel in ("404.html", "tags/common/index.html"):
        (root / "output" / rel).unlink()
    edited = root / "content/1.md"
    edited.write_text(edited.read_text() + "\nA paragraph more.\n")
    result = run_digest("build", "-q", cwd=root)
    assert result.returncode == 0, result.stderr
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold")
    # A new article: the site is planned, and the 404 page is linked from the output again.
    (root / "output/404.html").unlink()
    (root / "content/3.md").write_text(article("Story 3", tags=["common"]))
    result = run_digest("build", "-q", cwd=root)
    assert result.returncode == 0, result.stderr
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold-2")
    # The output without the 404 page is now the spare tree, which the next build starts
    # from: it finds the page missing there too.
    (root / "content/4.md").write_text(article("Story 4", tags=["common"]))
    result = run_digest("build", "-q", cwd=root)
    assert result.returncode == 0, result.stderr
    assert tree(root / "output") == cold_tree(root, tmp_path / "cold-3")


def _copy_in_reverse_order(source: Path, target: Path) -> None:
    """The same files, created in the opposite order (so directory listings differ)."""
    for path in sorted(source.rglob("*"), reverse=True):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def test_output_is_identical_across_time_zones_locales_hash_seeds_and_file_order(
        tmp_path: Path) -> None:
    variants = [
        {"TZ": "UTC", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "1"},
        {"TZ": "Asia/Tokyo", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8",
         "PYTHONHASHSEED": "2"},
        {"TZ": "America/Los_Angeles", "LANG": "uk_UA.UTF-8", "LC_ALL": "uk_UA.UTF-8",
         "PYTHONHASHSEED": "random"},
    ]
    trees = []
    for number, env in enumerate(variants):
        site = tmp_path / f"site-{number}"
        for name in ("config.yaml",):
            site.mkdir()
            shutil.copyfile(REPO / name, site / name)
        if number % 2:
            _copy_in_reverse_order(REPO / "content", site / "content")
            _copy_in_reverse_order(REPO / "layouts", site / "layouts")
        else:
            shutil.copytree(REPO / "content", site / "content")
            shutil.copytree(REPO / "layouts", site / "layouts")
        result = run_digest("build", "-q", "--jobs", str(1 + number % 2), cwd=site,
                            env={**env, "SOURCE_DATE_EPOCH": EPOCH})
        assert result.returncode == 0, result.stderr
        trees.append(tree(site / "output"))
    assert trees[0] == trees[1] == trees[2]
    # The wall clock matters only through SOURCE_DATE_EPOCH: a later clock with nothing
    # newly due gives the same bytes.
    later = run_digest("build", "-q", "--no-cache", "-o", str(tmp_path / "later"),
                       cwd=tmp_path / "site-0",
                       env={"SOURCE_DATE_EPOCH": str(int(EPOCH) + 86400 * 30)})
    assert later.returncode == 0
    assert tree(tmp_path / "later") == trees[0]


def test_write_file_makes_folders_and_never_writes_into_a_linked_file(tmp_path: Path) -> None:
    from digest.output import link_file, write_file

    folders: set[str] = set()
    write_file(tmp_path, "2024/03/26/a/index.html", b"one", folders)
    write_file(tmp_path, "2024/03/26/b/index.html", b"two", folders)
    assert (tmp_path / "2024/03/26/a/index.html").read_bytes() == b"one"
    assert (tmp_path / "2024/03/26/b/index.html").read_bytes() == b"two"
    assert str(tmp_path / "2024/03/26") in folders
    # A folder removed behind the set's back is made again, not a failure.
    shutil.rmtree(tmp_path / "2024")
    write_file(tmp_path, "2024/03/26/a/index.html", b"again", folders)
    assert (tmp_path / "2024/03/26/a/index.html").read_bytes() == b"again"
    # An existing file is replaced by a new inode: a hard link to it keeps the old bytes.
    os.link(tmp_path / "2024/03/26/a/index.html", tmp_path / "kept.html")
    write_file(tmp_path, "2024/03/26/a/index.html", b"new", folders)
    assert (tmp_path / "kept.html").read_bytes() == b"again"
    assert (tmp_path / "2024/03/26/a/index.html").read_bytes() == b"new"
    # So is a file said to exist (unlinked first), and one said to exist that does not.
    write_file(tmp_path, "2024/03/26/a/index.html", b"newer", folders, existing=True)
    write_file(tmp_path, "2024/03/26/d/index.html", b"four", folders, existing=True)
    assert (tmp_path / "kept.html").read_bytes() == b"again"
    assert (tmp_path / "2024/03/26/a/index.html").read_bytes() == b"newer"
    assert (tmp_path / "2024/03/26/d/index.html").read_bytes() == b"four"
    with pytest.raises(ValueError):
        write_file(tmp_path, "../escape.html", b"x", folders)
    # A link into a new tree makes its folders the same way, and shares the inode.
    link_file(tmp_path / "kept.html", tmp_path / "new", "2024/03/27/c/index.html", folders)
    linked = tmp_path / "new/2024/03/27/c/index.html"
    assert linked.read_bytes() == b"again"
    assert os.stat(linked).st_ino == os.stat(tmp_path / "kept.html").st_ino
    # A link over a file said to exist replaces that file, and leaves its other links.
    os.link(linked, tmp_path / "kept-too.html")
    link_file(tmp_path / "2024/03/26/d/index.html", tmp_path / "new", "2024/03/27/c/index.html",
              folders, existing=True)
    assert linked.read_bytes() == b"four"
    assert (tmp_path / "kept-too.html").read_bytes() == b"again"
