"""Coach dashboard: accounts, audit log, invite codes and the web app.

For the gateway: :func:`redeem_invite` (see :mod:`bot.dashboard.invites`) assigns a patient
who sent ``/start <code>`` to the coach who made the code. The web app factory is
``bot.dashboard.app.create_app`` (imported lazily, so the gateway does not load Starlette).
"""

from __future__ import annotations

from typing import Any

from bot.dashboard.invites import InviteError, create_invite, redeem_invite

__all__ = ["InviteError", "create_app", "create_invite", "redeem_invite"]


def __getattr__(name: str) -> Any:
    """Load ``create_app`` on first use."""
    if name == "create_app":
        from bot.dashboard.app import create_app

        return create_app
    raise AttributeError(name)
