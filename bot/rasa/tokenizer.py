"""A whitespace tokenizer that adds spaCy lookup lemmas to every token.

Rasa's CountVectorsFeaturizer uses token lemmas by default, so "hurts", "hurting" and
"hurt" become one feature and the classifier generalises better from few examples. The
lemmas come from spaCy's English lookup table (``spacy-lookups-data``); nothing is
downloaded and no statistical model is used.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from spacy.lookups import Table

from bot.nlu.extract import build_nlp


@lru_cache(maxsize=1)
def lemma_table() -> Table:
    """spaCy's English lookup lemma table (keys are hashed; use ``Table.get``)."""
    lemmatizer = build_nlp().get_pipe("lemmatizer")
    return lemmatizer.lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]


# spaCy's lookup table maps these to unrelated words ("worse" -> "wrong").
LEMMA_OVERRIDES = {"worse": "bad", "worst": "bad", "worsen": "worsen", "flares": "flare"}


@lru_cache(maxsize=50_000)
def lemma_of(word: str) -> str:
    """The lookup lemma of one lowercased word (the word itself when unknown)."""
    lowered = word.lower()
    if lowered in LEMMA_OVERRIDES:
        return LEMMA_OVERRIDES[lowered]
    return str(lemma_table().get(lowered, lowered))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class LemmaTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer whose tokens carry spaCy lookup lemmas."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LemmaTokenizer:
        """Create the tokenizer (see the parent class)."""
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Split on whitespace like the parent, then set each token's lemma."""
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = lemma_of(token.text)
        return tokens
