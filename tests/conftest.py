"""Shared fixtures: the real clips (skipped when absent) and a small generated clip."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media import shared_video, write_clip


@pytest.fixture
def real_clip():
    """Return the path of a real clip from ``../shared/data/videos``, skipping when absent."""

    def get(name: str) -> Path:
        path = shared_video(name)
        if not path.is_file():
            pytest.skip(f"real clip {name} not found at {path} (../shared/data/videos)")
        return path

    return get


@pytest.fixture(scope="session")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 s 320x240 H.264 clip with 1 s keyframe spacing."""
    return write_clip(tmp_path_factory.mktemp("clips") / "small.mp4", frames=60)
