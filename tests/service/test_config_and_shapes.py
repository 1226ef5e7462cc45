"""Settings, host.json and the legacy metric conversion (pure functions, no emulators)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gait.service import legacy, settings
from gait.service.errors import ServiceError
from gait.service.validation import check_signature, find_file_part, parse_params

ROOT = Path(__file__).resolve().parents[2]
#: The frontend's contract, beside the repository (shared docs, not in the repo).
LEGACY_DOC = ROOT.parent / "shared" / "docs" / "legacy-api.md"


def test_sample_settings_list_every_setting_the_code_reads() -> None:
    source = "".join(p.read_text() for p in (ROOT / "gait" / "service").glob("*.py"))
    read = set(re.findall(r'_env(?:_float|_bool|_height)?\(\s*"([A-Za-z_]+)"', source))
    assert {"GAIT_REQUIRE_PLATFORM_AUTH", "GAIT_ASSUMED_HEIGHT_M"} <= read  # the regex sees them
    sample = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    # Managed-identity alternatives for the task hub are documented, not set locally.
    optional = {"AzureWebJobsStorage__accountName", "AzureWebJobsStorage__blobServiceUri"}
    assert read - optional <= set(sample), read - set(sample)


def test_sample_settings_defaults_load(monkeypatch: pytest.MonkeyPatch) -> None:
    sample = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    for name, value in sample.items():
        monkeypatch.setenv(name, value)
    loaded = settings.load()
    assert loaded.jobs_storage == settings.AZURITE_CONNECTION  # UseDevelopmentStorage=true
    assert loaded.cosmos_key == settings.COSMOS_EMULATOR_KEY
    assert loaded.max_upload_bytes == 50 * 2**20
    assert settings.http_auth_level() == "anonymous"  # the browser sends no function key
    # Local development is anonymous, and says so explicitly; nothing is assumed.
    assert loaded.require_platform_auth is False
    assert loaded.assumed_height_m is None


def test_platform_auth_is_required_unless_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GAIT_REQUIRE_PLATFORM_AUTH", raising=False)
    assert settings.load().require_platform_auth is True
    monkeypatch.setenv("GAIT_REQUIRE_PLATFORM_AUTH", "maybe")  # unreadable: stays on
    assert settings.load().require_platform_auth is True
    monkeypatch.setenv("GAIT_REQUIRE_PLATFORM_AUTH", "false")
    assert settings.load().require_platform_auth is False


@pytest.mark.parametrize(
    ("raw", "expected"), [("1.70", 1.7), ("", None), ("3.5", None), ("nan", None), ("abc", None)]
)
def test_assumed_height_is_opt_in_and_in_range(raw, expected, monkeypatch) -> None:
    monkeypatch.setenv("GAIT_ASSUMED_HEIGHT_M", raw)
    assert settings.load().assumed_height_m == expected


def test_upload_limit_cannot_exceed_the_host_body_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAIT_MAX_UPLOAD_MB", "500")
    assert settings.load().max_upload_mb == settings.HOST_BODY_LIMIT_MB


def test_host_json_serves_every_legacy_route_under_its_documented_path() -> None:
    """legacy-api.md lists the frontend's routes under /api; host.json's route prefix plus
    each function's route and method must serve every one of them, and the task hub's name
    must be one Azure Storage accepts (letters and digits, 3-45, a letter first)."""
    import function_app
    from tests.service.harness import functions_by_name

    host = json.loads((ROOT / "host.json").read_text())
    prefix = host["extensions"]["http"]["routePrefix"]
    hub = host["extensions"]["durableTask"]["hubName"]
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]{2,44}", hub), hub
    if not LEGACY_DOC.exists():
        pytest.skip(f"{LEGACY_DOC} is absent (shared docs)")
    doc = LEGACY_DOC.read_text()
    documented = set(re.findall(r"^\| `(GET|POST|DELETE) (/v1/[^`?]+)", doc, re.MULTILINE))
    assert len(documented) >= 5
    served = set()
    for fn in functions_by_name(function_app.app).values():
        trigger = fn.get_trigger()
        if trigger.type != "httpTrigger":
            continue
        route = re.sub(r"\{(\w+):guid\}", r"{\1}", trigger.route)
        for method in trigger.methods:
            served.add((getattr(method, "value", method), f"/{route}"))
    assert documented <= served, documented - served
    assert prefix == "api"  # the doc's paths are "under /api"


def test_legacy_metrics_are_converted_not_invented() -> None:
    si = {
        "cadence_spm": 110.0,
        "step_length_m": 0.65,
        "stride_length_m": 1.3,
        "speed_mps": 1.19,
        "step_time_s": 0.545,
        "stance_time_s": 0.6,
        "swing_time_s": 0.45,
        "double_support_time_s": 0.12,
        "step_time_asymmetry_pct": 4.0,
        "step_length_asymmetry_pct": None,
        "step_length_cv_pct": 3.5,
        "step_time_cv_pct": None,
    }
    out = legacy.legacy_metrics(si)
    assert out["cadence"] == 110.0
    assert out["step_length"] == 650.0 and out["stride_length"] == 1300.0
    assert out["walking_speed"] == 1190.0
    assert out["step_time_symmetry"] == pytest.approx(0.96)
    # Not measured: absent, never null (the report page calls .toFixed on what is defined).
    assert "step_length_symmetry" not in out and "step_time_cv" not in out
    assert out["fall_risk_assessment"]["risk_level"] == "low"
    assert "Studenski" in out["fall_risk_assessment"]["source"]


def test_lengths_from_a_belt_speed_are_not_called_an_assumed_height() -> None:
    # The deployment's assumed height is in the record, but the treadmill's given belt speed
    # set the metres (the result's quality.scale): the view must not tell the user to give a
    # height, and says what the lengths rest on.
    record = {
        "id": "a1", "status": "completed", "height": {"height_m": 1.7, "basis": "assumed"}
    }  # fmt: skip
    si = {"step_length_m": 0.6, "speed_mps": 1.1}
    on_height = legacy.analysis_view(record, video_url=None, result={"metrics": si})
    assert on_height["metrics"]["spatial_basis"] == "assumed height 1.70 m"
    assert any("assume a walker 1.70 m tall" in i for i in on_height["video_quality_issues"])
    scale = {"height_m": 1.92, "from": "treadmill_speed", "treadmill_speed_mps": 1.1}
    result = {"metrics": si, "quality": {"scale": scale}}
    on_belt = legacy.analysis_view(record, video_url=None, result=result)
    assert on_belt["metrics"]["spatial_basis"] == "treadmill belt speed 1.1 m/s"
    assert not any("assume a walker" in i for i in on_belt["video_quality_issues"])
    assert on_belt["metrics"]["fall_risk_assessment"]["basis"] == "gait speed"


@pytest.mark.parametrize(
    ("speed", "risk", "mobility"),
    [
        (0.5, "high", "limited"),
        (0.79, "high", "limited"),
        (0.8, "moderate", "reduced"),
        (0.99, "moderate", "reduced"),
        (1.0, "low", "normal"),
        (None, None, None),
    ],
)
def test_risk_levels_from_gait_speed_only(speed, risk, mobility) -> None:
    out = legacy.legacy_metrics({"speed_mps": speed})
    assert out["fall_risk_assessment"].get("risk_level") == risk
    assert out["functional_mobility"].get("mobility_level") == mobility
    assert "cadence" not in out  # absent SI value → absent key, never a default
    assert None not in out.values()


def test_reference_length_is_accepted_but_gives_no_scale() -> None:
    params = parse_params({"reference_length_mm": "1000", "view_type": "front"})
    assert params.reference_length_mm == 1000.0 and params.height_m is None
    with pytest.raises(Exception, match="reference_length_mm"):
        parse_params({"reference_length_mm": "20000"})


def test_signature_check_answers_415_for_what_is_not_a_video() -> None:
    assert check_signature(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 8) == ".mp4"
    assert check_signature(b"RIFF\x00\x00\x00\x00AVI LIST") == ".avi"
    with pytest.raises(ServiceError) as refused:
        check_signature(b"GIF89a" + b"\x00" * 10)
    assert refused.value.status == 415


def test_multipart_part_is_located_by_offsets() -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="../x.mp4"\r\n'
        b"Content-Type: video/mp4\r\n\r\nDATA\r\n--b\r\nmore\r\n--b--\r\n"
    )
    part = find_file_part(body, "multipart/form-data; boundary=b")
    assert body[part.start : part.stop] == b"DATA"
    assert part.filename == "x.mp4"
