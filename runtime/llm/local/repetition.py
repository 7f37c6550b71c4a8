"""Loop detection for free text: a small model greedy-decoding an answer can fall into a
cycle ("<code><code><code>...") and spend every token it has left on it.

A row's output is looping when its last tokens are one short cycle (a period of at most
MAX_PERIOD tokens) repeated at least MIN_REPEATS times and over at least MIN_SPAN tokens. The
span keeps real text safe: a list ("1, 2, 3"), a refrain or "ha ha ha" is shorter, or not an
exact repeat of the same tokens.
"""

from __future__ import annotations

MAX_PERIOD = 8
MIN_REPEATS = 4
MIN_SPAN = 16


def looping(ids: list[int]) -> bool:
    for period in range(1, MAX_PERIOD + 1):
        span = period * max(MIN_REPEATS, -(-MIN_SPAN // period))
        if len(ids) < span:
            break
        tail = ids[-span:]
        if tail[period:] == tail[:-period]:  # shifting by one period changes nothing
            return True
    return False
