"""The planner's relevance gate alone, on BFCL's tuning categories: no model, seconds.

For each pair of bars (`PLANNER_TOOL_SIMILARITY`, `..._UNNAMED`) on a grid, over one half
of the tuning cases (ops/bench/bfcl_synthetic.py):
- `kept`: the share of tuning cases whose right functions all pass the gate (a function
  the gate drops can never be called, so this bounds AST accuracy);
- `rejected`: the share of synthetic irrelevance cases where the gate passes no function
  (the plan is then no call, which is right; a passed function makes the local model call
  it, which is wrong).
The gate is production's (`planner.gate`: similarity, margin, `fillable`, `named`,
detectors). Tune on `--split tune`; read `--split test` once, with the bars chosen.
Writes ops/bench/results/bfcl_gate_<split>.json.

    .venv/bin/python ops/bench/bfcl_gate.py --split tune [--bar 0.37 --unnamed 0.45]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bfcl_*, run as a script

from bfcl_data import Case  # noqa: E402
from bfcl_synthetic import SPLITS, build, positives  # noqa: E402

from runtime.agent import tool_choice  # noqa: E402
from runtime.agent.planner import gate  # noqa: E402
from runtime.cli.bench import write_report  # noqa: E402
from runtime.config import get_settings  # noqa: E402

OUT_DIR = Path(__file__).parent / "results"
BARS = (0.30, 0.34, 0.37, 0.40, 0.43)
UNNAMED = (None, 0.40, 0.42, 0.44, 0.45, 0.46, 0.48, 0.50, 0.55)


def memo_embed() -> tool_choice.Embed:
    """The gate's embedder, remembering every text: a grid asks the same questions often."""
    seen: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in seen]
        if missing:
            seen.update(zip(missing, tool_choice._default_embed(missing), strict=True))
        return np.stack([seen[t] for t in texts])

    return embed


def right_names(case: Case) -> set[str]:
    return {name for call in case.answer for name in call}


def measure(
    pos: list[Case], neg: list[Case], bar: float, unnamed: float | None, embed: Any
) -> dict[str, Any]:
    margin = get_settings().planner_tool_margin
    kept = [
        right_names(c) <= {t.name for t in gate(c.question, c.tools(), bar, margin, unnamed, embed)}
        for c in pos
    ]
    rejected = [not gate(c.question, c.tools(), bar, margin, unnamed, embed) for c in neg]
    return {
        "bar": bar,
        "unnamed": unnamed,
        "kept": round(float(np.mean(kept)), 3),
        "rejected": round(float(np.mean(rejected)), 3),
        "dropped": [c.id for c, k in zip(pos, kept, strict=True) if not k],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default="tune")
    parser.add_argument("--bar", type=float, help="one setting instead of the grid")
    parser.add_argument("--unnamed", type=float, help="with --bar")
    args = parser.parse_args()

    embed = memo_embed()
    pos, neg = positives(args.split), build(args.split, embed)
    grid = (
        [(args.bar, args.unnamed)]
        if args.bar is not None
        else [(b, u) for b in BARS for u in UNNAMED if u is None or u > b]
    )
    rows = [measure(pos, neg, b, u, embed) for b, u in grid]
    print(f"split {args.split}: {len(pos)} tuning cases, {len(neg)} synthetic irrelevance cases")
    print(f"{'bar':>6}{'unnamed':>9}{'kept':>7}{'rejected':>10}")
    for r in rows:
        unnamed = "-" if r["unnamed"] is None else f"{r['unnamed']:.2f}"
        print(f"{r['bar']:>6.2f}{unnamed:>9}{r['kept']:>7.3f}{r['rejected']:>10.3f}")
    report = {"split": args.split, "positives": len(pos), "negatives": len(neg), "grid": rows}
    print("written to", write_report(f"bfcl_gate_{args.split}", report, OUT_DIR))


if __name__ == "__main__":
    main()
