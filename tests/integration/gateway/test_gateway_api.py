"""The gateway's job API against the real stack: submit, read, list, cancel, approve; keys,
tenants, the rate limit, and refusals (each with the Python client's own sentence)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import httpx
import pytest

from runtime.conversation import store
from runtime.errors import JobNotFound, SpecError
from runtime.job.client import Client

pytestmark = pytest.mark.integration


def echo_plan(value: object) -> dict:
    return {"plan": {"calls": [{"id": "e", "name": "echo", "arguments": {"value": value}}]}}


def wait_done(api: httpx.Client, job_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = api.get(f"/v1/jobs/{job_id}").json()
        if view["result"] is not None:
            return view
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_submit_then_read_the_result(api: httpx.Client) -> None:
    reply = api.post("/v1/jobs", json=echo_plan(41))
    assert reply.status_code == 202, reply.text
    job_id = reply.json()["job_id"]
    assert reply.headers["location"] == f"/v1/jobs/{job_id}"
    view = wait_done(api, job_id)
    assert view["status"] == "done"
    assert '"value": 41' in view["result"]["answer"]


def test_the_key_decides_the_tenant(api: httpx.Client, client: Client, redis_url: str) -> None:
    job_id = api.post("/v1/jobs", json=echo_plan(1)).json()["job_id"]
    assert client.redis.hget(f"ca:job:{job_id}", "tenant") == api.tenant  # type: ignore[attr-defined]
    refused = api.post("/v1/jobs", json={**echo_plan(1), "tenant": "someone-else"})
    assert refused.status_code == 400
    assert "leave `tenant` out" in refused.json()["error"]["message"]


def test_two_tenants_are_isolated(api: httpx.Client, gateway: str, make_key) -> None:
    job_id = api.post("/v1/jobs", json=echo_plan(2)).json()["job_id"]
    wait_done(api, job_id)
    other = httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {make_key('other')}"})
    never = uuid.uuid4().hex
    with other:
        for path in (f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/events"):
            reply = other.get(path)
            assert reply.status_code == 404, path
        assert other.post(f"/v1/jobs/{job_id}/cancel").status_code == 404
        assert other.post(f"/v1/jobs/{job_id}/approvals/e").status_code == 404
        assert job_id not in [j["job_id"] for j in other.get("/v1/jobs").json()["jobs"]]
        # Another tenant's job reads exactly like one that never existed.
        theirs, missing = other.get(f"/v1/jobs/{job_id}"), other.get(f"/v1/jobs/{never}")
        assert theirs.json()["error"]["message"].replace(job_id, "X") == missing.json()["error"][
            "message"
        ].replace(never, "X")
    with pytest.raises(JobNotFound) as raised:
        Client().job(never)
    assert missing.json()["error"]["message"] == str(raised.value)


def test_a_conversation_through_the_job_endpoint(
    api: httpx.Client, client: Client, gateway: str, make_key
) -> None:
    cid = f"conv-{uuid.uuid4().hex[:6]}"
    tenant = api.tenant  # type: ignore[attr-defined]
    views = []
    for turn, q in enumerate(("My name is Ada.", "What is my name?")):
        body = {"query": q, "model": "fake-fast", "conversation_id": cid}
        views.append(wait_done(api, api.post("/v1/jobs", json=body).json()["job_id"]))
        assert views[-1]["status"] == "done"
        deadline = time.monotonic() + 10  # the round is appended just after the result
        while store.load(client.redis, tenant, cid).total <= turn:
            assert time.monotonic() < deadline, "the round was not appended"
            time.sleep(0.1)
    # The conversation is the key's tenant's: its second turn saw the first, and the fact.
    answer = next(s for s in views[1]["result"]["steps"] if s["kind"] == "answer")
    assert answer["output"]["conversation"]["rounds"] == 1
    assert answer["output"]["conversation"]["facts"] == 1
    history = store.load(client.redis, tenant, cid)
    assert [x.question for x in history.rounds] == ["My name is Ada.", "What is my name?"]
    # Another tenant naming the same id starts its own conversation.
    other = httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {make_key('o2')}"})
    with other:
        body = {"query": "What is my name?", "model": "fake-fast", "conversation_id": cid}
        view = wait_done(other, other.post("/v1/jobs", json=body).json()["job_id"])
    answer = next(s for s in view["result"]["steps"] if s["kind"] == "answer")
    assert "conversation" not in answer["output"]


def test_list_is_the_callers_newest_first_by_status_and_paginated(api: httpx.Client) -> None:
    ids = [api.post("/v1/jobs", json=echo_plan(i)).json()["job_id"] for i in range(5)]
    sleeper = {"plan": {"calls": [{"id": "s", "name": "sleep", "arguments": {"ms": 5000}}]}}
    bad = api.post("/v1/jobs", json=sleeper)
    api.post(f"/v1/jobs/{bad.json()['job_id']}/cancel")
    for job_id in ids:
        wait_done(api, job_id)
    wait_done(api, bad.json()["job_id"])
    first = api.get("/v1/jobs", params={"limit": 2}).json()
    assert [j["job_id"] for j in first["jobs"]] == [bad.json()["job_id"], ids[4]]
    second = api.get("/v1/jobs", params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [j["job_id"] for j in second["jobs"]] == [ids[3], ids[2], ids[1]]
    done = api.get("/v1/jobs", params={"status": "done", "limit": 100}).json()
    assert [j["job_id"] for j in done["jobs"]] == ids[::-1] and done["next_cursor"] is None
    cancelled = api.get("/v1/jobs", params={"status": "cancelled,failed"}).json()
    assert [j["job_id"] for j in cancelled["jobs"]] == [bad.json()["job_id"]]
    unknown = api.get("/v1/jobs", params={"status": "finished"})
    assert unknown.status_code == 400 and "unknown status" in unknown.json()["error"]["message"]


def test_idempotency_key_header_returns_the_same_job(api: httpx.Client) -> None:
    key = uuid.uuid4().hex
    first = api.post("/v1/jobs", json=echo_plan(3), headers={"Idempotency-Key": key})
    again = api.post("/v1/jobs", json=echo_plan(3), headers={"Idempotency-Key": key})
    assert first.json()["job_id"] == again.json()["job_id"]


def test_cancel_and_approve(api: httpx.Client) -> None:
    sleeper = {"plan": {"calls": [
        {"id": "s", "name": "sleep", "arguments": {"ms": 3000}},
        {"id": "t", "name": "echo", "arguments": {"value": 1}, "depends_on": ["s"]},
    ]}}  # fmt: skip
    job_id = api.post("/v1/jobs", json=sleeper).json()["job_id"]
    cancelled = api.post(f"/v1/jobs/{job_id}/cancel")
    # Seen once in CI (session 19): "cancelled" False right after the submit, the job already
    # ended. The reply's view (status, error) says how, should it happen again.
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is True, cancelled.json()
    assert wait_done(api, job_id)["status"] == "cancelled"

    channel = f"g{uuid.uuid4().hex[:8]}"
    plan = {"plan": {"calls": [{"id": "send", "name": "notify",
                                "arguments": {"channel": channel, "message": "hi"}}]}}  # fmt: skip
    job_id = api.post("/v1/jobs", json=plan).json()["job_id"]
    deadline = time.monotonic() + 20
    while True:
        reply = api.post(f"/v1/jobs/{job_id}/approvals/send")
        if reply.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)  # the step has not asked for approval yet: 400, try again
    assert reply.status_code == 200, reply.text
    view = wait_done(api, job_id)
    assert view["status"] == "done" and not view["result"]["steps"][0]["error"]
    again = api.post(f"/v1/jobs/{job_id}/approvals/send")
    assert (
        again.status_code == 400 and "not waiting for approval" in again.json()["error"]["message"]
    )


def test_missing_unknown_and_revoked_keys_are_refused(
    gateway: str, make_key, redis_url: str
) -> None:
    assert httpx.get(f"{gateway}/v1/jobs").status_code == 401
    bad = httpx.get(f"{gateway}/v1/jobs", headers={"Authorization": "Bearer ca_0000_nope"})
    assert bad.status_code == 401 and bad.json()["error"]["type"] == "AuthError"
    created = subprocess.run(
        [sys.executable, "-m", "runtime.cli.main", "keys", "create", "--tenant", "rev",
         "--redis-url", redis_url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    key = created.stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.get(f"{gateway}/v1/jobs", headers=headers).status_code == 200
    key_id = key.split("_")[1]
    listed = subprocess.run(
        [sys.executable, "-m", "runtime.cli.main", "keys", "list", "--json",
         "--redis-url", redis_url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert key_id in listed and key not in listed and key.split("_", 2)[2] not in listed
    subprocess.run(
        [sys.executable, "-m", "runtime.cli.main", "keys", "revoke", key_id,
         "--redis-url", redis_url],
        check=True, capture_output=True,
    )  # fmt: skip
    refused = httpx.get(f"{gateway}/v1/jobs", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]


def test_rate_limit_is_shared_by_gateway_processes(gateway: str, make_key, tmp_path) -> None:
    """Two gateway processes, one key of 4 requests a minute: the 5th request, whichever
    process answers it, is refused (429 with Retry-After)."""
    from tests.support.gateway import start_gateway

    rate = 4
    headers = {"Authorization": f"Bearer {make_key('limited', rate_per_min=rate)}"}
    with start_gateway(tmp_path / "second.log") as second:
        for _attempt in range(2):  # a minute may turn during the burst: then once more
            minute = time.time() // 60
            codes = [
                httpx.get(f"{(gateway, second)[i % 2]}/v1/jobs", headers=headers)
                for i in range(rate + 2)
            ]
            if time.time() // 60 == minute:
                break
    assert [c.status_code for c in codes] == [200] * rate + [429, 429]
    refused = codes[rate]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"]["type"] == "RateLimited"
    assert f"more than {rate} requests this minute" in refused.json()["error"]["message"]


def test_bad_requests_carry_the_clients_sentence(api: httpx.Client, gateway: str) -> None:
    malformed = api.post(
        "/v1/jobs", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400 and "not valid JSON" in malformed.json()["error"]["message"]
    spec = {"query": "", "plan": None}
    bad = api.post("/v1/jobs", json=spec)
    with pytest.raises(SpecError) as raised:
        Client().submit(spec)
    assert bad.status_code == 400
    assert bad.json()["error"] == {"type": "SpecError", "message": str(raised.value), "code": 400}
    unknown_tool = {"plan": {"calls": [{"id": "x", "name": "nope", "arguments": {}}]}}
    with pytest.raises(SpecError) as raised:
        Client().submit(unknown_tool)
    reply = api.post("/v1/jobs", json=unknown_tool)
    assert reply.json()["error"]["message"] == str(raised.value)
    assert reply.json()["error"]["type"] == type(raised.value).__name__


def test_oversized_body_and_query_are_refused(api: httpx.Client) -> None:
    big = {"query": "x" * 2_000_000}
    assert api.post("/v1/jobs", json=big).status_code == 413

    def chunks():
        for _ in range(40):
            yield b"x" * 65_536

    streamed = api.post("/v1/jobs", content=chunks())  # no Content-Length: counted on arrival
    assert streamed.status_code == 413
    assert "larger than" in streamed.json()["error"]["message"]
    assert api.get("/v1/jobs", params={"status": "d" * 5000}).status_code == 414


def test_health_and_metrics(gateway: str, api: httpx.Client) -> None:
    assert httpx.get(f"{gateway}/healthz").json() == {"ok": True}
    api.get("/v1/jobs")
    text = httpx.get(f"{gateway}/metrics").text
    assert 'celeragent_gateway_requests_total{method="GET",route="/v1/jobs",status="200"}' in text
    assert "celeragent_gateway_open_streams" in text
