"""Stop a constrained row that repeats itself: JSON whose array just gained a copy of an
element it already has.

A grammar keeps a small model's JSON valid but cannot stop it repeating: SmolLM2 planning
"What is 17 * 23 + 4?" writes the same calculator call four times (156 tokens, 39 of them
useful) because a plan may hold four calls, and the planner then drops the copies. The
decode loop asks `cut_repeat` after each token that closes an object or array; when the
element just finished equals an earlier one of the same array, the row ends with the text
before the copy, its open brackets closed: the same JSON the planner would have kept.
"""

from __future__ import annotations

_CLOSE = {"{": "}", "[": "]"}


def cut_repeat(text: str) -> str | None:
    """`text` without its last array element, with every open bracket closed, when that
    element (an object or array, just finished) equals an earlier element of its array;
    None otherwise (also when `text` is not JSON in progress)."""
    # Each open container: its bracket, and for arrays the (start, end) of each element and
    # the start of the element being written (None between elements).
    stack: list[tuple[str, list[tuple[int, int]], list[int | None]]] = []
    in_string = escaped = False
    last_closed: tuple[int, int] | None = None  # span of the element closed last, if any
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch in " \t\r\n":
            continue
        if ch != ",":  # "}," in one token: the element before the comma still counts
            last_closed = None
        parent = stack[-1] if stack else None
        if parent is not None and parent[0] == "[" and parent[2][0] is None and ch not in ",]":
            parent[2][0] = i  # an element of the array starts here
        if ch == '"':
            in_string = True
        elif ch in _CLOSE:
            stack.append((ch, [], [None]))
        elif ch in "}]":
            if not stack or _CLOSE[stack[-1][0]] != ch:
                return None  # not JSON: nothing to say
            stack.pop()
            if stack and stack[-1][0] == "[" and stack[-1][2][0] is not None:
                array = stack[-1]
                start = array[2][0]
                assert start is not None
                last_closed = (start, i + 1)
                array[1].append(last_closed)
                array[2][0] = None
        elif ch == "," and parent is not None and parent[0] == "[" and parent[2][0] is not None:
            parent[1].append((parent[2][0], i))  # a scalar element ends at its comma
            parent[2][0] = None
    # Only objects in an outermost array (the root, or a root object's member): an argument
    # may legitimately repeat a value ("points": [[0, 0], [0, 0]]), a plan never a call.
    brackets = "".join(bracket for bracket, _, _ in stack)
    if last_closed is None or in_string or brackets not in ("[", "{["):
        return None
    array = stack[-1]
    start, end = last_closed
    element = text[start:end]
    if not element.startswith("{"):
        return None
    if not any(text[s:e] == element for s, e in array[1][:-1]):
        return None
    kept = text[:start].rstrip()
    kept = kept[:-1] if kept.endswith(",") else kept  # the comma before the copy
    return kept + "".join(_CLOSE[bracket] for bracket, _, _ in reversed(stack))
