"""The GitHub Pages workflow, the CI script and the tool helpers they rely on."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tools import REPO, require, run_actionlint

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
CI_SCRIPT = REPO / ".ci" / "run"
README = REPO / "README.md"
TEST_COMMAND = "pip install -e '.[test]' && python -m pytest -q"


def load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def all_steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def step_using(workflow: dict, action: str) -> dict:
    found = [s for s in all_steps(workflow) if s.get("uses", "").split("@")[0] == action]
    assert len(found) == 1, f"expected one step using {action}, found {len(found)}"
    return found[0]


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    require(importlib.util.find_spec("check_jsonschema"), "check-jsonschema is not installed")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- linters -----------------------------------------------------------------------------


def test_actionlint_finds_no_problem():
    assert run_actionlint(WORKFLOW) == []


def test_matches_github_workflow_schema():
    result = check_jsonschema(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


BROKEN_WORKFLOWS = {
    "needs-missing-job": """\
on: push
jobs:
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
""",
    "undefined-expression": """\
on: push
jobs:
  build:
    runs-on: ${{ nosuch.runner }}
    steps:
      - run: echo hi
""",
}


@pytest.mark.parametrize("name", BROKEN_WORKFLOWS)
def test_actionlint_reports_a_broken_workflow(tmp_path, name):
    path = tmp_path / f"{name}.yml"
    path.write_text(BROKEN_WORKFLOWS[name], encoding="utf-8")
    problems = run_actionlint(path)
    assert problems, "actionlint accepted a broken workflow: the helper cannot fail"
    expected = {"needs-missing-job": "does not exist", "undefined-expression": "nosuch"}[name]
    assert any(expected in p for p in problems), problems


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("on: push\njobs:\n  build:\n    steps: not-a-list\n", encoding="utf-8")
    assert check_jsonschema(path).returncode != 0


# --- what the workflow does ------------------------------------------------------------


def test_triggers():
    on = load_workflow()["on"]
    assert "main" in on["push"]["branches"]
    assert on["schedule"] and all("cron" in entry for entry in on["schedule"])
    assert "workflow_dispatch" in on


def test_permissions_and_concurrency():
    workflow = load_workflow()
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["group"] == "pages"
    assert workflow["concurrency"].get("cancel-in-progress") is False


def test_pages_actions():
    workflow = load_workflow()
    assert step_using(workflow, "actions/configure-pages").get("id") == "pages"
    assert step_using(workflow, "actions/upload-pages-artifact")["with"]["path"] == "output"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert step_using(workflow, "actions/deploy-pages").get("id") == "deployment"


def test_build_cache():
    cache = step_using(load_workflow(), "actions/cache")["with"]
    assert cache["path"] == ".digest-cache"
    assert "hashFiles(" in cache["key"]
    assert cache["restore-keys"].strip()
    assert cache["key"].startswith(cache["restore-keys"].strip())


def test_build_step_passes_base_url_with_trailing_slash():
    runs = [s["run"] for s in all_steps(load_workflow()) if "digest build" in s.get("run", "")]
    assert len(runs) == 1, runs
    assert "--base-url" in runs[0]
    # configure-pages' base_url has no trailing slash; the build must add one.
    assert re.search(r'--base-url[ =]"\$\{\{ steps\.pages\.outputs\.base_url \}\}/"', runs[0])


# --- the CI script -----------------------------------------------------------------------


def readme_test_command() -> str:
    """The README's test command (the fenced code line starting `pip install -e`)."""
    if not README.exists():  # README comes later; until then, the agreed command
        return TEST_COMMAND
    found, fenced = [], False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif fenced and line.strip().startswith("pip install -e"):
            found.append(line.strip())
    assert found, "README.md has no fenced code line starting with `pip install -e`"
    with_tests = [c for c in found if "pytest" in c] or found
    return with_tests[0]


def test_ci_script_runs_the_readme_test_command():
    command = readme_test_command()
    lines = [line.strip() for line in CI_SCRIPT.read_text(encoding="utf-8").splitlines()]
    assert command in lines, f"{CI_SCRIPT} does not run the README command: {command}"


def test_ci_script_is_strict_executable_bash():
    text = CI_SCRIPT.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert os.access(CI_SCRIPT, os.X_OK)
    subprocess.run(["bash", "-n", str(CI_SCRIPT)], check=True)


def test_node_tools_are_locked():
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    for name in ("actionlint", "vnu-jar", "axe-core"):
        assert name in manifest["devDependencies"]
        assert f"node_modules/{name}" in lock["packages"]


# --- the helpers themselves ----------------------------------------------------------------


def test_require_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require(False, "a tool")
    require(True, "a tool")


def test_require_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must install it"):
        require(False, "a tool")
