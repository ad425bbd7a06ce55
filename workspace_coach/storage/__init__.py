"""The coach's own database: SQLAlchemy on SQLite by default, PostgreSQL when configured."""
