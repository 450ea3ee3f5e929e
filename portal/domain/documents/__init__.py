"""Official documents (văn bản): the model, symbols, editing, the publication workflow, revisions,
scheduling, uploads of originals, listings and the .docx export."""
