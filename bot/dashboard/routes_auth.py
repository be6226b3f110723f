"""Login and logout."""

from __future__ import annotations

import contextlib

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.dashboard.security import CSRF_FIELD, check_csrf, safe_next, start_session
from bot.dashboard.web import LoginRequired, as_coach, render, state
from bot.store import audit
from bot.store.accounts import coach_by_username
from bot.store.passwords import verify_password

MAX_FIELD_CHARS = 256


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login_page(request: Request) -> Response:
    """The login form."""
    return render(request, "login.html", None, next=safe_next(request.query_params.get("next")),
                  error=None, username="")


async def login(request: Request) -> Response:
    """Check the password; rate-limited per username and per client address."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    username = str(form.get("username") or "")[:MAX_FIELD_CHARS]
    password = str(form.get("password") or "")[:MAX_FIELD_CHARS]
    target = safe_next(str(form.get("next") or ""))
    dashboard = state(request)
    now = dashboard.now()
    address = _client(request)
    if dashboard.limiter.blocked(username, address, now):
        minutes = int(dashboard.config.login_window.total_seconds() // 60)
        return render(request, "login.html", None, status_code=429, next=target,
                      username=username,
                      error=f"Too many failed attempts. Try again in {minutes} minutes.")

    def check() -> int | None:
        with dashboard.database.sessions.begin() as session:
            coach = coach_by_username(session, username)
            ok = verify_password(
                password, coach.password_hash if coach else None, dashboard.config.bcrypt_rounds
            )
            if coach is None or not ok or coach.disabled:
                audit.audit(session, coach.id if coach else None, audit.LOGIN_FAILED, now,
                            detail=f"username={username!r} from {address}")
                return None
            audit.audit(session, coach.id, audit.LOGIN, now, detail=f"from {address}")
            return int(coach.id)

    coach_id = await run_in_threadpool(check)
    if coach_id is None:
        dashboard.limiter.failed(username, address, now)
        return render(request, "login.html", None, status_code=401, next=target,
                      username=username, error="Wrong username or password.")
    dashboard.limiter.succeeded(username)
    start_session(request, coach_id, now)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """End the session."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    dashboard = state(request)
    with contextlib.suppress(LoginRequired):
        await as_coach(
            request, lambda s, c: audit.audit(s, c.id, audit.LOGOUT, dashboard.now())
        )
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
