"""Numbers and pictures read from the store, shared by the coach dashboard and the patient side.

:mod:`~bot.analytics.metrics` (goals, pain series, flares per week), :mod:`~bot.analytics.charts`
(PNG charts), :mod:`~bot.analytics.transcript` (an episode's transcript with intents) and
:mod:`~bot.analytics.export` (a date range as JSON or CSV).
"""
