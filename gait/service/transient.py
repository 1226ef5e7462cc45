"""Activities retry their own transient I/O, so the orchestrator never needs a retry policy.

Why not ``call_activity_with_retry``: in the Python Durable SDK a retried task schedules a
timer and a new task mid-history, and durable-python #603 (closed as won't-fix) shows
orchestrations of exactly this project's shape (a retried activity, then a fan-out
collected with ``task_any`` / ``task_all``) hanging as Running forever. A plain
``call_activity`` has one task id per activity and nothing to renumber; the retrying
happens here, inside the activity, where no replay can see it.

What is retried: a dependency that did not answer (:class:`DependencyUnavailable`, Azure
SDK transport errors, 408/429/5xx answers, connection resets and timeouts). What is not: the
analysis's own verdicts (returned as ``{"error": ...}`` by the activity, never raised) and
any other exception, which fails the activity at once with its message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from gait.service import context
from gait.service.errors import DependencyUnavailable

T = TypeVar("T")

#: Attempts in all and the pause between them: the old orchestrator policy (3 attempts,
#: 5 s apart), so a Storage blip or a throttled Cosmos call is ridden out in ~10 s and a
#: dependency that stays down fails the activity within a minute.
ATTEMPTS = 3
PAUSE_S = 5.0
#: HTTP answers that mean "try again": timeout, throttled, server-side failures.
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def is_transient(exc: BaseException) -> bool:
    """True when the same call may well succeed a few seconds later."""
    if isinstance(exc, DependencyUnavailable | ServiceRequestError | ServiceResponseError):
        return True
    if isinstance(exc, HttpResponseError):
        return exc.status_code in RETRYABLE_STATUS
    return isinstance(exc, ConnectionError | TimeoutError)


def retried(
    activity: Callable[[Any], T],
    payload: Any,
    *,
    attempts: int = ATTEMPTS,
    pause_s: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``activity(payload)``, again after ``pause_s`` (default :data:`PAUSE_S`) on a
    transient error, at most ``attempts`` runs; the last error, or any other, propagates."""
    pause_s = PAUSE_S if pause_s is None else pause_s
    for attempt in range(1, attempts + 1):
        try:
            return activity(payload)
        except Exception as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            _log_for(payload).warning(
                "%s: transient failure (attempt %d of %d), retrying in %g s: %s",
                getattr(activity, "__name__", "activity"),
                attempt,
                attempts,
                pause_s,
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            )
            sleep(pause_s)
    raise AssertionError("unreachable")  # the loop returns or raises


def _log_for(payload: Any) -> logging.LoggerAdapter | logging.Logger:
    """The analysis's own log when the payload names one ("[analysis <id>]" lines)."""
    if isinstance(payload, dict) and "analysis_id" in payload:
        return context.analysis_log(str(payload["analysis_id"]))
    return logging.getLogger("gait.service")
