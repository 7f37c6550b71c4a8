"""runtime/cli/progress.py: what a person sees of a finished job."""

from __future__ import annotations

import time

from rich.console import Console

from runtime.cli.progress import print_result
from runtime.schemas import JobResult, JobStatus, StepResult, Timings, Usage


def test_a_long_step_error_takes_one_line_and_points_to_the_details() -> None:
    now = time.time()
    long_error = "call 'x' is invalid: " + "a very long reason " * 40 + "\nsecond line"
    result = JobResult(
        job_id="j1",
        status=JobStatus.done,
        answer="42",
        steps=[
            StepResult(id="plan_1", tool="local", kind="plan", started_at=now, error=long_error),
            StepResult(id="calc_1", tool="calculator", started_at=now, output=42),
        ],
        usage=Usage(),
        timings=Timings(submitted_at=now, finished_at=now, e2e_ms=1.0),
    )
    console = Console(record=True, width=80, color_system=None)
    print_result(result, console)
    text = console.export_text()
    rows = [line for line in text.splitlines() if "plan_1" in line or "second line" in line]
    assert len(rows) == 1 and "…" in rows[0]  # one row, cut, not wrapped over many lines
    assert "celeragent status j1 --json" in text
    assert "calc_1" in text and "calculator" in text  # the other columns keep their text
    assert max(len(line) for line in text.splitlines()) <= 80  # the table fits the console
