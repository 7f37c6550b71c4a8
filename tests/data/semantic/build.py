"""Write tune.jsonl (tune + retired banks) and test.jsonl (the two test banks); no leaks.

    python tests/data/semantic/build.py          # rewrite both files
    python tests/data/semantic/build.py --check  # only check (the unit tests call this)

The split is fixed by construction, not by sampling: each bank has its own templates and its
own fillers (names, places, identifiers, units, verbs, adjectives), so a verifier tuned on the
tune split has never seen the test split's words. `leaks()` enforces it: no template text and
no filler may appear in both banks, except the closed-class words in SHARED_CLOSED_CLASS
(quantifiers are a closed class: any verifier must know them all, so they cannot be kept apart).
The legacy pairs (tests/data/semantic_pairs.jsonl, which the old word-list verifier was built
on) belong to the tune split.

A test bank is measured, then retired into the tune split once a newer bank, written blind,
can take its place: bank_seen.py (sessions 8-10, families `seen-NN`), bank_seen11.py (written
in session 11, measured in 11-12, `seen11-NN`) and bank_seen12.py (session 12, `seen12-NN`)
were retired so; session 14 retired the last two when it wrote bank_third.py, session 15
retired that one (bank_seen14.py, `seen14-NN`) when it wrote bank_fourth.py, and session 16
retired bank_fourth.py (bank_seen15.py, `seen15-NN`) when it wrote bank_fifth.py. Read twice,
bank_fifth.py was retired in session 16 too (bank_seen16.py, `seen16-NN`) when bank_sixth.py
was written, and bank_sixth.py, read twice, was retired in session 17 (bank_seen17.py,
`seen17-NN`) when bank_seventh.py was written. Read three times, bank_seventh.py was retired in
session 18 (bank_seen18.py, `seen18-NN`) when bank_eighth.py was written, and bank_eighth.py,
read three times, in session 19 (bank_seen19.py, `seen19-NN`) when bank_ninth.py was written;
bank_ninth.py, read three times, was retired in session 20 (bank_seen20.py, `seen20-NN`) when
bank_tenth.py, the test split now, was written. In session 20 bank_eleventh.py was written
blind as a second test bank beside bank_tenth.py; build() keeps the two apart as well. Both,
read three times, were retired in session 21 (bank_seen21.py, `seen21-NN`, and bank_seen21b.py,
`seen21b-NN`) when bank_twelfth.py and bank_thirteenth.py were written, each blind and by its own
author at the same time. Both, read three times, were retired in session 22 (bank_seen22.py,
`seen22-NN`, and bank_seen22b.py, `seen22b-NN`) when bank_fourteenth.py and bank_fifteenth.py, the
were written the same way. Both, read three times, were retired in session 23 (bank_seen23.py,
`seen23-NN`, and bank_seen23b.py, `seen23b-NN`) when bank_sixteenth.py and bank_seventeenth.py,
the test split now, were written the same way.
A test bank is kept apart from every tune bank, the retired ones included.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_CLOSED = "all some any most few many several both either no none every each"
# The same closed class in Chinese (all, whole, part, each, few, a very few, some).
_CLOSED_ZH = "所有 全部 部分 每个 少数 个别 有些"
SHARED_CLOSED_CLASS = set(_CLOSED.split(" ")) | set(_CLOSED_ZH.split(" "))


def _bank(name: str) -> list[tuple[Any, ...]]:
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.FAMILIES)


def tune_banks() -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The tune split's banks with their family prefix: the tune bank, the retired test banks
    (each measured, then moved here once a newer blind bank could take its place) and
    bank_dev16.py (session 16's dev bank, written blind for tuning, families `dev16-NN`) and
    bank_dev22.py (session 22's, the same way, `dev22-NN`)."""
    return [
        ("tune", _bank("bank_tune")),
        ("seen", _bank("bank_seen")),
        ("seen11", _bank("bank_seen11")),
        ("seen12", _bank("bank_seen12")),
        ("seen14", _bank("bank_seen14")),
        ("seen15", _bank("bank_seen15")),
        ("dev16", _bank("bank_dev16")),
        ("seen16", _bank("bank_seen16")),
        ("seen17", _bank("bank_seen17")),
        ("adv17", _bank("bank_adv17")),
        ("seen18", _bank("bank_seen18")),
        ("seen19", _bank("bank_seen19")),
        ("seen20", _bank("bank_seen20")),
        ("seen21", _bank("bank_seen21")),
        ("seen21b", _bank("bank_seen21b")),
        ("seen22", _bank("bank_seen22")),
        ("seen22b", _bank("bank_seen22b")),
        ("dev22", _bank("bank_dev22")),
        ("seen23", _bank("bank_seen23")),
        ("seen23b", _bank("bank_seen23b")),
    ]


def tune_families() -> list[tuple[Any, ...]]:
    return [f for _, families in tune_banks() for f in families]


def test_banks() -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The test split's banks with their family prefix, in the order they were written."""
    return [("sixteenth", _bank("bank_sixteenth")), ("seventeenth", _bank("bank_seventeenth"))]


def render(
    families: list[tuple[Any, ...]], split: str, family: str | None = None
) -> list[dict[str, Any]]:
    pairs = []
    for n, (category, lang, hit, cached, query, fills) in enumerate(families):
        for fill in fills:
            pairs.append(
                {
                    "cached": cached.format(*fill),
                    "query": query.format(*fill),
                    "should_hit": hit,
                    "category": category,
                    "lang": lang,
                    "split": split,
                    "family": f"{family or split}-{n:02d}",
                }
            )
    return pairs


def _fillers(families: list[tuple[Any, ...]]) -> set[str]:
    return {v.lower() for *_, fills in families for fill in fills for v in fill}


def _template_text(families: list[tuple[Any, ...]]) -> set[str]:
    # The fixed text of each template, slots removed: two banks may not share a frame.
    return {re.sub(r"\{\d\}", "_", t) for f in families for t in (f[3], f[4])}


def leaks(tune: list[tuple[Any, ...]], test: list[tuple[Any, ...]]) -> list[str]:
    found = [f"filler {v!r}" for v in sorted(_fillers(tune) & _fillers(test))]
    found = [f for f in found if f.split("'")[1] not in SHARED_CLOSED_CLASS]
    found += [f"template {t!r}" for t in sorted(_template_text(tune) & _template_text(test))]
    return found


def build(check_only: bool = False) -> dict[str, int]:
    banks = test_banks()
    tune = tune_families()
    problems = []
    for i, (name, families) in enumerate(banks):
        # Each test bank is kept apart from both tune banks and from every other test bank.
        problems += [f"{name} / tune: {p}" for p in leaks(tune, families)]
        for other, others in banks[i + 1 :]:
            problems += [f"{name} / {other}: {p}" for p in leaks(families, others)]
    rendered = {
        "tune": [p for name, fams in tune_banks() for p in render(fams, "tune", name)],
        "test": [p for name, fams in banks for p in render(fams, "test", name)],
    }
    # Other templates and fillers can still render the same text (session 17: one pair).
    tune_text = {(p["cached"], p["query"]) for p in rendered["tune"]}
    twice = [p["family"] for p in rendered["test"] if (p["cached"], p["query"]) in tune_text]
    problems += [f"{family}: a pair rendered in the tune split too" for family in twice]
    if problems:
        raise SystemExit("leak between banks: " + "; ".join(problems))
    counts = {}
    for split, pairs in rendered.items():
        counts[split] = len(pairs)
        text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)
        path = HERE / f"{split}.jsonl"
        if check_only:
            if path.read_text(encoding="utf-8") != text:
                raise SystemExit(f"{path} is out of date: run build.py")
        else:
            path.write_text(text, encoding="utf-8")
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    print(build(parser.parse_args().check), file=sys.stderr)
