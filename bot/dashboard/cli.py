"""``python -m bot.dashboard``: manage coach accounts and serve the dashboard.

Commands::

    add-coach USER [--admin] [--password-stdin]   create a coach (password prompted twice)
    reset-password USER [--password-stdin]       set a new password (ends open sessions)
    disable USER / enable USER                   lock or unlock an account (disable ends sessions)
    reset-totp USER                              remove a lost second factor (set up anew)
    assign USER PATIENT_ID                       let the coach see a patient
    invite USER                                  print a one-time code for /start <code>
    serve [--host 127.0.0.1] [--port 8000]       run the web dashboard

Every command migrates the database (``DATABASE_URL``) to the latest schema first.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from bot.dashboard.config import DashboardConfig
from bot.settings import Settings, SettingsError
from bot.store import accounts, totp
from bot.store import coach_sessions as sessions
from bot.store.db import Database
from bot.store.invites import INVITE_VALIDITY, create_invite
from bot.store.passwords import PasswordError, check_new_password


class CommandError(Exception):
    """A command cannot be carried out; the message is shown to the user."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.dashboard", description="Coach dashboard accounts and server."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-coach", help="create a coach account")
    add.add_argument("username")
    add.add_argument("--admin", action="store_true", help="may see every patient")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    reset = commands.add_parser("reset-password", help="set a new password")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    commands.add_parser("reset-totp", help="remove a coach's second factor").add_argument(
        "username")
    for name in ("disable", "enable"):
        commands.add_parser(name, help=f"{name} an account").add_argument("username")
    assign = commands.add_parser("assign", help="assign a patient to a coach")
    assign.add_argument("username")
    assign.add_argument("patient_id")
    commands.add_parser("invite", help="print a one-time invite code").add_argument("username")
    serve = commands.add_parser("serve", help="run the web dashboard")
    serve.add_argument("--host", default=None, help="default DASHBOARD_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default DASHBOARD_PORT or 8000")
    return parser


def _read_password(from_stdin: bool, stdin: TextIO, prompt: Callable[[str], str]) -> str:
    """One line from stdin, or a prompted password typed twice."""
    if from_stdin:
        password = stdin.readline().rstrip("\r\n")
    else:
        password = prompt("Password: ")
        if prompt("Password again: ") != password:
            raise CommandError("the two passwords differ")
    try:
        return check_new_password(password)
    except PasswordError as exc:
        raise CommandError(str(exc)) from exc


def _run_account_command(
    args: argparse.Namespace, database: Database, config: DashboardConfig, password: str | None
) -> str:
    """Carry out an account command in one transaction; return what to print."""
    now = config.clock()
    with database.sessions.begin() as session:
        if args.command == "add-coach":
            assert password is not None
            coach = accounts.add_coach(
                session, args.username, password, now,
                is_admin=args.admin, rounds=config.bcrypt_rounds,
            )
            return f"Added {'admin' if coach.is_admin else 'coach'} {coach.username}."
        if args.command == "reset-password":
            assert password is not None
            coach = accounts.set_password(session, args.username, password, now,
                                          config.bcrypt_rounds)
            return f"New password set for {coach.username}; their open sessions have ended."
        if args.command == "reset-totp":
            coach = accounts.require_coach(session, args.username)
            totp.reset(session, int(coach.id))
            sessions.revoke_all(session, int(coach.id), now)
            return (f"The second factor of {coach.username} is removed and their sessions "
                    "have ended; they set up a new one after their next login.")
        if args.command in ("disable", "enable"):
            coach = accounts.set_disabled(session, args.username, args.command == "disable",
                                          now)
            return f"{coach.username} is {'disabled' if coach.disabled else 'enabled'}."
        if args.command == "assign":
            coach = accounts.require_coach(session, args.username)
            accounts.assign(session, coach, args.patient_id, now)
            return f"Patient {args.patient_id} is assigned to {coach.username}."
        if args.command == "invite":
            coach = accounts.require_coach(session, args.username)
            if coach.disabled:
                raise CommandError(f"{coach.username} is disabled")
            code = create_invite(session, coach, now)
            days = INVITE_VALIDITY.days
            return (f"{code}\nThe patient sends: /start {code}\n"
                    f"The code works once, within {days} days.")
    raise CommandError(f"unknown command {args.command!r}")


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
    env: Mapping[str, str] = os.environ,
    prompt: Callable[[str], str] = getpass.getpass,
) -> int:
    """Run one command; return the exit status (0 ok, 1 failed, 2 bad settings)."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(env)
        config = DashboardConfig.from_env(env, for_server=args.command == "serve")
    except SettingsError as exc:
        print(f"error: {exc}", file=stderr)
        return 2
    if args.command == "serve":
        from bot.dashboard.server import serve

        return serve(settings, config, host=args.host, port=args.port, stdout=stdout)
    database = Database.from_settings(settings)
    try:
        password = None
        if args.command in ("add-coach", "reset-password"):
            password = _read_password(args.password_stdin, stdin, prompt)
        database.migrate()
        print(_run_account_command(args, database, config, password), file=stdout)
        return 0
    except (CommandError, accounts.AccountError, PasswordError) as exc:
        print(f"error: {exc}", file=stderr)
        return 1
    finally:
        database.dispose()
