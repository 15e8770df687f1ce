"""Revisions of the consult service's database, oldest first by date."""
