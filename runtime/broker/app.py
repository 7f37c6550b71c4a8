"""The Celery app. Workers run `celery -A runtime.broker.app:app worker -Q <queue>`; task
modules are included by name, so `runtime` never imports `workers`."""

from __future__ import annotations

from celery import Celery

from runtime.broker import tasks
from runtime.broker.queues import TASK_MODULES, TASK_ROUTES
from runtime.config import get_settings
from runtime.errors import ConfigError


def create_app(redis_url: str, *, include_tasks: bool = True) -> Celery:
    settings = get_settings()
    app = Celery("celeragent", include=list(TASK_MODULES) if include_tasks else [])
    app.conf.update(settings.celery_config(redis_url))
    app.conf.task_routes = TASK_ROUTES
    app.conf.task_default_queue = "agent"
    app.conf.beat_schedule = {
        "monitor": {
            "task": tasks.MONITOR_TICK,
            "schedule": settings.monitor_interval_s,
            "options": {"queue": "agent", "expires": settings.monitor_interval_s},
        }
    }
    return app


def _module_app() -> Celery:
    try:
        url = get_settings().resolve_redis_url()
    except ConfigError:
        # Importable without a Redis (docs, tests, `celeragent --help`); a worker started
        # this way fails fast when it connects to the placeholder.
        url = "redis://127.0.0.1:1/0"
    return create_app(url)


app = _module_app()
