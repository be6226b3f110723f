"""Login rate limit: at most N failed attempts per username and per client address.

Kept in memory, per process (the dashboard runs as one process). Failed attempts older
than the window are forgotten; a successful login clears the username's count.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta


class LoginLimiter:
    """Counts failed logins in a sliding window."""

    def __init__(self, attempts: int, window: timedelta) -> None:
        """Allow ``attempts`` failures per key within ``window``."""
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures[key]
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{username.strip().lower()}", f"addr:{address}"

    def blocked(self, username: str, address: str, now: datetime) -> bool:
        """Whether the username or the address has used up its attempts."""
        with self._lock:
            return any(
                len(self._recent(key, now)) >= self.attempts
                for key in self._keys(username, address)
            )

    def failed(self, username: str, address: str, now: datetime) -> None:
        """Count one failed attempt for both the username and the address."""
        with self._lock:
            for key in self._keys(username, address):
                self._recent(key, now).append(now)

    def succeeded(self, username: str) -> None:
        """Forget the username's failures (the address keeps its count)."""
        with self._lock:
            self._failures.pop(self._keys(username, "")[0], None)
