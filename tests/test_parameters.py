"""Gait parameters from a hand-made contacts table (times in s, positions in pixels)."""

from __future__ import annotations

import numpy as np
import pytest

from gait.walk import parameters as p
from gait.walk.contacts import Contacts, contacts_table, steady_rows, take_rows
from gait.walk.footprints import Footprint
from gait.walk.passes import Walking

NAN = np.nan


def table(
    ic: list[float],
    fo: list[float],
    heels: list[float],
    *,
    passes: list[int] | None = None,
    order: list[int] | None = None,
    stature: tuple[float, float] = (200.0, 0.0),
) -> Contacts:
    m = len(ic)
    order_array = np.asarray(order if order is not None else range(m))
    frames = lambda times: np.where(np.isnan(times), NAN, np.round(np.asarray(times) * 30))  # noqa: E731
    return Contacts(
        foot=np.where(order_array % 2 == 0, "A", "B"),
        pass_index=np.asarray(passes if passes is not None else [0] * m),
        order=order_array,
        ic_frame=frames(np.asarray(ic, float)),
        ic_time_s=np.asarray(ic, float),
        fo_frame=frames(np.asarray(fo, float)),
        fo_time_s=np.asarray(fo, float),
        heel_x_px=np.asarray(heels, float),
        source=np.full(m, "footprint"),
        stature_px=stature,
    )


#: Four contacts of steady walking: steps of 0.5 s and 100 px, stance 0.6 s.
WALK = table([0.0, 0.5, 1.0, 1.5], [0.6, 1.1, 1.6, NAN], [0.0, 100.0, 200.0, 300.0])


def test_temporal_parameters_are_column_differences():
    k = p.step_starts(WALK)
    assert k.tolist() == [0, 1, 2]
    np.testing.assert_allclose(p.step_time_s(WALK, k), 0.5)
    np.testing.assert_allclose(p.initial_double_support_time_s(WALK, k), 0.1)
    strides = p.stride_starts(WALK)
    assert strides.tolist() == [0, 1]
    np.testing.assert_allclose(p.stride_time_s(WALK, strides), 1.0)
    np.testing.assert_allclose(p.stance_time_s(WALK, strides), 0.6)
    np.testing.assert_allclose(p.swing_time_s(WALK, strides), 0.4)
    # Both transitions of the stride: 0.1 s after contact k + 1 and after k + 2.
    np.testing.assert_allclose(p.double_support_time_s(WALK, strides), 0.2)
    np.testing.assert_allclose(p.single_support_time_s(WALK, strides), 0.4)
    # Contact 3's foot off was not seen: its stance is unmeasured, nothing else.
    assert np.isnan(p.stance_time_s(WALK, np.array([3]))).all()


def test_stride_phases_add_up():
    values = p.stride_values(WALK, None)
    assert values["stance_pct"][0] + values["swing_pct"][0] == pytest.approx(100.0)
    assert values["single_support_time_s"][0] + values["double_support_time_s"][0] == (
        pytest.approx(values["stance_time_s"][0])
    )
    assert values["single_support_pct"][0] == pytest.approx(40.0)
    assert values["double_support_pct"][0] == pytest.approx(20.0)


def test_single_support_is_never_negative():
    """Double support longer than stance is mistimed contacts: single support unmeasured."""
    overlapping = table([0.0, 0.2, 1.0], [0.5, 1.5, 1.6], [0.0, 100.0, 200.0])
    k = p.stride_starts(overlapping)
    assert p.stance_time_s(overlapping, k) - p.double_support_time_s(overlapping, k) < 0
    assert np.isnan(p.single_support_time_s(overlapping, k)).all()


def test_lengths_in_statures_use_the_stature_at_the_midpoint():
    # Stature 200 px at x = 0, growing 0.5 px per px (the walker nears the camera).
    c = table([0.0, 0.5, 1.0], [0.6, 1.1, 1.6], [0.0, 100.0, 200.0], stature=(200.0, 0.5))
    np.testing.assert_allclose(
        p.step_length_stature_ratio(c, np.array([0, 1])), [100 / 225, 100 / 275]
    )
    np.testing.assert_allclose(p.stride_length_stature_ratio(c, np.array([0])), [200 / 250])
    np.testing.assert_allclose(p.metres(np.array([0.5]), 1.8), [0.9])
    assert np.isnan(p.metres(np.array([0.5]), None)).all()


def test_steps_and_strides_never_cross_a_gap_or_a_pass():
    # Rows 0-1 are one step; row 2 follows an unsteady footprint (order 3); row 3 starts
    # another pass.
    c = table(
        [0.0, 0.5, 1.5, 5.0, 5.5],
        [0.6, 1.1, 2.1, 5.6, 6.1],
        [0.0, 100.0, 300.0, 900.0, 800.0],
        passes=[0, 0, 0, 1, 1],
        order=[0, 1, 3, 0, 1],
    )
    assert p.step_starts(c).tolist() == [0, 3]
    assert p.stride_starts(c).tolist() == []


def test_an_unseen_initial_contact_gives_no_step():
    c = table([0.0, NAN, 1.0, 1.5], [0.6, 1.1, 1.6, 2.1], [0.0, 100.0, 200.0, 300.0])
    assert p.step_starts(c).tolist() == [2]
    # 0 -> 2 has both its initial contacts; 1 -> 3 lacks one.
    assert p.stride_starts(c).tolist() == [0]
    assert np.isnan(p.stride_time_s(c, np.array([1]))).all()


def test_steps_and_summary_of_the_result():
    per_step = p.step_values(WALK, 1.7)
    steps = p.steps(WALK, per_step, video_px_per_analysis_px=2.0)
    assert [s["foot"] for s in steps] == ["B", "A", "B"]
    assert steps[0]["heel_x_px"] == 200.0  # video pixels
    assert steps[0]["initial_double_support_time_s"] == pytest.approx(0.1)
    assert steps[-1]["fo_frame"] is None and steps[-1]["stance_time_s"] is None
    assert steps[0]["step_length_m"] == pytest.approx(0.85)
    metrics = p.summary(WALK, per_step, p.stride_values(WALK, 1.7))
    assert metrics["cadence_spm"] == pytest.approx(120.0)
    assert metrics["step_time_sd_s"] == pytest.approx(0.0)
    assert metrics["stance_pct"] + metrics["swing_pct"] == pytest.approx(100.0)
    assert metrics["speed_mps"] == pytest.approx(1.7)
    assert metrics["steady_steps"] == 3 and metrics["steady_strides"] == 2
    # Equal steps on both feet: no asymmetry.
    assert metrics["step_time_asymmetry_pct"] == 0.0


def test_asymmetry_compares_the_two_feet():
    limp = table([0.0, 0.6, 1.0, 1.6, 2.0], [NAN] * 5, [0.0, 120.0, 200.0, 320.0, 400.0])
    per_step = p.step_values(limp, None)
    metrics = p.summary(limp, per_step, p.stride_values(limp, None))
    # Steps landing on B take 0.6 s, on A 0.4 s: |0.6 - 0.4| / 0.5 = 40 %.
    assert metrics["step_time_asymmetry_pct"] == pytest.approx(40.0)
    assert metrics["stance_time_s"] is None and metrics["stance_time_asymmetry_pct"] is None


def test_implausible_support_phases_are_named():
    assert p.implausible_support_phases({"stance_pct": 61.0, "double_support_pct": 22.0}) is None
    assert "stance" in p.implausible_support_phases({"stance_pct": 46.0})
    assert "stance" in p.implausible_support_phases({"stance_pct": 90.0})
    assert p.implausible_support_phases({"stance_pct": 84.0}) is None
    assert "double support" in p.implausible_support_phases(
        {"stance_pct": 61.0, "double_support_pct": 0.0}
    )


def test_contacts_table_keeps_steady_footprints_with_heels_and_unseen_events():
    prints = [
        Footprint(ic_pos=0, fo_pos=10, x0_px=10, x1_px=30, ic_seen=False),
        Footprint(ic_pos=8, fo_pos=20, x0_px=40, x1_px=60),
        Footprint(ic_pos=18, fo_pos=30, x0_px=70, x1_px=90, fo_seen=False),
    ]
    walking = Walking(
        pass_index=np.array([0, 0, 0]),
        order=np.array([0, 1, 2]),
        direction=np.array([-1, -1, -1]),
        steady=np.array([False, True, True]),
        excluded=[],
        warnings=[],
    )
    frames = np.arange(100, 140)
    times = frames / 25.0
    c = contacts_table(prints, walking, frames, times, (200.0, 0.0))
    assert len(c) == 2
    assert c.foot.tolist() == ["B", "A"]  # feet alternate by position in the pass
    assert c.heel_x_px.tolist() == [59.0, 89.0]  # walking right to left: the right edge
    assert c.ic_frame.tolist() == [108.0, 118.0]
    assert c.fo_frame[0] == 120.0 and np.isnan(c.fo_frame[1]) and np.isnan(c.fo_time_s[1])
    assert c.ic_time_s[0] == pytest.approx(108 / 25.0)
    assert c.events() == [
        {
            "type": "initial_contact",
            "time_s": 4.32,
            "frame": 108,
            "foot": "B",
            "source": "footprint",
        },
        {
            "type": "initial_contact",
            "time_s": 4.72,
            "frame": 118,
            "foot": "A",
            "source": "footprint",
        },
        {"type": "foot_off", "time_s": 4.8, "frame": 120, "foot": "B", "source": "footprint"},
    ]


def test_landmark_contacts_off_their_walks_rhythm_are_left_out_as_the_footprints_are():
    """steady_rows applies the footprint route's steadiness rule to a landmark table: the
    contact ending a step 35 % off its pass's median (a stop's short closing step) goes, its
    order kept so no step spans the gap; a pass of fewer than 3 steps (a shuffle) goes whole."""
    walk = table(
        [0.0, 0.6, 1.2, 1.8, 2.1, 9.0, 9.3],
        [0.8, 1.4, 2.0, 2.3, NAN, 9.4, NAN],
        [NAN] * 7,
        passes=[0, 0, 0, 0, 0, 1, 1],
        order=[0, 1, 2, 3, 4, 0, 1],
    )
    keep, left_out = steady_rows(walk)
    assert keep.tolist() == [True, True, True, True, False, False, False]
    assert left_out == 2  # the 0.3 s closing step and the one-step shuffle
    steady = take_rows(walk, keep)
    assert len(steady) == 4 and steady.order.tolist() == [0, 1, 2, 3]
    per_step = p.step_values(steady, None)
    np.testing.assert_allclose(per_step["step_time_s"], [0.6, 0.6, 0.6])
    keep, left_out = steady_rows(WALK)  # steady walking loses nothing
    assert keep.all() and left_out == 0
