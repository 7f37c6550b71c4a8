"""Flower in a real browser (headless Chromium driven by Playwright) on a private stack:
refused without credentials, the four queues' workers listed, a finished job's tasks named by
what they ran (`tools.run[calculator]`), and no monitor tick in the list to bury them.

CELERAGENT_SCREENSHOT_DIR=docs writes docs/flower-tasks.png (the README shows it)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.broker.queues import QUEUES
from tests.conftest import STACK_ENV

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
USER, PASSWORD = "ops", "i12-flower-browser"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, auth: bool = True) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def wait_for(check: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (OSError, ValueError):
            last = None
        if last:
            return last
        time.sleep(1)
    raise AssertionError(f"{what} within {timeout_s:g} s (last: {last!r})")


@pytest.fixture(scope="module")
def flower_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str]]:
    from runtime.cli.stack import Stack

    data_dir = Path(tmp_path_factory.mktemp("flower-stack"))
    env = {**STACK_ENV, "CELERAGENT_FLOWER_BASIC_AUTH": f"{USER}:{PASSWORD}"}
    port = _free_port()
    stack = Stack(data_dir=data_dir, extra_env=env, flower_port=port)
    try:
        stack.start(wait=True, timeout_s=120)
        yield stack, f"http://127.0.0.1:{port}"
    finally:
        stack.stop()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (ops/test installs it)")
def test_flower_in_a_browser(flower_stack: tuple[object, str]) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from runtime.broker.app import create_app
    from runtime.job.client import Client

    stack, base = flower_stack
    wait_for(lambda: get(f"{base}/healthcheck")[0] == 200, 60, "Flower answers")
    assert get(f"{base}/", auth=False)[0] == 401
    assert get(f"{base}/api/workers", auth=False)[0] == 401

    def workers() -> set[str]:
        status, body = get(f"{base}/api/workers?refresh=1")
        return set(json.loads(body)) if status == 200 else set()

    names = wait_for(lambda: len(workers()) >= len(QUEUES) and workers(), 60, "four workers")
    assert {n.split("@")[0] for n in names} == set(QUEUES)

    def task_names() -> list[str]:
        status, body = get(f"{base}/api/tasks")
        return [t["name"] for t in json.loads(body).values()] if status == 200 else []

    calls = [
        {"id": "sum", "name": "calculator", "arguments": {"expression": "19 * 3"}},
        {"id": "say", "name": "echo", "arguments": {"value": "hello"}},
    ]
    control = create_app(stack.redis_url, include_tasks=False)  # type: ignore[attr-defined]
    with Client(stack.redis_url) as client:  # type: ignore[attr-defined]
        # Flower turns the workers' task events on every few seconds; a job sent before the
        # first of these reaches the workers goes unseen. Ask once more, as Flower does, and
        # submit until a job is listed.
        def seen() -> list[str]:
            control.control.enable_events()
            result = client.submit({"plan": {"calls": calls}}).result(timeout=30)
            assert result.status.value == "done", result
            time.sleep(2)
            listed = task_names()
            return listed if "tools.run[calculator]" in listed else []

        listed = wait_for(seen, 90, "the job's tasks in Flower")
        # A question planned and answered by a model: its steps carry the profile's name.
        asked = client.submit({"query": "Compute 6 * 7 please", "model": "fake-fast"})
        assert asked.result(timeout=30).status.value == "done"
    listed = wait_for(
        lambda: "llm.synthesize[fake-fast]" in task_names() and task_names(), 20, "model steps"
    )
    # The two-call layer joins itself (its last member advances the job): no join task.
    assert "tools.run[echo]" in listed and not any("join" in name for name in listed), listed
    assert "llm.plan[fake-fast]" in listed
    control.close()
    # CELERAGENT_MONITOR_INTERVAL_S=1 here: dozens of ticks ran, none is listed.
    assert not any("monitor" in name for name in listed), listed

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            # Without credentials headless Chromium gets the 401 challenge and shows nothing.
            with pytest.raises(PlaywrightError, match="ERR_INVALID_AUTH_CREDENTIALS"):
                browser.new_page().goto(f"{base}/")
            context = browser.new_context(
                http_credentials={"username": USER, "password": PASSWORD},
                viewport={"width": 1400, "height": 800},
            )
            page = context.new_page()
            page.goto(f"{base}/workers")
            for name in names:
                page.get_by_text(name).first.wait_for(timeout=30_000)
            page.goto(f"{base}/tasks")
            page.get_by_text("tools.run[calculator]").first.wait_for(timeout=30_000)
            body = page.inner_text("body")
            assert "tools.run[echo]" in body and "monitor" not in body
            shots = os.environ.get("CELERAGENT_SCREENSHOT_DIR")
            if shots:
                page.screenshot(path=str(Path(shots) / "flower-tasks.png"))
        finally:
            browser.close()
