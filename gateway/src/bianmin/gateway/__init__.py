"""Bianmin gateway: routing, authentication, tenancy, rate limits, API keys, merged OpenAPI and the cockpit."""
