"""Templates and fillers for session 22's dev bank of the semantic-cache pairs (see build.py): written blind, for tuning.

Placeholder: its author, writing blind in session 22, replaces this file."""

FAMILIES: list[tuple[object, ...]] = []
