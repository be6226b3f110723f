"""The lemma tokenizer: spaCy lookup lemmas on Rasa tokens."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.tokenizer import LemmaTokenizer, lemma_of


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("hurts", "hurt"),
        ("Hurting", "hurt"),
        ("feet", "foot"),
        ("were", "be"),
        ("killing", "kill"),
        ("worse", "bad"),
        ("worst", "bad"),
        ("fibro", "fibro"),
    ],
)
def test_lemma_of(word: str, lemma: str) -> None:
    assert lemma_of(word) == lemma


def test_tokens_keep_text_and_offsets_and_gain_lemmas() -> None:
    tokenizer = LemmaTokenizer(LemmaTokenizer.get_default_config())
    message = Message({TEXT: "My feet were hurting 😣 badly"})
    tokens = tokenizer.tokenize(message, TEXT)
    assert [t.text for t in tokens] == ["My", "feet", "were", "hurting", "badly"]
    assert [t.lemma for t in tokens] == ["my", "foot", "be", "hurt", "badly"]
    assert tokens[1].start == 3 and tokens[1].end == 7


def test_emoji_only_message_still_gives_a_token() -> None:
    tokenizer = LemmaTokenizer(LemmaTokenizer.get_default_config())
    tokens = tokenizer.tokenize(Message({TEXT: "😭😭"}), TEXT)
    assert len(tokens) == 1
