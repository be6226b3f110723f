"""The coach dashboard as a Starlette app: ``create_app(settings, database)``.

Routes (all but ``/login`` and ``/static`` need a logged-in coach)::

    GET  /                                   -> /patients
    GET  /login, POST /login, POST /logout
    GET  /login/totp, POST /login/totp       second factor (TOTP or a recovery code)
    GET  /account/totp, POST /account/totp   set up TOTP (admins must, before anything else)
    GET  /patients                           patients list, open safety flags first
    GET  /patients/{id}                      charts, goals, episodes
    GET  /patients/{id}/charts/{name}.png    pain | flares | episodes
    GET  /patients/{id}/export               ?format=json|csv&table=..&from=..&to=..
    GET  /episodes/{id}, POST /episodes/{id}/notes
    GET  /safety, POST /safety/{flag_id}/acknowledge
    GET  /search?q=...
    GET  /alerts, POST /alerts/telegram-code, /alerts/telegram-unlink, /alerts/contact
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.dashboard import routes_alerts, routes_auth, routes_data, routes_mfa, routes_pages
from bot.dashboard.config import MIN_SECRET_CHARS, DashboardConfig
from bot.dashboard.ratelimit import LoginLimiter
from bot.dashboard.security import SessionCodec, SessionMiddleware
from bot.dashboard.web import STATIC_DIR, DashboardState, LoginRequired, make_templates, render
from bot.http_limits import LimitsMiddleware
from bot.settings import Settings
from bot.store.db import Database
from bot.store.passwords import PasswordChecker

PUBLIC_PATHS = ("/login", "/static")
HSTS = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeadersMiddleware:
    """Add CSP and the other protective headers to every response, errors included.

    With ``hsts`` (secure cookies on) or over https, also Strict-Transport-Security.
    """

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        """Wrap ``app``."""
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if self.hsts or scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _login_required(request: Request, exc: Exception) -> Response:
    request.session.clear()
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET":
        target = "/patients"
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return render(request, "error.html", None, status_code=exc.status_code,
                  message=exc.detail, status=exc.status_code)


class _Dashboard(Starlette):
    """Starlette with the header and size middleware *outside* its error handling.

    Starlette answers an unhandled error (500) in its outermost ``ServerErrorMiddleware``,
    beyond the reach of ordinary middleware; wrapping the whole stack puts the security
    headers on those answers too, and refuses oversized requests before anything runs.
    """

    def build_middleware_stack(self) -> ASGIApp:
        """The usual stack inside the security headers and the size limits."""
        hsts, max_body = self.state.outer
        inner = super().build_middleware_stack()
        return SecurityHeadersMiddleware(LimitsMiddleware(inner, max_body), hsts=hsts)


def routes() -> list[Route | Mount]:
    """Every route of the dashboard."""
    return [
        Route("/", routes_pages.index),
        Route("/login", routes_auth.login_page, methods=["GET"]),
        Route("/login", routes_auth.login, methods=["POST"]),
        Route("/logout", routes_auth.logout, methods=["POST"]),
        Route("/login/totp", routes_mfa.code_page, methods=["GET"]),
        Route("/login/totp", routes_mfa.check_code, methods=["POST"]),
        Route("/account/totp", routes_mfa.setup_page, methods=["GET"]),
        Route("/account/totp", routes_mfa.confirm_setup, methods=["POST"]),
        Route("/patients", routes_pages.patients),
        Route("/patients/{patient_id}", routes_pages.patient),
        Route("/patients/{patient_id}/charts/{name}.png", routes_data.chart),
        Route("/patients/{patient_id}/export", routes_data.export_data),
        Route("/episodes/{episode_id:int}", routes_pages.episode),
        Route("/episodes/{episode_id:int}/notes", routes_pages.add_note, methods=["POST"]),
        Route("/safety", routes_pages.safety),
        Route("/safety/{flag_id:int}/acknowledge", routes_pages.acknowledge, methods=["POST"]),
        Route("/search", routes_pages.search),
        Route("/alerts", routes_alerts.alerts_page),
        Route("/alerts/telegram-code", routes_alerts.telegram_code, methods=["POST"]),
        Route("/alerts/telegram-unlink", routes_alerts.telegram_unlink, methods=["POST"]),
        Route("/alerts/contact", routes_alerts.contact, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]


def create_app(
    settings: Settings, database: Database, config: DashboardConfig | None = None
) -> Starlette:
    """Build the dashboard app on ``database`` (already migrated by the caller).

    Args:
        settings: The project's settings.
        database: Engine and session factory of the episode log.
        config: Dashboard settings; ``DashboardConfig.from_env()`` when omitted.
    """
    config = config or DashboardConfig.from_env()
    if len(config.secret_key) < MIN_SECRET_CHARS:
        raise ValueError(f"the session secret key needs at least {MIN_SECRET_CHARS} characters")
    codec = SessionCodec(
        config.secret_key, int(config.session_lifetime.total_seconds()), config.clock
    )
    app = _Dashboard(
        routes=routes(),
        middleware=[
            Middleware(SessionMiddleware, codec=codec, secure_cookies=config.secure_cookies),
        ],
        exception_handlers={LoginRequired: _login_required, HTTPException: _http_error},
    )
    app.state.outer = (config.secure_cookies, config.max_body_bytes)
    app.state.dashboard = DashboardState(
        settings=settings,
        database=database,
        config=config,
        templates=make_templates(),
        limiter=LoginLimiter(config.login_attempts, config.account_login_attempts,
                             config.login_window),
        passwords=PasswordChecker(config.password_check_workers, config.password_check_queue,
                                  config.bcrypt_rounds),
    )
    return app
