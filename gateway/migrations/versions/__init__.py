"""Revisions of the gateway's database, oldest first by date."""
