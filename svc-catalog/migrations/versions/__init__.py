"""Revisions of the catalog service's database, oldest first by date."""
