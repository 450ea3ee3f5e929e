"""Content shipped as Markdown files with front matter: reading, checking (specs) and loading."""
