"""The result checked against its own evidence, on small hand-made contact tables (times in
s): refusals of contradictory contacts, withheld metrics with their warning, and what a true
limp must not trip."""

from __future__ import annotations

import numpy as np
import pytest

from gait.errors import NoReliableGait
from gait.walk import parameters
from gait.walk import self_checks as sc
from gait.walk.contacts import Contacts
from tests.test_parameters import table


def result_of(c: Contacts) -> tuple[dict, dict, dict, list]:
    per_step = parameters.step_values(c, None)
    per_stride = parameters.stride_values(c, None)
    metrics = parameters.summary(c, per_step, per_stride)
    return per_step, per_stride, metrics, parameters.steps(c, per_step, 1.0)


def check(c: Contacts) -> tuple[sc.SelfCheck, dict, list]:
    per_step, per_stride, metrics, steps = result_of(c)
    return sc.checked(c, per_step, per_stride, metrics, steps), metrics, steps


def walk(ic: list[float], stance_s: float | list[float], **kw) -> Contacts:
    stance = np.broadcast_to(np.asarray(stance_s, float), (len(ic),))
    return table(ic, list(np.asarray(ic) + stance), [100.0 * i for i in range(len(ic))], **kw)


#: Steady walking: steps 0.55 s (+-10 ms), stance 0.66 s (60 % of the 1.1 s stride).
STEADY = walk([0.0, 0.55, 1.1, 1.64, 2.2, 2.74, 3.3], 0.66)
#: The largest plausible hemiparetic limp (see sc.MAX_STEP_TIME_RATIO): steps landing on
#: the paretic foot 1.05 s, on the other 0.55 s (ratio 1.9, CV 33 % over all steps);
#: stance 1.25 s non-paretic (78 %), 0.90 s paretic (56 %), double support 0.35 + 0.20 s.
LIMP = walk([0.0, 1.05, 1.6, 2.65, 3.2, 4.25, 4.8], [1.25, 0.9] * 3 + [1.25])
#: Issue 8's field test: one foot's footprints split into slivers, steps 0.2 / 1.0 s.
SLIVERS = walk([0.0, 0.2, 1.2, 1.4, 2.4, 2.6, 3.6], 0.15)


def test_steady_walking_passes_every_check():
    found, metrics, _ = check(STEADY)
    assert found.warnings == [] and found.withheld == []
    assert metrics["cadence_spm"] is not None and metrics["stance_pct"] == pytest.approx(60, 1)


def test_sliver_alternation_is_refused():
    with pytest.raises(NoReliableGait) as refused:
        check(SLIVERS)
    assert refused.value.reason == sc.INCONSISTENT_CONTACTS
    assert "0.20 / 1.00 s" in refused.value.message


def test_the_largest_plausible_limp_is_not_tripped():
    found, metrics, steps = check(LIMP)
    assert metrics["step_time_cv_pct"] > 25  # over all steps: the alternation itself
    assert metrics["step_time_asymmetry_pct"] > 60
    assert found.warnings == [] and found.withheld == []
    assert found.step_time_scatter_pct < 1.0  # regular alternation: no scatter for confidence
    assert 50 < metrics["stance_pct"] < 85  # 78 % and 56 % strides
    assert all(step["stance_time_s"] is not None for step in steps[:-1])


def test_alternation_beyond_the_limit_is_refused_just_above_it():
    ratio = sc.MAX_STEP_TIME_RATIO
    feet, one_pass = np.array(["A", "B"] * 3), np.zeros(6, int)
    sc.check_alternation(np.array([0.4, 0.4 * (ratio - 0.05)] * 3), feet, one_pass)
    with pytest.raises(NoReliableGait):
        sc.check_alternation(np.array([0.4, 0.4 * (ratio + 0.05)] * 3), feet, one_pass)
    # One foot only (a single step): nothing to compare.
    sc.check_alternation(np.array([0.2]), np.array(["A"]), np.zeros(1, int))


def test_alternation_is_judged_per_pass():
    """ "A" is the first foot of each pass: in the second pass the slivers land on "A"."""
    slivers = np.array([0.2, 1.0, 0.2, 1.0, 1.0, 0.2, 1.0, 0.2])
    feet = np.array(["B", "A"] * 4)
    with pytest.raises(NoReliableGait):
        sc.check_alternation(slivers, feet, np.repeat([0, 1], 4))


def test_time_running_backwards_is_refused():
    backwards = walk([0.0, 0.55, 0.5, 1.1], 0.66)
    with pytest.raises(NoReliableGait) as refused:
        check(backwards)
    assert refused.value.reason == sc.INCONSISTENT_CONTACTS


def test_a_negative_phase_withholds_the_support_phases():
    # Contact 1's foot off comes after contact 3's initial contact of the same foot:
    # a negative swing, i.e. the foot landed again before it left.
    c = table([0.0, 0.55, 1.1, 1.65, 2.2], [0.66, 1.80, 1.76, 2.31, 2.86], [0, 1, 2, 3, 4])
    found, metrics, steps = check(c)
    assert len(found.warnings) == 1 and "negative swing_time_s" in found.warnings[0]
    assert "stance_pct" in found.withheld and "swing_time_s" in found.withheld
    assert metrics["stance_pct"] is None and metrics["single_support_pct"] is None
    assert metrics["cadence_spm"] is not None  # the contacts themselves hold
    assert all(s["stance_time_s"] is None for s in steps)


@pytest.mark.parametrize(("stance_s", "withheld"), [(0.495, True), (0.99, True), (0.87, False)])
def test_stance_outside_50_to_85_pct_is_withheld(stance_s, withheld):
    """Strides of 1.1 s: stance 45 %, 90 % withheld; 79 % (double support 58 %) kept."""
    found, metrics, _ = check(walk([0.0, 0.55, 1.1, 1.65, 2.2, 2.75], stance_s))
    assert (metrics["stance_pct"] is None) == withheld
    assert (metrics["swing_pct"] is None) == withheld
    assert bool(found.warnings) == withheld
    assert metrics["step_time_s"] == 0.55


def test_scatter_within_each_foot_withholds_the_variability():
    scattered = walk([0.0, 0.3, 1.1, 1.4, 1.9, 2.6, 2.9], 0.5)
    found, metrics, _ = check(scattered)
    assert any("step times scatter" in w for w in found.warnings)
    assert metrics["step_time_cv_pct"] is None and metrics["stride_time_sd_s"] is None
    assert metrics["cadence_spm"] is not None
    assert set(sc.VARIABILITY_KEYS) <= set(found.withheld)
    assert found.step_time_scatter_pct > sc.MAX_PLAUSIBLE_STEP_TIME_CV_PCT


def test_a_step_count_that_does_not_fit_the_cadence_withholds_it():
    # A stray footprint between rows 2 and 3 took order 3: the kept steps say 120 spm,
    # the footprints found over the same stretch 6 in 2.5 s = 144 spm.
    stray = walk([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], 0.6, order=[0, 1, 2, 4, 5, 6])
    found, metrics, _ = check(stray)
    assert any("cadence not reported" in w and "144 spm" in w for w in found.warnings)
    assert metrics["cadence_spm"] is None and metrics["step_time_s"] is None
    # A real footprint dropped at the same place (no time missing): the count fits.
    dropped = walk([0.0, 0.5, 1.0, 2.0, 2.5, 3.0], 0.6, order=[0, 1, 2, 4, 5, 6])
    found, metrics, _ = check(dropped)
    assert found.warnings == [] and metrics["cadence_spm"] == 120.0


def test_withhold_reports_only_what_had_a_value():
    metrics = {"stance_pct": 46.0, "swing_pct": None, "cadence_spm": 104.0}
    steps = [{"stance_time_s": 0.4, "initial_double_support_time_s": 0.0, "step_time_s": 0.5}]
    found = sc.implausible_support_phases(metrics)
    assert found is not None and "stance 46 %" in found.warning
    assert sc.withhold(metrics, steps, found) == ["stance_pct"]
    assert metrics == {"stance_pct": None, "swing_pct": None, "cadence_spm": 104.0}
    assert steps == [
        {"stance_time_s": None, "initial_double_support_time_s": None, "step_time_s": 0.5}
    ]


#: Jogging: steps 0.36 s (167 spm), each foot on the floor 0.26 s: 0.10 s of flight before
#: every initial contact.
JOG = walk([0.0, 0.36, 0.72, 1.08, 1.44, 1.80, 2.16], 0.26)


def test_running_is_refused_as_running():
    with pytest.raises(NoReliableGait) as refused:
        check(JOG)
    assert refused.value.reason == sc.RUNNING
    assert "6 of 6 steps" in refused.value.message and "100 ms" in refused.value.message


def test_a_walk_with_early_foot_offs_is_withheld_not_refused_as_running():
    # Fast walking (0.46 s steps, 130 spm) whose foot offs all come 0.05 s early (beyond the
    # real clips' measured bias): every transition reads -0.03 s, below zero but not a flight.
    c = walk([0.0, 0.46, 0.92, 1.38, 1.84, 2.30, 2.76], 0.43)
    found, metrics, _ = check(c)
    assert metrics["stance_pct"] is None and "negative" in found.warnings[0]
    assert metrics["cadence_spm"] is not None


def test_flights_at_a_walking_rate_are_mistimed_foot_offs_not_running():
    # 110 steps/min with every foot off 0.3 s early (the synthetic low-contrast walk):
    # "flights" before every contact, but at a walking rate: phases withheld, not refused.
    ic = [0.0, 0.545, 1.09, 1.635, 2.18, 2.725, 3.27]
    c = walk(ic, 0.245)
    found, metrics, _ = check(c)
    assert metrics["stance_pct"] is None and "negative" in found.warnings[0]
    assert metrics["cadence_spm"] == pytest.approx(110, abs=0.5)


def test_one_flight_among_walking_steps_is_not_running():
    # One foot off mistimed by 0.2 s: a single "flight" among six walking steps.
    ic = [0.0, 0.55, 1.1, 1.65, 2.2, 2.75, 3.3]
    c = table(ic, [0.66, 1.21, 1.45, 2.31, 2.86, 3.41, 3.96], [100.0 * i for i in range(7)])
    found, metrics, _ = check(c)
    assert metrics["cadence_spm"] is not None and metrics["stance_pct"] is None
    assert "negative" in found.warnings[0]
