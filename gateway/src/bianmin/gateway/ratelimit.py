"""Per-key rate limits with the ``limits`` library, in memory by default and in Redis when configured.

``limits`` offers no token bucket; its sliding-window counter stands in for one: it weighs the
previous fixed window's count by how much of it still overlaps the last period, so a caller gets
about N requests in any period and no burst of 2N across a window edge, the promise a token bucket
of N per period makes. It keeps two counters per caller, O(1) per request in memory and in Redis.
(The exact moving window was measured and rejected: its in-memory store keeps one entry per hit
and an expiry task that takes every caller's lock in turn, which stalled requests under load.)
Each key or client may carry its own rate (``"100/minute"``, or several: ``"10/second;1000/hour"``);
others get the default, and anonymous callers are limited per client IP. With Redis, every gateway
replica shares the counts. When a remote store fails or is slow the gateway lets the request
through and logs it: an outage of the limiter must not become an outage of the platform.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from bianmin.gateway.errors import TooManyRequests
from bianmin.gateway.metrics import GatewayMetrics

log = logging.getLogger("bianmin.gateway.ratelimit")
STORE_TIMEOUT_SECONDS = 0.5


@lru_cache(maxsize=1024)
def parse_rate(rate: str) -> tuple[RateLimitItem, ...]:
    """The limits a rate string names; raises ``ValueError`` when it is not one."""
    items = tuple(parse_many(rate))
    if not items:
        raise ValueError(f"not a rate limit: {rate!r}")
    return items


def valid_rate(rate: str | None) -> str | None:
    """A rate string as given, after checking that ``limits`` understands it (for request validation)."""
    if rate is None:
        return None
    try:
        parse_rate(rate)
    except ValueError as exc:
        raise ValueError("must look like '100/minute' or '10/second;1000/hour'") from exc
    return rate


def storage_uri(url: str) -> tuple[str, dict[str, str]]:
    """The async storage URI and options for a configured store (``memory://`` or ``redis://...``)."""
    scheme = url.split("://", 1)[0]
    if scheme.startswith("async+"):
        return url, ({"implementation": "redispy"} if "redis" in scheme else {})
    if scheme in ("redis", "rediss", "redis+unix"):
        return f"async+{url}", {"implementation": "redispy"}
    return f"async+{url}", {}


class RateLimiter:
    """Counts hits per caller and refuses the one over its limit with 429 and ``Retry-After``."""

    def __init__(self, storage_url: str, *, default_rate: str, metrics: GatewayMetrics | None = None) -> None:
        uri, options = storage_uri(storage_url)
        self.storage = storage_from_string(uri, **options)
        self.strategy = SlidingWindowCounterRateLimiter(self.storage)  # type: ignore[arg-type]
        self.remote = not uri.startswith("async+memory")
        self.default_rate = default_rate
        self.metrics = metrics
        parse_rate(default_rate)

    async def hit(self, subject: str, rate: str | None = None, *, caller: str = "key") -> None:
        """Count one request of ``subject`` against ``rate`` (else the default); 429 when it is one too many."""
        items = parse_rate(rate or self.default_rate)
        try:
            if self.remote:
                refused = await asyncio.wait_for(self._hit_all(items, subject), STORE_TIMEOUT_SECONDS)
            else:
                refused = await self._hit_all(items, subject)
        except Exception:
            log.warning("rate limit store failed; request let through", exc_info=True,
                        extra={"subject": subject})
            return
        if refused is None:
            return
        item, reset_at = refused
        retry_after = max(1, math.ceil(reset_at - time.time()))
        if self.metrics is not None:
            self.metrics.rate_limited.labels(caller).inc()
        raise TooManyRequests(f"Rate limit {item} exceeded; retry in {retry_after} s.",
                              headers={"Retry-After": str(retry_after), "RateLimit-Policy": str(item)})

    async def exhausted(self, subject: str, rate: str) -> int | None:
        """Seconds until ``subject`` may try again when ``rate`` has no room left, else None (counts nothing)."""
        items = parse_rate(rate)
        try:
            async with asyncio.timeout(STORE_TIMEOUT_SECONDS if self.remote else None):
                for item in items:
                    if not await self.strategy.test(item, subject):
                        stats = await self.strategy.get_window_stats(item, subject)
                        return max(1, math.ceil(stats.reset_time - time.time()))
        except Exception:
            log.warning("rate limit store failed; request let through", exc_info=True, extra={"subject": subject})
        return None

    async def count(self, subject: str, rate: str) -> None:
        """Count one event of ``subject`` against ``rate`` without refusing anything."""
        try:
            async with asyncio.timeout(STORE_TIMEOUT_SECONDS if self.remote else None):
                for item in parse_rate(rate):
                    await self.strategy.hit(item, subject)
        except Exception:
            log.warning("rate limit store failed; event not counted", exc_info=True, extra={"subject": subject})

    async def _hit_all(self, items: tuple[RateLimitItem, ...], subject: str) -> tuple[RateLimitItem, float] | None:
        for item in items:
            if not await self.strategy.hit(item, subject):
                stats = await self.strategy.get_window_stats(item, subject)
                return item, stats.reset_time
        return None

    async def aclose(self) -> None:
        """Stop the in-memory store's expiry task (a Redis store's pool closes with the process)."""
        timer = getattr(self.storage, "timer", None)
        if isinstance(timer, asyncio.Task) and not timer.done():
            timer.cancel()


class AuthFailures:
    """Failed authentications per client address and per presented key id or client id (issue 17, finding 7)."""

    def __init__(self, limiter: RateLimiter, *, per_address: str, per_credential: str) -> None:
        self.limiter = limiter
        self.per_address = per_address
        self.per_credential = per_credential
        parse_rate(per_address)
        parse_rate(per_credential)

    def _subjects(self, address: str, credential: str | None) -> list[tuple[str, str]]:
        subjects = [(f"authfail-ip:{address}", self.per_address)]
        if credential:
            subjects.append((f"authfail-id:{credential}", self.per_credential))
        return subjects

    async def guard(self, address: str, credential: str | None) -> None:
        """429 with ``Retry-After`` when the address or the credential id has failed too often lately."""
        for subject, rate in self._subjects(address, credential):
            retry_after = await self.limiter.exhausted(subject, rate)
            if retry_after is not None:
                if self.limiter.metrics is not None:
                    self.limiter.metrics.rate_limited.labels("auth_failure").inc()
                whom = "this address" if subject.startswith("authfail-ip:") else "this key or client"
                raise TooManyRequests(f"Too many failed authentications from {whom}; retry in {retry_after} s.",
                                      code="auth_failures", headers={"Retry-After": str(retry_after)})

    async def failed(self, address: str, credential: str | None) -> None:
        """Count one failed authentication against the address and the credential id."""
        for subject, rate in self._subjects(address, credential):
            await self.limiter.count(subject, rate)
