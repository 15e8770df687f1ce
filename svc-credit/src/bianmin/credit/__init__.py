"""Bianmin credit: Enterprises, credit records and the five-color credit code (五色码) of every bidding enterprise."""
