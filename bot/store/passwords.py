"""Password hashing with bcrypt, and the rules a new password must meet.

A new password must have at least 10 characters, fit bcrypt's 72 bytes, and not be one of
the ~20,000 most common passwords (``common-passwords.txt.gz``: the list Django ships in
``django/contrib/auth/``, BSD licence, compiled by Royce Williams), compared in lower case
and also with trailing digits and punctuation removed ("Password2024!" is "password").
"""

from __future__ import annotations

import asyncio
import gzip
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import bcrypt

DEFAULT_ROUNDS = 12
MIN_LENGTH = 10
MAX_BYTES = 72  # bcrypt ignores everything after 72 bytes; refuse instead of truncating
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")
_TRAILING_JUNK = "0123456789!?.,;:-_*#@$%&+= "



class PasswordError(ValueError):
    """A new password does not meet the rules."""


def check_new_password(password: str) -> str:
    """Return ``password`` if it is long enough and fits bcrypt, else raise.

    Raises:
        PasswordError: too short, longer than bcrypt's 72 bytes, or a common password.
    """
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise PasswordError(f"the password must fit in {MAX_BYTES} bytes (UTF-8)")
    if is_common(password):
        raise PasswordError("that password is on a list of commonly used ones; choose another")
    return password


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """Whether the password (lower case, or without trailing digits/punctuation) is common."""
    lowered = password.strip().lower()
    common = _common()
    return lowered in common or lowered.rstrip(_TRAILING_JUNK) in common


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> bytes:
    """A hash checked when the username is unknown, so both paths cost the same."""
    return bcrypt.hashpw(b"no such coach", bcrypt.gensalt(rounds=rounds))


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    """A salted bcrypt hash of a new password (checked with :func:`check_new_password`)."""
    check_new_password(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(
    password: str, password_hash: str | None, rounds: int = DEFAULT_ROUNDS
) -> bool:
    """True when ``password`` matches; an unknown user (``None``) costs the same time."""
    encoded = password.encode("utf-8")
    if password_hash is None or len(encoded) > MAX_BYTES:  # no stored password is that long
        bcrypt.checkpw(encoded[:MAX_BYTES], _dummy_hash(rounds))
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode("ascii"))
    except ValueError:  # a malformed stored hash never matches
        return False


class PasswordChecksBusy(RuntimeError):
    """Too many password checks are waiting already."""


class PasswordChecker:
    """Runs bcrypt checks on a few threads of its own, never inside a transaction.

    At most ``workers`` checks run at once (bcrypt holds a core for ~0.3 s each) and at
    most ``queue`` wait; beyond that :meth:`verify` raises :class:`PasswordChecksBusy`.
    The pool is separate from Starlette's, so a login storm cannot starve page requests.
    """

    def __init__(self, workers: int = 2, queue: int = 32, rounds: int = DEFAULT_ROUNDS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bcrypt")
        self._limit = workers + queue
        self._pending = 0
        self._lock = threading.Lock()
        self.rounds = rounds

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """:func:`verify_password` on the pool.

        Raises:
            PasswordChecksBusy: the queue is full.
        """
        with self._lock:
            if self._pending >= self._limit:
                raise PasswordChecksBusy
            self._pending += 1
        try:
            future = self._pool.submit(verify_password, password, password_hash, self.rounds)
            return await asyncio.wrap_future(future)
        finally:
            with self._lock:
                self._pending -= 1
