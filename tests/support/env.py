"""Environment changes that a test makes and must undo, settings cache included."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from runtime.config import reset_settings


@contextmanager
def restored_env(names: Iterable[str]) -> Iterator[None]:
    """On exit, put back each of `names` as it was (set to its old value, or unset) and
    drop the cached settings, whatever the body changed."""
    saved = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_settings()
