"""Sticky routing over several Rasa servers."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from bot.gateway.rasa_pool import RasaPool, replica_order
from bot.settings import Settings, SettingsError


def test_each_patient_sticks_to_one_replica_and_all_are_used() -> None:
    patients = [f"patient-{n}" for n in range(400)]
    first = [replica_order(p, 2)[0] for p in patients]
    assert first == [replica_order(p, 2)[0] for p in patients]  # stable, every worker agrees
    counts = Counter(first)
    assert set(counts) == {0, 1} and min(counts.values()) > 150
    assert sorted(replica_order("x", 3)) == [0, 1, 2]


async def test_requests_go_to_the_patients_replica_and_skip_a_dead_one() -> None:
    seen: list[str] = []
    down: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host in down:
            raise httpx.ConnectError("refused", request=request)
        seen.append(request.url.host)
        return httpx.Response(200, json=[{"recipient_id": "x", "text": request.url.host}])

    pool = RasaPool(["http://rasa-a", "http://rasa-b"], transport=httpx.MockTransport(handler))
    home = pool.client_for("patient-7").base_url.removeprefix("http://")
    for _ in range(3):
        assert (await pool.send_message("patient-7", "hi"))[0]["text"] == home
    assert seen == [home] * 3
    down.add(home)
    other = (await pool.send_message("patient-7", "hi"))[0]["text"]
    assert other != home
    await pool.aclose()


def test_settings_read_the_replica_list() -> None:
    settings = Settings.from_env({"RASA_URLS": "http://127.0.0.1:5005, http://127.0.0.1:5006"})
    assert settings.rasa_servers == ("http://127.0.0.1:5005", "http://127.0.0.1:5006")
    assert Settings.from_env({}).rasa_servers == ("http://127.0.0.1:5005",)


def test_settings_for_several_workers() -> None:
    settings = Settings.from_env({
        "TELEGRAM_WEBHOOK_PORT": "8471", "RATE_LIMIT_REDIS_URL": "redis://127.0.0.1:6379/3",
        "TELEGRAM_SEND_LIMITS": "0",
    })
    assert settings.telegram_webhook_port == 8471
    assert settings.rate_limit_redis_url == "redis://127.0.0.1:6379/3"
    assert not settings.telegram_send_limits
    assert Settings.from_env({}).telegram_send_limits
    with pytest.raises(SettingsError):
        Settings.from_env({"TELEGRAM_WEBHOOK_PORT": "99999"})
    with pytest.raises(SettingsError):
        Settings.from_env({"RATE_LIMIT_REDIS_URL": "http://redis"})


def test_webhook_listen_address() -> None:
    assert Settings.from_env({}).telegram_webhook_host == "127.0.0.1"
    assert Settings.from_env({"TELEGRAM_WEBHOOK_HOST": "0.0.0.0"}).telegram_webhook_host == \
        "0.0.0.0"
    assert Settings.from_env({"TELEGRAM_WEBHOOK_HOST": "::"}).telegram_webhook_host == "::"
    for bad in ("0.0.0.0:8443", "example.org", "http://0.0.0.0", "300.1.1.1"):
        with pytest.raises(SettingsError):
            Settings.from_env({"TELEGRAM_WEBHOOK_HOST": bad})
