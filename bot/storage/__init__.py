"""The app's own data: SQLAlchemy models, sessions and Alembic migrations."""
