"""Revisions of the credit service's database, oldest first by date."""
