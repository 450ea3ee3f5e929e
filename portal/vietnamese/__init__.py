"""Vietnamese text: folding, syllables, collation and slugs, one implementation for the domain, search and templates."""
