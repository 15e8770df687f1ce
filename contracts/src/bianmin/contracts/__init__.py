"""Bianmin's contracts: the event envelope, every event's payload and subject, and the API documents.

Services know each other only through what is declared here and through each other's HTTP
documents exported into ``contracts/openapi``.
"""

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.registry import EVENTS, STREAMS, spec_for_subject, spec_for_type
from bianmin.contracts.spec import EventSpec

__all__ = ["EVENTS", "STREAMS", "CloudEvent", "EventSpec", "spec_for_subject", "spec_for_type"]
