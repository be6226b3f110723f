"""The fake Bot API's counts that the production benchmark reports: sends per second as
Telegram would see them, and calls made inside a 429's ``retry_after`` window."""

from __future__ import annotations

import httpx

from tests.fake_telegram.server import FakeTelegram, max_in_one_second


def test_max_in_one_second_slides_over_bucket_edges() -> None:
    # 3 in 9.5..9.9 and 3 in 10.0..10.4: fixed buckets say 3, one real second holds 6.
    assert max_in_one_second([9.5, 9.7, 9.9, 10.0, 10.2, 10.4]) == 6
    assert max_in_one_second([0.0, 1.0, 2.0]) == 1  # one a second, the edge not counted
    assert max_in_one_second([]) == 0


async def _send(client: httpx.AsyncClient, server: FakeTelegram, chat: int) -> int:
    answer = await client.post(f"{server.base_url}{server.token}/sendMessage",
                               json={"chat_id": chat, "text": "hello"})
    return answer.status_code


async def test_send_rates_count_the_bot_and_the_busiest_chat() -> None:
    async with FakeTelegram() as server, httpx.AsyncClient() as client:
        for chat in (1, 1, 1, 2, 3):
            assert await _send(client, server, chat) == 200
        assert server.send_rates() == {"bot_max_per_s": 5, "chat_max_per_s": 3}


async def test_calls_inside_a_retry_after_window_are_listed() -> None:
    async with FakeTelegram() as server, httpx.AsyncClient() as client:
        server.fail_next("sendMessage", status=429, retry_after=5)
        assert await _send(client, server, 1) == 429  # opens a 5 s window
        assert await _send(client, server, 2) == 200  # a client ignoring retry_after
        assert len(server.retry_windows) == 1
        ((call, offset),) = server.window_calls()
        assert call.params["chat_id"] == 2 and 0 <= offset < 5
        # The 429 itself is not inside its own window; both count as attempts.
        assert len(server.attempts()) == 2


async def test_no_calls_inside_a_window_once_it_is_over() -> None:
    async with FakeTelegram() as server, httpx.AsyncClient() as client:
        server.fail_next("sendMessage", status=429, retry_after=1)
        await _send(client, server, 1)
        window = server.retry_windows[0]
        server.retry_windows[0] = type(window)(window.start - 2, window.end - 2,
                                               window.wall - 2)  # as if 2 s ago
        assert await _send(client, server, 1) == 200
        assert server.window_calls() == []


async def test_calls_in_a_window_are_split_by_the_gateways_write_time(tmp_path) -> None:
    from scripts.bench_production import _send_report

    async with FakeTelegram() as server, httpx.AsyncClient() as client:
        server.fail_next("sendMessage", status=429, retry_after=5)
        assert await _send(client, server, 1) == 429
        opened = server.retry_windows[0].wall
        for chat, written in ((2, opened + 0.1), (3, opened - 0.5)):  # during / before it
            answer = await client.post(f"{server.base_url}{server.token}/sendMessage",
                                       json={"chat_id": chat, "text": "x"},
                                       headers={"X-Flare-Write-At": f"{written:.6f}"})
            assert answer.status_code == 200
        await _send(client, server, 4)  # no stamp (a client without TELEGRAM_SEND_LOG)
        report = _send_report(server, {}, tmp_path)  # type: ignore[arg-type]
    assert report["calls_in_retry_window"] == 3
    assert report["calls_in_window_at_gateway_write"] == 1
    assert report["calls_in_window_only_at_arrival"] == 1
    assert report["calls_in_window_write_unstamped"] == 1
    assert len(report["write_to_arrival_ms"]) == 4
