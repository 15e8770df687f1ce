"""The webhooks service's rules, as plain functions without FastAPI."""
