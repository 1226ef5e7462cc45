"""The analysis result and its JSON form (SI units, unit in every metric's name)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gait.walk.contacts import Contacts

#: Version of the result JSON; bump when a key changes meaning or disappears.
#: 2: ``steps[].double_support_time_s`` became ``initial_double_support_time_s`` (it is one
#: transition; ``metrics.double_support_*`` are both of a stride's).
SCHEMA_VERSION = 2


@dataclass
class Result:
    """A finished analysis.

    ``events``: ``{"type": "initial_contact" | "foot_off", "time_s", "frame", "foot"}``;
    ``steps``: one dict per measured step (``heel_x_px``: where the heel landed along the
    floor, video px, in the floor's frame of the route: an image x on a static side view, a
    position on the belt on a treadmill, the image x minus the camera's path with a moving
    camera, None where no length is measured); ``metrics``: numbers (unit in the key) or
    ``None`` when not measurable; ``quality``: how far the numbers can be trusted.
    """

    video: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: Sagittal joint angles per foot (:func:`gait.walk.joint_angles.angles_block`), or
    #: None when no landmarks were measured or too little of the cycle was.
    angles: dict[str, Any] | None = None
    #: The contacts table ``steps`` and ``metrics`` were computed from (not in the JSON).
    contacts: Contacts | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "video": self.video,
            "events": self.events,
            "steps": self.steps,
            "metrics": self.metrics,
            "quality": self.quality,
            "warnings": self.warnings,
            "angles": self.angles,
        }


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` so that a failure never leaves a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(data, stream, indent=2)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
