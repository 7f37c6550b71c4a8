"""`celeragent cache eval` end to end through `runtime.cli.main.main`, with the real embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.cli.main import main

PAIRS = [
    # Paraphrases: the cache should serve them.
    {"cached": "How do I reset my password?", "query": "How can I reset my password?"},
    {
        "cached": "What is the weather in Paris today?",
        "query": "How is the weather in Paris today?",
    },
    # Near neighbours that differ in what matters: the verifier must refuse them.
    {
        "cached": "What is the weather in Paris today?",
        "query": "What is the weather in London today?",
    },
    {"cached": "Convert 100 USD to EUR", "query": "Convert 200 USD to EUR"},
]
LABELS = [True, True, False, False]


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def pairs_file(tmp_path: Path) -> Path:
    rows = [{**p, "should_hit": y, "category": "t"} for p, y in zip(PAIRS, LABELS, strict=True)]
    return _write(tmp_path / "pairs.jsonl", rows)


def _flat(text: str) -> str:
    return " ".join(text.split())  # rich wraps long lines on stderr


def test_eval_json_is_one_object_with_the_scores(
    pairs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cache", "eval", str(pairs_file), "--json", "--threshold", "0.8"]) == 0
    stdout = capsys.readouterr().out
    result = json.loads(stdout)  # the whole of stdout is one JSON object
    assert result["pairs"] == 4
    assert result["threshold"] == 0.8
    assert result["should_hit"] == 2 and result["should_miss"] == 2
    assert result["recall"] == 1.0
    assert result["false_hit_rate"] == 0.0
    assert result["precision"] == 1.0
    assert [row["threshold"] for row in result["baselines"]] == [0.8, 0.9, 0.95]
    assert len(result["sweep"]) >= 5
    assert all(0.0 <= row["recall"] <= 1.0 for row in result["sweep"])
    # "100 USD" against "200 USD" is above plain cosine 0.8 (and 0.9): the verifier, not the
    # threshold, is what kept the false-hit rate at 0 above.
    assert result["refused"] >= 1
    assert result["baselines"][0]["false_hit_rate"] > 0.0


def test_eval_threshold_changes_the_result(
    pairs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The paraphrases pass every word check, so at 0.999 they are still served from 0.2
    # under it (serving.py VERIFIED_MARGIN). What the threshold changes is which neighbours
    # reach the checks: a higher one never serves more, a lower one has more refused.
    assert main(["cache", "eval", str(pairs_file), "--json", "--threshold", "0.999"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["threshold"] == 0.999
    assert result["recall"] == 1.0 and result["false_hit_rate"] == 0.0
    recall = [row["recall"] for row in sorted(result["sweep"], key=lambda row: row["threshold"])]
    assert recall == sorted(recall, reverse=True)  # a higher threshold never serves more
    assert main(["cache", "eval", str(pairs_file), "--json", "--threshold", "0.3"]) == 0
    low = json.loads(capsys.readouterr().out)
    assert low["refused"] > result["refused"]  # more neighbours reach the word checks


def test_eval_text_report(pairs_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache", "eval", str(pairs_file)]) == 0
    stdout = capsys.readouterr().out
    assert "semantic cache on 4 labelled pairs (2 should hit, 2 should miss)" in stdout
    assert "threshold sweep" in stdout and "plain cosine baselines" in stdout


def test_eval_crowd_looks_each_query_up_among_all_cached_questions(
    pairs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cache", "eval", str(pairs_file), "--json", "--crowd"]) == 0
    crowd = json.loads(capsys.readouterr().out)["crowd"]
    assert crowd["entries"] == 3  # two pairs share "What is the weather in Paris today?"
    assert crowd["by_language"]["en"] == {
        "must_hit": 2, "served": 2, "must_miss": 2, "false_hits": 0, "served_other": 0
    }  # fmt: skip
    assert main(["cache", "eval", str(pairs_file), "--crowd"]) == 0
    assert "in one index of 3 cached questions" in capsys.readouterr().out


def test_eval_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.jsonl"
    assert main(["cache", "eval", str(missing), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{missing} does not exist" in _flat(captured.err)


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"cached": "a", "query": ', "line 3: not valid JSON"),
        ('["a", "b", true]', "line 3: expected a JSON object, got list"),
        ('{"cached": "a", "query": "b"}', "line 3: missing should_hit"),
        ('{"cached": "a", "query": "b", "should_hit": "yes"}', "line 3: 'should_hit' must be"),
        ('{"cached": "", "query": "b", "should_hit": true}', "line 3: 'cached' must be"),
    ],
)
def test_eval_malformed_line_names_its_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_line: str, message: str
) -> None:
    good = json.dumps({"cached": "x", "query": "y", "should_hit": True})
    path = tmp_path / "bad.jsonl"
    # Line 2 is blank (skipped, but still counted), the bad one is line 3.
    path.write_text(f"{good}\n\n{bad_line}\n{good}\n", encoding="utf-8")
    assert main(["cache", "eval", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in _flat(captured.err)


def test_eval_empty_file_and_bad_threshold(
    tmp_path: Path, pairs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    assert main(["cache", "eval", str(empty)]) == 2
    assert "holds no pairs" in _flat(capsys.readouterr().err)
    assert main(["cache", "eval", str(pairs_file), "--threshold", "1.5"]) == 2
    assert "--threshold must be in (0, 1]" in _flat(capsys.readouterr().err)


def test_cache_subcommand_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["cache"])
    assert exc.value.code == 2
    assert "eval" in capsys.readouterr().err


def test_eval_split_keeps_only_that_splits_pairs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {**p, "should_hit": y, "split": s}
        for p, y, s in zip(PAIRS, LABELS, ["tune", "test", "test", "tune"], strict=True)
    ]
    path = _write(tmp_path / "split.jsonl", rows)
    assert main(["cache", "eval", str(path), "--json", "--split", "test"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["pairs"], result["should_hit"], result["should_miss"]) == (2, 1, 1)
    assert main(["cache", "eval", str(path), "--json", "--split", "all"]) == 0
    assert json.loads(capsys.readouterr().out)["pairs"] == 4
    only_tune = _write(tmp_path / "tune.jsonl", [rows[0]])
    assert main(["cache", "eval", str(only_tune), "--split", "test"]) == 2
    assert "no pairs of split 'test'" in _flat(capsys.readouterr().err)


def test_repository_splits_are_apart_and_large_enough() -> None:
    from runtime.cache.evaluate import split_pairs

    tune, test = split_pairs("tune"), split_pairs("test")
    assert len(tune) + len(test) >= 600 and len(split_pairs("all")) == len(tune) + len(test)
    assert {"en", "zh"} <= {p["lang"] for p in test}  # and "mixed" where a pair mixes them
    assert sum(not p["should_hit"] for p in test) >= 100 and sum(p["should_hit"] for p in test)
    assert not {(p["cached"], p["query"]) for p in tune} & {(p["cached"], p["query"]) for p in test}
    with pytest.raises(ValueError, match="split must be one of"):
        split_pairs("train")
