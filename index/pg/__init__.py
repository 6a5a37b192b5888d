"""The hub's PostgreSQL backend."""
