"""Shared plumbing of the route modules: state, database calls as a coach, templates.

Every handler that touches patient data goes through :func:`as_coach`, which opens one
transaction, checks the server-side session (:mod:`bot.store.coach_sessions`: not revoked
or timed out, coach enabled, opened after the last password change) and runs the work in
a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from bot.dashboard.config import DashboardConfig
from bot.dashboard.ratelimit import LoginLimiter
from bot.dashboard.security import csrf_token
from bot.dashboard.visible import neutralise
from bot.settings import Settings
from bot.store import coach_sessions as sessions
from bot.store.coaches import Coach
from bot.store.db import Database
from bot.store.passwords import PasswordChecker

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
NO_STORE = {"Cache-Control": "no-store"}
T = TypeVar("T")


NOT_FOUND = "Nothing here, or not one of your patients."


def not_found() -> HTTPException:
    """404 for anything missing or not the coach's (the two look the same)."""
    return HTTPException(404, NOT_FOUND)


class LoginRequired(Exception):
    """No valid session: the handler sends the browser to the login page."""


@dataclass
class DashboardState:
    """What every handler needs, kept on ``app.state.dashboard``."""

    settings: Settings
    database: Database
    config: DashboardConfig
    templates: Jinja2Templates
    limiter: LoginLimiter
    passwords: PasswordChecker

    def now(self) -> datetime:
        """The current time (the config's clock)."""
        return self.config.clock()


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescaping always on and undefined names as errors."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=neutralise,  # bidi overrides and zero-width characters shown as [U+XXXX]
    )
    environment.filters["when"] = _when
    environment.filters["minutes"] = _minutes
    return Jinja2Templates(env=environment)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _minutes(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


def state(request: Request) -> DashboardState:
    """The dashboard state of the app serving ``request``."""
    return request.app.state.dashboard


def authenticate(
    session: Session,
    cookie: dict[str, Any],
    now: datetime,
    config: DashboardConfig,
    stages: tuple[str, ...] = (sessions.ACTIVE,),
) -> tuple[Coach, sessions.CoachSession]:
    """The coach and server-side session of a cookie.

    Raises:
        LoginRequired: no session, or one that is revoked, timed out, in another stage,
            opened before the last password change, or of an unknown or disabled coach.
    """
    found = sessions.current(session, cookie, now, config, stages)
    if found is None:
        raise LoginRequired
    return found


async def in_session(
    request: Request,
    work: Callable[[Session, Coach, sessions.CoachSession], T],
    stages: tuple[str, ...] = (sessions.ACTIVE,),
) -> T:
    """Run ``work(session, coach, session_row)`` in one transaction in a worker thread."""
    dashboard = state(request)
    cookie = dict(request.session)

    def run() -> T:
        with dashboard.database.sessions.begin() as session:
            now = dashboard.now()
            coach, row = authenticate(session, cookie, now, dashboard.config, stages)
            return work(session, coach, row)

    return await run_in_threadpool(run)


async def as_coach(request: Request, work: Callable[[Session, Coach], T]) -> T:
    """Run ``work(session, coach)`` in one transaction in a worker thread."""
    return await in_session(request, lambda session, coach, _row: work(session, coach))


def render(
    request: Request, template: str, coach: Coach | None, status_code: int = 200, **context: Any
) -> Response:
    """Render a page (never cached: it may show patient data)."""
    return state(request).templates.TemplateResponse(
        request,
        template,
        {"coach": coach, "csrf_token": csrf_token(request), **context},
        status_code=status_code,
        headers=NO_STORE,
    )
