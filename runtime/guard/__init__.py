"""Limits and health: budgets, degradation levels, metrics, Prometheus export."""
