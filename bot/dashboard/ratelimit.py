"""Login throttling: growing delays per client address and per account, never a lock-out.

Kept in memory, per process (the dashboard runs as one process). Every attempt is
*reserved* before the password is checked (:meth:`LoginLimiter.reserve` counts it at
once), so parallel requests cannot all slip through before the first failure is counted.

Each key (an address, an account) gets ``free`` attempts in ``window``; after that, each
further attempt must wait ``base * 2**(n - free)`` seconds after the previous one, capped.
The address cap is long (15 minutes); the account cap is short (a minute) and its free
budget larger, so guesses from one address never keep the real coach, who logs in from
another, out of the safety queue: at worst they wait a minute. A success clears the
account's count and refunds the address's reservation.

The client address is the peer's, unless the peer is a proxy named in
``DASHBOARD_TRUSTED_PROXIES``: only then is ``X-Forwarded-For`` read (see
:func:`client_address`).
"""

from __future__ import annotations

import ipaddress
import threading
from collections import defaultdict, deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_KEYS = 50_000  # forget idle keys past this many, so a flood cannot grow memory forever


class LoginLimiter:
    """Growing delays per address and per account (see the module docstring).

    Args:
        address_free: attempts per address in ``window`` before delays start.
        account_free: attempts per account in ``window`` before delays start.
        window: how long an attempt is remembered.
        address_cap: the longest delay for an address.
        account_cap: the longest delay for an account.
        base: the first delay.
    """

    def __init__(
        self,
        address_free: int = 5,
        account_free: int = 10,
        window: timedelta = timedelta(minutes=15),
        *,
        address_cap: timedelta = timedelta(minutes=15),
        account_cap: timedelta = timedelta(minutes=1),
        base: timedelta = timedelta(seconds=1),
    ) -> None:
        self.window = window
        self._rules = {"addr": (address_free, address_cap), "user": (account_free, account_cap)}
        self._base = base
        self._attempts: dict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{username.strip().lower()[:64]}", f"addr:{address}"

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._attempts[key]
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def _wait(self, key: str, now: datetime) -> float:
        free, cap = self._rules[key.split(":", 1)[0]]
        times = self._recent(key, now)
        if len(times) < free:
            return 0.0
        delay = min(cap, self._base * 2 ** min(len(times) - free, 30))
        return max(0.0, (times[-1] + delay - now).total_seconds())

    def reserve(self, username: str, address: str, now: datetime) -> float | None:
        """Count an attempt now and return None, or return the seconds to wait first."""
        keys = self._keys(username, address)
        with self._lock:
            if len(self._attempts) > MAX_KEYS:
                for key in [k for k in self._attempts if not self._recent(k, now)]:
                    del self._attempts[key]
            wait = max(self._wait(key, now) for key in keys)
            if wait > 0:
                return wait
            for key in keys:
                self._attempts[key].append(now)
            return None

    def succeeded(self, username: str, address: str, now: datetime) -> None:
        """The password was right: clear the account, refund the address's attempt."""
        user, addr = self._keys(username, address)
        with self._lock:
            self._attempts.pop(user, None)
            times = self._attempts.get(addr)
            if times and now in times:
                times.remove(now)


def parse_proxies(raw: str) -> tuple[Network, ...]:
    """Addresses or networks, comma- or space-separated (``10.0.0.1, 192.168.0.0/24``).

    Raises:
        ValueError: an entry is not an IP address or network.
    """
    entries = [part for part in raw.replace(",", " ").split() if part]
    return tuple(ipaddress.ip_network(part, strict=False) for part in entries)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in proxies)


def client_address(request: Request, proxies: Sequence[Network]) -> str:
    """The client's address: the peer, or what trusted proxies say in X-Forwarded-For.

    ``X-Forwarded-For`` is read right to left, skipping trusted proxies; the first other
    entry must be a valid IP address (else the last trusted hop is used).
    """
    peer = request.client.host if request.client else "unknown"
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    address = peer
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            ip = _ip(hop)
            return str(ip) if ip is not None else address
        address = hop
    return address
