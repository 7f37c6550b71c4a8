"""The gateway under measurement: submit latency over HTTP against the Python client, many
concurrent SSE streams on one gateway process, and the first answer token in a browser.

1. Submit: the same one-call plan submitted by `Client.submit` and by `POST /v1/jobs` (one
   keep-alive HTTP connection), interleaved so both see the same load; p50/p95 of each.
2. Streams: `--streams` SSE connections to one gateway process, one per job. The jobs are
   records only (`store.create`, nothing runs them); this script writes their events with
   `events.emit`, as workers do, in `--rounds` rounds of one `token` event per job. Delivery
   latency = receipt by the client - the event's `ts` (written at emit), and the gateway's CPU
time per event delivered (which the machine's load does not inflate). Memory per stream =
   (the gateway's RSS with every stream open - its RSS before) / streams. The clients are raw
   asyncio sockets in this process (httpx would cost the shared 2 cores more).
3. Browser: headless chromium (Playwright) asks through the gateway with a fake model that
   streams; the first `token` event's latency from the model's callback to the page, and
   from the page's submit to that token. Skipped without chromium.

    .venv/bin/python ops/bench/gateway.py [--submits 200] [--streams 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from runtime.cli.bench import Stats, plot, write_report
from runtime.cli.stack import Stack
from runtime.config import get_settings, reset_settings
from runtime.gateway.auth import create_key
from runtime.job import events, store
from runtime.job.client import Client
from runtime.schemas import EventType, JobSpec

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "ops" / "bench" / "overload_models.toml"  # fake models that stream
PLAN = {"plan": {"calls": [{"id": "e", "name": "echo", "arguments": {"value": 1}}]}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gateway(port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "runtime.cli.main", "gateway", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the gateway did not start; see {log}")


def ms(stats: Stats) -> dict[str, float]:
    return {"p50_ms": stats.median * 1000, "p95_ms": stats.p95 * 1000,
            "mean_ms": stats.mean * 1000, "max_ms": stats.max * 1000, "n": stats.n}  # fmt: skip


def bench_submit(client: Client, url: str, key: str, n: int, warmup: int) -> dict[str, Stats]:
    python, http = [], []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as api:
        for i in range(warmup + n):
            t0 = time.perf_counter()
            client.submit({**PLAN, "tenant": "bench"})
            t1 = time.perf_counter()
            reply = api.post("/v1/jobs", json=PLAN)
            t2 = time.perf_counter()
            assert reply.status_code == 202, reply.text
            if i >= warmup:
                python.append(t1 - t0)
                http.append(t2 - t1)
    return {"python_client": Stats.from_samples(python), "http": Stats.from_samples(http)}


async def open_sse(port: int, key: str, job_id: str) -> tuple[asyncio.StreamReader, object]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(
        f"GET /v1/jobs/{job_id}/events HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {key}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    return reader, writer


async def read_events(reader: asyncio.StreamReader, got: list[tuple[float, dict]]) -> None:
    """Every `data:` line as (receipt time, event), until the terminal event."""
    while True:
        line = await reader.readline()
        if not line:
            return
        if line.startswith(b"data: "):
            event = json.loads(line[6:])
            got.append((time.time(), event))
            if event["type"] == "cancelled":
                return


async def bench_streams(
    client: Client, gw_pid: int, port: int, key: str, streams: int, rounds: int
) -> dict[str, object]:
    settings = get_settings()
    spec = JobSpec(query="watched", tenant="bench")
    job_ids = [f"bench{i}-{os.urandom(4).hex()}" for i in range(streams)]
    for job_id in job_ids:
        store.create(client.redis, job_id, spec, None, settings.job_ttl_s)
    gateway = psutil.Process(gw_pid)
    rss_before = gateway.memory_info().rss
    redis_clients_before = int(client.redis.info("clients")["connected_clients"])
    conns, received = [], [[] for _ in job_ids]  # type: ignore[var-annotated]
    opened_at = time.perf_counter()
    for start in range(0, streams, 100):  # open in batches: a listen backlog is finite
        batch = job_ids[start : start + 100]
        conns += await asyncio.gather(*(open_sse(port, key, j) for j in batch))
    open_s = time.perf_counter() - opened_at
    readers = [
        asyncio.create_task(read_events(reader, received[i]))
        for i, (reader, _w) in enumerate(conns)
    ]
    await asyncio.sleep(2.0)  # every `submitted` delivered; the process settles
    rss_open = gateway.memory_info().rss
    redis_clients_open = int(client.redis.info("clients")["connected_clients"])
    cpu_before = sum(gateway.cpu_times()[:2])
    for n in range(rounds):
        pipe = client.redis.pipeline(transaction=False)
        for job_id in job_ids:
            events.emit(pipe, job_id, EventType.token, {"text": f"r{n}"})
        pipe.execute()
        await asyncio.sleep(1.0)
    pipe = client.redis.pipeline(transaction=False)
    for job_id in job_ids:
        events.emit(pipe, job_id, EventType.cancelled, {})
    pipe.execute()
    await asyncio.wait_for(asyncio.gather(*readers), 120)
    cpu_s = sum(gateway.cpu_times()[:2]) - cpu_before
    for _reader, writer in conns:
        writer.close()  # type: ignore[attr-defined]
    latencies, complete = [], 0
    for got in received:
        tokens = [(t, e) for t, e in got if e["type"] == "token"]
        latencies += [t - e["ts"] for t, e in tokens]
        texts = [e["data"]["text"] for _t, e in tokens]
        complete += texts == [f"r{n}" for n in range(rounds)]
    delivery = Stats.from_samples(latencies)
    return {
        "streams": streams,
        "rounds": rounds,
        "streams_with_every_event_once": complete,
        "open_all_s": open_s,
        "gateway_rss_before_mb": rss_before / 2**20,
        "gateway_rss_open_mb": rss_open / 2**20,
        "memory_per_stream_kb": (rss_open - rss_before) / streams / 1024,
        "redis_clients_before": redis_clients_before,
        "redis_clients_open": redis_clients_open,
        "delivery": ms(delivery),
        # CPU the gateway spent per event delivered (user + system), whatever the load.
        "gateway_cpu_us_per_event": cpu_s / (streams * (rounds + 1)) * 1e6,
        "_stats": delivery,
    }


FIRST_TOKEN_JS = """async ([key, query]) => {
  const h = {"Authorization": "Bearer " + key, "Content-Type": "application/json"};
  const t0 = Date.now() / 1000;
  const job = await (await fetch("/v1/jobs", {method: "POST", headers: h,
    body: JSON.stringify({query: query, model: "ob-fast"})})).json();
  const reader = (await fetch(`/v1/jobs/${job.job_id}/events`, {headers: h})).body
    .pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return null;
    buffer += value;
    for (const line of buffer.split("\\n")) {
      if (!line.startsWith("data: ")) continue;
      try { var e = JSON.parse(line.slice(6)); } catch (err) { continue; }
      if (e.type === "token") {
        const now = Date.now() / 1000;
        reader.cancel();
        return {model_to_page: now - e.ts, submit_to_page: now - t0};
      }
    }
    buffer = buffer.slice(buffer.lastIndexOf("\\n") + 1);
  }
}"""


def bench_browser(url: str, key: str, n: int) -> dict[str, Stats] | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no chromium: browser first-token skipped", flush=True)
        return None
    from playwright.sync_api import sync_playwright

    model, e2e = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url + "/")
        for i in range(n + 2):
            got = page.evaluate(FIRST_TOKEN_JS, [key, f"say something about {os.urandom(6).hex()}"])
            if i >= 2:  # two warm-up questions
                model.append(got["model_to_page"])
                e2e.append(got["submit_to_page"])
        browser.close()
    return {"model_to_page": Stats.from_samples(model), "submit_to_page": Stats.from_samples(e2e)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--browser-questions", type=int, default=10)
    parser.add_argument("--parts", default="submit,sse,browser", help="which to run")
    parser.add_argument("--name", default="gateway", help="the report's file name")
    args = parser.parse_args()

    os.environ["CELERAGENT_MODELS_FILE"] = str(MODELS)
    data = Path(tempfile.mkdtemp())
    stack = Stack(data_dir=data, queues=("agent", "tools", "llm"), beat=False)
    url = stack.start(wait=True)
    os.environ["CELERAGENT_REDIS_URL"] = url
    reset_settings()
    client = Client(url)
    port = free_port()
    gateway = start_gateway(port, data / "gateway.log")
    base = f"http://127.0.0.1:{port}"
    results: dict[str, object] = {}
    series: dict[str, list[float]] = {}
    try:
        key = create_key(client.redis, "bench", 1_000_000)[1]
        parts = set(args.parts.split(","))
        if "submit" in parts:
            submit = bench_submit(client, base, key, args.submits, args.warmup)
            results["submit"] = {name: ms(s) for name, s in submit.items()}
            for name, s in submit.items():
                series[f"submit\n{name}"] = [x * 1000 for x in s.samples]
            print("submit", json.dumps(results["submit"]), flush=True)
            time.sleep(3)  # the submitted jobs finish
        if "sse" in parts:
            streams = asyncio.run(
                bench_streams(client, gateway.pid, port, key, args.streams, args.rounds)
            )
            delivery = streams.pop("_stats")
            results["sse"] = streams
            series[f"SSE delivery\n{args.streams} streams"] = [x * 1000 for x in delivery.samples]  # type: ignore[attr-defined]
            print("sse", json.dumps(streams), flush=True)
        browser = bench_browser(base, key, args.browser_questions) if "browser" in parts else None
        if browser is not None:
            results["browser_first_token"] = {k: ms(s) for k, s in browser.items()}
            series["first token\nmodel->page"] = [
                x * 1000 for x in browser["model_to_page"].samples
            ]
            print("browser", json.dumps(results["browser_first_token"]), flush=True)
    finally:
        gateway.terminate()
        gateway.wait(10)
        client.close()
        stack.stop()
    results["load_average_1_5_15"] = os.getloadavg()  # other users of the machine show here
    results["machine_note"] = (
        f"{os.cpu_count()} cores shared by Valkey, the workers, one gateway process and the "
        "clients of this script (and other users of the machine)"
    )
    print(write_report(args.name, results))
    print(plot(args.name, series, title="gateway: latencies (ms)", ylabel="ms"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
