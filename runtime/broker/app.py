"""The Celery app. Workers run `celery -A runtime.broker.app:app worker -Q <queue>`; task
modules are included by name, so `runtime` never imports `workers`."""

from __future__ import annotations

from typing import Any

from celery import Celery

from runtime.broker import tasks
from runtime.broker.batch import BatchingCelery
from runtime.broker.queues import PRIORITY_SEP, PRIORITY_STEPS, TASK_MODULES, TASK_ROUTES
from runtime.broker.result_backend import backend_url
from runtime.broker.transport import TRANSPORT
from runtime.config import Settings, get_settings
from runtime.errors import ConfigError


def celery_config(settings: Settings, redis_url: str) -> dict[str, Any]:
    """The Celery options this runtime relies on, in Celery's names (the only place that
    speaks them)."""
    visibility = settings.effective_visibility_timeout_s
    tls = settings.redis_tls_options(redis_url)
    transport = {
        "visibility_timeout": visibility,
        # Four priority levels per queue; higher `priority` is served first.
        "priority_steps": list(PRIORITY_STEPS),
        "sep": PRIORITY_SEP,
        "queue_order_strategy": "priority",
    }
    config: dict[str, Any] = {
        "broker_url": redis_url,
        # kombu's Redis transport, with the worker's record of held messages written in its
        # own transactions (runtime/broker/transport.py).
        "broker_transport": TRANSPORT,
        "result_backend": backend_url(redis_url),
        "broker_transport_options": transport,
        "result_backend_transport_options": {"visibility_timeout": visibility},
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_track_started": False,
        "task_ignore_result": False,
        "result_expires": settings.result_expires_s,
        "worker_prefetch_multiplier": 1,
        # Task events cost several Redis writes per task; Flower switches them on at
        # run time (enable_events) when it is watching, so they are off by default.
        "worker_send_task_events": settings.task_events,
        "task_send_sent_event": settings.task_events,
        "worker_hijack_root_logger": False,
        "broker_pool_limit": 32,
        "redis_max_connections": 64,
    }
    if tls:
        # rediss:// only. Without them kombu falls back to an unverified connection
        # (CERT_NONE) and Celery's result backend refuses the URL.
        config["broker_use_ssl"] = dict(tls)
        config["redis_backend_use_ssl"] = dict(tls)
    return config


def create_app(redis_url: str, *, include_tasks: bool = True) -> Celery:
    settings = get_settings()
    app = BatchingCelery("celeragent", include=list(TASK_MODULES) if include_tasks else [])
    app.conf.update(celery_config(settings, redis_url))
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
