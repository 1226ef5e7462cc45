"""The deployment templates against the code: no Bicep compiler runs here, so these checks
parse the Bicep (pycep, a Python Bicep parser) and hold it to what the code reads, to each
module's declared parameters and outputs, to the sample settings, the docs, host.json and
the app's function index."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pycep import BicepParser

from tests.service.harness import index_with_keys_required

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MAIN = INFRA / "main.bicep"
API = INFRA / "app" / "api.bicep"

#: Settings the Bicep sets that no code of ours reads, each with who reads it instead.
PLATFORM_SETTINGS = {
    "AzureWebJobsStorage__credential": "Functions host: identity-based host storage",
    "AzureWebJobsStorage__clientId": "Functions host: which user-assigned identity to use",
    "AzureWebJobsStorage__queueServiceUri": "Functions host / Durable: task hub queues",
    "AzureWebJobsStorage__tableServiceUri": "Functions host / Durable: task hub tables",
    "AZURE_CLIENT_ID": "azure-identity's DefaultAzureCredential: the user-assigned identity",
    "APPLICATIONINSIGHTS_CONNECTION_STRING": "Functions host: where telemetry goes",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "Functions host: Entra auth to App Insights",
}
#: Settings the code reads that Azure must NOT get: each is a key or a local fallback, and
#: in Azure the managed identity replaces it.
LOCAL_ONLY_SETTINGS = {
    "AzureWebJobsStorage": "connection string with a key; Azure uses AzureWebJobsStorage__*",
    "AzureWebJobsStorage__accountName": "alternative to __blobServiceUri; Bicep sets the URIs",
    "GAIT_STORAGE_CONNECTION": "connection string with a key; Azure uses the account URL",
    "GAIT_COSMOS_KEY": "account key; the Cosmos account has local auth disabled",
    "GAIT_DEBUG": "the CLI's traceback switch (gait/cli.py), not the Function App's",
}
#: Settings whose local default differs on purpose from the deployed value, each with why.
LOCAL_DIFFERS = {
    "GAIT_REQUIRE_PLATFORM_AUTH": "no platform sign-in runs in front of `func start`: local "
    "runs are anonymous (the app warns at start); Azure requires the signed-in caller",
}
#: Local-development settings in local.settings.sample.json that Flex Consumption manages
#: itself (runtime and worker come from functionAppConfig; Flex refuses them as settings).
SAMPLE_ONLY_SETTINGS = {
    "FUNCTIONS_WORKER_RUNTIME",
    "AzureWebJobsFeatureFlags",
    "PYTHON_THREADPOOL_THREAD_COUNT",
}

#: Calls whose first string argument is an environment variable's name: settings.py's
#: ``_env*`` helpers (any of them, present or future), ``os.getenv``, ``os.environ.get``.
_ENV_READERS = ("_env", "getenv", "get")


# -- parsing helpers ---------------------------------------------------------------------------
@cache
def bicep(path: Path) -> dict[str, Any]:
    return BicepParser().parse(file_path=path)


def _key(name: str) -> str:
    """pycep keeps the quotes of quoted object keys."""
    return name.strip("'")


def settings_read_by_code() -> set[str]:
    """Every environment variable name any module under gait/ reads, found in its syntax."""
    names: set[str] = set()
    for path in (ROOT / "gait").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == "get" and not (
                    isinstance(func, ast.Attribute) and ast.unparse(func.value) == "os.environ"
                ):
                    continue
                first = node.args[0]
                reader = called.startswith("_env") or called in _ENV_READERS
                if reader and isinstance(first, ast.Constant):
                    names.add(str(first.value))
            elif (
                isinstance(node, ast.Subscript)
                and ast.unparse(node.value) == "os.environ"
                and isinstance(node.slice, ast.Constant)
            ):
                names.add(str(node.slice.value))
    return names


def bicep_app_settings() -> dict[str, Any]:
    """Every app setting the templates give the Function App, with its Bicep value."""
    app = bicep(MAIN)["modules"]["api"]["config"]["params"]["appSettings"]
    platform = bicep(API)["variables"]["platformSettings"]["value"]
    settings_resource = bicep(API)["resources"]["settings"]["config"]["properties"]
    # The appsettings resource must be exactly the union of the two objects read here.
    assert settings_resource == {
        "function": {
            "type": "union",
            "parameters": {"arg_1": "appSettings", "arg_2": "platformSettings"},
        }
    }
    merged = {_key(k): v for k, v in app.items()}
    overlap = set(merged) & {_key(k) for k in platform}
    assert not overlap, f"set twice: {overlap}"
    merged.update({_key(k): v for k, v in platform.items()})
    return merged


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _output_references(tree: dict[str, Any], module: str) -> set[str]:
    """Names X in ``<module>.outputs.X`` anywhere in a parsed template."""
    found = set()
    for node in _walk(tree):
        if not (isinstance(node, dict) and "operator" in node):
            continue
        operator = node["operator"]
        if not isinstance(operator, dict) or operator.get("type") != "property_accessor":
            continue
        operands = operator["operands"]
        inner = operands.get("operand_2")
        if operands.get("operand_1") == module and isinstance(inner, dict):
            accessor = inner.get("operator", {})
            if (
                accessor.get("type") == "property_accessor"
                and accessor["operands"].get("operand_1") == "outputs"
            ):
                found.add(str(accessor["operands"]["operand_2"]))
    return found


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


# -- the templates themselves ------------------------------------------------------------------
@pytest.mark.parametrize("path", bicep_files(), ids=lambda p: str(p.relative_to(INFRA)))
def test_every_template_parses(path: Path) -> None:
    tree = bicep(path)
    assert tree.get("resources") or tree.get("modules"), path


def test_local_modules_get_exactly_their_parameters_and_have_the_outputs_used() -> None:
    checked = 0
    for path in bicep_files():
        tree = bicep(path)
        for name, module in (tree.get("modules") or {}).items():
            if module["type"] != "local":
                continue  # a registry module (Azure Verified Modules), as in the quickstarts
            target_path = (path.parent / module["detail"]["path"]).resolve()
            assert target_path.exists(), f"{path.name}: module {name} -> {target_path}"
            target = bicep(target_path)
            declared = target.get("parameters") or {}
            given = set(module["config"].get("params", {}))
            required = {p for p, spec in declared.items() if "default" not in spec}
            assert given <= set(declared), f"{name}: unknown params {given - set(declared)}"
            assert required <= given, f"{name}: missing params {required - given}"
            used = _output_references(tree, name)
            outputs = set(target.get("outputs") or {})
            assert used <= outputs, f"{name}: no such outputs {used - outputs}"
            checked += 1
    assert checked >= 6  # storage, db, monitoring, api, rbac, alerts


def test_flex_consumption_shape() -> None:
    site = bicep(API)["resources"]["api"]["config"]
    assert bicep(API)["resources"]["plan"]["config"]["sku"] == {
        "name": "FC1",
        "tier": "FlexConsumption",
    }
    config = site["properties"]["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    assert bicep(API)["parameters"]["instanceMemoryMB"]["default"] == 2048
    assert config["scaleAndConcurrency"]["alwaysReady"] == [{"name": "durable", "instanceCount": 1}]
    assert site["identity"]["type"] == "UserAssigned"
    assert config["deployment"]["storage"]["authentication"]["type"] == "UserAssignedIdentity"


def test_data_services_are_keyless_and_created() -> None:
    storage = bicep(INFRA / "app" / "storage.bicep")["resources"]
    assert storage["stg"]["config"]["properties"]["allowSharedKeyAccess"] is False
    cosmos = bicep(INFRA / "app" / "db.bicep")["resources"]
    account = cosmos["account"]["config"]["properties"]
    assert account["disableLocalAuth"] is True
    assert {"name": "EnableServerless"} in account["capabilities"]
    container = cosmos["container"]["config"]["properties"]["resource"]
    assert container["partitionKey"]["paths"] == ["/id"]  # records.py's point operations
    minus_one = {"operator": {"type": "minus", "operands": {"integer_value": 1}}}
    assert container["defaultTtl"] == minus_one  # TTL on, expiry per item
    rbac = bicep(INFRA / "app" / "rbac.bicep")
    assert "cosmosAppRoleAssignment" in rbac["resources"]
    roles = set(rbac["variables"]["storageRoles"]["value"])
    assert {
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",  # Blob Data Owner
        "974c5e8b-45b9-4653-ba55-5f855dd0fb88",  # Queue Data Contributor
        "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",  # Table Data Contributor
    } == roles


# -- app settings: Bicep against the code ------------------------------------------------------
def test_bicep_sets_every_setting_the_code_reads_and_nothing_else() -> None:
    read = settings_read_by_code()
    assert {"GAIT_COSMOS_ENDPOINT", "GAIT_HTTP_AUTH_LEVEL"} <= read  # the scan finds them
    deployed = set(bicep_app_settings())
    missing = read - deployed - set(LOCAL_ONLY_SETTINGS)
    assert not missing, f"the code reads these; the Bicep does not set them: {missing}"
    unexplained = deployed - read - set(PLATFORM_SETTINGS)
    assert not unexplained, f"the Bicep sets these; nothing reads them: {unexplained}"
    leaked = deployed & set(LOCAL_ONLY_SETTINGS)
    assert not leaked, f"keys or local fallbacks deployed to Azure: {leaked}"


def test_sign_in_closes_everything_but_the_anonymous_routes() -> None:
    anonymous = {
        "/api/" + fn.get_trigger().route
        for fn in index_with_keys_required().values()
        if fn.get_trigger().type == "httpTrigger"
        and str(fn.get_trigger().auth_level).lower().endswith("anonymous")
    }
    excluded = set(bicep(API)["variables"]["anonymousPaths"]["value"])
    assert anonymous == excluded
    auth_resource = bicep(API)["resources"]["auth"]["config"]  # conditional: under "config"
    auth = auth_resource["config"]["properties"]
    assert auth["globalValidation"]["excludedPaths"] == "anonymousPaths"
    assert auth["globalValidation"]["requireAuthentication"] is True
    assert auth["globalValidation"]["unauthenticatedClientAction"] == "Return401"
    # Without sign-in configured the app must not fall open: keys stay on.
    level = bicep(MAIN)["modules"]["api"]["config"]["params"]["appSettings"]
    operands = level["GAIT_HTTP_AUTH_LEVEL"]["operator"]["operands"]
    assert operands["condition"]["function"]["parameters"]["item_to_test"] == "authClientId"
    assert (operands["true_value"], operands["false_value"]) == ("function", "anonymous")


def test_alert_queries_match_log_lines_the_code_writes() -> None:
    alerts = bicep(INFRA / "app" / "alerts.bicep")["variables"]["rules"]["value"]
    literals = {
        node.value
        for path in (ROOT / "gait" / "service").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    fragments = [
        fragment
        for rule in alerts
        for fragment in re.findall(r'message has "\] ([^"]+)"', rule["query"])
    ]
    assert len(fragments) >= 3
    for fragment in fragments:
        assert any(text.startswith(fragment) for text in literals), fragment


# -- the other files that must agree -----------------------------------------------------------
def test_sample_settings_agree_with_the_bicep() -> None:
    sample = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    deployed = bicep_app_settings()
    unknown = set(sample) - set(deployed) - set(LOCAL_ONLY_SETTINGS) - SAMPLE_ONLY_SETTINGS
    assert not unknown, f"in the sample, neither deployed nor local-only: {unknown}"
    app_settings = {n for n in deployed if n.startswith("GAIT_")}
    assert app_settings <= set(sample), app_settings - set(sample)
    # Where the Bicep gives a fixed value or a parameter's default, the sample's local
    # default is the same (pycep gives literals and names alike as strings: resolve names).
    main = bicep(MAIN)
    compared = 0
    for name, value in deployed.items():
        if name not in sample or not isinstance(value, str) or name in LOCAL_DIFFERS:
            continue  # an expression (an endpoint, a conditional), or different on purpose
        if value in main["parameters"]:
            value = main["parameters"][value].get("default")
        elif value in main["variables"]:
            value = main["variables"][value]["value"]
        assert sample[name] == value, name
        compared += 1
    assert compared >= 8


def test_deploy_docs_name_every_deployed_setting_and_no_stale_one() -> None:
    docs = (ROOT / "docs" / "deploy.md").read_text()
    mentioned = set(re.findall(r"\bGAIT_[A-Z0-9_]+\b", docs))
    deployed = {n for n in bicep_app_settings() if n.startswith("GAIT_")}
    assert deployed <= mentioned, deployed - mentioned
    known = deployed | settings_read_by_code()
    # docs may name the azd environment variables that feed the Bicep parameters
    azd_env = set(re.findall(r"\$\{(GAIT_[A-Z_]+)", (INFRA / "main.parameters.json").read_text()))
    assert mentioned <= known | azd_env, mentioned - known - azd_env


def test_azd_parameters_file_matches_main() -> None:
    parameters = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    declared = bicep(MAIN)["parameters"]
    assert set(parameters) <= set(declared)
    required = {p for p, spec in declared.items() if "default" not in spec}
    assert required <= set(parameters)


def test_azure_yaml_deploys_this_folder_as_a_python_function_app() -> None:
    spec = yaml.safe_load((ROOT / "azure.yaml").read_text())
    assert spec["services"]["api"] == {"project": ".", "language": "python", "host": "function"}


def test_package_holds_the_app_and_the_person_model_and_nothing_else(tmp_path: Path) -> None:
    """infra/package.py applies .funcignore to a tree laid out like this repository."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("package", INFRA / "package.py")
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    (tmp_path / ".funcignore").write_text((ROOT / ".funcignore").read_text())
    shipped = [
        "function_app.py",
        "host.json",
        "requirements.txt",
        "gait/service/uploads.py",
        "gait/service/openapi.json",
        "gait/person/models/pose_landmark_full.tflite",
        # The report's normative curves and their licence notice (gait/norms_data).
        "gait/norms_data/schwartz2008_free_sagittal.csv",
        "gait/norms_data/NOTICE",
    ]
    left_out = [
        "tests/service/test_end_to_end.py",
        "scripts/fetch_models.py",
        "benchmarks/memory.py",
        "node_modules/azurite/index.js",
        ".venv/bin/python",
        "out/gait-api.zip",
        "docs/deploy.md",
        "infra/main.bicep",
        "gait/service/__pycache__/uploads.cpython-311.pyc",
        ".pytest_cache/v/cache",
        ".git/HEAD",
        "local.settings.json",
        "azure.yaml",
    ]
    for name in shipped + left_out:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    size_bytes, names = package.build(tmp_path / "out" / "gait-api.zip", tmp_path)
    assert sorted(names) == sorted(shipped)
    assert size_bytes > 0


def test_host_json_durable_settings_for_flex() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    provider = host["extensions"]["durableTask"]["storageProvider"]
    hours, minutes, seconds = (int(x) for x in provider["maxQueuePollingInterval"].split(":"))
    assert hours == 0 and minutes == 0 and 1 <= seconds <= 10  # default is 30 s
    assert "type" not in provider  # Azure Storage is the default; the schema's enum is stale
    excluded = host["logging"]["applicationInsights"]["samplingSettings"]["excludedTypes"]
    assert "Trace" in excluded.split(";")  # "[analysis <id>]" lines are never sampled away
