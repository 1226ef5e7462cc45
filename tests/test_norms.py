"""Normative references: cited, well-formed, flag only outside a band, keyed like the result."""

from __future__ import annotations

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
        assert key.endswith(("_mps", "_spm", "_pct", "_deg")), key


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
        # A typical value is context, not a band: never flagged.
        ("stance_pct", 80.0, None),
        ("knee_flexion_swing_peak_deg", 20.0, None),
    ],
)
def test_flags_only_outside_a_band(key: str, value: float | None, flag: str | None) -> None:
    assert norms.reference(key).flag(value) == flag


def test_description_names_the_band_or_the_typical_value() -> None:
    assert norms.reference("speed_mps").describe() == "0.943\u20131.434 m/s"
    assert norms.reference("stance_pct").describe() == "typically ~60 % of stride"
    assert norms.reference("step_length_stature_ratio") is None
