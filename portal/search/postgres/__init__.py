"""The PostgreSQL backend (SEARCH_BACKEND=postgresql): the index kept in the portal's own
database, for several nodes; it runs without Whoosh installed."""
