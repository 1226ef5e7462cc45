"""Synthetic side-view walking videos with exact ground truth (events, footprints, metrics).

Public API: :class:`SynthParams` and :func:`render_clip` (writes ``x.mp4`` and
``x.truth.json``). Modules: ``timing`` (footprint schedule: the truth), ``kinematics`` (feet,
pelvis, leg IK, trunk, arms), ``scene`` (camera, background, lighting, colours), ``render``
(one frame), ``encode`` (H.264/MP4, per-frame pts, rotation flag), ``truth`` (records and
metrics), ``clip`` (the whole clip), ``cli``.
"""

from gait.synth.clip import render_clip, truth_path
from gait.synth.params import SynthParams

__all__ = ["SynthParams", "render_clip", "truth_path"]
