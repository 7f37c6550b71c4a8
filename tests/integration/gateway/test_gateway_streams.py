"""A job's progress through the gateway: SSE (with a reconnect from Last-Event-ID) and the
WebSocket contract (plan, step, chunk, done)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from runtime.job.client import Client

pytestmark = pytest.mark.integration

SLOW_PLAN = {
    "plan": {
        "calls": [
            {"id": "a", "name": "sleep", "arguments": {"ms": 400}},
            {"id": "b", "name": "sleep", "arguments": {"ms": 400}, "depends_on": ["a"]},
            {"id": "c", "name": "echo", "arguments": {"value": 7}, "depends_on": ["b"]},
        ]
    }
}
ANSWERED = {
    "query": "what is six times seven",
    "model": "fake-fast",
    "plan": {"calls": [{"id": "calc", "name": "calculator", "arguments": {"expression": "6*7"}}]},
}


def sse_events(response: httpx.Response) -> Iterator[dict]:
    """Parsed SSE frames (comments, the keepalive pings, skipped)."""
    frame: dict = {}
    for line in response.iter_lines():
        if not line:
            if "data" in frame:
                yield frame
            frame = {}
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(": ")
            frame[name] = value


def test_sse_streams_every_event_and_resumes_from_last_event_id(
    api: httpx.Client, client: Client
) -> None:
    job_id = api.post("/v1/jobs", json=SLOW_PLAN).json()["job_id"]
    first: list[dict] = []
    with api.stream("GET", f"/v1/jobs/{job_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for frame in sse_events(response):
            first.append(frame)
            if frame["event"] == "step_started":
                break  # drop the connection mid-job
    rest: list[dict] = []
    resume = {"Last-Event-ID": first[-1]["id"]}
    with api.stream("GET", f"/v1/jobs/{job_id}/events", headers=resume) as response:
        rest = list(sse_events(response))  # ends by itself after the terminal event
    seen = first + rest
    truth = list(client.job(job_id).events(follow=False))
    assert [f["id"] for f in seen] == [e.id for e in truth]  # nothing lost, nothing repeated
    assert [f["event"] for f in seen] == [e.type.value for e in truth]
    assert rest and rest[-1]["event"] == "done"
    assert json.loads(seen[0]["data"])["id"] == seen[0]["id"]

    # After the end, a reconnect from the last id gets nothing more and the stream closes.
    after = {"Last-Event-ID": rest[-1]["id"]}
    with api.stream("GET", f"/v1/jobs/{job_id}/events", headers=after) as response:
        assert list(sse_events(response)) == []
    bad = api.get(f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": "yesterday"})
    assert bad.status_code == 400 and "not an event id" in bad.json()["error"]["message"]


def ws_url(gateway: str, job_id: str) -> str:
    return gateway.replace("http://", "ws://") + f"/v1/jobs/{job_id}/stream"


def receive_all(ws) -> list[dict]:
    messages = []
    try:
        while True:
            messages.append(json.loads(ws.recv(timeout=30)))
    except ConnectionClosed:
        return messages


def test_websocket_sends_plan_steps_chunks_then_done(api: httpx.Client, gateway: str) -> None:
    job_id = api.post("/v1/jobs", json=ANSWERED).json()["job_id"]
    headers = {"Authorization": f"Bearer {api.key}"}  # type: ignore[attr-defined]
    with connect(ws_url(gateway, job_id), additional_headers=headers) as ws:
        messages = [m for m in receive_all(ws) if m["type"] != "ping"]
        assert ws.close_code == 1000
    kinds = [m["type"] for m in messages]
    assert kinds[0] == "plan" and messages[0]["layers"] == [["calc"]]
    assert kinds[-1] == "done" and kinds.count("done") == 1
    steps = [m for m in messages if m["type"] == "step" and m["id"] == "calc"]
    assert [s["state"] for s in steps] == ["running", "done"]
    assert steps[1]["duration_ms"] >= 0
    chunks = [m for m in messages if m["type"] == "chunk"]
    assert chunks and kinds.index("chunk") > kinds.index("step")
    done = messages[-1]
    assert done["status"] == "done" and done["result"]["job_id"] == job_id
    assert "".join(c["text"] for c in chunks) in done["result"]["answer"]
    ids = [m["event_id"] for m in messages]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))

    # Resume after the plan: the same messages minus the plan. A browser's subprotocol key.
    with connect(
        ws_url(gateway, job_id) + f"?after={messages[0]['event_id']}",
        subprotocols=[f"bearer.{api.key}"],  # type: ignore[attr-defined]
    ) as ws:
        again = [m for m in receive_all(ws) if m["type"] != "ping"]
    assert again == messages[1:]


def test_websocket_refuses_another_tenants_job(api: httpx.Client, gateway: str, make_key) -> None:
    job_id = api.post("/v1/jobs", json=SLOW_PLAN).json()["job_id"]
    headers = {"Authorization": f"Bearer {make_key('intruder')}"}
    with connect(ws_url(gateway, job_id), additional_headers=headers) as ws:
        messages = receive_all(ws)
        assert ws.close_code == 4404
    assert messages == [
        {
            "type": "error",
            "error": {
                "type": "JobNotFound",
                "message": f"job {job_id!r} does not exist or its record has expired.",
                "code": 404,
            },
        }
    ]


def test_many_streams_on_one_gateway_each_get_every_event_once(
    api: httpx.Client, gateway: str, client: Client
) -> None:
    """More streams than a Redis connection pool holds (100): the gateway's one reader
    serves them all, each its own events in order, none twice."""
    import asyncio

    from runtime.config import get_settings
    from runtime.job import events, store
    from runtime.schemas import EventType, JobSpec

    streams = 150
    spec = JobSpec(query="watched", tenant=api.tenant)  # type: ignore[attr-defined]
    job_ids = [f"many{i}{uuid.uuid4().hex[:8]}" for i in range(streams)]
    for job_id in job_ids:  # records only: nothing runs them, this test writes their events
        store.create(client.redis, job_id, spec, None, get_settings().job_ttl_s)

    async def watch(http: httpx.AsyncClient, job_id: str, opened: asyncio.Event) -> list[str]:
        got = []
        async with http.stream("GET", f"/v1/jobs/{job_id}/events") as response:
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    data = json.loads(line[6:])
                    got.append(data["type"] + ":" + json.dumps(data["data"]))
                    opened.set()
        return got

    async def main() -> list[list[str]]:
        limits = httpx.Limits(max_connections=streams + 10)
        headers = {"Authorization": f"Bearer {api.key}"}  # type: ignore[attr-defined]
        async with httpx.AsyncClient(
            base_url=gateway, headers=headers, limits=limits, timeout=120
        ) as http:
            opened = [asyncio.Event() for _ in job_ids]
            tasks = [
                asyncio.create_task(watch(http, j, o)) for j, o in zip(job_ids, opened, strict=True)
            ]
            await asyncio.wait_for(asyncio.gather(*(o.wait() for o in opened)), 120)
            for n in range(3):
                pipe = client.redis.pipeline(transaction=False)
                for job_id in job_ids:
                    events.emit(pipe, job_id, EventType.token, {"text": f"{job_id}/{n}"})
                pipe.execute()
                await asyncio.sleep(0.05)
            pipe = client.redis.pipeline(transaction=False)
            for job_id in job_ids:
                events.emit(pipe, job_id, EventType.cancelled, {})
            pipe.execute()
            return await asyncio.wait_for(asyncio.gather(*tasks), 120)

    received = asyncio.run(main())
    for job_id, got in zip(job_ids, received, strict=True):
        tokens = [f'token:{{"text": "{job_id}/{n}"}}' for n in range(3)]
        assert got == [got[0], *tokens, "cancelled:{}"], got
        assert got[0].startswith("submitted:")
