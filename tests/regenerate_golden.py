"""Rebuild tests/fixtures/golden/expected/ from tests/fixtures/golden/site/.

    python tests/regenerate_golden.py

Run it only when a change to the output is intended (a template or feed change), then
review the diff of expected/ before committing it: test_golden.py compares every build
of the golden site with expected/, file by file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
SITE = GOLDEN / "site"
EXPECTED = GOLDEN / "expected"
# The build's clock: decides which articles are "in the future" (2024-06-01T00:00:00Z).
SOURCE_DATE_EPOCH = "1717200000"
# Build bookkeeping that depends on where the build ran, not on what it produced.
IGNORED = {".digest-output"}


def build(workdir: Path) -> Path:
    """Build a copy of the golden site in workdir with the real CLI; return the output."""
    site = workdir / "site"
    shutil.copytree(SITE, site)
    out = workdir / "out"
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    result = subprocess.run([sys.executable, "-m", "digest", "build", "--quiet", "-o", str(out)],
                            cwd=site, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"the golden site does not build:\n{result.stderr}")
    return out


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in IGNORED}


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        built = files(build(Path(temporary)))
    if EXPECTED.exists():
        shutil.rmtree(EXPECTED)
    for rel, data in built.items():
        target = EXPECTED / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"Wrote {len(built)} files to {EXPECTED.relative_to(Path.cwd().resolve())}"
          if EXPECTED.is_relative_to(Path.cwd().resolve()) else f"Wrote {len(built)} files")


if __name__ == "__main__":
    main()
