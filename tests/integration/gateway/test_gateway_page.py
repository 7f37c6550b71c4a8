"""The job page at `/` in headless Chromium (Debian's, driven by Playwright): ask with a key,
watch the plan's layers and step states, the answer streaming, then the result."""

from __future__ import annotations

import json
import shutil

import httpx
import pytest

from runtime.job.client import Client

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PLAN = {
    "calls": [
        {"id": "base", "name": "calculator", "arguments": {"expression": "2340 * 17 / 100"}},
        {"id": "nap", "name": "sleep", "arguments": {"ms": 300}},
        {"id": "show", "name": "echo", "arguments": {"value": {"$ref": "base.result"}},
         "depends_on": ["base", "nap"]},
    ]
}  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (ops/setup installs it with apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def test_the_page_shows_layers_steps_streaming_answer_and_result(
    browser, gateway: str, api: httpx.Client, client: Client
) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(gateway + "/")
    page.fill("#key", api.key)  # type: ignore[attr-defined]
    page.fill("#question", "what is 17% of 2,340")
    page.fill("#model", "fake-slow")  # streams at 50 tokens a second: visibly word by word
    page.fill("#plan", json.dumps(PLAN))
    # Count the answer's updates while it streams (the final result sets it once more).
    page.evaluate(
        """() => { window.answerUpdates = 0;
        new MutationObserver(() => window.answerUpdates++)
          .observe(document.getElementById('answer'), {childList: true, characterData: true,
                                                       subtree: true}); }"""
    )
    page.click("#ask")
    try:
        page.wait_for_selector("#summary", timeout=60_000)
    except Exception:
        print("page error:", page.text_content("#error"), "events:", page.text_content("#log"))
        raise

    job_id = page.text_content("#job-id")
    result = client.job(job_id).result(timeout=5)
    assert result.status.value == "done"
    assert page.text_content("#status") == "done"
    layers = page.eval_on_selector_all(
        ".layer.plan",
        "rows => rows.map(r => [...r.querySelectorAll('.step')].map(s => s.dataset.id))",
    )
    assert layers == [["base", "nap"], ["show"]]
    states = page.eval_on_selector_all(".layer.plan .step", "s => s.map(x => x.dataset.state)")
    assert states == ["done", "done", "done"]
    assert " ms" in page.text_content('.step[data-id="nap"]')
    assert page.text_content("#answer") == result.answer
    assert page.evaluate("window.answerUpdates") > 3  # streamed, not set once at the end
    rows = page.eval_on_selector_all("#result tr[data-step]", "r => r.map(x => x.dataset.step)")
    assert set(rows) >= {"base", "nap", "show"}
    assert errors == []


def test_the_page_says_why_a_key_is_refused(browser, gateway: str) -> None:
    page = browser.new_page()
    page.goto(gateway + "/")
    page.fill("#key", "ca_00_wrong")
    page.fill("#question", "hello")
    page.click("#ask")
    page.wait_for_function("document.getElementById('error').textContent.length > 0")
    assert "API key is not valid" in page.text_content("#error")
