"""What the bot says lives in content/*.yml (and domain responses), never in Python.

Checked on the source by AST for the code that talks to patients (actions, the gateway, the
scheduler, the progress summary): no string literal with words in what is passed to a call
that sends or shows something, and no (title, "/payload") button pair with a literal title.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("actions", "bot/gateway", "bot/scheduler", "bot/progress")
# Calls whose arguments reach the patient: Rasa's dispatcher, the gateway's outbox and
# channels, the scheduler's and the progress summary's senders, reply steps and buttons.
SEND_CALLS = {
    "utter_message", "send_plain", "send_text", "send_photo", "send_message", "send_document",
    "send_telegram", "say", "TextStep", "Button", "buttons", "InlineKeyboardButton",
    "edit_text", "mark_chosen", "reply",
}
_WORD = re.compile(r"[A-Za-z]{2,}")
_KEY = re.compile(r"[a-z][a-z0-9_]*")  # a content key (snake case), not a sentence


def _words(text: str) -> bool:
    """Whether a literal reads as words (not a content key, a payload or a /command)."""
    return bool(_WORD.search(text)) and not _KEY.fullmatch(text) and not text.startswith("/")


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _literals(node: ast.AST) -> Iterator[ast.Constant]:
    """String constants in ``node`` that are not inside a nested call or a dict key."""
    if isinstance(node, ast.Call):
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
        return
    if isinstance(node, ast.Dict):
        for value in node.values:
            yield from _literals(value)
        return
    for child in ast.iter_child_nodes(node):
        yield from _literals(child)


def offenders(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node) in SEND_CALLS:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                for const in _literals(arg):
                    if _words(const.value):
                        found.append(f"{where}:{const.lineno}: {const.value[:60]!r}")
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            title, payload = node.elts
            if (
                isinstance(title, ast.Constant) and isinstance(title.value, str)
                and isinstance(payload, ast.Constant) and isinstance(payload.value, str)
                and payload.value.startswith("/") and _words(title.value)
            ):
                found.append(f"{where}:{title.lineno}: button {title.value!r}")
    return found


@pytest.mark.parametrize("folder", FOLDERS)
def test_no_patient_facing_literal_in_python(folder: str) -> None:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files
    found = [
        problem
        for path in files
        for problem in offenders(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []


def test_the_check_finds_sentences_and_button_titles() -> None:
    sample = (
        'dispatcher.utter_message(text="Okay. What would help? " + CAPABILITIES)\n'
        'await outbox.send_plain(channel, chat, None, "Please choose:")\n'
        'OFFER = (("Yes, remind me", "/affirm"), ("remind_no", "/deny"))\n'
        'dispatcher.utter_message(text=content.phrase("tools_pick"), buttons=[{"title": t}])\n'
    )
    assert len(offenders(sample, "sample")) == 3


def test_the_gateway_texts_module_holds_no_sentence() -> None:
    tree = ast.parse((ROOT / "bot" / "gateway" / "texts.py").read_text(encoding="utf-8"))
    skip = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise)
        or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))  # docstrings
        for sub in ast.walk(node)
    }
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]
    assert literals and all(re.fullmatch(r"[A-Z_]+", value) for value in literals), literals
