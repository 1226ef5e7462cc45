"""Synthetic side-view walking videos with exact ground truth (events, footprints, metrics).

Public API: :class:`SynthParams` and :func:`render_clip` (writes ``x.mp4`` and
``x.truth.json``). Modules: ``timing`` (footprint schedule: the truth), ``kinematics`` (feet,
pelvis, leg IK, trunk, arms), ``scene`` (camera, background, lighting, colours), ``render``
(one frame), ``companion`` (an optional second person, ``SynthParams.companion``),
``tracking_shot`` (a camera carried along the walk, with parallax, ``SynthParams.tracking_shot``),
``encode``
(H.264/MP4, per-frame pts, rotation flag), ``truth`` (records and metrics), ``clip`` (the
whole clip), ``cli``.

Truth JSON (SI units; times in s from the first frame's timestamp = 0; pixel values in the
upright *display* image): ``schema_version``, ``params``, ``video`` (stored ``width``/``height``,
``display_width``/``display_height``, nominal ``fps``, ``frame_count``, ``duration_s``,
``variable_frame_rate``, ``rotation_deg`` = clockwise turn a player applies to stored frames),
``frame_times_s``, ``height_m``, ``stature_px``, ``pixels_per_m``, ``floor_y_px``,
``direction``, ``footprints`` (``heel_x_m`` is measured along the walking direction from the
image edge the walker enters from; ``ic_time_s``/``ic_frame`` are null for a foot standing
since before the clip, ``fo_*`` null for one still standing at its end), ``events``, ``steps``,
``metrics`` (definitions in :mod:`gait.synth.truth`) and ``joint_angles_deg`` (per foot: hip,
knee, ankle and ankle_heel_toe sagittal angles per frame, conventions in
:func:`gait.synth.kinematics.joint_angles_deg`). :func:`gait.synth.truth.landmarks_px` gives the
figure's true joints as BlazePose-ordered image landmarks. With a companion, ``companion``
holds its own truth (:func:`gait.synth.companion.companion_truth`: kind, stature and floor
line in px, visible window, its footprints and events), never mixed into the walker's. A
tracking shot adds ``camera`` (``kind`` "tracking", ``depth_ratio``, and per frame
``walking_line_shift_px``: how far the walking line has moved in the image, display px);
its footprints' pixels are where they lie at their contact.

Frame conventions: an IC's frame is the first frame with timestamp >= the IC time, an FO's
frame the last frame with timestamp <= the FO time; 0-based decode-order indices.
"""

from gait.synth.clip import render_clip, truth_path
from gait.synth.params import SynthParams

__all__ = ["SynthParams", "render_clip", "truth_path"]
