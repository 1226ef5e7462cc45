"""The real clips: the walker is picked, the backward pass and the CCTV clip are refused."""

from __future__ import annotations

import json
import random

import pytest

from gait import pipeline
from gait.errors import NoReliableGait
from tests.media import SHARED_VIDEOS as VIDEOS


def _run(path: str, chunk_frames: int = 240, shuffle: bool = False):
    plan = pipeline.plan(path, chunk_frames=chunk_frames)
    chunks = list(plan.chunks)
    if shuffle:
        random.Random(0).shuffle(chunks)
    features = [
        pipeline.ChunkFeatures.from_bytes(pipeline.analyze_chunk(plan, c).to_bytes())
        for c in chunks
    ]
    return pipeline.aggregate(plan, features)


def test_cctv_clip_has_no_reliable_gait(real_clip):
    with pytest.raises(NoReliableGait) as info:
        _run(real_clip("cctv-pedestrians-10fps.avi"))
    assert info.value.reason in {"several_people", "no_walker", "too_few_steps"}


def test_outdoor_walker_events_stay_in_her_pass(real_clip):
    result = _run(real_clip("side-outdoor-walker-and-jumper.mp4")).to_dict()
    notes = json.loads((VIDEOS / "side-outdoor-walker-and-jumper.events.json").read_text())
    first, last = notes["passes"][0]["frames"]
    assert result["events"], "no event found for the walker"
    assert all(first <= e["frame"] <= last for e in result["events"])
    assert result["metrics"]["step_length_m"] is None  # no height given: no metres


@pytest.mark.xfail(reason="IC accuracy on the backlit clip not reached yet (see report)")
def test_outdoor_initial_contacts_within_two_frames(real_clip):
    result = _run(real_clip("side-outdoor-walker-and-jumper.mp4")).to_dict()
    notes = json.loads((VIDEOS / "side-outdoor-walker-and-jumper.events.json").read_text())
    truth = [e["frame"] for e in notes["passes"][0]["events"] if e["type"] == "IC"]
    found = [e["frame"] for e in result["events"] if e["type"] == "initial_contact"]
    assert all(min(abs(f - t) for t in truth) <= 2 for f in found)
    assert len(found) >= len(truth) - 2


@pytest.mark.xfail(reason="facing cue (shank over heel) not yet reliable on this clip")
def test_indoor_backward_pass_not_reported_as_gait(real_clip):
    result = _run(real_clip("side-indoor-forward-then-backward.mp4")).to_dict()
    assert all(not 185 <= e["frame"] <= 340 for e in result["events"])
    assert any(s["reason"] == "walking_backwards" for s in result["quality"]["excluded_segments"])

