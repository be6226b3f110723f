"""Run the rasa-sdk action server: without TensorFlow and jax, behind a shared token.

``python -m bot.action_server --actions actions --port 5055``: the same app as ``rasa run
actions`` (``rasa_sdk.endpoint.create_app``), bound to ``SANIC_HOST`` (127.0.0.1 by default,
not rasa-sdk's 0.0.0.0), and, when ``ACTION_SERVER_TOKEN`` is set, refusing any webhook call
whose ``X-Action-Server-Token`` header differs (constant-time compare). Rasa sends the
header from ``endpoints.yml``. Listening beyond localhost without a token is refused.

spaCy's ``thinc`` imports TensorFlow and jax when they are installed (they are, for Rasa)
although our blank English pipeline never uses them: the action server then holds about
470 MiB instead of about 110 MiB (``scripts/bench_ab.py``). ``thinc`` catches the
``ImportError`` of a module marked missing in ``sys.modules`` and carries on without it,
which is what happens here before anything imports spaCy. Rasa itself (which needs
TensorFlow) is never imported by the action server. ``ACTION_SERVER_ALLOW_TF=1`` turns the
block off.
"""

from __future__ import annotations

import argparse
import hmac
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.content import ContentError, check_all_content
from bot.logs import configure_logging

logger = logging.getLogger(__name__)

TOKEN_ENV = "ACTION_SERVER_TOKEN"
TOKEN_HEADER = "X-Action-Server-Token"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
BLOCKED = ("tensorflow", "jax")
ALLOW_ENV = "ACTION_SERVER_ALLOW_TF"


def block_unused_frameworks(env: dict[str, str] | None = None) -> list[str]:
    """Mark TensorFlow and jax as missing unless allowed; return what was blocked."""
    if (env if env is not None else os.environ).get(ALLOW_ENV, "").strip() in ("1", "true"):
        return []
    blocked = []
    for name in BLOCKED:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]
            blocked.append(name)
    return blocked




def protect(app: Sanic, token: str) -> None:
    """Refuse webhook calls without the token (403); ``/health`` stays open."""
    expected = token.encode("utf-8")

    @app.middleware("request")
    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path.rstrip("/") == "/health":
            return None
        given = (request.headers.get(TOKEN_HEADER) or "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "forbidden"}, status=403)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the actions until stopped."""
    parser = argparse.ArgumentParser(prog="python -m bot.action_server")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    configure_logging(logging.INFO, logging.BASIC_FORMAT)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    token = os.environ.get(TOKEN_ENV, "")
    if not token and host not in LOCAL_HOSTS:
        print(f"error: {TOKEN_ENV} must be set to listen on {host}", file=sys.stderr)
        return 2
    try:
        check_all_content()  # the actions' words: a broken file stops the server at start
    except ContentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    block_unused_frameworks()
    from rasa_sdk import utils
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.plugin import plugin_manager

    journal = importlib.import_module(f"{args.actions}.journal")
    journal.install()  # each call's writes once

    app = create_app(args.actions, cors_origins=None)

    @app.after_server_start
    async def start_journal_purge(app: Sanic, _loop: object) -> None:
        app.add_task(journal.purge_forever())  # the journal's retention, off the calls' path

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    if token:
        protect(app, token)
    else:
        logger.warning("%s is not set: any local process may call the actions", TOKEN_ENV)
    app.run(host, args.port, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
