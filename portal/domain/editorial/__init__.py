"""The webmaster's work on documents, decisions included: specs checked like content files, editing
with revisions, uploads of originals and award lists, and the publication workflow."""
