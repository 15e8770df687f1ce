"""Revisions of the guarantee service's database, oldest first by date."""
