"""The embedded backend: a Whoosh index in a folder beside the database (the only package of
the portal that imports Whoosh; fork.py guards the private names its fast paths reach)."""
