"""The HTTP layer's one way to run a route: :func:`endpoint`.

A route is a plain synchronous function of a :class:`Call`. The decorator checks the caller
(:mod:`gait.service.auth`), runs the route in one worker thread (Storage and Cosmos clients
block, multipart parsing is CPU work: none of it may stall the event loop the Durable client
and the other requests share), and turns a :class:`ServiceError` into its status and
anything unexpected into a logged 500, both in the legacy error shape.

The Durable client is asynchronous; :class:`Durable` calls it from the route's thread on
the event loop it belongs to, each call with a time limit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import azure.functions as func

from gait.errors import first_line
from gait.service import auth, context
from gait.service.errors import DependencyUnavailable, ServiceError
from gait.service.validation import bad_request

log = logging.getLogger("gait.service")

#: Time limit of each call to the Durable extension's management API, in seconds. The
#: extension runs in the same host, so a healthy call takes milliseconds; 4 s keeps a
#: request that makes two of them under the frontend's 10 s.
DURABLE_TIMEOUT_S = 4.0

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# -- responses ----------------------------------------------------------------------------------
def error_body(error: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The legacy error shape, plus ``detail``: the one field the frontend shows."""
    return {
        "error": error,
        "message": message,
        "detail": message,
        "details": details or {},
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps(body), status_code=status, mimetype="application/json", headers=headers
    )


def error_response(exc: ServiceError) -> func.HttpResponse:
    headers = {"Retry-After": "10"} if exc.status == 503 else None
    return json_response(error_body(exc.error, exc.message, exc.details), exc.status, headers)


# -- request parts ------------------------------------------------------------------------------
def analysis_id(raw: Any) -> str:
    value = str(raw or "").strip().lower()
    if not _GUID.fullmatch(value):
        raise bad_request("analysis_id must be a UUID", field="analysis_id")
    return value


def json_body(req: func.HttpRequest) -> dict[str, Any]:
    """The JSON object in the body, over the query parameters (the old API took both)."""
    raw = req.get_body()
    if not raw:
        return dict(req.params)
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("the body must be JSON") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return {**dict(req.params), **body}


def api_base(req: func.HttpRequest) -> str:
    """``https://host/api`` from the request URL (whatever the route prefix is)."""
    return req.url.split("?", 1)[0].split("/v1/", 1)[0]


# -- the Durable client, from a worker thread ---------------------------------------------------
class Durable:
    """The Durable client's calls, made from a route's thread on the client's event loop."""

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.client = client
        self.loop = loop

    def _run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        future = asyncio.run_coroutine_threadsafe(
            asyncio.wait_for(coroutine, DURABLE_TIMEOUT_S), self.loop
        )
        try:
            return future.result()
        except TimeoutError as exc:
            raise DependencyUnavailable(
                "Durable task hub", f"no answer in {DURABLE_TIMEOUT_S:g} s"
            ) from exc
        except Exception as exc:
            raise DependencyUnavailable("Durable task hub", first_line(exc)) from exc

    def start(self, orchestrator: str, instance_id: str, job: dict[str, Any]) -> None:
        self._run(self.client.start_new(orchestrator, instance_id, job))

    def runtime_status(self, instance_id: str) -> tuple[str | None, Any]:
        """(runtime status, output) of an orchestration; (None, None) if it cannot be read
        (a status lookup is advisory: the record is the truth)."""
        try:
            status = self._run(self.client.get_status(instance_id))
        except DependencyUnavailable as exc:
            log.warning("[analysis %s] durable status unavailable: %s", instance_id, exc.log_reason)
            return None, None
        runtime = status.runtime_status.value if status and status.runtime_status else None
        return runtime, status.output if status else None

    def terminate(self, instance_id: str, reason: str) -> None:
        self._run(self.client.terminate(instance_id, reason))

    def purge(self, instance_id: str) -> int:
        purged = self._run(self.client.purge_instance_history(instance_id))
        return int(getattr(purged, "instances_deleted", 0) or 0)


# -- the decorator ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    """One request as a route sees it: the request, the caller (``None`` in anonymous local
    development) and the Durable client (``None`` on routes without one)."""

    req: func.HttpRequest
    caller: auth.Caller | None
    durable: Durable | None

    def route_id(self) -> str:
        return analysis_id(self.req.route_params.get("analysis_id"))


Route = Callable[[Call], func.HttpResponse]


def _answer(route: Route, req: func.HttpRequest, durable: Durable | None) -> func.HttpResponse:
    try:
        caller = auth.caller(req, context.settings())
        return route(Call(req, caller, durable))
    except ServiceError as exc:
        if exc.status >= 500:
            log.warning("%s %s: %s (%s)", req.method, req.url, exc.message, exc.log_reason)
        return error_response(exc)
    except Exception:
        log.exception("unexpected error in %s %s", req.method, req.url)
        return json_response(error_body("INTERNAL_ERROR", "unexpected server error"), 500)


def endpoint(route: Route) -> Callable[..., Awaitable[func.HttpResponse]]:
    """Make ``route`` an HTTP function body: caller checked, one thread hop, errors shaped."""

    @functools.wraps(route)
    async def handle(req: func.HttpRequest, client: Any = None) -> func.HttpResponse:
        durable = Durable(client, asyncio.get_running_loop()) if client is not None else None
        return await asyncio.to_thread(_answer, route, req, durable)

    return handle
