"""verify for a deployed gcp stack, against a fake of Google's APIs whose requests and answers follow
the discovery documents (tests/google_fake.py), and the load balancer's front served by the same fake."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from infra.tool.cli import app
from infra.tool.ops.verify import verify
from infra.tool.ops.verify_gcp import Gcp, GcpError, probes
from tests.google_fake import FakeGoogle, google_server, problems

runner = CliRunner()
P, R = "nowry-prod-1", "us-central1"
SERVICE = f"/v2/projects/{P}/locations/{R}/services/backend-service-1a2b"
RULE = f"/compute/v1/projects/{P}/global/forwardingRules/edge-https-3c4d"
BACKEND = f"/compute/v1/projects/{P}/global/backendServices/edge-api-5e6f"


def ready_service(state: str = "CONDITION_SUCCEEDED", latest: str = "backend-00002-abc") -> dict:
    return {
        "name": f"projects/{P}/locations/{R}/services/backend-service-1a2b",
        "uri": "https://backend-service-1a2b-uc.a.run.app",
        "ingress": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
        "defaultUriDisabled": True,
        "generation": "2",
        "observedGeneration": "2",
        "reconciling": state != "CONDITION_SUCCEEDED",
        "latestCreatedRevision": latest,
        "latestReadyRevision": "backend-00002-abc",
        "terminalCondition": {"type": "Ready", "state": state, "lastTransitionTime": "2026-12-02T08:00:00Z"},
    }


def deployed(fake: FakeGoogle, url: str) -> dict:
    fake.put(SERVICE, ready_service())
    fake.put(RULE, {"name": "edge-https-3c4d", "IPAddress": "203.0.113.10", "IPProtocol": "TCP",
                    "portRange": "443-443", "loadBalancingScheme": "EXTERNAL_MANAGED",
                    "target": f"projects/{P}/global/targetHttpsProxies/edge-https-proxy"})  # fmt: skip
    fake.put(BACKEND, {"name": "edge-api-5e6f", "loadBalancingScheme": "EXTERNAL_MANAGED", "protocol": "HTTPS",
                       "securityPolicy": f"https://www.googleapis.com/compute/v1/projects/{P}/global/"
                                         "securityPolicies/armor-policy-7a8b"})  # fmt: skip
    fake.pages["/"] = (200, "<html>nowry</html>")
    fake.pages["/api/health"] = (200, '{"status": "ok"}')
    return {
        "gcpProject": P, "region": R, "serviceName": "backend-service-1a2b", "forwardingRule": "edge-https-3c4d",
        "backendService": "edge-api-5e6f", "loadBalancerIp": "203.0.113.10", "siteUrl": f"{url}/",
        "apiHealthUrl": f"{url}/api/health",
    }  # fmt: skip


def run(fake: FakeGoogle, url: str, outputs: dict, **kwargs):
    gcp = Gcp(fake.token, endpoint=url, sleep=lambda _: None)
    return verify(None, outputs, timeout=kwargs.pop("timeout", 0), checks=probes(gcp, outputs), **kwargs)


def test_a_healthy_stack_passes_every_check_with_read_only_authenticated_calls():
    fake = FakeGoogle()
    with google_server(fake) as url:
        results = run(fake, url, deployed(fake, url))
    assert [(r.name, r.ok) for r in results] == [
        ("Cloud Run service ready", True), ("load balancer forwarding rule", True), ("Cloud Armor on the API", True),
        ("site answers", True), ("API health answers", True),
    ]  # fmt: skip
    assert results[2].detail == "Cloud Armor armor-policy-7a8b"
    api_calls = [(path, auth) for path, auth in fake.requests if path.startswith(("/v2/", "/compute/"))]
    assert {path for path, _ in api_calls} == {SERVICE, RULE, BACKEND}
    assert {auth for _, auth in api_calls} == {"Bearer test-token"}


def test_a_revision_still_rolling_out_waits_then_passes():
    fake, ticks = FakeGoogle(), iter(range(100))
    with google_server(fake) as url:
        outputs = deployed(fake, url)
        fake.put(SERVICE, ready_service("CONDITION_RECONCILING", latest="backend-00003-def"))
        rounds: list[str] = []

        def progress(results):
            rounds.append(results[0].detail)
            fake.put(SERVICE, ready_service())  # the new revision becomes ready

        results = run(fake, url, outputs, timeout=10, interval=1, on_progress=progress,
                      clock=lambda: next(ticks), sleep=lambda _: None)  # fmt: skip
    assert rounds[0] == "CONDITION_RECONCILING, revision backend-00002-abc ready (backend-00003-def rolling out)"
    assert results[0].ok is True


def test_a_missing_service_and_a_refused_token_are_clear_failures_naming_the_platform():
    fake = FakeGoogle()
    with google_server(fake) as url:
        outputs = deployed(fake, url)
        del fake.objects[SERVICE]
        results = run(fake, url, outputs)
        assert results[0].ok is False
        assert results[0].detail == ("run.googleapis.com answered HTTP 404 for v2/projects/nowry-prod-1/locations/"
                                     "us-central1/services/backend-service-1a2b: NOT_FOUND: Resource "
                                     "'backend-service-1a2b' was not found")  # fmt: skip
        wrong = Gcp("stale", endpoint=url, sleep=lambda _: None)
        with pytest.raises(GcpError, match=r"compute.googleapis.com answered HTTP 401 .* UNAUTHENTICATED: .*check the"):
            wrong.get("https://compute.googleapis.com", RULE)


def test_an_unreachable_platform_is_an_error_naming_it_after_bounded_retries():
    slept: list[float] = []
    gcp = Gcp("t", endpoint="http://127.0.0.1:9", timeout=0.5, attempts=3, sleep=slept.append)
    with pytest.raises(GcpError, match=r"^cannot reach Google Cloud \(run.googleapis.com\)"):
        gcp.get("https://run.googleapis.com", SERVICE)
    assert slept == [1, 2]


def test_no_token_is_a_usage_error_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("GOOGLE_OAUTH_ACCESS_TOKEN", raising=False)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"gcpProject": P, "region": R, "serviceName": "s"}))
    result = runner.invoke(app, ["verify", "gcp", "--outputs", str(outputs)])
    assert result.exit_code == 2 and "GOOGLE_OAUTH_ACCESS_TOKEN" in result.stderr and "Traceback" not in result.output


def test_the_cli_verifies_a_gcp_stack_through_the_fake(monkeypatch, tmp_path):
    fake = FakeGoogle()
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", fake.token)
    with google_server(fake) as url:
        outputs = tmp_path / "outputs.json"
        outputs.write_text(json.dumps(deployed(fake, url)))
        result = runner.invoke(app, ["verify", "gcp", "--outputs", str(outputs), "--endpoint-url", url,
                                     "--timeout", "0"])  # fmt: skip
    assert result.exit_code == 0, result.output


def test_the_fake_refuses_an_answer_google_would_not_give():
    fake = FakeGoogle()
    with pytest.raises(AssertionError):
        fake.put(SERVICE, {**ready_service(), "terminalCondition": {"type": "Ready", "state": "READY"}})
    with pytest.raises(AssertionError):
        fake.put(RULE, {"ipAddress": "203.0.113.10"})  # the API's field is IPAddress
    from tests.google_fake import document

    assert problems({"generation": 2}, {"type": "object", **document("run")["schemas"]["GoogleCloudRunV2Service"]},
                    document("run")) == ["$.generation: not an int64 string"]  # fmt: skip
