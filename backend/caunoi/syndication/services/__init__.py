"""Syndication's writes. Import from the submodules: webhooks (outbox to partners), imports (pull)."""
