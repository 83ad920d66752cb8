"""`digest init DIR`: a new site that builds and checks at once, and refuses to overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sitekit import REPO, run_digest
from tools import run_actionlint

from digest import config as config_module
from digest.scaffold import FILES, config_text, create


# Runs the real CLI with the publishing commands added, as cli.py will have them.
def load_workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def test_init_then_build_then_check_succeeds(tmp_path: Path) -> None:
    result = run_digest("init", "my-digest", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "my-digest"
    assert (site / "config.yaml").is_file()
    assert len(list((site / "content").rglob("*.md"))) == 1
    assert (site / "layouts" / "README.md").is_file()
    assert (site / ".gitignore").is_file()
    assert (site / ".github" / "workflows" / "pages.yml").is_file()
    assert "cd my-digest" in result.stdout

    built = run_digest("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert (site / "output" / "index.html").is_file()
    checked = run_digest("check", cwd=site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No problems" in checked.stdout


def test_config_has_a_comment_for_every_key_and_loads(tmp_path: Path) -> None:
    created = create(tmp_path / "site", title="Kyiv Morning: \"News\"",
                     base_url="https://example.org/kyiv/")
    text = (tmp_path / "site" / "config.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for key, _default, doc in config_module.reference():
        name = key.rsplit(".", 1)[-1]
        indent = "  " * key.count(".")
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{indent}{name}:"))
        comment = []
        for line in reversed(lines[:at]):
            if not line.strip().startswith("#"):
                break
            comment.insert(0, line.strip().lstrip("# "))
        assert " ".join(comment).startswith(doc), key
    cfg = config_module.load(tmp_path / "site" / "config.yaml")
    assert cfg == created.config
    assert cfg.title == 'Kyiv Morning: "News"'
    assert cfg.base_url == "https://example.org/kyiv/"
    assert cfg.output_dir == "output" and cfg.feeds.items == 20


def test_every_default_is_written_as_digest_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(config_text("T", "https://example.org/"), encoding="utf-8")
    written = config_module.load(path)
    defaults = config_module.Config(title="T", base_url="https://example.org/",
                                    root=tmp_path, path=str(path))
    for key, _default, _doc in config_module.reference():
        if key in ("description",):
            continue
        section, _, name = key.rpartition(".")
        holder_written = getattr(written, section) if section else written
        holder_default = getattr(defaults, section) if section else defaults
        assert getattr(holder_written, name) == getattr(holder_default, name), key


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_digest("init", str(site), cwd=tmp_path)
    assert result.returncode == 1
    assert "not empty" in result.stderr and "notes.txt" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in site.iterdir()) == ["notes.txt"]
    assert (site / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_refuses_a_file_and_accepts_an_empty_folder_or_a_bare_git_repo(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = run_digest("init", "file", cwd=tmp_path)
    assert result.returncode == 1 and "not a folder" in result.stderr
    (tmp_path / "empty").mkdir()
    assert run_digest("init", "empty", cwd=tmp_path).returncode == 0
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert run_digest("init", "repo", cwd=tmp_path).returncode == 0
    assert (tmp_path / "repo" / "config.yaml").is_file()


def test_a_bad_base_url_writes_nothing(tmp_path: Path) -> None:
    result = run_digest("init", "site", "--base-url", "example.org/news", cwd=tmp_path)
    assert result.returncode == 1
    assert "base_url" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_title_and_base_url_options_reach_the_built_site(tmp_path: Path) -> None:
    result = run_digest("init", "site", "--title", "Морські новини",
                     "--base-url", "https://news.example.org/sea/", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert run_digest("build", cwd=site).returncode == 0
    home = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert "Морські новини" in home and 'href="/sea/' in home


def test_gitignore_leaves_out_what_digest_writes() -> None:
    lines = (FILES / "gitignore.txt").read_text(encoding="utf-8").splitlines()
    assert {"/output/", "/.digest-cache/", "/.output.digest-*/"} <= set(lines)


def test_workflow_matches_the_repository_workflow(tmp_path: Path) -> None:
    create(tmp_path / "site")
    scaffold = load_workflow(tmp_path / "site" / ".github" / "workflows" / "pages.yml")
    repo = load_workflow(REPO / ".github" / "workflows" / "pages.yml")
    assert scaffold["on"] == repo["on"]
    assert scaffold["permissions"] == repo["permissions"]

    def uses(workflow: dict) -> list[str]:
        return [step["uses"] for job in workflow["jobs"].values() for step in job["steps"]
                if "uses" in step]

    assert uses(scaffold) == uses(repo)
    runs = [step.get("run", "") for job in scaffold["jobs"].values() for step in job["steps"]]
    assert "pip install digest" in runs
    assert any(r.startswith("digest build") and "steps.pages.outputs.base_url" in r
               for r in runs)


def test_workflow_passes_actionlint(tmp_path: Path) -> None:
    create(tmp_path / "site")
    assert run_actionlint(tmp_path / "site" / ".github" / "workflows" / "pages.yml") == []


@pytest.mark.parametrize("name", ["welcome.md", "layouts_README.md", "gitignore.txt",
                                  "pages.yml"])
def test_scaffold_files_are_plain_utf8_without_tabs(name: str) -> None:
    text = (FILES / name).read_text(encoding="utf-8")
    assert "\t" not in text and text.endswith("\n")
