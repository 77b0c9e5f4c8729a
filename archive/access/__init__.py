"""Access control: levels of documents, users, sessions and tokens, the audit log (docs/access.md)."""
