"""Shared test settings: hypothesis profiles (quick by default; `HYPOTHESIS_PROFILE=long`
for a deeper search by hand)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))  # sitekit, tools

settings.register_profile("default", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty site (config.yaml only) in tmp_path, as the current folder."""
    from sitekit import write_site

    root = tmp_path / "site"
    write_site(root, {})
    monkeypatch.chdir(root)
    return root
