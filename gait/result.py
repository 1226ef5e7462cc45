"""The analysis result and its JSON form (SI units, unit in every metric's name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Version of the result JSON; bump when a key changes meaning or disappears.
SCHEMA_VERSION = 1


@dataclass
class Result:
    """A finished analysis.

    ``events``: ``{"type": "initial_contact" | "foot_off", "time_s", "frame", "foot"}``;
    ``steps``: one dict per measured step; ``metrics``: numbers (unit in the key) or
    ``None`` when not measurable; ``quality``: how far the numbers can be trusted.
    """

    video: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "video": self.video,
            "events": self.events,
            "steps": self.steps,
            "metrics": self.metrics,
            "quality": self.quality,
            "warnings": self.warnings,
        }
