"""Login and logout."""

from __future__ import annotations

import contextlib
import math

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.dashboard.ratelimit import client_address
from bot.dashboard.security import CSRF_FIELD, check_csrf, safe_next, start_session
from bot.dashboard.web import LoginRequired, in_session, render, state
from bot.store import audit
from bot.store import coach_sessions as sessions
from bot.store.accounts import coach_by_username
from bot.store.coach_sessions import CoachSession, LoginOutcome
from bot.store.coaches import Coach
from bot.store.passwords import PasswordChecksBusy

MAX_FIELD_CHARS = 256


async def login_page(request: Request) -> Response:
    """The login form."""
    return render(request, "login.html", None, next=safe_next(request.query_params.get("next")),
                  error=None, username="")


def _refused(request: Request, target: str, username: str, wait: float, status: int) -> Response:
    seconds = max(1, math.ceil(wait))
    response = render(
        request, "login.html", None, status_code=status, next=target, username=username,
        error=f"Too many attempts just now. Please wait {seconds} seconds and try again.",
    )
    response.headers["Retry-After"] = str(seconds)
    return response


async def login(request: Request) -> Response:
    """Check the password: throttled first, hashed outside any transaction.

    1. reserve the attempt (per address and per account; refused: 429 with Retry-After);
    2. read the coach in a short transaction;
    3. check the password on the bounded bcrypt pool, with no transaction open;
    4. write the audit row (and the session) in a second short transaction.
    """
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    username = str(form.get("username") or "")[:MAX_FIELD_CHARS]
    password = str(form.get("password") or "")[:MAX_FIELD_CHARS]
    target = safe_next(str(form.get("next") or ""))
    dashboard = state(request)
    now = dashboard.now()
    address = client_address(request, dashboard.config.trusted_proxies)
    wait = dashboard.limiter.reserve(username, address, now)
    if wait is not None:
        return _refused(request, target, username, wait, 429)

    def lookup() -> tuple[int | None, str | None]:
        with dashboard.database.sessions.begin() as session:
            coach = coach_by_username(session, username)
            return (int(coach.id), str(coach.password_hash)) if coach else (None, None)

    coach_id, password_hash = await run_in_threadpool(lookup)
    try:
        ok = await dashboard.passwords.verify(password, password_hash)
    except PasswordChecksBusy:
        return _refused(request, target, username, 5, 503)

    def record() -> LoginOutcome | None:
        with dashboard.database.sessions.begin() as session:
            coach = session.get(Coach, coach_id) if coach_id is not None else None
            if (
                coach is None
                or not ok
                or coach.disabled
                or coach.password_hash != password_hash  # changed while we checked
            ):
                audit.audit(session, coach.id if coach else None, audit.LOGIN_FAILED, now,
                            detail=f"username={username[:64]!r} from {address}")
                return None
            audit.audit(session, coach.id, audit.LOGIN, now, detail=f"from {address}")
            return sessions.open_session(session, coach, now, address, dashboard.config)

    outcome = await run_in_threadpool(record)
    if outcome is None:
        return render(request, "login.html", None, status_code=401, next=target,
                      username=username, error="Wrong username or password.")
    if outcome.next_page is None:  # with a second factor still to give, the attempt counts
        dashboard.limiter.succeeded(username, address, now)
    start_session(request, outcome.token)
    return RedirectResponse(outcome.next_page or target, status_code=303)


async def logout(request: Request) -> Response:
    """End the session: revoke it server-side, so a copied cookie stops working too."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    dashboard = state(request)

    def end(session: Session, coach: Coach, row: CoachSession) -> None:
        audit.audit(session, coach.id, audit.LOGOUT, dashboard.now())
        sessions.revoke(session, row, dashboard.now())

    with contextlib.suppress(LoginRequired):
        await in_session(request, end, stages=sessions.ANY_STAGE)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
