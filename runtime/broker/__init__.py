"""Celery and Redis plumbing: the app, queues, task names, result backend, connections."""
