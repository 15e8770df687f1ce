"""Revisions of the bidding service's database, oldest first by date."""
