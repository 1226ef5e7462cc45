"""Shared fixtures: the real clips (skipped when absent), a small generated clip, and
session caches so each real or synthetic clip is rendered and analysed once per session."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gait import pipeline
from gait.errors import GaitError
from gait.result import Result
from gait.synth import SynthParams, render_clip
from tests.invariants import assert_invariants
from tests.media import shared_video, write_clip


@pytest.fixture(scope="session")
def real_clip() -> Callable[[str], Path]:
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


@dataclass(frozen=True)
class Analysis:
    """One clip analysed through the wire format, as the orchestration ships it: the plan,
    each chunk's serialised features, and the result or the typed error it gave."""

    plan: pipeline.Plan
    chunk_bytes: list[bytes]
    result: Result | None
    error: GaitError | None

    @property
    def canonical(self) -> str:
        """The outcome as canonical JSON (the result, or the error), for equality tests."""
        outcome = self.result.to_dict() if self.result else {"error": self.error.to_dict()}
        return json.dumps(outcome, sort_keys=True)

    def outcome(self) -> Result:
        """The result, or raise the error the analysis gave."""
        if self.error is not None:
            raise self.error
        return self.result


def analyse(video: Path | str, height_m: float | None = None, chunk_frames: int = 240) -> Analysis:
    """Plan, analyse every chunk and aggregate, through the wire format; every result is
    checked against the invariants of :mod:`tests.invariants`."""
    plan = pipeline.plan(video, height_m=height_m, chunk_frames=chunk_frames)
    plan = pipeline.Plan.from_bytes(plan.to_bytes())
    chunk_bytes = [pipeline.analyze_chunk(plan, chunk).to_bytes() for chunk in plan.chunks]
    features = [pipeline.ChunkFeatures.from_bytes(data) for data in chunk_bytes]
    try:
        result, error = pipeline.aggregate(plan, features), None
    except GaitError as exc:
        result, error = None, exc
    if result is not None:
        assert_invariants(result)
    return Analysis(plan, chunk_bytes, result, error)


@pytest.fixture(scope="session")
def analysed() -> Callable[..., Analysis]:
    """``analysed(video, height_m=None)``: :func:`analyse` once per clip and height."""
    cache: dict[tuple[str, float | None], Analysis] = {}

    def get(video: Path | str, height_m: float | None = None) -> Analysis:
        key = (str(video), height_m)
        if key not in cache:
            cache[key] = analyse(video, height_m)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def synthetic(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., tuple[Path, dict[str, Any]]]:
    """``synthetic(**params)``: a synthetic walk rendered once per set of
    :class:`gait.synth.SynthParams`; returns its path and truth."""
    folder = tmp_path_factory.mktemp("synthetic")
    cache: dict[str, tuple[Path, dict[str, Any]]] = {}

    def get(**params: Any) -> tuple[Path, dict[str, Any]]:
        key = json.dumps(params, sort_keys=True)
        if key not in cache:
            path = folder / f"walk{len(cache)}.mp4"
            cache[key] = path, render_clip(path, SynthParams(**params))
        return cache[key]

    return get
