"""Templates and fillers for the fifteenth blind TEST bank of the semantic-cache pairs (see build.py).

Placeholder: its author, writing blind in session 22, replaces this file."""

FAMILIES: list[tuple[object, ...]] = []
