"""What search is, whatever keeps the index: Vietnamese analysis of entries and queries, the
portal's own small query tree, the ranking tiers, counting, highlighting and results. Nothing
here imports a search engine; a backend (search/whoosh, search/postgres) answers the questions
of `protocol.Searcher`."""
