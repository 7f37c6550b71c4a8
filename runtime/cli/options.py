"""Options that many `celeragent` subcommands share, declared once as argparse parent parsers.

A subcommand takes them with `add_parser(..., parents=[REDIS_URL, JSON_OUTPUT])`. They live in
this module rather than in `main.py` because `main.py` imports `ops.py` and `cache.py`, which need
them too: importing them from `main.py` would be an import cycle.

They are two parents, not one, because not every command that talks to Redis has a JSON view
(and `cache eval` has a JSON view but needs no Redis): one parent holding both would make those
commands accept an option they would silently ignore.
"""

from __future__ import annotations

import argparse

# add_help=False: a parent that kept its own -h would clash with the -h of every command using it.
REDIS_URL = argparse.ArgumentParser(add_help=False)
REDIS_URL.add_argument(
    "--redis-url",
    default=None,
    # Each command resolves an unset URL itself (the environment, the URL `celeragent up`
    # wrote, or an embedded Valkey), so the default stays None.
    help="the Redis/Valkey URL to use (redis://, or rediss:// for TLS)",
)

JSON_OUTPUT = argparse.ArgumentParser(add_help=False)
JSON_OUTPUT.add_argument("--json", action="store_true", help="print the result as JSON")
