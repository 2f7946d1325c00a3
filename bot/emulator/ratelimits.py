"""Per-method, per-workspace rate limits (token buckets) answered with 429 + Retry-After."""

from __future__ import annotations

import math
import threading
import time

from .reference import TIER_PER_MINUTE, TIERS

POST_PER_SECOND = 1.0  # chat.postMessage: ~1 message per second per channel
POST_BURST = 5.0  # ...with a small burst tolerated


class Bucket:
    """A token bucket: `capacity` tokens refilled at `rate` per second."""

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """Take one token; returns 0 on success or the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class RateLimiter:
    """Slack's tiers: t1=1/min, t2=20/min, t3=50/min, t4=100/min; chat.postMessage per channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def reset(self) -> None:
        """Forget all usage."""
        with self._lock:
            self._buckets.clear()

    def check(self, method: str, channel: str = "") -> int | None:
        """None when allowed, else the Retry-After seconds (>= 1)."""
        if method == "chat.postMessage":
            key, capacity, rate = (method, channel), POST_BURST, POST_PER_SECOND
        else:
            per_minute = TIER_PER_MINUTE.get(TIERS.get(method, ""))
            if per_minute is None:
                return None
            key, capacity, rate = (method, ""), float(per_minute), per_minute / 60.0
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = Bucket(capacity, rate)
            wait = bucket.take()
        return None if wait == 0 else max(1, math.ceil(wait))
