"""Wake the display streams of a hall when one of its calls is committed in this process.

Streams also poll the call log, so calls committed by another replica reach them within a poll
interval; this only makes calls of the same process arrive at once.
"""

from __future__ import annotations

import asyncio


class CallNotifier:
    """Per-hall wake-ups: a waiter gets the hall's current event; a notify sets it and starts a new one."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def waiter(self, hall_code: str) -> asyncio.Event:
        """The event the next notify of this hall will set."""
        return self._events.setdefault(hall_code, asyncio.Event())

    def notify(self, hall_code: str) -> None:
        """Wake everyone waiting on this hall."""
        event = self._events.pop(hall_code, None)
        if event is not None:
            event.set()
