"""The kernel every subject shares: who acts (actor), the audit log, the change
sequence, base columns, vocabularies, input bounds, state machines, front matter, the rows of a
list of recipients, the mail outbox and the schema a node expects. It imports no subject."""
