"""Typed errors of the analysis: what callers (CLI, Function App) map to exit codes and HTTP."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """The first line of an exception's text, or its type name when it has none: what a
    one-line message or a log line quotes of a third-party error."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class GaitError(Exception):
    """Base of every error the analysis raises on purpose.

    ``code`` is a stable machine-readable identifier (``"not_a_video"``, ...); the message is
    one readable line for a person.
    """

    code = "gait_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class UnusableVideo(GaitError):
    """The input cannot be analysed at all (the user must send another file)."""

    code = "unusable_video"


class NotAVideo(UnusableVideo):
    code = "not_a_video"


class TruncatedVideo(UnusableVideo):
    code = "truncated_video"


class NoFrames(UnusableVideo):
    code = "no_frames"


class TooShort(UnusableVideo):
    code = "too_short"


class BadTimestamps(UnusableVideo):
    """Frames share timestamps, so their times (and the gait's) cannot be known."""

    code = "bad_timestamps"


class AbsurdResolution(UnusableVideo):
    code = "absurd_resolution"


#: Why a readable video holds no measurable gait: the stable codes of
#: ``NoReliableGait.reason``, the whole set (clients switch on them; the API document
#: lists them, the report has words for each).
NO_GAIT_REASONS = (
    "no_walker",
    "several_walkers",
    "too_few_steps",
    "camera_motion",
    "edited_video",
    "frame_rate_too_low",
    "running",
    "inconsistent_contacts",
)


class NoReliableGait(GaitError):
    """The video is readable but holds no gait that can be measured reliably.

    ``reason`` says why: one of :data:`NO_GAIT_REASONS`.
    """

    code = "no_reliable_gait"

    def __init__(self, reason: str, message: str) -> None:
        if reason not in NO_GAIT_REASONS:
            raise ValueError(f"unknown reason {reason!r}: add it to NO_GAIT_REASONS")
        super().__init__(message)
        self.reason = reason

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "reason": self.reason, "message": self.message}
