"""Revisions of the webhooks service's database, oldest first by date."""
