"""Built-in tools, run in-process: calculator, current_date, echo, sleep, fail, http_get."""

from __future__ import annotations

import http.server
import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

import runtime.tools.http_get as http_get_module
from runtime.config import reset_settings
from runtime.errors import (
    ConfigError,
    PlanError,
    RetryableError,
    TerminalError,
    ToolArgumentError,
    ToolError,
)
from runtime.tools.base import Tool
from runtime.tools.registry import all_tools, get_tool, register
from tests.support.env import restored_env


def run(name: str, **arguments: Any) -> Any:
    return get_tool(name).run(arguments)


# --- registry and base ---------------------------------------------------------------------


def test_builtins_are_registered() -> None:
    names = {t.name for t in all_tools()}
    assert {"sleep", "echo", "calculator", "current_date", "http_get", "fail"} <= names
    assert [t.name for t in all_tools(["echo", "calculator"])] == ["calculator", "echo"]


def test_unknown_tool_names_the_known_ones() -> None:
    with pytest.raises(PlanError, match=r"call 'c1': unknown tool 'nope'; known tools: .*echo"):
        get_tool("nope", "c1")


def test_a_second_tool_with_a_taken_name_is_refused() -> None:
    echo = get_tool("echo")
    impostor = Tool(name="echo", description="", args_model=echo.args_model, fn=lambda a: a)
    with pytest.raises(ConfigError, match="two tools are named 'echo'"):
        register(impostor)
    assert get_tool("echo") is echo


def test_side_effecting_tools_are_never_cacheable() -> None:
    echo = get_tool("echo")
    t = Tool(name="t", description="", args_model=echo.args_model, fn=lambda a: 1,
             side_effecting=True)  # fmt: skip
    assert t.cacheable is False
    assert get_tool("sleep").cacheable is False
    assert get_tool("fail").cacheable is False
    assert get_tool("calculator").cacheable is True


def test_run_refuses_a_result_that_is_not_json() -> None:
    echo = get_tool("echo")
    t = Tool(name="t", description="", args_model=echo.args_model, fn=lambda a: {1, 2})
    with pytest.raises(TypeError):
        t.run({"value": 1})


def test_describe_lists_the_json_schema() -> None:
    described = get_tool("calculator").describe()
    assert described["name"] == "calculator"
    assert "expression" in described["parameters"]["properties"]
    assert described["parameters"]["required"] == ["expression"]


# --- calculator ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "result"),
    [
        ("2 + 3 * 4", 14),
        ("(2 + 3) * 4", 20),
        ("2 ** 3 ** 2", 512),  # right-associative
        ("-2 ** 2", -4),  # power binds tighter than unary minus
        ("2^10", 1024),  # ^ means power, not xor
        ("7 // 2", 3),
        ("7 % 3", 1),
        ("7 / 2", 3.5),
        ("sqrt(16) + abs(-3)", 7.0),
        ("max(1, 5, 3) - min(4, 2)", 3),
        ("round(2.567, 2)", 2.57),
        ("floor(2.7) + ceil(2.1)", 5),
        ("log10(1000)", 3.0),
        ("+5", 5),
    ],
)
def test_calculator_arithmetic(expression: str, result: float) -> None:
    out = run("calculator", expression=expression)
    assert out == {"expression": expression, "result": pytest.approx(result)}


def test_calculator_constants() -> None:
    import math

    assert run("calculator", expression="pi")["result"] == math.pi
    assert run("calculator", expression="2 * pi")["result"] == pytest.approx(2 * math.pi)
    assert run("calculator", expression="log(e)")["result"] == pytest.approx(1.0)
    assert run("calculator", expression="cos(0) + sin(0) + tan(0) + exp(0)")["result"] == 2.0


ALLOWED_HINT = "use numbers, + - * / // % **, parentheses, pi, e and"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("x + 1", "calculator: 'x' is not allowed"),
        ("__import__('os')", "calculator: \"__import__('os')\" is not allowed"),
        ("(1).real", "is not allowed"),
        ("math.pi", "calculator: 'math.pi' is not allowed"),
        ("open('/etc/passwd')", "is not allowed"),
        ("sqrt.__class__", "is not allowed"),
        ("round(2.5, ndigits=1)", "is not allowed"),  # keywords are refused
        ("'a' * 3", "is not allowed"),
        ("True + 1", "calculator: 'True' is not allowed"),
        ("[1, 2]", "is not allowed"),
        ("1 < 2", "is not allowed"),
        ("lambda: 1", "is not allowed"),
    ],
)
def test_calculator_refuses_anything_but_arithmetic(expression: str, message: str) -> None:
    with pytest.raises(ToolError) as exc:
        run("calculator", expression=expression)
    assert message in str(exc.value)
    assert ALLOWED_HINT in str(exc.value)


def test_calculator_refuses_syntax_errors() -> None:
    with pytest.raises(ToolError, match=r"calculator: '2 \+\* 3' is not an arithmetic expression"):
        run("calculator", expression="2 +* 3")


def test_calculator_refuses_statements() -> None:
    with pytest.raises(ToolError, match="is not an arithmetic expression"):
        run("calculator", expression="import os")


@pytest.mark.parametrize("expression", ["9**9**9", "2 ** 100000", "10 ^ 5000"])
def test_calculator_refuses_huge_exponents(expression: str) -> None:
    with pytest.raises(ToolError, match=r"calculator: exponent \d+ is larger than 1000\."):
        run("calculator", expression=expression)


@pytest.mark.parametrize("expression", ["10 ** 101", "2 ** 1000", "1e308 * 10"])
def test_calculator_refuses_huge_results(expression: str) -> None:
    with pytest.raises(ToolError, match=r"calculator: the result is too large \(over 1e100\)\."):
        run("calculator", expression=expression)


@pytest.mark.parametrize("expression", ["1 / 0", "1 // 0", "5 % 0", "1 / (2 - 2.0)"])
def test_calculator_division_by_zero(expression: str) -> None:
    with pytest.raises(ToolError, match=r"^calculator: division by zero\.$"):
        run("calculator", expression=expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [("sqrt(-1)", "calculator: sqrt: math domain error."), ("log(0)", "calculator: log: ")],
)
def test_calculator_function_domain_errors(expression: str, message: str) -> None:
    with pytest.raises(ToolError) as exc:
        run("calculator", expression=expression)
    assert str(exc.value).startswith(message)


@pytest.mark.parametrize("expression", ["exp(1000)", "10.0 ** 400"])
def test_calculator_float_overflow_is_a_tool_error(expression: str) -> None:
    with pytest.raises(ToolError, match="too large"):
        run("calculator", expression=expression)


def test_calculator_complex_result_is_a_tool_error() -> None:
    with pytest.raises(ToolError):
        run("calculator", expression="(-8) ** 0.5")


def test_calculator_expression_length_is_bounded_by_the_schema() -> None:
    with pytest.raises(ToolArgumentError, match="expression"):
        run("calculator", expression="")
    with pytest.raises(ToolArgumentError, match="expression"):
        run("calculator", expression="1+" * 600 + "1")


# --- current_date --------------------------------------------------------------------------


def test_current_date_defaults_to_utc() -> None:
    out = run("current_date")
    assert out["timezone"] == "UTC"
    parsed = datetime.fromisoformat(out["iso"])
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0
    assert out["date"] == parsed.strftime("%Y-%m-%d")
    assert out["time"] == parsed.strftime("%H:%M:%S")


def test_current_date_in_a_named_zone() -> None:
    out = run("current_date", timezone="Asia/Kolkata")  # no DST: always +05:30
    assert out["timezone"] == "Asia/Kolkata"
    assert out["iso"].endswith("+05:30")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../../etc/passwd", "/etc/passwd"])
def test_current_date_refuses_an_unknown_zone_in_argument_validation(zone: str) -> None:
    with pytest.raises(ToolArgumentError) as exc:
        get_tool("current_date").validate_arguments({"timezone": zone}, "when")
    message = str(exc.value)
    assert f"unknown time zone {zone!r}" in message
    assert "use an IANA name" in message
    assert "call 'when'" in message


# --- echo, sleep, fail ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 0, "text", [1, {"a": [True, None]}], {"k": 1.5}])
def test_echo_returns_its_value(value: Any) -> None:
    assert run("echo", value=value) == {"value": value}


def test_echo_needs_a_value() -> None:
    with pytest.raises(ToolArgumentError, match="value: Field required"):
        run("echo")


def test_sleep_returns_what_it_slept() -> None:
    assert run("sleep", ms=0) == {"slept_ms": 0}
    assert run("sleep", ms=1) == {"slept_ms": 1}


@pytest.mark.parametrize("ms", [-1, 600_001, "soon", 1.5])
def test_sleep_bounds(ms: Any) -> None:
    with pytest.raises(ToolArgumentError, match="tool 'sleep'.*ms"):
        run("sleep", ms=ms)


def test_sleep_upper_bound_is_accepted_by_validation() -> None:
    assert get_tool("sleep").validate_arguments({"ms": 600_000}).ms == 600_000


def test_fail_not_retryable_is_a_terminal_tool_error() -> None:
    with pytest.raises(ToolError, match="^broken$") as exc:
        run("fail", message="broken")
    assert not isinstance(exc.value, RetryableError)
    assert isinstance(exc.value, TerminalError)


def test_fail_retryable_is_a_retryable_error() -> None:
    with pytest.raises(RetryableError, match="^try again$") as exc:
        run("fail", message="try again", retryable=True)
    assert not isinstance(exc.value, ToolError)


def test_fail_default_message() -> None:
    with pytest.raises(ToolError, match="failed on purpose"):
        run("fail")


# --- http_get ------------------------------------------------------------------------------

HTTP_ENV = ("CELERAGENT_HTTP_ALLOW_PRIVATE", "CELERAGENT_HTTP_MAX_BYTES")


def _drop_client() -> None:
    if http_get_module._client is not None:
        http_get_module._client.close()
    http_get_module._client = None
    http_get_module._client_pid = None


@pytest.fixture
def http_env() -> Iterator[Callable[..., None]]:
    """Set http settings from the environment; the client is rebuilt from them."""

    def apply(**values: str) -> None:
        for name in HTTP_ENV:
            os.environ.pop(name, None)
        for key, value in values.items():
            os.environ[f"CELERAGENT_{key.upper()}"] = value
        reset_settings()
        _drop_client()

    with restored_env(HTTP_ENV):
        apply()  # start from defaults: private hosts refused
        try:
            yield apply
        finally:
            _drop_client()


@pytest.mark.parametrize(
    ("url", "host", "address"),
    [
        ("http://127.0.0.1:9/", "127.0.0.1", "127.0.0.1"),
        ("http://localhost:9/path", "localhost", ""),
        ("http://10.1.2.3/", "10.1.2.3", "10.1.2.3"),
        ("http://192.168.0.1/", "192.168.0.1", "192.168.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "169.254.169.254"),
        ("http://[::1]:9/", "::1", "::1"),
        ("https://0.0.0.0/", "0.0.0.0", "0.0.0.0"),
    ],
)
def test_http_get_refuses_non_public_hosts_by_default(
    http_env: Callable[..., None], url: str, host: str, address: str
) -> None:
    with pytest.raises(ToolError) as exc:
        run("http_get", url=url)
    message = str(exc.value)
    assert f"http_get: {host!r} resolves to the non-public address {address}" in message
    assert "set CELERAGENT_HTTP_ALLOW_PRIVATE=true" in message


@pytest.mark.parametrize("url", ["ftp://example.com/file", "file:///etc/passwd", "example.com"])
def test_http_get_refuses_other_schemes_in_argument_validation(url: str) -> None:
    with pytest.raises(ToolArgumentError, match="url"):
        run("http_get", url=url)


PUBLIC = "http://93.184.216.34"  # an IP literal: resolving it needs no network


def _mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> None:
    http_get_module._client = httpx.Client(
        transport=httpx.MockTransport(handler), follow_redirects=False
    )
    http_get_module._client_pid = os.getpid()


def test_http_get_checks_every_redirect_hop(http_env: Callable[..., None]) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"location": "http://127.0.0.1/admin"})

    _mock_client(handler)
    with pytest.raises(ToolError, match=r"'127.0.0.1' resolves to the non-public address"):
        run("http_get", url=f"{PUBLIC}/start")
    assert seen == [f"{PUBLIC}/start"]  # the private hop was never requested


def test_http_get_gives_up_after_too_many_redirects(http_env: Callable[..., None]) -> None:
    _mock_client(lambda request: httpx.Response(301, headers={"location": "/again"}))
    with pytest.raises(ToolError, match=r"http_get: more than 5 redirects\."):
        run("http_get", url=f"{PUBLIC}/loop")


@pytest.mark.parametrize("status", [429, 500, 503])
def test_http_get_server_errors_are_retryable(http_env: Callable[..., None], status: int) -> None:
    _mock_client(lambda request: httpx.Response(status))
    with pytest.raises(RetryableError, match=f"answered {status}"):
        run("http_get", url=f"{PUBLIC}/busy")


def test_http_get_client_errors_are_data_not_failures(http_env: Callable[..., None]) -> None:
    _mock_client(lambda request: httpx.Response(404, text="missing"))
    out = run("http_get", url=f"{PUBLIC}/gone")
    assert (out["status"], out["text"], out["truncated"]) == (404, "missing", False)


def test_http_get_transport_errors_are_retryable(http_env: Callable[..., None]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    _mock_client(handler)
    with pytest.raises(RetryableError, match="failed"):
        run("http_get", url=f"{PUBLIC}/down")


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/hello")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"x" * 5_000 if self.path == "/big" else b"hello"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_http_get_fetches_a_private_host_when_allowed(
    http_env: Callable[..., None], local_server: str
) -> None:
    http_env(http_allow_private="true")
    out = run("http_get", url=f"{local_server}/hello")
    assert out == {
        "url": f"{local_server}/hello",
        "status": 200,
        "content_type": "text/plain; charset=utf-8",
        "text": "hello",
        "truncated": False,
    }


def test_http_get_follows_a_redirect(http_env: Callable[..., None], local_server: str) -> None:
    http_env(http_allow_private="true")
    out = run("http_get", url=f"{local_server}/redirect")
    assert out["url"] == f"{local_server}/hello"
    assert (out["status"], out["text"]) == (200, "hello")


def test_http_get_truncates_at_max_bytes(http_env: Callable[..., None], local_server: str) -> None:
    http_env(http_allow_private="true", http_max_bytes="100")
    out = run("http_get", url=f"{local_server}/big")
    assert out["truncated"] is True
    assert out["text"] == "x" * 100


def test_http_get_refuses_the_local_server_when_not_allowed(
    http_env: Callable[..., None], local_server: str
) -> None:
    with pytest.raises(ToolError, match="CELERAGENT_HTTP_ALLOW_PRIVATE"):
        run("http_get", url=f"{local_server}/hello")


def test_calculator_reads_percentages_and_publishes_what_it_accepts() -> None:
    assert run("calculator", expression="15% * 2400")["result"] == 360
    assert run("calculator", expression="3600 * 25%")["result"] == 900
    assert run("calculator", expression="17 % 5")["result"] == 2  # still modulo between numbers
    pattern = re.compile(
        get_tool("calculator").json_schema()["properties"]["expression"]["pattern"]
    )
    assert pattern.match("sqrt(16) + 2 ^ 10 * pi") and pattern.match("(1250 - 380) / 3")
    assert not pattern.match("15% of 2400") and not pattern.match("128 * 46 = 512")
