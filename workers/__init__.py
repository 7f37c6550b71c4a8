"""The Celery tasks: one thin module per queue, beat's monitor, and worker liveness."""
