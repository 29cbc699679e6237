"""Persistence: SQLAlchemy models, sessions, migrations and repositories returning plain dataclasses."""
