"""Bianmin webhooks: signed HTTP deliveries of the platform's events to integrators' endpoints."""
