"""Errors the service answers with an HTTP status (the legacy error shape)."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request that cannot be served: ``status`` is the HTTP status to answer with.

    ``message`` goes to the caller, so it never carries a host, a port, a path or a
    third-party exception's text: those go to the log (``log_reason``)."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        log_reason: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.details = details or {}
        self.log_reason = log_reason


class DependencyUnavailable(ServiceError):
    """Blob Storage, Cosmos DB or the task hub cannot be reached: 503 naming which one.

    The reason (an SDK message naming hosts and ports) is logged, never answered."""

    def __init__(self, dependency: str, reason: str) -> None:
        super().__init__(
            503,
            "SERVICE_UNAVAILABLE",
            f"{dependency} is unavailable; try again in a minute",
            {"dependency": dependency},
            log_reason=reason,
        )
        self.dependency = dependency


class NotFound(ServiceError):
    def __init__(self, analysis_id: str) -> None:
        super().__init__(
            404, "NOT_FOUND", f"analysis {analysis_id} not found", {"analysis_id": analysis_id}
        )


class Unauthorized(ServiceError):
    def __init__(self, message: str = "sign in first") -> None:
        super().__init__(401, "UNAUTHORIZED", message)
