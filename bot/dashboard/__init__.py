"""Coach dashboard: the web app only (Starlette pages, login, CSV/JSON downloads) and its CLI.

Coach tables and their store functions live in :mod:`bot.store` (``coaches``, ``accounts``,
``invites``, ``audit``); metrics, charts and transcripts in :mod:`bot.analytics`. The web
app factory is ``bot.dashboard.app.create_app``.
"""
