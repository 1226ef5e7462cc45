"""What stands in for the Functions host in these tests (the host cannot run here).

* :class:`FakeTaskHub`: the Durable extension's HTTP management API (start, status,
  terminate, purge) served on loopback, so the SDK's real ``DurableOrchestrationClient``
  (built by the SDK's own client middleware from a binding JSON string) talks HTTP to it.
* :class:`Runner`: drives an orchestration the way the extension does: it sends the history
  to the SDK's replay entry point (``get_user_function()`` of the orchestrator), reads the
  actions, runs the activities for real, appends TaskScheduled / TaskCompleted / TaskFailed
  / TimerCreated / TimerFired events, and replays again, one completion per episode.

Task ids follow the SDK's numbering: every scheduled activity, retry timer and rescheduled
retry takes the next sequence number, in the order the SDK creates them.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import functools
import importlib
import json
import os
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import azure.functions as func
from azure.durable_functions.models.history import HistoryEventType as H
from jsonschema import Draft202012Validator

from gait.service import openapi

#: What the legacy report page reads under ``metrics`` (``../shared/docs/legacy-api.md``): it
#: calls ``.toFixed`` on each, so each must be a number or absent, never null.
LEGACY_METRIC_NUMBERS = (
    "cadence",
    "step_length",
    "stride_length",
    "walking_speed",
    "step_time",
    "stance_time",
    "swing_time",
    "double_support_time",
    "step_time_symmetry",
    "step_length_symmetry",
    "step_length_cv",
    "step_time_cv",
)

OUT_OF_PROC_LABEL = "\n\n$OutOfProcData$:"


@dataclass
class Instance:
    name: str
    instance_id: str
    input: Any
    runtime_status: str = "Pending"
    custom_status: Any = None
    output: Any = None
    created: str = field(default_factory=lambda: _now())
    updated: str = field(default_factory=lambda: _now())

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "instanceId": self.instance_id,
            "runtimeStatus": self.runtime_status,
            "customStatus": self.custom_status,
            "output": self.output,
            "input": self.input,
            "createdTime": self.created,
            "lastUpdatedTime": self.updated,
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeTaskHub:
    """The extension's webhook API for one task hub, on 127.0.0.1, instances in memory."""

    def __init__(self, hub_name: str = "TestHub") -> None:
        self.hub_name = hub_name
        self.instances: dict[str, Instance] = {}
        self.started: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _parts(self) -> list[str]:
                path = urllib.parse.urlparse(self.path).path
                return [p for p in path.split("/") if p][1:]  # drop "durabletask"

            def do_POST(self) -> None:
                parts = self._parts()
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if parts[0] == "orchestrators":
                    name, instance_id = parts[1], parts[2]
                    value = json.loads(raw) if raw else None
                    # The SDK posts its df_dumps() text as a JSON string: decode that too.
                    if isinstance(value, str):
                        value = json.loads(value)
                    hub.instances[instance_id] = Instance(name, instance_id, value)
                    hub.started.append(instance_id)
                    self._reply(202, {"id": instance_id})
                elif parts[0] == "instances" and parts[-1] == "terminate":
                    instance = hub.instances.get(parts[1])
                    if instance is None:
                        self._reply(404)
                    elif instance.runtime_status in {"Completed", "Failed", "Terminated"}:
                        self._reply(410)
                    else:
                        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                        instance.runtime_status = "Terminated"
                        instance.output = query.get("reason", [""])[0]
                        self._reply(202)
                else:
                    self._reply(400, {"ExceptionMessage": f"unsupported {self.path}"})

            def do_GET(self) -> None:
                parts = self._parts()
                instance = hub.instances.get(parts[1]) if parts[0] == "instances" else None
                if instance is None:
                    self._reply(404, None)
                    return
                done = instance.runtime_status in {"Completed", "Failed", "Terminated"}
                self._reply(200 if done else 202, instance.to_json())

            def do_DELETE(self) -> None:
                parts = self._parts()
                if parts[0] == "instances" and hub.instances.pop(parts[1], None) is not None:
                    self._reply(200, {"instancesDeleted": 1})
                else:
                    self._reply(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def binding(self) -> str:
        """The JSON string the host passes to a durable client binding."""
        base = "http://localhost:7071/runtime/webhooks/durabletask/instances/INSTANCEID"
        query = f"?taskHub={self.hub_name}&connection=Storage&code=HOSTKEY"
        return json.dumps(
            {
                "taskHubName": self.hub_name,
                "creationUrls": {
                    "createNewInstancePostUri": "http://localhost:7071/runtime/webhooks/durabletask/"
                    f"orchestrators/{{functionName}}[/{{instanceId}}]{query}",
                },
                "managementUrls": {
                    "id": "INSTANCEID",
                    "statusQueryGetUri": base + query,
                    "sendEventPostUri": base + "/raiseEvent/{eventName}" + query,
                    "terminatePostUri": base + "/terminate?reason={text}&" + query[1:],
                    "rewindPostUri": base + "/rewind?reason={text}&" + query[1:],
                    "purgeHistoryDeleteUri": base + query,
                    "restartPostUri": base + "/restart" + query,
                    "suspendPostUri": base + "/suspend?reason={text}&" + query[1:],
                    "resumePostUri": base + "/resume?reason={text}&" + query[1:],
                },
                "rpcBaseUrl": f"http://127.0.0.1:{self.port}/durabletask/",
                "requiredQueryStringParameters": query[1:],
            }
        )


_INDEX: dict[int, dict[str, Any]] = {}


def functions_by_name(app: Any) -> dict[str, Any]:
    """The app's function index, built once per app object as the host does (a second
    ``get_functions()`` call on the same app refuses the names it has already seen)."""
    if id(app) not in _INDEX:
        _INDEX[id(app)] = {fn.get_function_name(): fn for fn in app.get_functions()}
    return _INDEX[id(app)]


def index_with_keys_required() -> dict[str, Any]:
    """The function index of ``function_app`` imported with ``GAIT_HTTP_AUTH_LEVEL=function``
    (then imported again as before): the HTTP functions still anonymous in it are the ones
    open to everyone whatever the setting (its default is anonymous: the app checks callers)."""
    import function_app

    before = os.environ.get("GAIT_HTTP_AUTH_LEVEL")
    os.environ["GAIT_HTTP_AUTH_LEVEL"] = "function"
    try:
        return functions_by_name(importlib.reload(function_app).app)
    finally:
        if before is None:
            del os.environ["GAIT_HTTP_AUTH_LEVEL"]
        else:
            os.environ["GAIT_HTTP_AUTH_LEVEL"] = before
        importlib.reload(function_app)


@functools.cache
def openapi_operations() -> dict[str, dict[str, Any]]:
    """The served OpenAPI document's operations by ``operationId`` (= the function's name),
    each with the document's ``components`` beside it so its ``$ref`` resolve."""
    document = json.loads(openapi.document_bytes())
    return {
        operation["operationId"]: {**operation, "components": document["components"]}
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
    }


def check_response(function_name: str, status: int, payload: Any) -> None:
    """A JSON answer is one the OpenAPI document describes: its status is listed for the
    operation and the body validates against that response's schema (JSON Schema 2020-12,
    formats such as ``uuid`` checked). Raises AssertionError or ValidationError otherwise."""
    operation = openapi_operations().get(function_name)
    assert operation is not None, f"{function_name}: no operation in the OpenAPI document"
    response = operation["responses"].get(str(status))
    assert response is not None, f"{function_name} answered {status}: not in the document"
    schema = response["content"]["application/json"]["schema"]
    Draft202012Validator(
        {**schema, "components": operation["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    ).validate(payload)


def principal(user_id: str = "user-1", roles: tuple[str, ...] = ()) -> str:
    """An ``x-ms-client-principal`` value as Static Web Apps / App Service sets it."""
    body = {
        "identityProvider": "aad",
        "userId": user_id,
        "userDetails": f"{user_id}@example.org",
        "userRoles": ["anonymous", "authenticated", *roles],
    }
    return base64.b64encode(json.dumps(body).encode()).decode()


class Http:
    """Calls HTTP functions as the worker does: the user function with the request and, for
    durable client functions, the binding JSON (the SDK's middleware builds the client).

    ``user`` is the signed-in user the platform names in ``x-ms-client-principal`` (``None``:
    no header, as without sign-in). One event loop for the whole session: the SDK's HTTP
    helper keeps one aiohttp session. Every JSON answer is checked against the OpenAPI
    document (:func:`check_response`), so no test receives an undocumented body.
    """

    def __init__(
        self,
        app: Any,
        hub: FakeTaskHub,
        loop: asyncio.AbstractEventLoop,
        user: str | None = "user-1",
        roles: tuple[str, ...] = (),
    ) -> None:
        self.functions = functions_by_name(app)
        self.hub = hub
        self.loop = loop
        self.user = user
        self.roles = roles

    def as_user(self, user: str | None, roles: tuple[str, ...] = ()) -> Http:
        other = Http.__new__(Http)
        other.__dict__.update(self.__dict__, user=user, roles=roles)
        return other

    def call(
        self,
        function_name: str,
        method: str,
        url: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        route_params: dict[str, str] | None = None,
    ) -> tuple[int, Any, func.HttpResponse]:
        parsed = urllib.parse.urlparse(url)
        params = dict(urllib.parse.parse_qsl(parsed.query))
        headers = dict(headers or {})
        if self.user is not None:
            headers.setdefault("x-ms-client-principal", principal(self.user, self.roles))
        request = func.HttpRequest(
            method=method,
            url=url,
            headers=headers,
            params=params,
            route_params=route_params or {},
            body=body,
        )
        fn = self.functions[function_name].get_user_function()
        kwargs: dict[str, Any] = {"req": request}
        if any(b.type == "durableClient" for b in self.functions[function_name].get_bindings()):
            kwargs["client"] = self.hub.binding()
        result = fn(**kwargs)
        if asyncio.iscoroutine(result):
            result = self.loop.run_until_complete(result)
        raw = result.get_body()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw
        if result.mimetype == "application/json":
            check_response(function_name, result.status_code, payload)
        return result.status_code, payload, result


@dataclass
class Pending:
    kind: str  # "activity" or "timer"
    task_id: int
    name: str = ""
    input: Any = None
    retry: dict[str, Any] | None = None
    attempt: int = 1
    group: int = 0  # the first task id of a retry group


class Runner:
    """One orchestration instance, driven episode by episode through the SDK's replay."""

    def __init__(
        self,
        app: Any,
        orchestrator: str,
        instance_id: str,
        orchestration_input: Any,
        *,
        hub: FakeTaskHub | None = None,
        activity: Callable[[str, Any, int], Any] | None = None,
    ) -> None:
        self.functions = functions_by_name(app)
        self.orchestrator = self.functions[orchestrator].get_user_function()
        self.instance_id = instance_id
        self.input = orchestration_input
        self.hub = hub
        # activity(name, input, attempt) -> output; raises to fail. Default: run it for real.
        self.activity = activity or self.run_activity
        self.clock = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self.history: list[dict[str, Any]] = []
        self.next_id = 0
        self.known_actions = 0
        self.pending: list[Pending] = []
        self.attempts: dict[int, int] = {}
        self.episodes: list[dict[str, Any]] = []
        self.state: dict[str, Any] | None = None
        self.error: str | None = None
        self.done = False
        self.executed: list[tuple[str, Any, int]] = []

    # -- history --------------------------------------------------------------------------
    def _event(self, event_type: int, **fields: Any) -> dict[str, Any]:
        self.clock += dt.timedelta(milliseconds=10)
        return {
            "EventType": int(event_type),
            "EventId": fields.pop("EventId", -1),
            "IsPlayed": False,
            "Timestamp": self.clock.isoformat().replace("+00:00", "Z"),
            **fields,
        }

    def run_activity(self, name: str, activity_input: Any, attempt: int) -> Any:
        return self.functions[name].get_user_function()(activity_input)

    def _replay(self, history: list[dict[str, Any]]) -> dict[str, Any]:
        context = {
            "history": history,
            "instanceId": self.instance_id,
            "isReplaying": False,
            "parentInstanceId": None,
            "input": json.dumps(self.input),
        }
        try:
            return json.loads(self.orchestrator(json.dumps(context)))
        except Exception as exc:  # the orchestrator raised: the SDK appends its state
            message, _, state = str(exc).partition(OUT_OF_PROC_LABEL)
            if not state:
                raise
            return {**json.loads(state), "raised": message}

    def _episode(self, new_events: list[dict[str, Any]], assigned: list[Pending]) -> None:
        for event in self.history:
            event["IsPlayed"] = True
        self.history.append(self._event(H.ORCHESTRATOR_STARTED))
        self.history.extend(new_events)
        state = self._replay(self.history)
        self.episodes.append(state)
        self.state = state
        # Ids the SDK took while processing the new event (retry timer / rescheduled task)
        # come before the ids of the actions the generator scheduled after it.
        for item in assigned:
            if item.kind == "timer":
                self.history.append(self._event(H.TIMER_CREATED, EventId=item.task_id))
            else:
                self.history.append(
                    self._event(H.TASK_SCHEDULED, EventId=item.task_id, Name=item.name)
                )
            self.pending.append(item)
        actions = [a for group in state.get("actions", []) for a in group]
        for action in actions[self.known_actions :]:
            if action["actionType"] not in (0, 1):
                raise AssertionError(f"unexpected action {action}")
            task_id = self.next_id
            self.next_id += 1
            self.history.append(
                self._event(H.TASK_SCHEDULED, EventId=task_id, Name=action["functionName"])
            )
            self.pending.append(
                Pending(
                    "activity",
                    task_id,
                    action["functionName"],
                    json.loads(action["input"]),
                    action.get("retryOptions"),
                    1,
                    task_id,
                )
            )
        self.known_actions = len(actions)
        self.history.append(self._event(H.ORCHESTRATOR_COMPLETED))
        if "raised" in state:
            self.done, self.error = True, state["raised"]
        elif state.get("isDone"):
            self.done = True
        self._publish()

    def _publish(self) -> None:
        if self.hub is None or self.instance_id not in self.hub.instances:
            return
        instance = self.hub.instances[self.instance_id]
        if instance.runtime_status == "Terminated":
            return
        instance.custom_status = (self.state or {}).get("customStatus")
        instance.updated = _now()
        if self.error is not None:
            instance.runtime_status, instance.output = "Failed", self.error
        elif self.done:
            instance.runtime_status, instance.output = "Completed", self.state.get("output")
        else:
            instance.runtime_status = "Running"

    # -- driving ------------------------------------------------------------------------------
    def start(self) -> None:
        started = self._event(
            H.EXECUTION_STARTED, Name="analysis", Version="", Input=json.dumps(self.input)
        )
        self._episode([started], [])

    def step(self, pick: Callable[[list[Pending]], Pending] | None = None) -> Pending:
        """Complete one pending task (the first, or ``pick``'s choice) and replay."""
        if self.done:
            raise AssertionError("the orchestration has finished")
        if not self.pending:
            raise AssertionError("nothing pending: the orchestration would hang")
        item = pick(self.pending) if pick else self.pending[0]
        self.pending.remove(item)
        assigned: list[Pending] = []
        if item.kind == "timer":
            event = self._event(H.TIMER_FIRED, TimerId=item.task_id, FireAt=self.clock.isoformat())
            max_attempts = item.retry["maxNumberOfAttempts"]
            if item.attempt < max_attempts:
                assigned.append(
                    Pending(
                        "activity",
                        self.next_id,
                        item.name,
                        item.input,
                        item.retry,
                        item.attempt + 1,
                        item.group,
                    )
                )
                self.next_id += 1
            self._episode([event], assigned)
            return item
        self.executed.append((item.name, item.input, item.attempt))
        try:
            output = self.activity(item.name, item.input, item.attempt)
        except Exception as exc:
            event = self._event(
                H.TASK_FAILED,
                TaskScheduledId=item.task_id,
                Reason=f"Activity function '{item.name}' failed: {exc}",
                Details=type(exc).__name__,
            )
            if item.retry is not None:
                assigned.append(
                    Pending(
                        "timer",
                        self.next_id,
                        item.name,
                        item.input,
                        item.retry,
                        item.attempt,
                        item.group,
                    )
                )
                self.next_id += 1
            self._episode([event], assigned)
            return item
        event = self._event(
            H.TASK_COMPLETED, TaskScheduledId=item.task_id, Result=json.dumps(output)
        )
        self._episode([event], assigned)
        return item

    def run(
        self, pick: Callable[[list[Pending]], Pending] | None = None, max_steps: int = 500
    ) -> None:
        if not self.history:
            self.start()
        for _ in range(max_steps):
            if self.done:
                return
            self.step(pick)
        raise AssertionError("the orchestration did not finish")

    def replay_from_scratch(self) -> dict[str, Any]:
        """Replay the whole history as a new worker would: every event already played."""
        history = [{**event, "IsPlayed": True} for event in self.history]
        return self._replay(history)
