"""Operator commands: the `celeragent` CLI, status, progress, demo, the local stack, benchmarks."""
