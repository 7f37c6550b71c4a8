"""Templates and fillers for the seventeenth blind TEST bank of the semantic-cache pairs (see build.py).

Placeholder: its author, writing blind in session 23, replaces this file."""

FAMILIES: list[tuple[object, ...]] = []
