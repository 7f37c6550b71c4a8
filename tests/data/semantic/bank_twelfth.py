"""Templates and fillers for the twelfth blind TEST bank of the semantic-cache pairs (see build.py).

Placeholder: its author, writing blind in session 21, replaces this file."""

FAMILIES: list[tuple[object, ...]] = []
