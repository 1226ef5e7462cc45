"""The one table of an analysis' statuses and steps: what the orchestration, the activities
and the legacy views all read.

An analysis is ``processing`` from the moment it is accepted (the legacy frontend's polling
has no branch for ``pending`` and stops there), then ``completed`` or ``failed``. While it
runs, ``current_step`` names one of :data:`STEPS`; each carries the legacy frontend's step
name (it draws any other value as step 1), the progress at which it starts and the words
``step_message`` shows.
"""

from __future__ import annotations

from dataclasses import dataclass

PROCESSING = "processing"
COMPLETED = "completed"
FAILED = "failed"
#: Statuses after which nothing changes an analysis any more.
FINISHED = frozenset({COMPLETED, FAILED})

#: The legacy frontend's four steps, in its order.
FRONTEND_STEPS = ("pose_estimation", "3d_lifting", "metrics_calculation", "report_generation")


@dataclass(frozen=True)
class Step:
    """One step: ``name`` is ours, ``frontend_step`` the legacy frontend's, ``progress`` the
    percentage (0-100) shown when the step starts, ``message`` what it does, in words."""

    name: str
    frontend_step: str
    progress: int
    message: str


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("queued", "pose_estimation", 0, "Video received; waiting for a worker"),
        Step(
            "planning",
            "pose_estimation",
            2,
            "Reading the video's frame times and building the background model",
        ),
        # Per-frame silhouette features are this method's "pose estimation".
        Step("analyzing", "pose_estimation", 5, "Finding the walker's silhouette in each frame"),
        Step(
            "aggregating",
            "metrics_calculation",
            92,
            "Finding footprints and measuring steps and gait metrics",
        ),
        Step("saving", "report_generation", 97, "Saving the result"),
        Step("done", "report_generation", 100, "Analysis complete"),
        Step("failed", "report_generation", 100, "Analysis failed"),
        Step("cancelled", "report_generation", 100, "Analysis cancelled"),
        Step("rescaling", "metrics_calculation", 92, "Re-scaling the metrics to a new height"),
    )
}

#: The steps a completed analysis went through, in order.
COMPLETED_STEPS = ("planning", "analyzing", "aggregating", "saving")


def chunk_progress(done: int, total: int) -> int:
    """Progress (0-100) after ``done`` of ``total`` chunks: the chunks share the span between
    the start of ``analyzing`` and the start of ``aggregating``."""
    start, stop = STEPS["analyzing"].progress, STEPS["aggregating"].progress
    return start + (stop - start) * done // max(total, 1)


def chunk_message(done: int, total: int) -> str:
    return f"{STEPS['analyzing'].message}: {done} of {total} parts of the video done"


def step_fields(name: str, message: str | None = None) -> dict[str, object]:
    """The record fields that put an analysis at the start of step ``name``."""
    step = STEPS[name]
    return {
        "current_step": name,
        "step_progress": step.progress,
        "step_message": message or step.message,
    }
