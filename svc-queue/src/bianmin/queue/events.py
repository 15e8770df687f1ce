"""What the queue service publishes (through the outbox) and how it reacts to what it consumes.

The subjects it publishes and consumes are declared in :mod:`bianmin.contracts.registry`;
``HANDLERS`` maps each consumed subject to the function that applies it.
"""

from bianmin.kit.calendar import CALENDAR_HANDLER
from bianmin.kit.events.consumer import Handler

HANDLERS: list[Handler] = [CALENDAR_HANDLER]
