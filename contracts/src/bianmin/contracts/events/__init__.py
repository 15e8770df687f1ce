"""Event payloads, one module per publishing service.

Each module declares ``PUBLISHES`` (the event versions that service publishes, with their payload
models) and ``CONSUMES`` (the subjects it consumes from others). Money travels as a decimal string
in yuan, times as timezone-aware ISO 8601, dates as ISO dates. A payload carries no personal data
beyond what its consumers need: enterprises are named by their Unified Social Credit Code.
"""
