"""Walker kinematics: foot trajectories (the truth), pelvis trajectory, 2-link leg IK, trunk, arms.

Walker coordinates: x metres along the walking direction, y metres up, floor at y = 0. Angles
in radians, positive counter-clockwise (for the foot: toe up). Arrays of poses have shape (N,)
for scalars and (N, 2) for points, one row per requested time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gait.synth.params import SynthParams
from gait.synth.timing import Foot, Footprint

FOOT_PITCH_IC = math.radians(18.0)  # sole-to-floor angle at heel strike (toe up)
FOOT_PITCH_FO = math.radians(-48.0)  # rear-foot angle at toe off (heel up, MTP extended)
FOOT_FLAT_FRAC = 0.07  # of the stride: heel strike to foot flat
HEEL_RISE_FRAC = 0.27  # of the stride: heel rise to toe off
TOE_RELAX_FRAC = 0.35  # of the swing: toes straighten again after toe off
MIN_TOE_CLEARANCE_FRAC = 0.009  # of body height (~1.6 cm) for the lowest foot point mid-swing
PELVIS_BOB_FRAC = 0.02  # of body height, peak-to-peak vertical pelvis excursion
PELVIS_SPEED_MOD = 0.05  # relative amplitude of the intra-step forward speed change
MIN_KNEE_FLEXION = math.radians(5.0)
LANDING_VELOCITY_FRAC = 0.3


@dataclass(frozen=True)
class Body:
    """Segment lengths (m) from Drillis-Contini proportions of body height."""

    height_m: float

    @property
    def thigh(self) -> float:
        return 0.245 * self.height_m

    @property
    def shank(self) -> float:
        return 0.246 * self.height_m

    @property
    def foot_length(self) -> float:
        return 0.152 * self.height_m

    @property
    def ankle_height(self) -> float:
        return 0.039 * self.height_m

    @property
    def trunk(self) -> float:
        """Hip joint to shoulder joint."""
        return 0.288 * self.height_m

    @property
    def upper_arm(self) -> float:
        return 0.186 * self.height_m

    @property
    def forearm(self) -> float:
        return 0.146 * self.height_m

    @property
    def hand(self) -> float:
        return 0.108 * self.height_m

    @property
    def standing_hip_height(self) -> float:
        return 0.530 * self.height_m

    def foot_points(self) -> dict[str, np.ndarray]:
        """Foot landmarks (m) in the rear-foot frame: heel contact at the origin, foot flat."""
        lf, ah = self.foot_length, self.ankle_height
        return {
            "heel": np.array([0.0, 0.0]),
            "ankle": np.array([0.25 * lf, ah]),
            "mtp": np.array([0.73 * lf, 0.0]),
            "toe": np.array([lf, 0.0]),
        }


def rotate(vectors: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Rotate (N, 2) vectors (or one (2,) vector) by (N,) angles (rad, counter-clockwise)."""
    c, s = np.cos(angles), np.sin(angles)
    v = np.broadcast_to(vectors, (len(np.atleast_1d(angles)), 2))
    return np.stack([c * v[:, 0] - s * v[:, 1], s * v[:, 0] + c * v[:, 1]], axis=1)


@dataclass
class FootPose:
    """A foot over time: ankle (N, 2) m, rear-foot pitch (N,) rad, toe-segment pitch (N,) rad."""

    ankle: np.ndarray
    pitch: np.ndarray
    toe_pitch: np.ndarray

    def points(self, body: Body) -> dict[str, np.ndarray]:
        """World positions (N, 2) of heel, ankle, MTP and toe tip."""
        local = body.foot_points()
        heel = self.ankle + rotate(local["heel"] - local["ankle"], self.pitch)
        mtp = self.ankle + rotate(local["mtp"] - local["ankle"], self.pitch)
        toe = mtp + rotate(local["toe"] - local["mtp"], self.toe_pitch)
        return {"heel": heel, "ankle": self.ankle, "mtp": mtp, "toe": toe}


def _stance_pitch(t: np.ndarray, fp: Footprint, stride_s: float) -> np.ndarray:
    """Rear-foot pitch during stance: heel rocker, foot flat, heel rise about the MTP."""
    stance = fp.fo_time_s - fp.ic_time_s
    d_flat = min(FOOT_FLAT_FRAC * stride_s, 0.3 * stance)
    d_rise = min(HEEL_RISE_FRAC * stride_s, 0.45 * stance)
    pitch = np.zeros_like(t)
    if math.isfinite(fp.ic_time_s):
        u = np.clip((t - fp.ic_time_s) / d_flat, 0.0, 1.0)
        # Decelerating plantarflexion to foot flat (the tibialis anterior lowers the forefoot).
        pitch += FOOT_PITCH_IC * (1.0 - u) ** 2
    if math.isfinite(fp.fo_time_s):
        u = np.clip((t - (fp.fo_time_s - d_rise)) / d_rise, 0.0, 1.0)
        pitch += FOOT_PITCH_FO * u**2  # accelerating push-off
    return pitch


def stance_pose(t: np.ndarray, fp: Footprint, body: Body, stride_s: float) -> FootPose:
    """Foot pose during the stance of ``fp``: heel pivot while toe-up, MTP pivot while heel-up."""
    local = body.foot_points()
    pitch = _stance_pitch(t, fp, stride_s)
    heel = np.array([fp.heel_x_m, 0.0])
    mtp = heel + local["mtp"]
    about_heel = heel + rotate(local["ankle"], pitch)
    about_mtp = mtp + rotate(local["ankle"] - local["mtp"], pitch)
    ankle = np.where((pitch >= 0.0)[:, None], about_heel, about_mtp)
    return FootPose(ankle, pitch, np.maximum(pitch, 0.0))


def _hermite(
    s: np.ndarray,
    p0: np.ndarray,
    p1: np.ndarray,
    m0: np.ndarray,
    m1: np.ndarray,
    points: bool = False,
) -> np.ndarray:
    """Cubic Hermite on s (N,) in [0, 1]; with ``points`` p and m are (2,) and the result (N, 2)."""
    s = s[:, None] if points else s
    h00 = 2 * s**3 - 3 * s**2 + 1
    h10 = s**3 - 2 * s**2 + s
    h01 = -2 * s**3 + 3 * s**2
    h11 = s**3 - s**2
    return h00 * p0 + h10 * m0 + h01 * p1 + h11 * m1


def _lift_shape(s: np.ndarray) -> np.ndarray:
    """Extra ankle lift over the swing (0 at both ends, 1 at mid-swing)."""
    return np.sin(np.pi * s)


def swing_pose(
    t: np.ndarray, lift: Footprint, land: Footprint, body: Body, stride_s: float
) -> tuple[FootPose, float]:
    """Foot pose in swing from ``lift``'s toe off to ``land``'s heel strike.

    Ankle position and pitch are cubic Hermite curves matching the stance motion (position and
    velocity) at both ends; a lift peaking early in swing is added to the ankle height, its
    amplitude the smallest that keeps every foot point at least the minimum toe clearance
    above the floor in mid-swing. Returns the pose and that lift amplitude (m).
    """
    t0, t1 = lift.fo_time_s, land.ic_time_s
    dur = t1 - t0
    h = 1e-5
    ends = np.array([t0 - h, t0, t1, t1 + h])
    a = stance_pose(ends[:2], lift, body, stride_s)
    b = stance_pose(ends[2:], land, body, stride_s)
    p0, p1 = a.ankle[1], b.ankle[0]
    m0, m1 = (a.ankle[1] - a.ankle[0]) / h * dur, (b.ankle[1] - b.ankle[0]) / h * dur
    # The heel-rocker rotation is fast; matching it fully would swing the toes high before
    # landing, so the foot arrives decelerated (real feet do: the heel's forward speed is near
    # zero at contact).
    m1 = m1 * LANDING_VELOCITY_FRAC
    q0, q1 = a.pitch[1], b.pitch[0]
    n0 = (a.pitch[1] - a.pitch[0]) / h * dur * 0.3
    n1 = 0.0

    def pose(s: np.ndarray, lift_m: float) -> FootPose:
        ankle = _hermite(s, p0, p1, m0, m1, points=True)
        ankle[:, 1] += lift_m * _lift_shape(s)
        pitch = _hermite(s, q0, q1, n0, n1)
        u = np.clip(s / TOE_RELAX_FRAC, 0.0, 1.0)
        # The toes stay extended at the MTP at toe off and straighten during early swing.
        bend = -q0 * (1.0 - u * u * (3.0 - 2.0 * u))
        return FootPose(ankle, pitch, pitch + bend)

    # Clearance matters until the foot starts reaching for the floor; the heel then descends.
    grid = np.linspace(0.1, 0.7, 61)
    pts = pose(grid, 0.0).points(body)
    lowest = np.min(np.stack([p[:, 1] for p in pts.values()]), axis=0)
    clearance = MIN_TOE_CLEARANCE_FRAC * body.height_m
    lift_m = float(max(0.0, np.max((clearance - lowest) / _lift_shape(grid))))
    s = np.clip((t - t0) / dur, 0.0, 1.0)
    return pose(s, lift_m), lift_m


def foot_trajectory(
    t: np.ndarray, prints: list[Footprint], body: Body, stride_s: float
) -> FootPose:
    """Pose of one foot at times ``t`` (N,) from its own footprints (sorted by IC)."""
    n = len(t)
    out = FootPose(np.zeros((n, 2)), np.zeros(n), np.zeros(n))

    def put(mask: np.ndarray, pose: FootPose) -> None:
        out.ankle[mask] = pose.ankle
        out.pitch[mask] = pose.pitch
        out.toe_pitch[mask] = pose.toe_pitch

    for i, fp in enumerate(prints):
        lo = fp.ic_time_s if i > 0 else -math.inf
        mask = (t >= lo) & (t <= fp.fo_time_s)
        if mask.any():
            put(mask, stance_pose(np.clip(t[mask], fp.ic_time_s, fp.fo_time_s), fp, body, stride_s))
        if i + 1 < len(prints):
            nxt = prints[i + 1]
            mask = (t > fp.fo_time_s) & (t < nxt.ic_time_s)
            if mask.any():
                put(mask, swing_pose(t[mask], fp, nxt, body, stride_s)[0])
        else:
            mask = t > fp.fo_time_s
            if mask.any():  # past the planned walk: hold the toe-off pose
                put(mask, stance_pose(np.full(mask.sum(), fp.fo_time_s), fp, body, stride_s))
    return out


def leg_ik(hip: np.ndarray, ankle: np.ndarray, thigh: float, shank: float) -> np.ndarray:
    """Knee positions (N, 2) for a 2-link leg, the knee bending forward (+x)."""
    d = ankle - hip
    dist = np.linalg.norm(d, axis=1)
    reach = thigh + shank
    dist_c = np.clip(dist, abs(thigh - shank) + 1e-9, reach * (1 - 1e-9))
    cos_a = (thigh**2 + dist_c**2 - shank**2) / (2 * thigh * dist_c)
    alpha = np.arccos(np.clip(cos_a, -1.0, 1.0))
    unit = d / np.maximum(dist, 1e-12)[:, None]
    # Rotating the hip-to-ankle direction (pointing down) counter-clockwise moves the knee to +x.
    return hip + thigh * rotate(unit, alpha)


@dataclass
class Pose:
    """The whole walker over time (walker coordinates, metres; angles in radians)."""

    times_s: np.ndarray
    hip: np.ndarray
    shoulder: np.ndarray
    head_center: np.ndarray
    trunk_angle: np.ndarray  # forward lean from vertical (positive forward)
    knee: dict[Foot, np.ndarray]
    feet: dict[Foot, FootPose]
    elbow: dict[Foot, np.ndarray]
    wrist: dict[Foot, np.ndarray]
    hand_tip: dict[Foot, np.ndarray]


def _smoothstep(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _angle_from_down(v: np.ndarray) -> np.ndarray:
    """Angle (rad) of vectors (N, 2) from straight down, positive when pointing forward."""
    return np.arctan2(v[:, 0], -v[:, 1])


def pelvis_x_knots(
    prints: list[Footprint], body: Body, stride_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Knots of the pelvis forward position: (times, x m, velocity m/s).

    At every IC the pelvis is midway between the two ankles; standing phases pin it with zero
    velocity; velocities elsewhere are Catmull-Rom estimates.
    """
    by_foot = {f: [p for p in prints if p.foot == f] for f in ("left", "right")}
    moving_ics = sorted(p.ic_time_s for p in prints if math.isfinite(p.ic_time_s))
    times = list(moving_ics)
    still = np.zeros(len(times), bool)
    standing_start = [p for p in prints if p.phase == "standing"]
    if standing_start:
        times.insert(0, min(p.fo_time_s for p in standing_start) - 0.25)
        still = np.concatenate([[True], still])
    if any(p.phase == "termination" for p in prints):
        still[-1] = True
    tk = np.array(times)
    ax = [foot_trajectory(tk, by_foot[f], body, stride_s).ankle[:, 0] for f in ("left", "right")]
    xk = (ax[0] + ax[1]) / 2.0
    vk = np.gradient(xk, tk) if len(tk) > 2 else np.zeros_like(xk)
    vk[still] = 0.0
    return tk, xk, vk


def _piecewise_hermite(t: np.ndarray, tk: np.ndarray, xk: np.ndarray, vk: np.ndarray):
    idx = np.clip(np.searchsorted(tk, t) - 1, 0, len(tk) - 2)
    dt = tk[idx + 1] - tk[idx]
    s = np.clip((t - tk[idx]) / dt, 0.0, 1.0)
    x = _hermite(s, xk[idx], xk[idx + 1], vk[idx] * dt, vk[idx + 1] * dt)
    x = np.where(t < tk[0], xk[0], x)
    return np.where(t > tk[-1], xk[-1], x)


def walker_pose(t: np.ndarray, prints: list[Footprint], params: SynthParams) -> Pose:
    """The walker's pose at times ``t`` (N,) seconds for a footprint plan."""
    body = Body(params.height_m)
    stride_s = params.stride_time_s
    step_s = stride_s / 2.0
    feet = {
        f: foot_trajectory(t, [p for p in prints if p.foot == f], body, stride_s)
        for f in ("left", "right")
    }
    # How much the walker is walking (0 standing, 1 steady): scales pelvis bob and sway.
    moving = [p for p in prints if math.isfinite(p.ic_time_s)]
    t_ref = moving[0].ic_time_s
    standing = [p for p in prints if p.phase == "standing"]
    gait = np.ones_like(t)
    if standing:
        start = min(p.fo_time_s for p in standing) - 0.25
        gait *= _smoothstep((t - start) / max(t_ref + step_s - start, 1e-6))
    if any(p.phase == "termination" for p in prints):
        end = prints[-1].ic_time_s
        gait *= _smoothstep((end - t) / (2 * step_s))
    omega = 2 * np.pi / step_s
    phase = omega * (t - t_ref)

    tk, xk, vk = pelvis_x_knots(prints, body, stride_s)
    speed = params.speed_mps
    # Zero at every IC (the knots), so the knots keep their meaning; fastest at double support.
    hip_x = _piecewise_hermite(t, tk, xk, vk) + gait * PELVIS_SPEED_MOD * speed / omega * np.sin(
        phase
    )
    # Lowest just after IC (in double support), highest at mid-stance.
    bob = -gait * PELVIS_BOB_FRAC * body.height_m / 2 * np.cos(phase - omega * 0.05 * stride_s)
    # Hip height: the highest that keeps both knees flexed at least MIN_KNEE_FLEXION.
    reach = body.thigh + body.shank
    max_dist = reach * math.cos(MIN_KNEE_FLEXION / 2)
    bounds = []
    for f in ("left", "right"):
        dx = feet[f].ankle[:, 0] - hip_x
        bounds.append(feet[f].ankle[:, 1] - bob + np.sqrt(np.maximum(max_dist**2 - dx**2, 0)))
    h0 = min(float(np.min(np.minimum(*bounds))), body.standing_hip_height)
    hip = np.stack([hip_x, h0 + bob], axis=1)

    knee = {f: leg_ik(hip, feet[f].ankle, body.thigh, body.shank) for f in ("left", "right")}
    trunk_angle = np.radians(3.0) + gait * np.radians(1.5) * np.cos(phase)
    up = np.stack([np.sin(trunk_angle), np.cos(trunk_angle)], axis=1)
    shoulder = hip + body.trunk * up
    head_center = shoulder + 0.117 * body.height_m * up

    thigh_angle = {f: _angle_from_down(knee[f] - hip) for f in ("left", "right")}
    elbow, wrist, hand_tip = {}, {}, {}
    for f, o in (("left", "right"), ("right", "left")):
        # Arms swing against the ipsilateral leg, roughly 0.7 of the thigh excursion.
        arm = 0.7 * (thigh_angle[o] - thigh_angle[f]) / 2.0
        fore = arm + np.radians(15.0) + 0.5 * np.maximum(arm, 0.0)
        elbow[f] = shoulder + body.upper_arm * np.stack([np.sin(arm), -np.cos(arm)], axis=1)
        wrist[f] = elbow[f] + body.forearm * np.stack([np.sin(fore), -np.cos(fore)], axis=1)
        hand_tip[f] = wrist[f] + 0.8 * body.hand * np.stack([np.sin(fore), -np.cos(fore)], axis=1)
    return Pose(t, hip, shoulder, head_center, trunk_angle, knee, feet, elbow, wrist, hand_tip)


def joint_angles_deg(pose: Pose, body: Body) -> dict[str, dict[str, np.ndarray]]:
    """Sagittal joint angles (deg) per foot, flexion positive.

    ``hip``: thigh relative to the trunk (hip -> shoulder line); a forward trunk lean flexes
    the hip. ``knee``: thigh relative to shank, 0 straight. ``ankle``: rear foot (heel -> MTP,
    what a marker foot model measures) relative to the shank, 0 at a right angle, dorsiflexion
    positive. ``ankle_heel_toe``: the same with the heel -> toe-tip line, what heel and foot-tip
    landmarks measure; it differs from ``ankle`` while the toes are bent at the MTP (push-off
    and early swing).
    """
    out: dict[str, dict[str, np.ndarray]] = {}
    for f in ("left", "right"):
        thigh = _angle_from_down(pose.knee[f] - pose.hip)
        shank = _angle_from_down(pose.feet[f].ankle - pose.knee[f])
        hip = thigh + pose.trunk_angle
        knee = thigh - shank
        # Foot flat with a vertical shank is 0; toe up relative to the shank is dorsiflexion.
        ankle = pose.feet[f].pitch - shank
        pts = pose.feet[f].points(body)
        foot = pts["toe"] - pts["heel"]
        heel_toe = np.arctan2(foot[:, 1], foot[:, 0]) - shank
        out[f] = {
            "hip": np.degrees(hip),
            "knee": np.degrees(knee),
            "ankle": np.degrees(ankle),
            "ankle_heel_toe": np.degrees(heel_toe),
        }
    return out
