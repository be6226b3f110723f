"""The slim tracker sent to the action server (bot.rasa.slim_tracker).

Unit tests for the cut, and one slow test with the trained model: the real Rasa agent
(in this process) plays every test story of ``tests/test_conversations.yml`` and the
benchmark conversation, each in its own session and all of them in one long session;
every custom-action call it makes is run by the real actions (rasa-sdk's executor) twice,
once with the whole tracker on one database and once with the slim tracker on another,
and both must give back the same events and messages, and the same journal key
(``actions/journal.call_key``), which no other call of the run has.
"""

from __future__ import annotations

import asyncio
import copy
import json
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.rasa import slim_tracker
from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "flare.tar.gz"
STORIES = PROJECT_ROOT / "tests" / "test_conversations.yml"

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, report_flare]
slots:
  in_flare: {type: bool, mappings: [{type: custom}]}
  severity_start: {type: float, mappings: [{type: custom}]}
""")


def _tracker(events: list[Any]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("p1", events, DOMAIN.slots)


def _long_history() -> list[Any]:
    events: list[Any] = [ActionExecuted("action_session_start"), SessionStarted()]
    for turn in range(50):
        events += [
            ActionExecuted("action_listen"),
            UserUttered(f"message {turn}", {"name": "greet", "confidence": 1.0}),
            BotUttered(f"answer {turn}"),
        ]
    events += [
        ActionExecuted("action_listen"),
        UserUttered("flare 7", {"name": "report_flare", "confidence": 0.9}),
        SlotSet("in_flare", True),
        SlotSet("severity_start", 7.0),
    ]
    return events


def test_the_slim_state_is_the_full_state_with_only_the_current_turn() -> None:
    tracker = _tracker(_long_history())
    full = tracker.current_state(EventVerbosity.ALL)
    slim = slim_tracker.slim_state(tracker)
    assert {k: v for k, v in slim.items() if k != "events"} == {
        k: v for k, v in full.items() if k != "events"
    }
    assert [e["event"] for e in slim["events"]] == ["user", "slot", "slot"]
    assert slim["events"] == full["events"][-3:]
    assert len(json.dumps(slim)) * 5 < len(json.dumps(full))


def test_before_any_user_message_the_turn_starts_at_the_session_start() -> None:
    events = [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("in_flare", True)]
    turn = slim_tracker.current_turn(events)
    assert [type(e) for e in turn] == [SessionStarted, SlotSet]


def test_the_call_carries_the_slim_tracker_unless_switched_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slim_tracker.apply()
    action = RemoteAction("action_start_flare", None)
    tracker = _tracker(_long_history())
    slim = action._action_call_format(tracker, DOMAIN)
    assert len(slim["tracker"]["events"]) == 3
    assert slim["next_action"] == "action_start_flare"
    monkeypatch.setenv(slim_tracker.SLIM_ENV, "0")
    full = action._action_call_format(tracker, DOMAIN)
    assert full["tracker"]["events"] == tracker.current_state(EventVerbosity.ALL)["events"]


# -- every action call of the test conversations, slim against full ------------------------


def _conversations() -> list[list[str]]:
    from scripts.bench import SCRIPT

    stories = yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]
    out: list[list[str]] = []
    for story in stories:
        texts = []
        for step in story["steps"]:
            if "user" in step:
                texts.append(str(step["user"]).strip())
            elif "intent" in step:
                texts.append("/" + str(step["intent"]))
        out.append(texts)
    out.append(list(SCRIPT))
    return out


def _comparable(response: dict[str, Any]) -> dict[str, Any]:
    """The executor's answer without the timestamps of its events."""
    answer = copy.deepcopy(response)
    for event in answer.get("events", []):
        event.pop("timestamp", None)
    return answer


class _Recorder:
    """Runs each action call with the full and the slim tracker on two databases."""

    def __init__(self, full_db: Any, slim_db: Any) -> None:
        from rasa_sdk.executor import ActionExecutor

        self.executor = ActionExecutor()
        self.executor.register_package("actions")
        self.dbs = {"full": full_db, "slim": slim_db}
        # action, sender, events and bytes of the full call, events and bytes of the slim one
        self.calls: list[tuple[str, str, int, int, int, int]] = []
        self.mismatches: list[str] = []
        self.keys: list[tuple[str, str]] = []  # the journal's key of the full and slim call
        self.pending_full: dict[str, Any] | None = None
        self.seed = 0

    def rng(self, *_: Any) -> random.Random:
        """Stands in for ``random.Random()`` in bot.content: seeded per action call."""
        return random.Random(self.seed)

    def action_call_format(
        self, action: RemoteAction, tracker: DialogueStateTracker, domain: Domain
    ) -> dict[str, Any]:
        self.pending_full = slim_tracker._original_action_call_format(action, tracker, domain)
        return slim_tracker._action_call_format(action, tracker, domain)

    async def run(self, slim_call: dict[str, Any]) -> dict[str, Any]:
        from actions import common, journal

        full_call = self.pending_full
        assert full_call is not None
        self.keys.append((journal.call_key(full_call), journal.call_key(slim_call)))
        answers = {}
        for name, call in (("full", full_call), ("slim", slim_call)):
            common._state["database"] = self.dbs[name]
            self.seed = len(self.calls)  # the same "random" wording for both
            answers[name] = await self.executor.run(copy.deepcopy(call))
        self.calls.append(
            (
                full_call["next_action"],
                full_call["sender_id"],
                len(full_call["tracker"]["events"]),
                len(json.dumps(full_call)),
                len(slim_call["tracker"]["events"]),
                len(json.dumps(slim_call)),
            )
        )
        if _comparable(answers["full"] or {}) != _comparable(answers["slim"] or {}):
            self.mismatches.append(
                f"{full_call['next_action']}: full {answers['full']} slim {answers['slim']}"
            )
        return answers["full"] or {"events": [], "responses": []}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_action_answers_the_slim_tracker_as_the_full_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL}: run `make train` first")
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    import bot.rasa.components  # noqa: F401  (applies our Rasa patches before ours below)
    from actions import common
    from bot.content import models as content_models
    from bot.store.db import Database

    databases = []
    for name in ("full", "slim"):
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / name}.db")
        common.reset()
        databases.append(common.database())
        common._state.pop("database")  # kept here, not disposed by the next reset
    recorder = _Recorder(*databases)

    class InProcessEndpoint(EndpointConfig):
        async def request(
            self,
            method: str = "post",
            subpath: str | None = None,
            content_type: str | None = "application/json",
            compress: bool = False,
            **kwargs: Any,
        ) -> Any:
            return await recorder.run(kwargs["json"])

    def call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Any:
        return recorder.action_call_format(self, tracker, domain)

    monkeypatch.setattr(RemoteAction, "_action_call_format", call_format)
    monkeypatch.setattr(content_models, "random", SimpleNamespace(Random=recorder.rng))
    endpoint = InProcessEndpoint(url="http://in-process.invalid/webhook")
    monkeypatch.setenv(slim_tracker.SLIM_ENV, "1")
    monkeypatch.setenv("RASA_SESSION_MAX_TURNS", "0")  # let the long session grow

    async def play() -> None:
        from rasa.core.channels.channel import UserMessage

        agent = Agent.load(str(MODEL), action_endpoint=endpoint)
        conversations = _conversations()
        message_ids = iter(range(1, 1_000_000))

        async def say(text: str, sender: str) -> None:  # as the gateway: with its log id
            await agent.handle_message(
                UserMessage(text, sender_id=sender, metadata={"message_id": next(message_ids)})
            )

        for number, texts in enumerate(conversations):
            for text in texts:
                await say(text, f"story-{number}")
        for texts in conversations:  # one long session: the history the slim call drops
            for text in texts:
                await say(text, "one-long-session")

    try:
        asyncio.run(play())
    finally:
        common._state.pop("database", None)
        common.reset()
        for db in databases:
            assert isinstance(db, Database)
            db.dispose()
    assert not recorder.mismatches, "\n".join(recorder.mismatches[:5])
    # The journal (actions/journal.py): one key for a call, slim or full; no two calls alike.
    assert [full for full, _ in recorder.keys] == [slim for _, slim in recorder.keys]
    assert len({full for full, _ in recorder.keys}) == len(recorder.keys)
    actions = {call[0] for call in recorder.calls}
    assert len(recorder.calls) > 100 and len(actions) >= 15, sorted(actions)
    long_session = [call for call in recorder.calls if call[1] == "one-long-session"]
    first, last = long_session[0], long_session[-1]
    print(
        f"action calls: {len(recorder.calls)}; long session, first call: full {first[2]} "
        f"events / {first[3]} bytes, slim {first[4]} / {first[5]}; last call: full "
        f"{last[2]} / {last[3]}, slim {last[4]} / {last[5]}"
    )
    # the history the slim call leaves out (observed: 360 events / 125 kB against 78 / 35 kB)
    assert last[2] > 4 * last[4] and last[3] > 3 * last[5]
