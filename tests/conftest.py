"""Shared fixtures: the real clips (skipped when absent) and small synthetic clips."""

from __future__ import annotations

from pathlib import Path

import pytest

VIDEOS = Path(__file__).resolve().parents[1] / "../shared/data/videos"


def real_clip(name: str) -> str:
    path = VIDEOS / name
    if not path.exists():
        pytest.skip(f"real clip {name} not available at {VIDEOS}")
    return str(path)
