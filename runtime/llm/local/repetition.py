"""Loop detection for free text: a small model greedy-decoding an answer can fall into a
cycle ("<code><code><code>..." or the same sentence again and again) and spend every token
it has left on it.

A row's output is looping when its last tokens are one cycle repeated back to back:
- a short cycle (a period of at most MAX_PERIOD tokens) at least MIN_REPEATS times and over
  at least MIN_SPAN tokens. The span keeps real text safe: a list ("1, 2, 3"), a refrain or
  "ha ha ha" is shorter, or not an exact repeat of the same tokens;
- a sentence-long cycle (up to MAX_LONG_PERIOD tokens) LONG_REPEATS times. Real text does
  not say the same nine or more tokens three times in a row; a looping 135M model does.
The row stops there, and its answer keeps the cycle once (`repeated_tail` is what to drop).
"""

from __future__ import annotations

MAX_PERIOD = 8
MIN_REPEATS = 4
MIN_SPAN = 16
MAX_LONG_PERIOD = 48
LONG_REPEATS = 3


def repeated_tail(ids: list[int]) -> int:
    """How many tokens at the end of `ids` only repeat the cycle before them (0: no loop)."""
    for period in range(1, MAX_LONG_PERIOD + 1):
        if period <= MAX_PERIOD:
            span = period * max(MIN_REPEATS, -(-MIN_SPAN // period))
        else:
            span = period * LONG_REPEATS
        if len(ids) < span:
            break
        if ids[-1] != ids[-1 - period]:
            continue  # cheap test first: this runs after every token of every free row
        tail = ids[-span:]
        if tail[period:] == tail[:-period]:  # shifting by one period changes nothing
            return span - period
    return 0


def looping(ids: list[int]) -> bool:
    return repeated_tail(ids) > 0
