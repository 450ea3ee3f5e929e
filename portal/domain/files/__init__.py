"""Stored files: the store (a folder or the database), text extraction for search, moves and sweeps."""
