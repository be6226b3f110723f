"""Tests, mirroring the package layout (``tests.bot.store`` tests ``bot.store``)."""

import os

# SQLAlchemy reads this when first imported: its 2.0 deprecation warnings are on, and
# pyproject.toml's filterwarnings turns those raised by our code into errors.
os.environ.setdefault("SQLALCHEMY_WARN_20", "1")
