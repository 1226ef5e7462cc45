"""The landmark event path: hand-annotated real clips, the synthetic walk's exact truth, the
view and running classification, left/right, and the contacts table built from events."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gait import pipeline
from gait.errors import NoReliableGait
from gait.synth.score import match_events, score_annotated, steady_true_events
from gait.walk import landmark_events, landmark_walk, sides, views
from gait.walk.contacts import SOURCE_FOOTPRINT, Contacts, joined_steps, landmark_contacts_table
from gait.walk.event_check import check_and_fill
from gait.walk.measure import Clip, measure
from gait.walk.person_walker import find_person_walker
from gait.walk.sides import alternating_names
from tests.media import SHARED_VIDEOS as VIDEOS

TREADMILL = "treadmill-walk-styles-side-captions.mp4"
OUTDOOR = "side-outdoor-walker-and-jumper.mp4"
RUNNING = "treadmill-running-side-vertical.mp4"
BACK_VIEW = "elderly-store-back-follow-handheld.mp4"
#: The outdoor clip's landmarks follow the jumper until the re-detection grid's frame 90
#: (walker choice between people is not built yet): landmark checks there start at 90.
OUTDOOR_WALKER_FROM_FRAME = 90


def features(analysis) -> tuple[pipeline.Plan, np.ndarray, dict[str, np.ndarray]]:
    """The plan, frame indices ``(n,)`` and arrays of an analysis, in frame order."""
    chunks = sorted(
        (pipeline.ChunkFeatures.from_bytes(b) for b in analysis.chunk_bytes),
        key=lambda f: f.chunk.start,
    )
    frames = np.concatenate([f.frame_indices for f in chunks])
    arrays = {k: np.concatenate([f.arrays[k] for f in chunks]) for k in chunks[0].arrays}
    times_s = analysis.plan.video.frame_times_s[frames]
    # The later stages read the walker's landmarks, as measure() gives them.
    arrays.update(find_person_walker(arrays, times_s).arrays())
    return analysis.plan, frames, arrays


def treadmill_notes() -> dict:
    return json.loads((VIDEOS / "treadmill-walk-styles-side-captions.events.json").read_text())


def annotated(notes: dict) -> list[dict]:
    short = {"initial_contact": "IC", "foot_off": "FO"}
    return [
        {"type": short[e["type"]], "frame": e["frame"], "side": e["side"]} for e in notes["events"]
    ]


def test_treadmill_events_match_the_hand_annotation(real_clip, analysed):
    """Measured: IC 28/30 within MAE 1.14 frames, FO 26/28 within 0.85 (events at the edits'
    cuts are dropped), no false IC, one false FO; every event timed by the landmarks."""
    result = analysed(real_clip(TREADMILL)).outcome()
    notes = treadmill_notes()
    row = score_annotated(result.to_dict(), annotated(notes), notes["fps"])
    assert {e["source"] for e in result.events} == {"landmarks"}
    assert int(row["ic_found"].split("/")[0]) >= 27 and row["ic_false"] == 0, row
    assert int(row["fo_found"].split("/")[0]) >= 25 and row["fo_false"] <= 1, row
    assert row["ic_mae_frames"] <= 1.25 and row["fo_mae_frames"] <= 1.0, row
    view = result.quality["view"]
    assert view["kind"] == "side" and view["treadmill"] and view["facing"] == "image_left"
    assert view["belt_speed_statures_per_s"] > 0.1  # the belt under her, in statures/s


def test_treadmill_cadence_per_walking_style(real_clip, analysed):
    """Cadence from the initial contacts of each style's annotated range: measured -2.4, -2.2,
    0.0, +1.0, +2.6 % (Feminine, Sneak, Angry, Sassy, Dancer; 2-7 steps each)."""
    result = analysed(real_clip(TREADMILL)).outcome()
    for style, truth in treadmill_notes()["cadence_by_segment"].items():
        first, last = truth["frame_range"]
        ics = sorted(
            e["time_s"]
            for e in result.events
            if e["type"] == "initial_contact" and first - 3 <= e["frame"] <= last + 3
        )
        cadence = 60.0 * (len(ics) - 1) / (ics[-1] - ics[0])
        assert abs(cadence / truth["cadence_spm"] - 1) <= 0.03, (style, cadence, truth)


def test_treadmill_feet_are_named_left_and_right_as_annotated(real_clip, analysed):
    """He faces image-left, so his left leg is the near one: every matched event's foot is
    the annotated side."""
    result = analysed(real_clip(TREADMILL)).outcome()
    truth = annotated(treadmill_notes())
    names = {"initial_contact": "IC", "foot_off": "FO"}
    checked = 0
    for event in result.events:
        near = [t for t in truth if t["type"] == names[event["type"]]]
        nearest = min(near, key=lambda t: abs(t["frame"] - event["frame"]))
        if abs(nearest["frame"] - event["frame"]) <= 3:
            assert event["foot"] == nearest["side"], (event, nearest)
            checked += 1
    assert checked >= 50


def test_treadmill_lengths_come_from_the_belt(real_clip, analysed):
    result = analysed(real_clip(TREADMILL)).outcome()
    assert result.metrics["step_length_m"] is None  # neither height nor belt speed given
    assert result.quality["scale"] is None
    ratio = result.metrics["step_length_stature_ratio"]
    assert ratio is not None and 0.15 < ratio < 0.6


def test_treadmill_lengths_in_metres_from_a_given_belt_speed(real_clip, analysed):
    """The walker stays in place, so over the belt he walks at the belt's speed: measured
    1.185 m/s for a given 1.2 m/s (his step lengths put on the belt, stature-free)."""
    plan, frames, arrays = features(analysed(real_clip(TREADMILL)))
    clip = Clip(plan.video, plan.analysis_size, None, treadmill_speed_mps=1.2)
    result = measure(clip, frames, arrays)
    assert result.metrics["speed_mps"] == pytest.approx(1.2, rel=0.03)
    assert result.metrics["step_length_m"] is not None
    # The height the belt speed implies, which the lengths rest on, is in the result.
    scale = result.quality["scale"]
    assert scale["from"] == "treadmill_speed" and scale["treadmill_speed_mps"] == 1.2
    ratio = result.metrics["step_length_stature_ratio"]
    assert result.metrics["step_length_m"] == pytest.approx(ratio * scale["height_m"], rel=0.01)


def test_a_given_height_the_belt_speed_contradicts_is_a_warning(real_clip, analysed):
    """Given both, the lengths rest on the belt speed; a given height more than 10 % from the
    one the belt speed implies is said, not silently overruled."""
    plan, frames, arrays = features(analysed(real_clip(TREADMILL)))
    by_belt = measure(Clip(plan.video, plan.analysis_size, None, 1.2), frames, arrays)
    implied_m = by_belt.quality["scale"]["height_m"]

    def disagreement(height_m: float) -> list[str]:
        result = measure(Clip(plan.video, plan.analysis_size, height_m, 1.2), frames, arrays)
        assert result.quality["scale"]["height_m"] == implied_m
        return [w for w in result.warnings if "the given belt speed makes the walker" in w]

    assert disagreement(implied_m * 1.05) == []
    assert len(disagreement(implied_m * 1.2)) == 1
    assert len(disagreement(implied_m * 0.8)) == 1


def test_a_treadmill_filmed_by_a_travelling_camera_gives_no_lengths(real_clip, analysed):
    """A camera whose path is not the floor's (parallax, ``camera.parallax``) moves the belt
    too: the stance feet's travel would give a wrong belt speed, so no lengths and no belt
    speed, with the camera's warning (the treadmill's own lengths had been kept)."""
    plan, frames, arrays = features(analysed(real_clip(TREADMILL)))
    landmarks = arrays["person_landmarks"]
    times = plan.video.frame_times_s[frames]
    view = views.classify_view(landmarks)
    withheld = "travelling camera: lengths not reported (test)"
    kept = landmark_walk.measure_landmark_walk(landmarks, frames, times, view)
    walk = landmark_walk.measure_landmark_walk(
        landmarks, frames, times, view, lengths_withheld=withheld
    )
    assert kept.treadmill and np.isfinite(kept.contacts.heel_x_px).any()
    assert walk.treadmill and not np.isfinite(walk.contacts.heel_x_px).any()
    assert walk.belt_speed_px_per_s is None
    assert withheld in walk.warnings
    assert not any(w.startswith("treadmill:") for w in walk.warnings)


def test_outdoor_landmark_events_match_the_hand_annotation(real_clip, analysed):
    """From frame 90 on, landmarks alone (the footprints time this clip's contacts), timed
    as overground: the landing heel is down or stops moving along the floor, whichever comes
    first. Measured IC 5/5, MAE 0.6 frames; by the heel-height rule alone (the treadmill's)
    1.8, late, her soles hidden in grass. FO 5/6 within 1 frame; the events within a filter
    period of her exit are dropped."""
    plan, frames, arrays = features(analysed(real_clip(OUTDOOR)))
    landmarks = arrays["person_landmarks"].astype(np.float64)
    landmarks[frames < OUTDOOR_WALKER_FROM_FRAME] = np.nan
    view = views.classify_view(landmarks)
    assert view.kind == "side" and view.facing == -1 and not view.in_place
    times = plan.video.frame_times_s[frames]
    events = landmark_events.detect_events(
        landmarks, times, view.stature_px, view.facing, overground=True
    )
    notes = json.loads((VIDEOS / "side-outdoor-walker-and-jumper.events.json").read_text())
    truth = [e for e in notes["passes"][0]["events"] if e["frame"] >= 92]
    found = [{"type": "initial_contact", "frame": int(frames[p])} for p in events.ic_pos] + [
        {"type": "foot_off", "frame": int(frames[p])} for p in events.fo_pos
    ]
    row = score_annotated({"events": found}, truth, notes["fps"])
    assert int(row["ic_found"].split("/")[0]) >= 4 and row["ic_mae_frames"] <= 1.0, row
    assert int(row["fo_found"].split("/")[0]) >= 4 and row["fo_mae_frames"] <= 1.0, row


def test_outdoor_feet_named_left_right_once_the_landmarks_follow_her(real_clip, analysed):
    """Near = left (she walks right to left); the footprints time, the landmarks check."""
    plan, frames, arrays = features(analysed(real_clip(OUTDOOR)))
    arrays["person_landmarks"][frames < OUTDOOR_WALKER_FROM_FRAME] = np.nan
    result = measure(Clip(plan.video, plan.analysis_size, plan.height_m), frames, arrays)
    notes = json.loads((VIDEOS / "side-outdoor-walker-and-jumper.events.json").read_text())
    names = {"initial_contact": "IC", "foot_off": "FO"}
    truth = notes["passes"][0]["events"]
    matched = 0
    for event in result.events:
        assert event["foot"] in ("left", "right")
        near = [t for t in truth if t["type"] == names[event["type"]]]
        nearest = min(near, key=lambda t: abs(t["frame"] - event["frame"]))
        if abs(nearest["frame"] - event["frame"]) <= 3:
            assert event["foot"] == nearest["side"], (event, nearest)
            matched += 1
    assert matched >= 10
    assert SOURCE_FOOTPRINT in {e["source"] for e in result.events}


def test_running_on_a_treadmill_is_refused_as_running(real_clip, analysed):
    with pytest.raises(NoReliableGait) as info:
        analysed(real_clip(RUNNING)).outcome()
    assert info.value.reason == "running"
    _, _, arrays = features(analysed(real_clip(RUNNING)))
    view = views.classify_view(arrays["person_landmarks"])
    assert view.kind == "side" and view.in_place


def test_a_back_view_is_named_and_measured_from_the_landmarks(real_clip, analysed):
    """The person model's first slot shows a back view; the walker stage finds her stepping
    (the signed ankle lead, :func:`gait.walk.person_walker.ankle_lead`) and the frontal route
    (:mod:`gait.walk.frontal_walk`) measures it; its accuracy is in test_frontal_walk.py."""
    analysis = analysed(real_clip(BACK_VIEW))
    result = analysis.outcome()
    assert result.quality["view"]["kind"] == "frontal_or_back"
    chunks = [pipeline.ChunkFeatures.from_bytes(b) for b in analysis.chunk_bytes]
    first_slot = np.concatenate([f.arrays["person_slot_landmarks"][:, 0] for f in chunks])
    assert views.classify_view(first_slot).kind == "frontal_or_back"


def test_views_of_the_walking_clips(real_clip, analysed):
    plan, frames, treadmill = features(analysed(real_clip(TREADMILL)))
    view = views.classify_view(treadmill["person_landmarks"])
    assert view.kind == "side" and view.in_place and view.facing == -1
    # The walking treadmill keeps a foot on the floor: far from running.
    times = plan.video.frame_times_s[frames]
    share = views.flight_frames_share(treadmill["person_landmarks"], view.stature_px, times)
    assert share < views.RUNNING_MIN_FLIGHT_SHARE / 2


@pytest.mark.parametrize(
    ("params", "ic_mae_ms", "fo_mae_ms"),
    [({}, 20.0, 35.0), ({"cadence_spm": 80, "step_length_m": 0.5}, 30.0, 35.0)],
    ids=["default", "slow"],
)
def test_synthetic_events_through_the_landmark_path(
    synthetic, analysed, params, ic_mae_ms, fo_mae_ms
):
    """Measured: default IC 8.2 ms / FO 16.0 ms (7 of 8 each), slow gait (80 spm, long heel
    rise) IC 18.3 / FO 24.3 ms (10 of 10): the foot tip, not the heel, times foot off. The
    slow walk encoded reproducibly (``gait.synth.encode.REPRODUCIBLE_X264``): IC 25.9 ms,
    every contact within a frame (33 ms), as the landmark route times them on real clips."""
    path, truth = synthetic(**params)
    plan, frames, arrays = features(analysed(path))
    landmarks = arrays["person_landmarks"]
    view = views.classify_view(landmarks)
    times = plan.video.frame_times_s[frames]
    events = landmark_events.detect_events(landmarks, times, view.stature_px, view.facing)
    found = [{"type": "initial_contact", "time_s": times[p]} for p in events.ic_pos] + [
        {"type": "foot_off", "time_s": times[p]} for p in events.fo_pos
    ]
    steady = steady_true_events(truth)
    for kind, bound_ms in (("initial_contact", ic_mae_ms), ("foot_off", fo_mae_ms)):
        errors, n_true, n_found, false = match_events(
            found, steady, kind, also_true=truth["events"]
        )
        assert n_found >= n_true - 1 and false == 0, (kind, n_found, n_true, false)
        assert 1000 * np.mean(np.abs(errors)) <= bound_ms, (kind, errors)


def feet_named_as_rendered(events: list[dict], truth_events: list[dict]) -> int:
    """How many of the result's ``events`` lie within 3 frames of a synthetic truth event of
    their type; each must carry that true event's foot (asserted)."""
    truth_feet = {(e["type"], e["frame"]): e["foot"] for e in truth_events}
    matched = 0
    for event in events:
        hits = [
            foot
            for (kind, frame), foot in truth_feet.items()
            if kind == event["type"] and abs(frame - event["frame"]) <= 3
        ]
        if hits:
            assert event["foot"] == hits[0], event
            matched += 1
    return matched


def test_synthetic_feet_are_named_as_rendered(synthetic, analysed):
    """The renderer's near leg is the right one walking left to right, as a real walker's."""
    path, truth = synthetic()
    result = analysed(path).outcome()
    assert feet_named_as_rendered(result.events, truth["events"]) >= 10


# -- the contacts table and checks, on hand-made events ---------------------------------


def events_at(ic: list[int], fo: list[int], n: int = 100) -> landmark_events.LandmarkEvents:
    return landmark_events.LandmarkEvents(
        ic_pos=np.array(ic),
        fo_pos=np.array(fo),
        anterior_pos=np.array(ic),
        forward=np.full((n, 2, 3), np.nan),
        foot_y=np.full((n, 2), np.nan),
        facing=-1,
    )


def test_landmark_contacts_pair_each_foot_off_by_the_alternation_of_walking():
    frames = np.arange(100)
    times = frames / 30.0
    events = events_at([10, 25, 40, 55], [13, 28, 43, 58])
    c = landmark_contacts_table(events, frames, times, np.array([0.0, 1, 2, 3]), 200.0)
    # The FO at 13 (between the first two ICs) is the previous contact's: a row opens the
    # pass with its landing unseen; then IC(k)'s foot off comes after IC(k + 1).
    assert np.isnan(c.ic_frame[0]) and c.fo_frame[0] == 13
    assert c.ic_frame[1:].tolist() == [10, 25, 40, 55]
    assert c.fo_frame[1:4].tolist() == [28, 43, 58] and np.isnan(c.fo_frame[4])
    assert c.foot.tolist() == ["A", "B", "A", "B", "A"]
    assert set(c.pass_index.tolist()) == {0} and c.order.tolist() == [0, 1, 2, 3, 4]
    assert set(c.source.tolist()) == {"landmarks"}


def test_a_missed_initial_contact_ends_the_pass():
    frames = np.arange(100)
    # Two foot offs between ICs 25 and 55: the IC near 40 was missed, so the feet's
    # alternation is lost and a new pass starts.
    events = events_at([10, 25, 55, 70], [13, 28, 43, 58, 73])
    c = landmark_contacts_table(events, frames, frames / 30.0, np.zeros(4), 200.0)
    seen = np.isfinite(c.ic_frame)
    assert c.pass_index[seen].tolist() == [0, 0, 1, 1]


def test_a_foot_off_is_never_given_to_two_contacts_and_a_broken_alternation_is_counted():
    """The outdoor walker re-filmed by a shaking hand (720p): no foot off between the ICs at
    102 and 119, so a new pass opens at 119 with the foot off at 120. That foot off had also
    been taken as the previous pass's last foot off (the next one after its last IC, within
    a step time), so the result listed it twice."""
    frames = np.arange(200)
    events = events_at([81, 102, 119, 136, 155, 169], [84, 120, 139, 157])
    c = landmark_contacts_table(events, frames, frames / 30.0, np.zeros(6), 200.0)
    foot_offs = c.fo_frame[np.isfinite(c.fo_frame)].tolist()
    assert sorted(foot_offs) == [84, 120, 139, 157]
    joined, broken = joined_steps(events, frames / 30.0)
    assert joined.tolist() == [True, False, True, True, True]
    assert broken.tolist() == [False, True, False, False, False]


def test_a_pause_or_a_cut_is_no_broken_alternation():
    frames = np.arange(400)
    events = events_at([10, 25, 40, 55, 300, 315], [13, 28, 43, 58, 303])
    _, broken = joined_steps(events, frames / 30.0, break_rows=np.array([33]))
    assert not broken.any()  # 25 -> 40 spans the cut, 55 -> 300 is a pause of 8 s
    _, broken = joined_steps(events, frames / 30.0)
    assert broken.tolist() == [False, False, False, False, False]


def test_a_cut_ends_the_pass():
    frames = np.arange(100)
    events = events_at([10, 25, 40, 55], [13, 28, 43, 58])
    c = landmark_contacts_table(
        events, frames, frames / 30.0, np.zeros(4), 200.0, break_rows=np.array([33])
    )
    seen = np.isfinite(c.ic_frame)
    assert c.pass_index[seen].tolist() == [0, 0, 1, 1]


def test_flight_frames_tell_running_from_walking():
    n, stature = 300, 400.0
    times = np.arange(n) / 30.0
    phase = np.arange(n) % 30
    landmarks = np.zeros((n, 33, 4))
    floor = 500.0
    # Walking: one foot always on the floor, the other lifts in its swing.
    landmarks[:, [29, 31], 1] = np.where(phase < 18, floor, floor - 40)[:, None]
    landmarks[:, [30, 32], 1] = np.where((phase + 15) % 30 < 18, floor, floor - 40)[:, None]
    assert views.flight_frames_share(landmarks, stature, times) == 0.0
    # Running: both feet up for 10 of every 30 frames.
    landmarks[:, 29:33, 1] = np.where(phase < 20, floor, floor - 40)[:, None]
    assert views.flight_frames_share(landmarks, stature, times) >= views.RUNNING_MIN_FLIGHT_SHARE


def test_a_floor_not_level_in_the_image_is_no_flight():
    """A real floor is not level in the image, and a moving camera's path drifts: walking
    over a floor that rises by 0.15 statures mid-clip (the outdoor walker's lawn rises
    0.05-0.07, which made a following pan of her walk read as running) has no flight, and
    running over it still does."""
    n, stature = 300, 400.0
    times = np.arange(n) / 30.0
    phase = np.arange(n) % 30
    floor = 500.0 - 60.0 * np.sin(np.pi * np.arange(n) / n)
    landmarks = np.zeros((n, 33, 4))
    landmarks[:, [29, 31], 1] = np.where(phase < 18, floor, floor - 40)[:, None]
    landmarks[:, [30, 32], 1] = np.where((phase + 15) % 30 < 18, floor, floor - 40)[:, None]
    assert views.flight_frames_share(landmarks, stature, times) == 0.0
    landmarks[:, 29:33, 1] = np.where(phase < 20, floor, floor - 40)[:, None]
    assert views.flight_frames_share(landmarks, stature, times) >= views.RUNNING_MIN_FLIGHT_SHARE


def footprint_table(ic: list[float], fo: list[float]) -> Contacts:
    m = len(ic)
    return Contacts(
        foot=np.array(["A", "B"] * (m // 2) + ["A"] * (m % 2)),
        pass_index=np.zeros(m, dtype=int),
        order=np.arange(m),
        ic_frame=np.array(ic, float),
        ic_time_s=np.array(ic, float) / 30.0,
        fo_frame=np.array(fo, float),
        fo_time_s=np.array(fo, float) / 30.0,
        heel_x_px=np.arange(m, dtype=float),
        source=np.full(m, SOURCE_FOOTPRINT),
        stature_px=(200.0, 0.0),
    )


def test_footprint_events_disagreeing_with_the_landmarks_are_withheld_and_unseen_filled():
    frames = np.arange(100)
    times = frames / 30.0
    contacts = footprint_table([10, 25, 40], [28, 43, np.nan])
    # Landmarks: IC 11 (agrees), IC 31 (6 frames = 200 ms from the footprint's 25: withheld),
    # IC 40; FO 29, 44 (agree) and 57, where the footprint's last frame (55) was unseen.
    checked, warnings, withheld_share = check_and_fill(
        contacts,
        np.array([10, 25, 40]),
        np.array([28, 43, 55]),
        np.array([11, 31, 40]),
        np.array([29, 44, 57]),
        frames,
        times,
        np.array([[0.0, 30], [100, 130], [200, 230]]),
        np.array([5.0, 110, 210]),
        np.array([20.0, 120, 225]),
    )
    assert checked.ic_frame[0] == 10 and np.isnan(checked.ic_frame[1])
    # Five footprint events were seen and checked (3 ICs, 2 FOs), each counted once.
    assert "1 of 5 footprint events withheld" in warnings[0]
    assert withheld_share == pytest.approx(1 / 5)
    assert checked.fo_frame[2] == 57 and checked.fo_source.tolist() == [
        "footprint",
        "footprint",
        "landmarks",
    ]
    assert any("withheld" in w for w in warnings)
    sources = {(e["type"], e["frame"]): e["source"] for e in checked.events()}
    assert (
        sources[("foot_off", 57)] == "landmarks" and sources[("initial_contact", 10)] == "footprint"
    )


def check_foot_offs(footprint_fo: list[int], landmark_fo: list[int], *, positions: bool = True):
    """:func:`check_and_fill` on four contacts (ICs every 16 frames, agreeing with the
    landmarks'; footprints 100 px apart, 40 px long) and the foot offs given, each landmark
    foot tip at the front of its own print (or no positions at all)."""
    frames = np.arange(120)
    ics = np.array([10, 26, 42, 58])
    where = (
        (
            np.array([[0.0, 40], [100, 140], [200, 240], [300, 340]]),
            np.array([0.0, 100, 200, 300]),
            np.array([40.0, 140, 240, 340]),
        )
        if positions
        else ()
    )
    return check_and_fill(
        footprint_table(ics.tolist(), footprint_fo),
        ics,
        np.array(footprint_fo),
        ics,
        np.array(landmark_fo),
        frames,
        frames / 30.0,
        *where,
    )


def test_a_foot_off_is_checked_against_its_own_foot_and_the_walking_order():
    """The footprint lost the toe of contact 1 (IC 26): its foot off at 34, 12 frames early,
    before the other foot lands at 42. The other foot's landmark foot off (at 30, standing
    on contact 0's print) is 4 frames away, yet it does not pass for this one's: contact 1's
    own foot off (46, on its print, after the other foot lands) replaces it, sourced to the
    landmarks."""
    checked, warnings, _ = check_foot_offs([30, 34, 62, 78], [30, 46, 62, 78])
    assert checked.fo_frame.tolist() == [30, 46, 62, 78]
    assert checked.fo_source.tolist() == ["footprint", "landmarks", "footprint", "footprint"]
    assert any("1 footprint foot off replaced" in w for w in warnings)
    # Without the feet's positions the other foot's foot off would be taken for this one's.
    blind, _, _ = check_foot_offs([30, 34, 62, 78], [30, 46, 62, 78], positions=False)
    assert blind.fo_frame[1] == 34


def test_a_landmark_foot_off_out_of_walking_order_does_not_replace_the_footprints():
    """The reverse: the footprint's foot off (46) keeps the walking order and the landmark
    one (36, before the other foot lands at 42) does not: the footprint's stays."""
    checked, warnings, share = check_foot_offs([30, 46, 62, 78], [30, 36, 62, 78])
    assert checked.fo_frame.tolist() == [30, 46, 62, 78]
    assert set(checked.fo_source.tolist()) == {"footprint"}
    assert share == 0.0 and not any("withheld" in w or "replaced" in w for w in warnings)


def test_a_pass_is_named_by_most_of_its_contacts():
    contacts = footprint_table([10, 25, 40, 55], [28, 43, 58, 70])
    # Three contacts say A is left, one (a stray) says otherwise: the pass follows the three.
    model = ["left", "right", "left", "left"]
    geometry = ["left", "right", "left", "left"]
    names, support = alternating_names(contacts, model, geometry)
    assert names.tolist() == ["left", "right", "left", "right"] and support == 3


def test_a_person_who_shows_no_feet_is_no_walker(real_clip, analysed):
    """The lab scientist stands at a microscope, legs hidden: not a view to refuse but no
    walker at all."""
    with pytest.raises(NoReliableGait) as info:
        analysed(real_clip("neg-no-walker-lab-scientist.mp4")).outcome()
    assert info.value.reason == "no_walker"


def test_a_footprint_event_where_the_landmarks_leave_no_room_is_withheld():
    frames = np.arange(100)
    # Landmark ICs every 15 frames; the footprint's IC at 32 is half a step from both 25 and
    # 40: no landmark event matches it, and no true one fits between them.
    contacts = footprint_table([10, 32, 55], [28, 43, 58])
    checked, warnings, _ = check_and_fill(
        contacts,
        np.array([10, 32, 55]),
        np.array([28, 43, 58]),
        np.array([10, 25, 40, 55, 70]),
        np.array([28, 43, 58]),
        frames,
        frames / 30.0,
    )
    assert checked.ic_frame[0] == 10 and np.isnan(checked.ic_frame[1]) and checked.ic_frame[2] == 55
    assert any("withheld" in w for w in warnings)


def walk_there_and_back(back_facing: int) -> np.ndarray:
    """``(300, 33, 4)`` landmarks at 30 fps: the hips travel left 300 px (frames 0-99),
    stand (100-119), then travel right 300 px (120-219) facing ``back_facing``, then stand;
    feet point left on the way out (foot tips 20 px left of the heels)."""
    n = 300
    hip = np.empty(n)
    hip[:100] = 900.0 - 3.0 * np.arange(100)
    hip[100:120] = hip[99]
    hip[120:220] = hip[99] + 3.0 * np.arange(1, 101)
    hip[220:] = hip[219]
    faces = np.where(np.arange(n) < 110, -1, back_facing)
    landmarks = np.full((n, 33, 4), np.nan)
    landmarks[..., 1:] = 1.0
    landmarks[:, [23, 24], 0] = hip[:, None]
    landmarks[:, [27, 28, 29, 30], 0] = hip[:, None]
    landmarks[:, [31, 32], 0] = (hip + 20.0 * faces)[:, None]
    return landmarks


def test_the_way_back_is_read_with_its_own_facing_and_a_backward_pass_left_out():
    """Zeni's events assume the facing the walker goes: a pass walked backwards (the indoor
    walker's) is left out with its reason; the way back of an out-and-back walk is read
    with its own facing, the other way than the way out's, and no pass of contacts spans
    the change."""
    times = np.arange(300) / 30.0
    back = landmark_walk.pass_readings(walk_there_and_back(-1), None, times, 200.0)
    assert [(w.direction, facing) for w, facing in back] == [(-1, -1), (1, None)]
    assert 110 <= back[1][0].start_pos <= 130 and 210 <= back[1][0].stop_pos <= 230
    turned = landmark_walk.pass_readings(walk_there_and_back(1), None, times, 200.0)
    assert [(w.direction, facing) for w, facing in turned] == [(-1, -1), (1, 1)]
    rows = landmark_walk.row_facings(300, -1, turned)
    way_back = turned[1][0]
    assert (rows[way_back.start_pos : way_back.stop_pos] == 1).all()
    assert (rows[: way_back.start_pos] == -1).all() and (rows[way_back.stop_pos :] == -1).all()
    # Read with the clip's facing (the backward pass's rows keep it: its events are dropped).
    assert (landmark_walk.row_facings(300, -1, back) == -1).all()
    # Filmed by a camera panning with her (the floor's frame), the same passes are found.
    path = np.zeros((300, 2))
    path[:, 0] = np.linspace(0.0, -150.0, 300)
    shifted = walk_there_and_back(-1)
    shifted[..., 0] += path[:, 0][:, None]
    panned = landmark_walk.pass_readings(shifted, path, times, 200.0)
    assert [(w.direction, facing) for w, facing in panned] == [(-1, -1), (1, None)]


def test_the_near_side_is_named_by_each_contacts_own_facing():
    """The same leg, the model's left, stands nearer the camera on a contact of the way out
    (facing image right) and on one of the way back (facing image left): walking toward the
    image right a person shows their right side, so the near leg is named right there and
    left on the way back, each by its own contact's facing."""
    contacts = footprint_table([10, 60], [25, 75])
    landmarks = np.zeros((100, 33, 4))
    landmarks[:, sides.LEG_CHAINS[0], 2] = -0.1  # the model's left leg nearer (smaller z)
    landmarks[:, sides.LEG_CHAINS[1], 2] = 0.1
    legs = np.zeros((100, 2), dtype=np.int64)  # both contacts stand on the model's left leg
    frames = np.arange(100)
    by_model, by_geometry = sides.contact_legs_votes(
        contacts, frames, landmarks, legs, np.array([1, -1])
    )
    assert by_model == ["left", "left"] and by_geometry == ["right", "left"]
    # One facing for the clip reads both alike, as before.
    _, one_facing = sides.contact_legs_votes(contacts, frames, landmarks, legs, 1)
    assert one_facing == ["right", "right"]


def test_a_landing_heel_is_placed_by_the_frames_it_stays_planted():
    """The heel's position at a contact is the median over the next 0.15 s of whichever heel
    lies near where it landed (the model's legs swap names between frames), stopping at a
    cut; the other heel, a step away, never counts, and a contact with no heel gives NaN."""
    times = np.arange(12) / 30.0
    rng = np.random.default_rng(3)
    landing = 300.0 + rng.normal(0.0, 3.0, 12)  # the planted heel's scatter (px)
    other = np.full(12, 240.0)  # the trailing heel, a step (60 px = 0.3 statures) behind
    heel = np.stack([landing, other], axis=1)
    heel[[2, 4], :] = heel[[2, 4], ::-1]  # leg names swapped on two frames
    heel[3, 0] = np.nan
    stature_px = 200.0
    cuts = np.array([], dtype=np.int64)
    planted = landmark_walk.planted_heel_x(
        heel, times, np.array([0]), np.array([0]), cuts, stature_px
    )
    window = landing[: 1 + round(landmark_walk.PLANTED_HEEL_S * 30)]
    assert planted[0] == pytest.approx(np.median(window[np.arange(window.size) != 3]))
    # Stopped by a cut two rows after the contact: its own two rows only.
    cut = landmark_walk.planted_heel_x(
        heel, times, np.array([0]), np.array([0]), np.array([2]), stature_px
    )
    assert cut[0] == pytest.approx(np.median(landing[:2]))
    # The heel never seen near where it landed after the contact frame: that frame alone.
    alone = heel.copy()
    alone[1:, :] = [[np.nan, 240.0]] * 11
    assert landmark_walk.planted_heel_x(
        alone, times, np.array([0]), np.array([0]), cuts, stature_px
    )[0] == pytest.approx(landing[0])
    heel[0, 0] = np.nan
    assert np.isnan(
        landmark_walk.planted_heel_x(heel, times, np.array([0]), np.array([0]), cuts, stature_px)[0]
    )
