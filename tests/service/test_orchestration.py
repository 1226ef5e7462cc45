"""The orchestrator driven through the SDK's own replay entry point, with scripted activity
outcomes (the activities themselves are exercised for real in test_end_to_end.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.durable_functions.models.history import HistoryEventType as H

import function_app
from gait.service import activities, orchestration, transient
from gait.service.errors import DependencyUnavailable
from gait.service.steps import STEPS
from tests.service.harness import Pending, Runner

JOB = {"analysis_id": "a1", "video_blob": "a1/video.mp4", "height_m": 1.75, "chunk_frames": 30}


class Script:
    """Activity outcomes: chunk i fails on the attempts listed in ``failures[i]``."""

    def __init__(
        self,
        chunks: int = 4,
        failures: dict[int, set[int]] | None = None,
        plan_error: dict[str, Any] | None = None,
        aggregate_error: dict[str, Any] | None = None,
    ) -> None:
        self.chunks = chunks
        self.failures = failures or {}
        self.plan_error = plan_error
        self.aggregate_error = aggregate_error
        self.calls: list[tuple[str, Any, int]] = []

    def __call__(self, name: str, data: Any, attempt: int) -> Any:
        self.calls.append((name, data, attempt))
        if name == orchestration.PLAN:
            if self.plan_error:
                return {"error": self.plan_error}
            return {
                "plan_blob": "a1/plan.npz",
                "frame_count": 30 * self.chunks,
                "chunks": [
                    {"index": i, "start": 30 * i, "stop": 30 * (i + 1)} for i in range(self.chunks)
                ],
            }
        if name == orchestration.CHUNK:
            index = data["chunk"]["index"]
            if attempt in self.failures.get(index, set()):
                raise OSError(f"blob read failed for chunk {index}")
            return {
                "index": index,
                "features_blob": f"a1/features/chunk-{index:04d}.npz",
                "frames": 30,
            }
        if name == orchestration.AGGREGATE:
            if self.aggregate_error:
                return {"error": self.aggregate_error}
            return {"result_blob": "a1/result.json"}
        if name in (orchestration.PERSIST, orchestration.FAIL):
            return {"status": "ok"}
        raise AssertionError(name)


def runner(script: Script) -> Runner:
    return Runner(function_app.app, "analysis_orchestrator", "a1", JOB, activity=script)


def last_chunk_first(pending: list[Pending]) -> Pending:
    """Complete the newest pending task first: chunks finish in reverse order."""
    return pending[-1]


def test_fan_out_out_of_order_progress_and_result() -> None:
    script = Script(chunks=4)
    run = runner(script)
    run.start()
    assert run.state["customStatus"]["step"] == "planning"
    run.step()  # the plan
    assert [p.name for p in run.pending] == [orchestration.CHUNK] * 4  # all four at once
    assert run.state["customStatus"]["progress"] == STEPS["analyzing"].progress
    seen = []
    for _ in range(4):
        done = run.step(last_chunk_first)
        seen.append(done.input["chunk"]["index"])
        status = run.state["customStatus"]
        if len(seen) < 4:
            assert status["step"] == "analyzing"
            assert status["chunks_done"] == len(seen) and status["chunks_total"] == 4
            assert f"{len(seen)} of 4 parts" in status["message"]
        else:  # the last chunk moves straight on to aggregation
            assert status["step"] == "aggregating"
    assert seen == [3, 2, 1, 0]
    run.run()
    assert run.done and run.error is None
    assert run.state["output"] == {"analysis_id": "a1", "status": "completed"}
    assert run.state["customStatus"]["progress"] == 100
    aggregate = next(data for name, data, _ in script.calls if name == orchestration.AGGREGATE)
    # Features are handed on in chunk order whatever order the chunks finished in.
    assert aggregate["features_blobs"] == [f"a1/features/chunk-{i:04d}.npz" for i in range(4)]
    # Progress only ever increases.
    progress = [e["customStatus"]["progress"] for e in run.episodes if e.get("customStatus")]
    assert progress == sorted(progress)


def test_activity_inputs_and_outputs_stay_small() -> None:
    script = Script(chunks=64)
    run = runner(script)
    run.run()
    assert run.done and run.error is None
    for event in run.history:
        for key in ("Input", "Result"):
            assert len(event.get(key) or "") < 4096, event


def test_a_failing_chunk_fails_the_orchestration_with_the_reason() -> None:
    """The activity has already retried its transient I/O: a raise is final, not retried."""
    script = Script(chunks=3, failures={2: {1}})
    run = runner(script)
    run.run()
    assert run.done
    attempts = [
        a for n, d, a in script.calls if n == orchestration.CHUNK and d["chunk"]["index"] == 2
    ]
    assert attempts == [1]  # no orchestrator-side retry
    failure = [d for n, d, _ in script.calls if n == orchestration.FAIL]
    assert len(failure) == 1
    error = failure[0]["error"]
    assert error["code"] == "chunk_failed"
    assert "part 2 of the video could not be analysed" in error["message"]
    # The exception's text goes to the failure activity's log line, not to the message.
    assert "blob read failed" not in error["message"]
    assert (
        error["internal"]
        == "Activity function 'analyze_video_chunk' failed: blob read failed for chunk 2"
    )
    assert "blob read failed" not in json.dumps(run.state["customStatus"])
    assert run.error and "chunk_failed" in run.error  # runtime status Failed, readable
    assert run.state["customStatus"]["step"] == "failed"
    assert not [c for c in script.calls if c[0] == orchestration.AGGREGATE]


def _scheduled_ids(run: Runner) -> list[int]:
    return [e["EventId"] for e in run.history if e["EventType"] == H.TASK_SCHEDULED]


def test_no_retry_policy_and_no_timer_anywhere_in_the_history() -> None:
    """The #603 shape needs an orchestrator-side retry (a timer and a rescheduled task with a
    new id) before a fan-out; with plain call_activity the history has neither, and every
    activity has exactly one task id, in order."""
    script = Script(chunks=6)
    run = runner(script)
    run.run(pick=last_chunk_first)
    assert run.done and run.error is None
    actions = [a for episode in run.episodes for g in episode["actions"] for a in g]
    assert actions and all(a["actionType"] == 0 for a in actions)  # CallActivity only
    assert all("retryOptions" not in a for a in actions)
    kinds = {e["EventType"] for e in run.history}
    assert H.TIMER_CREATED not in kinds and H.TIMER_FIRED not in kinds
    assert _scheduled_ids(run) == list(range(len(script.calls)))


def test_activities_retry_their_own_transient_io_through_the_real_bindings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The orchestration driven through the SDK replay with function_app's own activity
    bindings: the plan and two chunks hit a dependency outage that clears on the next try;
    the orchestration completes and sees one task per activity."""
    script = Script(chunks=4)
    outages = {("plan", None): 1, ("chunk", 1): 2, ("chunk", 3): 1}
    runs: list[str] = []

    def flaky(kind: str, name: str):
        def activity(payload: dict) -> dict:
            key = (kind, payload["chunk"]["index"] if kind == "chunk" else None)
            runs.append(f"{kind}{key[1] if key[1] is not None else ''}")
            if outages.get(key, 0) > 0:
                outages[key] -= 1
                raise DependencyUnavailable("Blob Storage", "connection reset")
            return script(name, payload, 1)

        return activity

    for kind, name in [
        ("plan", orchestration.PLAN),
        ("chunk", orchestration.CHUNK),
        ("aggregate", orchestration.AGGREGATE),
        ("persist", orchestration.PERSIST),
    ]:
        monkeypatch.setattr(activities, name, flaky(kind, name))
    monkeypatch.setattr(transient, "PAUSE_S", 0.0)
    run = Runner(function_app.app, "analysis_orchestrator", "a1", JOB)
    run.run(pick=last_chunk_first)
    assert run.done and run.error is None, run.error
    assert runs.count("plan") == 2 and runs.count("chunk1") == 3 and runs.count("chunk3") == 2
    assert _scheduled_ids(run) == list(range(1 + 4 + 2))  # plan, 4 chunks, aggregate, persist
    assert run.replay_from_scratch()["actions"] == run.episodes[-1]["actions"]


def test_transient_errors_are_retried_and_others_are_not() -> None:
    calls: list[int] = []
    pauses: list[float] = []

    def outage(_: object) -> str:
        calls.append(1)
        raise DependencyUnavailable("Cosmos DB", "timed out")

    with pytest.raises(DependencyUnavailable):
        transient.retried(outage, {"analysis_id": "a1"}, pause_s=0.5, sleep=pauses.append)
    assert len(calls) == transient.ATTEMPTS and pauses == [0.5] * (transient.ATTEMPTS - 1)

    calls.clear()

    def bug(_: object) -> str:
        calls.append(1)
        raise KeyError("chunk")

    with pytest.raises(KeyError):
        transient.retried(bug, {}, sleep=pauses.append)
    assert len(calls) == 1  # a bug is not retried
    assert transient.is_transient(ConnectionResetError())
    assert not transient.is_transient(ValueError())
    for status, expected in [(503, True), (429, True), (404, False), (412, False)]:
        answer = HttpResponseError(message=f"HTTP {status}")
        answer.status_code = status
        assert transient.is_transient(answer) is expected, status


@pytest.mark.parametrize("where", ["plan", "aggregate"])
def test_analysis_errors_are_not_retried_and_fail_readably(where: str) -> None:
    error = (
        {"code": "not_a_video", "message": "not a readable video"}
        if where == "plan"
        else {"code": "no_reliable_gait", "reason": "no_walker", "message": "no walker seen"}
    )
    script = Script(chunks=2, **{f"{where}_error": error})
    run = runner(script)
    run.run()
    assert run.done and run.error and error["code"] in run.error
    failure = [d for n, d, _ in script.calls if n == orchestration.FAIL]
    assert failure == [{"analysis_id": "a1", "error": error}]
    assert all(a == 1 for _, _, a in script.calls)


def test_replaying_the_whole_history_gives_the_same_actions() -> None:
    script = Script(chunks=5)
    run = runner(script)
    run.run(pick=last_chunk_first)
    assert run.done and run.error is None
    final = run.episodes[-1]
    again = run.replay_from_scratch()
    assert again["actions"] == final["actions"]
    assert again.get("customStatus") == final.get("customStatus")
    assert again.get("output") == final.get("output")
    # Every episode's actions extend the previous ones: no replay changed its mind.
    for before, after in zip(run.episodes, run.episodes[1:], strict=False):
        flat_before = [a for g in before["actions"] for a in g]
        flat_after = [a for g in after["actions"] for a in g]
        assert flat_after[: len(flat_before)] == flat_before


def test_orchestrator_reads_no_clock_randomness_or_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Changing the settings between replays must not change a single action."""
    script = Script(chunks=3)
    run = runner(script)
    run.run()
    monkeypatch.setenv("GAIT_CHUNK_FRAMES", "999")
    monkeypatch.setenv("GAIT_MAX_UPLOAD_MB", "1")
    assert run.replay_from_scratch()["actions"] == run.episodes[-1]["actions"]
