"""Revisions of the queue service's database, oldest first by date."""
