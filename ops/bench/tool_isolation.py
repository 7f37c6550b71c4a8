"""What keeping a tool's timeout costs: one `echo` call, run each way a tool call can run.

- `inline`: `tool.run` on the caller's thread (the floor; no timeout possible).
- `shared_pool`: the mechanism before runtime/tools/isolation.py, one shared
  ThreadPoolExecutor(64) with `future.result(timeout)` (reproduced here for comparison).
- `thread_lane`: `isolation="thread"`, the default: the tool's own lane.
- `process`: `isolation="process"`: a JSON round trip to a warm child interpreter.
- `inline_100kb`, `process_100kb`: both with a 100 KB value (validated by pydantic either
  way; the process also encodes and decodes it as JSON, twice).

Also `restart_s`: how long a killed child takes to be replaced (an interpreter start), the
price of each timeout that `process` enforces. Each series is the median/p95 of single calls
after warm-up, as `executor.execute_call` makes them (`run_with_timeout` around the runner).
Nothing is tuned on these numbers. Writes ops/bench/results/tool_isolation.{json,png}.

    PYTHONPATH=$PWD .venv/bin/python ops/bench/tool_isolation.py [--repeats 300] [--restarts 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.support, run as a script

from runtime.cli.bench import Stats, measure, plot, write_report  # noqa: E402
from runtime.config import reset_settings  # noqa: E402
from runtime.job.executor import direct_runner, run_with_timeout  # noqa: E402
from runtime.tools import isolation  # noqa: E402
from runtime.tools.registry import get_tool  # noqa: E402

TIMEOUT_S = 30.0
SMALL = {"value": "hello"}
BIG = {"value": "x" * 100_000}


def _wait(condition: object, within_s: float = 300.0) -> None:
    give_up = time.monotonic() + within_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > give_up:
            raise SystemExit("tool processes did not start")
        time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--out-dir", default="ops/bench/results")
    args = parser.parse_args()
    os.environ["CELERAGENT_TOOLS_CONCURRENCY"] = "2"
    reset_settings()

    echo = get_tool("echo")
    in_process = dataclasses.replace(echo, isolation="process")
    shared = ThreadPoolExecutor(max_workers=64)

    def runner(tool: object, arguments: dict) -> object:
        return run_with_timeout(lambda: direct_runner(tool, arguments), TIMEOUT_S)  # type: ignore[arg-type]

    load = os.getloadavg()
    pool = isolation.processes()
    pool.warm()
    _wait(lambda: len(pool.pids()) == pool.size)

    def shared_pool() -> object:
        return shared.submit(echo.run, SMALL).result(timeout=TIMEOUT_S)

    runs = {
        "inline": lambda: echo.run(SMALL),
        "shared_pool": shared_pool,
        "thread_lane": lambda: runner(echo, SMALL),
        "process": lambda: runner(in_process, SMALL),
        "inline_100kb": lambda: echo.run(BIG),
        "process_100kb": lambda: runner(in_process, BIG),
    }
    series: dict[str, Stats] = {}
    for name, fn in runs.items():
        series[name] = measure(fn, warmup=args.warmup, repeats=args.repeats)
        print(f"{name:>14}: median {series[name].median * 1e6:8.1f} us  "
              f"p95 {series[name].p95 * 1e6:8.1f} us")  # fmt: skip

    restarts = []
    for _ in range(args.restarts):  # kill a child as a timeout would; time its replacement
        before = pool.started
        victim = pool._idle[0]  # noqa: SLF001 - the benchmark reaches in to pick a child
        with pool._cond:  # noqa: SLF001
            pool._idle.remove(victim)  # noqa: SLF001
        start = time.perf_counter()
        pool._discard(victim)  # noqa: SLF001 - exactly what a timeout does
        _wait(lambda b=before: pool.started > b)
        restarts.append(time.perf_counter() - start)
    restart = Stats.from_samples(restarts)
    print(f"{'restart':>14}: median {restart.median:8.3f} s   p95 {restart.p95:8.3f} s")
    isolation.shutdown()
    shared.shutdown()

    floor = series["inline"].median
    results = {
        "timeout_s": TIMEOUT_S,
        # The machine is shared: its load says how far to trust the tails.
        "load_average_1_5_15": [round(x, 2) for x in load],
        "calls_us": {
            k: {**{m: v * 1e6 for m, v in s.to_dict(samples=False).items() if m != "n"}, "n": s.n}
            for k, s in series.items()
        },
        "overhead_over_inline_us": {k: (s.median - floor) * 1e6 for k, s in series.items()},
        "restart_s": restart.to_dict(),
    }
    path = write_report("tool_isolation", results, args.out_dir)
    plot(
        "tool_isolation",
        {k: [x * 1e6 for x in s.samples] for k, s in series.items()},
        out_dir=args.out_dir,
        title="One echo call per way of running a tool (median, p95)",
        ylabel="microseconds",
        kind="bar",
    )
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
