"""Live progress of a job in the terminal: plan, steps, streaming answer, then the result."""

from __future__ import annotations

import json
import time

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from runtime.job.client import JobHandle
from runtime.schemas import Event, EventType, JobResult

_STATE_STYLE = {"queued": "dim", "running": "yellow", "ok": "green", "failed": "red"}


class ProgressView:
    """Folds events into a renderable; kept apart from I/O so it is easy to test."""

    def __init__(self, job_id: str):
        self.job_id = job_id
        self.layers: list[list[str]] = []
        self.steps: dict[str, dict[str, object]] = {}
        self.answer = ""
        self.status = "submitted"
        self.started = time.monotonic()
        self.notes: list[str] = []

    def apply(self, event: Event) -> None:
        data = event.data
        if event.type is EventType.planned:
            self.layers = data.get("layers", [])
            self.status = f"planned ({data.get('source', '?')})"
            for layer in self.layers:
                for cid in layer:
                    self.steps.setdefault(cid, {"state": "queued"})
        elif event.type is EventType.step_started:
            self.steps.setdefault(str(data["id"]), {})["state"] = "running"
            self.steps[str(data["id"])]["tool"] = data.get("tool")
        elif event.type is EventType.step_finished:
            step = self.steps.setdefault(str(data["id"]), {})
            step.update(
                state="failed" if data.get("error") else "ok",
                tool=data.get("tool"),
                ms=data.get("duration_ms"),
                cached=data.get("cached"),
                error=data.get("error"),
            )
        elif event.type is EventType.token:
            self.answer += str(data.get("text", ""))
        elif event.type in (EventType.llm_started, EventType.degraded):
            self.notes.append(f"{event.type.value}: {json.dumps(data, ensure_ascii=False)}")
        elif event.type.terminal:
            self.status = event.type.value

    def render(self) -> Group:
        table = Table(title=f"job {self.job_id} — {self.status}", expand=False)
        for column in ("layer", "step", "tool", "state", "ms", "cached"):
            table.add_column(column)
        layer_of = {cid: i for i, layer in enumerate(self.layers) for cid in layer}
        for cid, step in self.steps.items():
            state = str(step.get("state", "queued"))
            ms = step.get("ms")
            table.add_row(
                str(layer_of.get(cid, "-")),
                cid,
                str(step.get("tool") or ""),
                Text(state, style=_STATE_STYLE.get(state, "")),
                f"{ms:.1f}" if isinstance(ms, int | float) else "",
                "yes" if step.get("cached") else "",
            )
        parts: list[object] = [table]
        parts.extend(Text(note, style="dim") for note in self.notes[-3:])
        if self.answer:
            parts.append(Panel(self.answer, title="answer (streaming)"))
        return Group(*parts)  # type: ignore[arg-type]


def follow_job(handle: JobHandle, console: Console, timeout: float | None = None) -> JobResult:
    view = ProgressView(handle.id)
    with Live(view.render(), console=console, refresh_per_second=12, transient=False) as live:
        for event in handle.events(timeout=timeout):
            view.apply(event)
            live.update(view.render())
    return handle.result(timeout=5)


def first_line(text: str | None) -> str:
    """The first line of an error (or ""), for a table cell that must stay one line high."""
    return (text or "").strip().split("\n", 1)[0]


def print_result(result: JobResult, console: Console) -> None:
    table = Table(title=f"result of {result.job_id}: {result.status.value}")
    headers = ("step", "kind", "tool/model", "ms", "wait ms", "cached")
    rows = [
        (
            step.id,
            step.kind,
            step.tool,
            f"{step.duration_ms:.1f}",
            "" if step.queue_wait_ms is None else f"{step.queue_wait_ms:.1f}",
            "yes" if step.cached else "",
        )
        for step in result.steps
    ]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    for header, width in zip(headers, widths, strict=True):
        table.add_column(header, min_width=width, no_wrap=True)
    # One line per step whatever the error's length, in the width the other columns leave:
    # each column takes its width + 3 (padding and border), the table 1 more. The whole text
    # is in the JSON.
    room = max(1, console.width - sum(w + 3 for w in widths) - 4)
    table.add_column("error", no_wrap=True, overflow="ellipsis", max_width=room)
    for row, step in zip(rows, result.steps, strict=True):
        table.add_row(*row, first_line(step.error))
    console.print(table)
    if any(step.error for step in result.steps):
        console.print(f"[dim]full step errors: celeragent status {result.job_id} --json[/dim]")
    usage = result.usage
    console.print(
        f"e2e {result.timings.e2e_ms or 0:.1f} ms · tokens {usage.prompt_tokens}+"
        f"{usage.completion_tokens} · llm calls {usage.llm_calls} · cost ${usage.cost_usd:.6f}"
        + (f" · models {', '.join(result.models)}" if result.models else "")
    )
    if result.error:
        console.print(f"[red]error:[/red] {result.error}")
    console.print(Panel(result.answer or "(no answer)", title="answer"))
