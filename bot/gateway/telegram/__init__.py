"""The Telegram channel: updates in (``intake``), the Bot API client out (``channel``), and
long polling or the webhook (``runner``)."""
