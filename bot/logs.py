"""Logging set-up for every process of ours: no secret reaches a log line.

Secrets travel in places a log line may quote: Rasa's HTTP API wants its token as the
``token`` query parameter, the Bot API has the bot token in its path
(``/bot<token>/sendMessage``), a database or Redis URL may hold a password. httpx logs
every request URL at INFO, so its loggers (and httpcore's) are kept at WARNING; and every
record is redacted when it is made (:func:`redact`), whoever logs it and whichever handler
writes it, including the text of a logged exception. Sanic's access log (Rasa's server,
where it is silent unless ``LOG_LEVEL_LIBRARIES`` is INFO or lower, and the action
server's Sanic app) puts the request line, query string included, in the record's
``extra`` fields, which are set after the record is made: a filter on its logger
(:data:`ACCESS_LOGGERS`) redacts those too.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MASK = "***"
# Loggers that write one line per HTTP request, URL included.
CHATTY_LOGGERS = ("httpx", "httpcore")
# Environment variables whose value is a secret, by a word in their name.
SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "KEY")
# Shorter values are not masked by value (they would mask ordinary words); patterns still do.
MIN_SECRET_CHARS = 8
DEFAULT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers whose records carry the request line in extra fields (Sanic: %(request)s).
ACCESS_LOGGERS = ("sanic.access",)
# What every LogRecord has; any other attribute came from ``extra``.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime"}

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # ?token=... &password=... (Rasa's HTTP API, any other query secret)
    (re.compile(r"([?&;](?:[a-z_]*token|secret|password|passwd|api_key|key)=)[^&\s'\"#<>]+",
                re.IGNORECASE), rf"\g<1>{MASK}"),
    # the Bot API: https://api.telegram.org/bot<id>:<secret>/method (and /file/bot<token>/)
    (re.compile(r"/bot\d+:[A-Za-z0-9_-]+"), f"/bot{MASK}"),
    # scheme://user:password@host (DATABASE_URL, Redis URLs)
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]*:)[^@\s/'\"]+@", re.IGNORECASE),
     rf"\g<1>{MASK}@"),
    # --auth-token=... or --auth-token ... on a logged command line
    (re.compile(r"(--auth-token[= ])\S+"), rf"\g<1>{MASK}"),
)


def secrets_in(env: Mapping[str, str]) -> list[str]:
    """The values of ``env`` whose names look secret (long enough to mask by value)."""
    return [value for name, value in env.items()
            if any(word in name.upper() for word in SECRET_WORDS)
            and len(value) >= MIN_SECRET_CHARS]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret it shows replaced by ``***``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _redact_record(record: logging.LogRecord, secrets: Iterable[str]) -> None:
    """Redact a record in place: its message (args folded in) and its exception text."""
    try:
        message = record.getMessage()
    except Exception as exc:  # noqa: BLE001 - this runs in the caller: a log call must not fail
        # A bad format string or an argument without text. Logging would report it at the
        # handler, printing the arguments unredacted: keep the template, drop them.
        try:
            template = str(record.msg)
        except Exception:  # noqa: BLE001 - not even the template has text
            template = "<log message without text>"
        record.msg = f"{redact(template, secrets)} [arguments not shown: {type(exc).__name__}]"
        record.args = ()
    else:
        clean = redact(message, secrets)
        if clean != message:
            record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text, secrets)
    if record.stack_info:
        record.stack_info = redact(record.stack_info, secrets)


class _RedactExtras(logging.Filter):
    """Redacts the string fields a record got from ``extra`` (set after the factory ran)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in list(vars(record).items()):
            if name not in _RECORD_FIELDS and isinstance(value, str):
                setattr(record, name, redact(value, self.secrets))
        return True


class _RedactingFactory:
    """The log-record factory of the process, wrapped to redact each new record."""

    def __init__(self, inner: Callable[..., logging.LogRecord], secrets: list[str]) -> None:
        self.inner = inner
        self.secrets = secrets

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        _redact_record(record, self.secrets)
        return record


def install_redaction(env: Mapping[str, str] | None = None) -> None:
    """Redact every log record made from now on in this process (idempotent).

    ``env``: where secret values are read (``os.environ`` by default); URL and token
    patterns are masked whatever their value.
    """
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    secrets = secrets_in(os.environ if env is None else env)
    factory = logging.getLogRecordFactory()
    if isinstance(factory, _RedactingFactory):
        factory.secrets = secrets
    else:
        logging.setLogRecordFactory(_RedactingFactory(factory, secrets))
    for name in ACCESS_LOGGERS:  # a logger's filters survive logging.config.dictConfig
        access = logging.getLogger(name)
        extras = [f for f in access.filters if isinstance(f, _RedactExtras)]
        if extras:
            extras[0].secrets = secrets
        else:
            access.addFilter(_RedactExtras(secrets))


def configure_logging(level: int | str, fmt: str = DEFAULT_FORMAT) -> None:
    """``logging.basicConfig`` for our processes, with the secrets kept out."""
    logging.basicConfig(level=level, format=fmt)
    install_redaction()
