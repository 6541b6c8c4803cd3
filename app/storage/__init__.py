"""Tables, queries and full-text search on SQLite (embedded) and PostgreSQL (production)."""
