"""Normative references: cited, well-formed, flag only outside a band, keyed like the result;
normative angle curves read from their data file, with its source and licence beside it."""

from __future__ import annotations

import numpy as np
import pytest

from gait import angles, norms
from gait.walk import parameters
from tests.test_parameters import table


def test_every_reference_is_cited_and_well_formed() -> None:
    for key, ref in norms.REFERENCES.items():
        assert ref.source and ref.what and ref.unit, key
        if ref.low is not None and ref.high is not None:
            assert ref.low < ref.high, key
        else:
            assert ref.typical is not None, f"{key}: neither a band nor a typical value"
        # The unit is in the key, as everywhere in the result.
        assert key.endswith(("_mps", "_spm", "_pct", "_deg", "_ratio")), key


def test_keys_are_values_the_analysis_reports() -> None:
    # The metric keys a measured walk reports (from a hand-made contacts table), plus the
    # joint-angle summaries.
    contacts = table([0.0, 0.5, 1.0, 1.5], [0.6, 1.1, 1.6, 2.1], [0.0, 100.0, 200.0, 300.0])
    metrics = parameters.summary(
        contacts,
        parameters.step_values(contacts, 1.7),
        parameters.stride_values(contacts, 1.7),
    )
    reported = set(metrics) | set(angles.SUMMARY_KEYS)
    assert set(norms.REFERENCES) <= reported


@pytest.mark.parametrize(
    ("key", "value", "flag"),
    [
        ("speed_mps", 0.7, "below"),
        ("speed_mps", 1.2, None),
        ("speed_mps", 1.8, "above"),
        ("cadence_spm", 70.0, "below"),
        ("cadence_spm", 110.0, None),
        ("cadence_spm", 150.0, "above"),
        ("speed_mps", None, None),
        ("stance_pct", 80.0, "above"),
        ("stance_pct", 60.0, None),
        ("double_support_pct", 35.0, "above"),
        ("double_support_pct", 20.0, None),
        ("knee_flexion_swing_peak_deg", 40.0, "below"),
        ("knee_flexion_swing_peak_deg", 60.0, None),
        ("step_length_stature_ratio", 0.25, "below"),
        ("step_length_stature_ratio", 0.41, None),
        ("step_length_stature_ratio", 0.55, "above"),
        # A typical value is context, not a band: never flagged.
        ("knee_rom_deg", 20.0, None),
        ("hip_rom_deg", 90.0, None),
    ],
)
def test_flags_only_outside_a_band(key: str, value: float | None, flag: str | None) -> None:
    assert norms.reference(key).flag(value) == flag


def test_description_names_the_band_or_the_typical_value() -> None:
    assert norms.reference("speed_mps").describe() == "0.943\u20131.434 m/s"
    assert norms.reference("stance_pct").describe() == "55\u201363 % of stride"
    assert norms.reference("knee_rom_deg").describe() == "typically ~60 deg"
    assert norms.reference("step_length_stature_ratio").describe() == "0.333\u20130.473 statures"


def test_step_length_band_is_rebuilt_from_the_walkers_in_its_data_file() -> None:
    # Each walker's two step lengths averaged, over their height; the one walker whose height
    # cannot be theirs (a 0.59 m leg under a "1.774 m" 6-year-old) left out by the stated rule.
    rows = np.genfromtxt(norms.DATA_DIR / norms.STEP_LENGTH_FILE, delimiter=",", names=True)
    assert rows.size == 112 and set(rows["centre"]) == {1.0, 2.0}
    low, high = norms.LEG_LENGTH_SHARE_OF_HEIGHT
    share = rows["leg_length_m"] / rows["height_m"]
    implausible = (share < low) | (share > high)
    assert implausible.sum() == 1 and rows["height_m"][implausible][0] == pytest.approx(1.774)
    ratio = (rows["step_length_1_m"] + rows["step_length_2_m"]) / 2 / rows["height_m"]
    mean, sd = ratio[~implausible].mean(), ratio[~implausible].std(ddof=1)
    ages = rows["age_years"][~implausible]
    assert (~implausible).sum() == 111 and (ages.min(), ages.max()) == (4.53, 18.0)
    ref = norms.reference("step_length_stature_ratio")
    assert ref.source == norms.PINZONE_2014 and "children" in ref.what
    assert f"{mean:.3f} \u00b1 {sd:.3f}, N 111" in ref.what
    assert ref.low == pytest.approx(mean - 2 * sd, abs=5e-4)
    assert ref.high == pytest.approx(mean + 2 * sd, abs=5e-4)
    # Kept in, the mistyped height would pull the mean down and widen the band.
    assert ratio.std(ddof=1) > sd


def test_bands_from_a_mean_and_sd_are_the_stated_mean_plus_minus_two_sd() -> None:
    # The numbers the band was built from are in its description: rebuild it from them.
    for key, mean, sd in (
        ("stance_pct", 59.0, 2.0),
        ("double_support_pct", 19.0, 2.0),
        ("knee_flexion_swing_peak_deg", 60.5, 4.8),
    ):
        ref = norms.reference(key)
        assert f"{mean:g} \u00b1 {sd:g}" in ref.what, key
        assert ref.source == norms.SCHWARTZ_2008
        assert ref.low == pytest.approx(mean - 2 * sd, abs=0.1), key
        assert ref.high == pytest.approx(mean + 2 * sd, abs=0.1), key


@pytest.mark.parametrize("joint", angles.JOINTS)
def test_normative_curves_cover_the_cycle_in_the_projects_sign_convention(joint: str) -> None:
    curve = norms.normative_curve(joint)
    assert curve is not None and curve.joint == joint
    assert curve.source == norms.SCHWARTZ_2008 and curve.what and curve.definition_note
    np.testing.assert_array_equal(curve.cycle_pct, np.arange(0, 101, 2))
    assert curve.mean_deg.shape == curve.sd_deg.shape == (51,)
    assert np.all(np.isfinite(curve.mean_deg)) and np.all(curve.sd_deg > 0)
    low, high = curve.band()
    assert np.all(low < curve.mean_deg) and np.all(curve.mean_deg < high)
    with pytest.raises(ValueError):
        curve.mean_deg[0] = 0.0  # read-only: one cached table serves every report
    # The cycle closes on itself: 100 % is the next initial contact.
    assert abs(curve.mean_deg[-1] - curve.mean_deg[0]) < curve.sd_deg[0]


def test_normative_curves_have_the_shape_of_walking() -> None:
    # Signs as in gait.angles: flexion and dorsiflexion positive. A sign or column mix-up
    # in the data file would break these.
    knee = norms.normative_curve("knee")
    swing_peak = knee.cycle_pct[np.argmax(knee.mean_deg)]
    assert 60 <= swing_peak <= 80, "knee flexion peaks in initial swing"
    assert knee.mean_deg.max() > 50 and knee.mean_deg[0] < 15
    hip = norms.normative_curve("hip")
    assert hip.mean_deg[0] > 20, "hip flexed at initial contact"
    assert 40 <= hip.cycle_pct[np.argmin(hip.mean_deg)] <= 60, "hip extends most at push-off"
    ankle = norms.normative_curve("ankle")
    assert ankle.mean_deg.min() < -10, "plantarflexion at push-off"
    assert 55 <= ankle.cycle_pct[np.argmin(ankle.mean_deg)] <= 70
    assert norms.normative_curve("pelvis") is None


def test_the_data_file_names_its_source_and_licence() -> None:
    readme = (norms.DATA_DIR / "README.md").read_text(encoding="utf-8")
    notice = (norms.DATA_DIR / "NOTICE").read_text(encoding="utf-8")
    assert norms.CURVE_FILE in readme and norms.CURVE_FILE in notice
    assert norms.STEP_LENGTH_FILE in readme and norms.STEP_LENGTH_FILE in notice
    for text in (readme, notice):
        assert "10.1016/j.jbiomech.2008.03.015" in text
    assert "CC-BY-SA" in notice


def test_phase_shares_carry_the_uncertainty_of_frame_timed_events() -> None:
    # Double support: two transitions of two events, ~2 frames of a 1.2 s stride at 30 fps.
    assert norms.timing_resolution("double_support_pct", 1.2, 1 / 30) == pytest.approx(5.556, 1e-3)
    assert norms.timing_resolution("stance_pct", 1.2, 1 / 30) == pytest.approx(3.928, 1e-3)
    # Finer frames, finer timing; values that are not phase shares have none.
    assert norms.timing_resolution("double_support_pct", 1.2, 1 / 120) < 1.5
    assert norms.timing_resolution("speed_mps", 1.2, 1 / 30) == 0.0
    assert norms.timing_resolution("stance_pct", None, 1 / 30) == 0.0


def test_a_value_is_flagged_only_beyond_its_uncertainty() -> None:
    band = norms.reference("double_support_pct")
    assert band.flag(12.0) == "below"
    assert band.flag(12.0, resolution=5.0) is None
    assert band.flag(30.0, resolution=5.0) == "above"


def test_the_range_of_the_mean_knee_curve_is_not_a_knee_range_band() -> None:
    # The module says why no knee range band is made from the curves: the range of the mean
    # curve (quoted there) falls short even of the children's mean swing peak alone, because
    # walkers peak at different moments. The quoted figures are the data file's.
    knee = norms.normative_curve("knee")
    mean_curve_range = float(knee.mean_deg.max() - knee.mean_deg.min())
    assert f"is {mean_curve_range:.1f} deg" in norms.__doc__
    swing_peak_band = norms.reference("knee_flexion_swing_peak_deg")
    mean_swing_peak = (swing_peak_band.low + swing_peak_band.high) / 2
    assert mean_curve_range < float(knee.mean_deg.max()) < mean_swing_peak
    assert norms.reference("knee_rom_deg").low is None  # a typical value, never flagged
