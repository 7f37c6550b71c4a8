"""TLS settings for `rediss://` URLs: what Celery, kombu and redis-py are given, and the
configuration errors (missing files, a URL asking not to verify). No server needed; the
end-to-end test is tests/integration/test_redis_tls.py."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import redis
from celery import Celery
from redis.backoff import NoBackoff

from runtime.broker.app import celery_config
from runtime.broker.connection import _Retry, get_redis, redis_client_kwargs
from runtime.config import Settings
from runtime.errors import ConfigError

URL = "rediss://user:pw@redis.example.com:6380/0"


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text("not parsed until a connection is made\n")
    return path


def test_plain_redis_gets_no_tls_options(ca: Path) -> None:
    settings = Settings(redis_tls_ca_file=ca)
    assert settings.redis_tls_options("redis://localhost:6379/0") == {}
    config = celery_config(settings, "redis://localhost:6379/0")
    assert "broker_use_ssl" not in config and "redis_backend_use_ssl" not in config
    assert redis_client_kwargs("redis://localhost:6379/0", settings) == {}


def test_rediss_verifies_against_the_configured_ca(ca: Path) -> None:
    settings = Settings(redis_tls_ca_file=ca)
    expected = {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_ca_certs": str(ca)}
    config = celery_config(settings, URL)
    assert config["broker_use_ssl"] == expected
    assert config["redis_backend_use_ssl"] == expected
    assert redis_client_kwargs(URL, settings) == {**expected, "ssl_check_hostname": True}


def test_rediss_without_a_ca_uses_the_system_cas_and_still_verifies() -> None:
    assert Settings().redis_tls_options(URL) == {"ssl_cert_reqs": ssl.CERT_REQUIRED}


def test_celery_and_kombu_accept_the_options(ca: Path, tmp_path: Path) -> None:
    """Celery's result backend refuses a rediss:// URL without ssl_cert_reqs; with ours it
    builds SSL connections that verify against the CA (nothing connects here)."""
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    cert.write_text("x")
    key.write_text("x")
    settings = Settings(redis_tls_ca_file=ca, redis_tls_cert_file=cert, redis_tls_key_file=key)
    app = Celery("tls-test")
    app.conf.update(celery_config(settings, URL))
    try:
        params = app.backend.connparams
        assert params["connection_class"] is redis.SSLConnection
        assert params["ssl_cert_reqs"] == ssl.CERT_REQUIRED
        assert (params["ssl_ca_certs"], params["ssl_certfile"], params["ssl_keyfile"]) == (
            str(ca),
            str(cert),
            str(key),
        )
        with app.connection_for_write() as conn:
            assert conn.ssl["ssl_cert_reqs"] == ssl.CERT_REQUIRED
            assert conn.ssl["ssl_ca_certs"] == str(ca)
    finally:
        app.close()


def test_get_redis_builds_verifying_ssl_connections(ca: Path) -> None:
    client = get_redis(URL, Settings(redis_tls_ca_file=ca))
    kwargs = client.connection_pool.connection_kwargs
    assert client.connection_pool.connection_class is redis.SSLConnection
    assert kwargs["ssl_cert_reqs"] == ssl.CERT_REQUIRED
    assert kwargs["ssl_ca_certs"] == str(ca)
    assert kwargs["ssl_check_hostname"] is True
    # Another CA for the same URL is another client, not the cached one.
    other = ca.with_name("other.pem")
    other.write_text("x")
    assert get_redis(URL, Settings(redis_tls_ca_file=other)) is not client


@pytest.mark.parametrize(
    ("field", "env_name"),
    [
        ("redis_tls_ca_file", "CELERAGENT_REDIS_TLS_CA_FILE"),
        ("redis_tls_cert_file", "CELERAGENT_REDIS_TLS_CERT_FILE"),
    ],
)
def test_a_missing_file_is_a_config_error(tmp_path: Path, field: str, env_name: str) -> None:
    settings = Settings(**{field: tmp_path / "nope.pem"})
    with pytest.raises(ConfigError, match=env_name):
        celery_config(settings, URL)
    with pytest.raises(ConfigError, match="nope.pem"):
        redis_client_kwargs(URL, settings)


def test_a_key_without_its_certificate_is_a_config_error(ca: Path) -> None:
    with pytest.raises(ConfigError, match="CELERAGENT_REDIS_TLS_CERT_FILE"):
        Settings(redis_tls_key_file=ca).redis_tls_options(URL)


@pytest.mark.parametrize("query", ["ssl_cert_reqs=none", "ssl_cert_reqs=optional"])
def test_a_url_cannot_turn_verification_off(query: str) -> None:
    with pytest.raises(ConfigError, match="always verifies"):
        Settings().redis_tls_options(f"{URL}?{query}")


def test_a_url_cannot_turn_the_host_name_check_off() -> None:
    with pytest.raises(ConfigError, match="host name"):
        Settings().redis_tls_options(f"{URL}?ssl_check_hostname=false")


def test_a_ca_in_the_url_query_is_used_for_every_connection(ca: Path) -> None:
    options = Settings().redis_tls_options(f"{URL}?ssl_cert_reqs=required&ssl_ca_certs={ca}")
    assert options == {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_ca_certs": str(ca)}


def test_a_certificate_refusal_is_not_retried() -> None:
    calls = []

    def closed() -> None:
        calls.append(1)
        raise redis.exceptions.ConnectionError("Connection closed by server.")

    def refused_with_context() -> None:
        calls.append(1)
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed")
        except OSError as exc:
            raise redis.exceptions.ConnectionError(str(exc))  # noqa: B904 - as redis-py does

    retry = _Retry(NoBackoff(), retries=5)
    with pytest.raises(redis.exceptions.ConnectionError):
        retry.call_with_retry(refused_with_context, lambda _error: None)
    assert len(calls) == 1
    # An ordinary connection error (no ssl error behind it) is still retried.
    calls.clear()
    with pytest.raises(redis.exceptions.ConnectionError):
        retry.call_with_retry(closed, lambda _error: None)
    assert len(calls) == 6
