"""The pair model's rescue threshold, chosen on tune banks left out of its training in turn.

runtime/cache/pair_model.py overrules the verifier's "content differs" refusals of English
pairs: reworded phrases past RESCUE_LOGIT, one word swapped for one past SWAP_LOGIT. Which
logits? Not one read off the test split, and not one read off
pairs the model was trained on (it fits them). Each retired test bank was written blind by
its own author, so training on every tune pair but one bank's and scoring that bank
(`ops/train_pair_model.py --hold-out BANK`) gives scores much like an unseen bank's. This
bench reads those scores and tells, per logit, what the verifier alone and the verifier with
the rescue serve of the left-out banks: must-hit pairs served (recall) and must-miss pairs
served (false hits), by language.

The verifier's own refusals on these banks are not unseen (the word checks were tuned on
them), so the verifier's column flatters it; the rescued pairs are the model's alone, and
those it never saw.

    PYTHONPATH=$PWD .venv/bin/python ops/bench/pair_model.py --train
    # about 11 min a bank to train (--train skips banks whose scores exist), then seconds

Writes ops/bench/results/pair_model.json and .png.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["CELERAGENT_SEMANTIC_PAIR_MODEL"] = "false"  # the verifier alone, then the rescue

from runtime.cache.embedder import get_embedder  # noqa: E402
from runtime.cache.evaluate import _similarities  # noqa: E402
from runtime.cache.pair_model import RESCUE_LOGIT, SWAP_LOGIT, reworded, swapped  # noqa: E402
from runtime.cache.serving import Candidate, decide  # noqa: E402
from runtime.cli.bench import write_report  # noqa: E402
from runtime.config import get_settings  # noqa: E402

LOGITS = [0.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
SWAP_LOGITS = [6.0, 7.0, 7.5, 7.8, 8.0, 8.1, 8.2, 8.3, 9.0]


def _scores(bank: str, folder: Path, train: bool) -> list[dict[str, Any]]:
    path = folder / f"{bank}.json"
    if not path.exists() and train:
        folder.mkdir(parents=True, exist_ok=True)
        script = ROOT / "ops" / "train_pair_model.py"
        cmd = [sys.executable, str(script), "--hold-out", bank, "--scores", str(path)]
        subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if not path.exists():
        sys.exit(f"{path} missing: run with --train")
    return list(json.loads(path.read_text(encoding="utf-8")))


def _verdicts(pairs: list[dict[str, Any]]) -> list[tuple[bool, str]]:
    settings = get_settings()
    sims = _similarities(pairs, get_embedder())
    out = []
    for p, sim in zip(pairs, sims, strict=True):
        cand = Candidate("c", float(sim), p["cached"])
        d = decide(p["query"], [cand], settings.semantic_threshold, settings.semantic_threshold_zh)
        out.append((d.served is not None, d.refusals[0][1] if d.refusals else ""))
    return out


def _count(
    rows: list[dict[str, Any]], logit: float | None, swap_logit: float | None = None
) -> dict[str, Any]:
    """Served pairs by language, with reworded refusals rescued past `logit` and one-word
    swaps past `swap_logit` (None: that shape never)."""
    out: dict[str, Any] = {}
    for lang in ("en", "zh", "mixed"):
        mine = [r for r in rows if r["lang"] == lang]
        if not mine:
            continue

        def served(r: dict[str, Any], lang: str = lang) -> bool:
            past = [
                (logit, reworded(r["reason"])),
                (swap_logit, swapped(r["reason"])),
            ]
            rescued = lang == "en" and any(
                t is not None and shape and r["score"] >= t for t, shape in past
            )
            return bool(r["served"] or rescued)

        pos = [r for r in mine if r["should_hit"]]
        neg = [r for r in mine if not r["should_hit"]]
        out[lang] = {
            "recall": f"{sum(map(served, pos))}/{len(pos)}",
            "false_hits": f"{sum(map(served, neg))}/{len(neg)}",
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--banks", default="seen15,seen16,seen17,dev16,seen18,seen19")
    parser.add_argument("--scores-dir", type=Path, default=Path("/tmp/celeragent_pair_scores"))
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--name", default="pair_model", help="the report's name in results/")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for bank in args.banks.split(","):
        pairs = _scores(bank, args.scores_dir, args.train)
        for p, (served, reason) in zip(pairs, _verdicts(pairs), strict=True):
            rows.append({**p, "served": served, "reason": reason})
    results: dict[str, Any] = {
        "banks_left_out": args.banks.split(","),
        "pairs": len(rows),
        "shipped_rescue_logit": RESCUE_LOGIT,
        "shipped_swap_logit": SWAP_LOGIT,
        "verifier_alone": _count(rows, None),
        # Reworded refusals only, by logit (one-word swaps left refused).
        "with_rescue": {str(t): _count(rows, t) for t in LOGITS},
        # Reworded ones at the shipped logit, and one-word swaps by logit.
        "with_swaps": {str(t): _count(rows, RESCUE_LOGIT, t) for t in SWAP_LOGITS},
        "per_bank_at_shipped": {
            b: _count([r for r in rows if r["bank"] == b], RESCUE_LOGIT, SWAP_LOGIT)
            for b in args.banks.split(",")
        },
    }
    print(json.dumps(results, indent=1))
    path = write_report(args.name, results)
    _plot(results, path.with_suffix(".png"))


def _plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def frac(s: str) -> float:
        a, b = s.split("/")
        return int(a) / max(int(b), 1)

    en = [results["with_rescue"][str(t)]["en"] for t in LOGITS]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(LOGITS, [frac(e["recall"]) for e in en], "o-", label="English recall, with rescue")
    ax.plot(LOGITS, [frac(e["false_hits"]) for e in en], "s-", label="English false hits")
    swaps = [results["with_swaps"][str(t)]["en"] for t in SWAP_LOGITS]
    label = "recall, reworded at shipped + swaps past logit"
    ax.plot(SWAP_LOGITS, [frac(e["recall"]) for e in swaps], "^-", label=label)
    ax.plot(SWAP_LOGITS, [frac(e["false_hits"]) for e in swaps], "v-", label="false hits, so")
    alone = results["verifier_alone"]["en"]
    ax.axhline(frac(alone["recall"]), ls="--", c="grey", label="recall, verifier alone")
    ax.axvline(RESCUE_LOGIT, ls=":", c="k", label="shipped rescue logit")
    ax.set_xlabel("rescue logit")
    ax.set_title(f"left-out tune banks: {', '.join(results['banks_left_out'])}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
