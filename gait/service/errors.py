"""Errors the service answers with an HTTP status (the legacy error shape)."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request that cannot be served: ``status`` is the HTTP status to answer with."""

    def __init__(
        self, status: int, error: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.details = details or {}


class DependencyUnavailable(ServiceError):
    """Blob Storage, Cosmos DB or the task hub cannot be reached: 503 naming which one."""

    def __init__(self, dependency: str, reason: str) -> None:
        super().__init__(
            503,
            "SERVICE_UNAVAILABLE",
            f"{dependency} is unavailable: {reason}",
            {"dependency": dependency},
        )
        self.dependency = dependency


class NotFound(ServiceError):
    def __init__(self, analysis_id: str) -> None:
        super().__init__(
            404, "NOT_FOUND", f"analysis {analysis_id} not found", {"analysis_id": analysis_id}
        )


def short_reason(exc: BaseException) -> str:
    """One line of an SDK exception (their messages run to dozens of lines)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:300]
