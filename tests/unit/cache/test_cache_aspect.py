"""Iteration markers (runtime/cache/aspect.py), on pairs written for these tests."""

from __future__ import annotations

import pytest

from runtime.cache.verify import verify_match


@pytest.mark.parametrize(
    ("cached", "query"),
    [
        ("Why is my dishwasher beeping over and over?", "my dishwasher keeps beeping, why?"),
        ("Why does my router reboot constantly?", "Why does my router keep rebooting?"),
    ],
)
def test_iteration_markers_are_one_word(cached: str, query: str) -> None:
    assert verify_match(cached, query)[0]


def test_iteration_is_not_stopping() -> None:
    assert not verify_match(
        "Why does my router keep rebooting?", "Why did my router stop rebooting?"
    )[0]
