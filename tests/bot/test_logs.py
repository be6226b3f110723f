"""No secret reaches a log line (bot/logs.py): Rasa's token, the bot token, passwords."""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import pytest

from bot import logs, services
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness

RASA_TOKEN = "rasa-token-4f9d2c7e1b"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The record factory and the chatty loggers' levels are the process's: put them back."""
    factory = logging.getLogRecordFactory()
    levels = {name: logging.getLogger(name).level for name in logs.CHATTY_LOGGERS}
    yield
    logging.setLogRecordFactory(factory)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


class _Status(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: Any) -> None:  # quiet
        pass


@pytest.fixture
def status_server() -> Iterator[str]:
    """A server answering 200 to everything, like Rasa's /status once the model is loaded."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Running:
    returncode = None

    def poll(self) -> None:
        return None


def _running() -> subprocess.Popen[bytes]:
    return cast("subprocess.Popen[bytes]", _Running())


def test_the_health_check_logs_no_token(
    status_server: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    logs.configure_logging(logging.INFO)
    caplog.set_level(logging.INFO)
    services._wait_until_up(f"{status_server}/status", _running(), "Rasa", tmp_path,
                            params={"token": RASA_TOKEN})
    assert RASA_TOKEN not in caplog.text
    caplog.clear()
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # someone turns request logs on
    services._wait_until_up(f"{status_server}/status", _running(), "Rasa", tmp_path,
                            params={"token": RASA_TOKEN})
    assert "/status?token=***" in caplog.text and RASA_TOKEN not in caplog.text


def test_a_health_check_that_times_out_names_no_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(services, "STARTUP_TIMEOUT_SECONDS", 0.2)
    with pytest.raises(services.StackError) as raised:
        services._wait_until_up("http://127.0.0.1:9/status", _running(), "Rasa", tmp_path,
                                params={"token": RASA_TOKEN})
    assert RASA_TOKEN not in str(raised.value)


async def test_sending_to_rasa_and_telegram_logs_no_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    logs.configure_logging(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # someone turns request logs on
    caplog.set_level(logging.DEBUG)
    fake_rasa = await FakeRasa().start()
    harness = await GatewayHarness(f"sqlite:///{tmp_path / 'logs.db'}", fake_rasa.url,
                                   fake_rasa.token).start()
    try:
        user = await harness.consent()
        await harness.say(user, "hello")
        await harness.telegram.wait_for(
            lambda: "You said: hello" in harness.telegram.texts_to(user))
    finally:
        await harness.stop()
        await fake_rasa.stop()
    assert "/bot***/" in caplog.text and "token=***" in caplog.text  # the requests were logged
    assert harness.telegram.token not in caplog.text
    assert fake_rasa.token and fake_rasa.token not in caplog.text


@pytest.mark.parametrize(("line", "secret"), [
    ("GET http://127.0.0.1:5005/status?token=abc-DEF_123 200", "abc-DEF_123"),
    ("POST https://api.telegram.org/bot123456:AAE-x_yz/sendMessage", "AAE-x_yz"),
    ("POST https://api.telegram.org/file/bot123456:AAE-x_yz/photos/1.jpg", "AAE-x_yz"),
    ("connecting to postgresql://flare:s3cr3t-pw@db:5432/flare", "s3cr3t-pw"),
    ("redis at rediss://:redis-pw@cache:6380/0", "redis-pw"),
    ("rasa run --enable-api --auth-token=-dash-token --port 5005", "-dash-token"),
])
def test_redact_masks_secrets_in_urls_and_command_lines(line: str, secret: str) -> None:
    assert secret not in logs.redact(line)
    assert logs.MASK in logs.redact(line)


def test_secret_values_from_the_environment_are_masked_anywhere(
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = {"SMTP_PASSWORD": "mail-pass-9876", "TELEGRAM_WEBHOOK_SECRET": "w" * 40,
           "RASA_URL": "http://127.0.0.1:5005"}
    logs.install_redaction(env)
    caplog.set_level(logging.INFO)
    logger = logging.getLogger("tests.logs")
    logger.info("login failed for %s with %s", "coach@example.org", "mail-pass-9876")
    try:
        raise RuntimeError(f"bad header {'w' * 40}")
    except RuntimeError:
        logger.exception("webhook")
    assert "mail-pass-9876" not in caplog.text and "w" * 40 not in caplog.text
    assert "coach@example.org" in caplog.text



class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text for this object")


@pytest.mark.parametrize("message, args", [
    ("state: %s", (_Unprintable(),)),
    ("%(missing)s", ({"present": 1},)),  # a mapping without the key: KeyError
])
def test_a_log_call_whose_message_cannot_be_formatted_does_not_raise(
    message: str, args: tuple[Any, ...], caplog: pytest.LogCaptureFixture
) -> None:
    # Without the redaction, logging formats in the handler and reports a failure there;
    # the record factory runs in the caller: a failure there must not reach the caller,
    # which may be an except block on a patient's path.
    logs.install_redaction({"RASA_TOKEN": RASA_TOKEN})
    caplog.set_level(logging.INFO)
    logging.getLogger("tests.logs").info(message, *args)
    logging.getLogger("tests.logs").info("after it: %s", RASA_TOKEN)
    assert "after it: ***" in caplog.text and RASA_TOKEN not in caplog.text


@pytest.fixture
def sanic_access_log() -> Iterator[Any]:
    """Sanic's own logging configuration (as Rasa and the action server get it when they
    create their app, after :func:`logs.install_redaction`), its access lines in a buffer;
    the Sanic loggers restored afterwards."""
    import copy
    import io
    import logging.config

    from sanic.log import LOGGING_CONFIG_DEFAULTS

    names = ("sanic.root", "sanic.error", "sanic.access")
    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).level,
                    logging.getLogger(name).propagate) for name in names}
    buffer = io.StringIO()
    config = copy.deepcopy({**LOGGING_CONFIG_DEFAULTS, "handlers": {}})
    config["handlers"] = {name: {**handler, "stream": buffer}
                          for name, handler in LOGGING_CONFIG_DEFAULTS["handlers"].items()}
    logging.config.dictConfig(config)
    logging.getLogger("sanic.access").propagate = False
    try:
        yield buffer
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate


def test_the_sanic_access_log_is_redacted(sanic_access_log: Any) -> None:
    from types import SimpleNamespace

    from sanic.http import Http

    logs.install_redaction({"RASA_TOKEN": "rasa-secret-token-123"})
    # The access line exactly as Sanic makes it (Http.log_response), for a request to
    # Rasa's HTTP API with its token as the query parameter, and one in the path.
    for url in ("http://127.0.0.1:5005/conversations/abc/tracker?token=rasa-secret-token-123",
                "http://127.0.0.1:5055/bot123456:AAbbCCdd-secret/webhook"):
        stub = SimpleNamespace(
            request=SimpleNamespace(remote_addr="", ip="127.0.0.1", port=40000,
                                    method="GET", url=url),
            response=SimpleNamespace(status=200), response_bytes_left=12)
        Http.log_response(stub)  # type: ignore[arg-type]
    text = sanic_access_log.getvalue()
    assert "GET http://127.0.0.1:5005/conversations/abc/tracker?token=***" in text
    assert "/bot***/webhook" in text
    assert "rasa-secret-token-123" not in text and "AAbbCCdd-secret" not in text
    assert text.count("200 12") == 2  # the rest of the line is kept
