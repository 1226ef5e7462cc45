"""Normative context for the reported values: published reference ranges and typical values.

Every number here is copied from the source named beside it, and only from what could be read
of that source (for the two bands: the published abstract). Where no spread could be
verified, a *typical* value is given and nothing is flagged against it. Nothing is adjusted
for age or sex: the analysis is not told them, so each band spans all adult strata of its
source and says so.

Not here, on purpose:

- Normative sagittal angle *curves* (e.g. Fukuchi et al. 2018, PeerJ 6:e4640; Schreiber &
  Moissenet 2019, Sci Data 6:111): their values could not be reproduced faithfully from the
  published data in this build, so the report draws the measured curves without a band and
  gives the textbook typical peaks and ranges below instead.
- The fall-risk and mobility levels from gait speed (Studenski et al., JAMA 2011: < 0.8 and
  >= 1.0 m/s): they belong to the legacy API and keep their one definition in
  ``gait/service/legacy.py`` (``SLOW_GAIT_MPS``, ``NORMAL_GAIT_MPS``).
- Step length relative to stature: no stature-normalised reference range could be verified;
  the report shows the value without a band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Flag = Literal["below", "above"]


@dataclass(frozen=True)
class Reference:
    """A reference for one reported value.

    ``low``/``high``: the band a value is flagged outside of (``None``: no band, never
    flagged); ``typical``: a typical healthy value when no band is known; ``what``: what the
    numbers are, in words; ``source``: the citation.
    """

    unit: str
    low: float | None
    high: float | None
    typical: float | None
    what: str
    source: str

    def flag(self, value: float | None) -> Flag | None:
        """``"below"``/``"above"`` when ``value`` lies outside the band, else None."""
        if value is None:
            return None
        if self.low is not None and value < self.low:
            return "below"
        if self.high is not None and value > self.high:
            return "above"
        return None

    def describe(self) -> str:
        """The reference in a few words with its unit, e.g. ``"0.94-1.43 m/s"``."""
        if self.low is not None and self.high is not None:
            return f"{self.low:g}\u2013{self.high:g} {self.unit}"
        if self.typical is not None:
            return f"typically ~{self.typical:g} {self.unit}"
        return "no reference"


BOHANNON_2011 = (
    "Bohannon RW, Williams Andrews A. Normal walking speed: a descriptive meta-analysis. "
    "Physiotherapy 2011;97(3):182-189, doi:10.1016/j.physio.2010.12.004 (abstract)"
)
TUDOR_LOCKE_2012 = (
    "Tudor-Locke C, Rowe DA. Using cadence to study free-living ambulatory behaviour. "
    "Sports Med 2012;42(5):381-398, doi:10.2165/11599170-000000000-00000 (abstract)"
)
PERRY_2010 = (
    "Perry J, Burnfield JM. Gait Analysis: Normal and Pathological Function, 2nd ed. "
    "SLACK, 2010 (phases of the gait cycle; sagittal joint motion)"
)

#: References by result key (metrics of :mod:`gait.metrics`, summaries of :mod:`gait.angles`).
REFERENCES: dict[str, Reference] = {
    # 23,111 healthy adults in 41 studies, comfortable pace over 3-30 m: the stratum means run
    # from 143.4 cm/s (men 40-49) to 94.3 cm/s (women 80-99). A range of *means* over age and
    # sex strata, not an individual's normal range: below it is slower than the average
    # healthy 80-99-year-old woman.
    "speed_mps": Reference(
        "m/s",
        0.943,
        1.434,
        None,
        "range of the mean comfortable walking speed of healthy adults across age (20-99 "
        "years) and sex strata; age and sex not given, so all strata",
        BOHANNON_2011,
    ),
    # "Ranges for normal walking cadence assessed under laboratory conditions are 96-138
    # steps/minute for women and 81-135 steps/minute for men across their lifespan."
    "cadence_spm": Reference(
        "steps/min",
        81.0,
        138.0,
        None,
        "range of normal walking cadence of adults in laboratory studies, women 96-138 and "
        "men 81-135 steps/min; sex not given, so both",
        TUDOR_LOCKE_2012,
    ),
    # Stance 0-60 % and swing 60-100 % of the cycle, with two double-support periods of ~10 %
    # each (initial 0-10 %, terminal 50-60 %) at a typical free walking speed.
    "stance_pct": Reference(
        "% of stride", None, None, 60.0, "typical share of the stride at free speed", PERRY_2010
    ),
    "swing_pct": Reference(
        "% of stride", None, None, 40.0, "typical share of the stride at free speed", PERRY_2010
    ),
    "double_support_pct": Reference(
        "% of stride",
        None,
        None,
        20.0,
        "typical: two periods of ~10 % of the stride each, at free speed",
        PERRY_2010,
    ),
    # Sagittal knee: ~15 deg flexion in loading response, ~60 deg in initial swing, near 0 at
    # initial contact and terminal stance; hip ~30 deg flexion to ~10 deg apparent
    # hyperextension; ankle ~10 deg dorsiflexion in terminal stance.
    "knee_flexion_loading_peak_deg": Reference(
        "deg", None, None, 15.0, "typical knee flexion in loading response", PERRY_2010
    ),
    "knee_flexion_swing_peak_deg": Reference(
        "deg", None, None, 60.0, "typical peak knee flexion in initial swing", PERRY_2010
    ),
    "knee_rom_deg": Reference(
        "deg", None, None, 60.0, "typical sagittal knee range (0 to ~60 deg)", PERRY_2010
    ),
    "hip_rom_deg": Reference(
        "deg",
        None,
        None,
        40.0,
        "typical sagittal hip range (~30 deg flexion to ~10 deg extension)",
        PERRY_2010,
    ),
    "ankle_dorsiflexion_stance_peak_deg": Reference(
        "deg", None, None, 10.0, "typical dorsiflexion peak in terminal stance", PERRY_2010
    ),
}


def reference(key: str) -> Reference | None:
    """The reference for a result key, or None when there is none."""
    return REFERENCES.get(key)
