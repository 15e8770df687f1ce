"""Wake the display streams of a hall when a call of that hall is committed, here or on another replica.

A call committed in this process notifies its hall at once. Calls committed by another replica are
found by one watcher per process (:func:`bianmin.queue.workers.stream_watcher`) that reads the
``call_seq`` of the halls that have open streams every ``stream_poll_seconds`` and notifies those
whose sequence moved: one small query per interval for the whole process, however many display
boards are connected.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator


class CallNotifier:
    """Per-hall wake-ups and the set of halls that have open streams."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self._streams: Counter[str] = Counter()
        self.seen: dict[str, int] = {}

    def waiter(self, hall_code: str) -> asyncio.Event:
        """The event the next notify of this hall will set."""
        return self._events.setdefault(hall_code, asyncio.Event())

    def notify(self, hall_code: str) -> None:
        """Wake everyone waiting on this hall."""
        event = self._events.pop(hall_code, None)
        if event is not None:
            event.set()

    @contextlib.contextmanager
    def streaming(self, hall_code: str) -> Iterator[None]:
        """Count an open stream of a hall for as long as the block runs."""
        self._streams[hall_code] += 1
        try:
            yield
        finally:
            self._streams[hall_code] -= 1
            if self._streams[hall_code] <= 0:
                del self._streams[hall_code]
                self.seen.pop(hall_code, None)

    def watched(self) -> list[str]:
        """The halls that have open streams in this process."""
        return sorted(self._streams)

    def observed(self, hall_code: str, call_seq: int) -> None:
        """Record a hall's sequence as read from the database; notify when it moved."""
        if call_seq != self.seen.get(hall_code):
            self.seen[hall_code] = call_seq
            self.notify(hall_code)
