"""Plugins loaded by the Rasa server (Rasa 3.6.21): graph components and the tracker store.

Everything here touches Rasa's internals, and is listed in ``docs/ARCHITECTURE.md``
("Rasa internals we rely on"); ``tests/bot/rasa/test_rasa_version.py`` pins the Rasa version.
The pure-Python language parts live in :mod:`bot.nlu`.
"""
