"""Azure Functions app (Python v2 programming model): bindings only.

Each function parses nothing and decides nothing: it hands its request, orchestration
context, activity input or timer to ``gait.service``. Importing this module does no I/O, so
a missing Storage account or Cosmos DB can only make the requests that need it answer 503.

Routes name analyses as ``{analysis_id:guid}``, so ``v1/analysis/list`` can never be taken
for an analysis id whatever order the host tries the routes in.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from gait.service import (
    activities,
    analyses,
    auth,
    health,
    openapi,
    orchestration,
    retention,
    transient,
    uploads,
    watchdog,
)
from gait.service.settings import http_auth_level, load

# The platform signs users in (docs/deploy.md); the app checks the caller on every route
# but health (GAIT_REQUIRE_PLATFORM_AUTH). GAIT_HTTP_AUTH_LEVEL adds function keys on top.
AUTH = func.AuthLevel(http_auth_level())
app = df.DFApp(http_auth_level=AUTH)
auth.warn_at_start(load(), os.environ)

ANALYSIS = "v1/analysis/{analysis_id:guid}"


# -- HTTP: the legacy routes and the SAS upload path -------------------------------------------
@app.route(route="v1/analysis/upload", methods=["POST"], auth_level=AUTH)
@app.durable_client_input(client_name="client")
async def upload_analysis(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    return await uploads.upload(req, client)


@app.route(route="v1/storage/sas-token", methods=["POST"], auth_level=AUTH)
async def sas_token(req: func.HttpRequest) -> func.HttpResponse:
    return await uploads.sas_token(req)


@app.route(route="v1/analysis/process", methods=["POST"], auth_level=AUTH)
@app.durable_client_input(client_name="client")
async def process_analysis(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    return await uploads.process(req, client)


@app.route(route="v1/analysis/list", methods=["GET"], auth_level=AUTH)
async def list_analyses(req: func.HttpRequest) -> func.HttpResponse:
    return await analyses.list_analyses(req)


@app.route(route=ANALYSIS, methods=["GET"], auth_level=AUTH)
@app.durable_client_input(client_name="client")
async def get_analysis(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    return await analyses.get_analysis(req, client)


@app.route(route=ANALYSIS, methods=["PATCH"], auth_level=AUTH)
async def rescale_analysis(req: func.HttpRequest) -> func.HttpResponse:
    return await analyses.rescale_analysis(req)


@app.route(route=ANALYSIS, methods=["DELETE"], auth_level=AUTH)
@app.durable_client_input(client_name="client")
async def delete_analysis(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    return await analyses.delete_analysis(req, client)


@app.route(route=ANALYSIS + "/cancel", methods=["POST"], auth_level=AUTH)
@app.durable_client_input(client_name="client")
async def cancel_analysis(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    return await analyses.cancel_analysis(req, client)


@app.route(route=ANALYSIS + "/report", methods=["GET"], auth_level=AUTH)
async def get_report(req: func.HttpRequest) -> func.HttpResponse:
    return await analyses.get_report(req)


# -- health: anonymous, for probes and the legacy frontend -----------------------------------
@app.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def liveness(req: func.HttpRequest) -> func.HttpResponse:
    return health.liveness_response()


@app.route(route="health/ready", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def readiness(req: func.HttpRequest) -> func.HttpResponse:
    return await health.readiness_response()


@app.route(route="v1/health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def legacy_health(req: func.HttpRequest) -> func.HttpResponse:
    return await health.legacy_health_response()


# -- retention: expired uploads and failed analyses -------------------------------------------
@app.timer_trigger(schedule=retention.SCHEDULE, arg_name="timer", run_on_startup=False)
@app.durable_client_input(client_name="client")
async def retention_sweep(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    await retention.run(client)


@app.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi_document(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(openapi.document_bytes(), mimetype="application/json")


# -- the orchestration ---------------------------------------------------------------------------
@app.orchestration_trigger(context_name="context", input_type=dict)
def analysis_orchestrator(
    context: df.DurableOrchestrationContext,
) -> Generator[Any, Any, dict[str, Any]]:
    return (yield from orchestration.analysis(context))


@app.activity_trigger(input_name="job", activity=orchestration.PLAN)
def plan_video(job: dict[str, Any]) -> dict[str, Any]:
    return transient.retried(activities.plan_video, job)


@app.activity_trigger(input_name="task", activity=orchestration.CHUNK)
def analyze_video_chunk(task: dict[str, Any]) -> dict[str, Any]:
    return transient.retried(activities.analyze_video_chunk, task)


@app.activity_trigger(input_name="task", activity=orchestration.AGGREGATE)
def aggregate_features(task: dict[str, Any]) -> dict[str, Any]:
    return transient.retried(activities.aggregate_features, task)


@app.activity_trigger(input_name="task", activity=orchestration.PERSIST)
def persist_result(task: dict[str, Any]) -> dict[str, Any]:
    return transient.retried(activities.persist_result, task)


@app.activity_trigger(input_name="task", activity=orchestration.FAIL)
def record_failure(task: dict[str, Any]) -> dict[str, Any]:
    return transient.retried(activities.record_failure, task)


# -- the stuck-analysis watchdog ---------------------------------------------------------------
@app.timer_trigger(schedule=watchdog.SCHEDULE, arg_name="timer", run_on_startup=False)
@app.durable_client_input(client_name="client")
async def stuck_analysis_watchdog(
    timer: func.TimerRequest, client: df.DurableOrchestrationClient
) -> None:
    await watchdog.sweep(client)
