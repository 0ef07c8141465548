"""How many chat messages one user may send per time window (web chat and Teams alike).

A fixed window: at most ``limit`` messages per ``window_seconds``, counted per process, or in
Redis when ``redis_url`` is set so that every replica sees the same count.
"""

import hashlib
import logging
import math
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "distansguiden:chat-rate"
# A Redis that does not answer must not hold the chat up for long.
REDIS_TIMEOUT_SECONDS = 0.5


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float,
        redis_url: str | None = None,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._prefix = prefix
        self._redis: Redis | None = (
            Redis.from_url(
                redis_url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            if redis_url
            else None
        )
        # key -> (window number, messages in it); only the current window is kept.
        self._counts: dict[str, tuple[int, int]] = {}
        self._window = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> "RateLimiter":
        return cls(settings.chat_rate_limit, settings.chat_rate_window_seconds, settings.redis_url)

    async def retry_after(self, key: str) -> float | None:
        """Counts one message for ``key`` (a user id): None when it may be sent, otherwise the
        seconds until the window ends and the user may write again."""
        now = time.time()
        window = math.floor(now / self.window_seconds)
        seconds_left = (window + 1) * self.window_seconds - now
        count = await self._count(key, window) if self._redis else self._count_here(key, window)
        if count is None or count <= self.limit:
            return None
        return seconds_left

    def _count_here(self, key: str, window: int) -> int:
        if window != self._window:
            self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
            self._window = window
        seen_window, count = self._counts.get(key, (window, 0))
        count = count + 1 if seen_window == window else 1
        self._counts[key] = (window, count)
        return count

    async def _count(self, key: str, window: int) -> int | None:
        assert self._redis is not None
        # Hashed: the user id itself need not be stored in Redis.
        user = hashlib.sha256(key.encode()).hexdigest()[:32]
        redis_key = f"{self._prefix}:{user}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(redis_key)
                pipe.expire(redis_key, math.ceil(self.window_seconds) + 1)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as error:
            # Fail open: the limit protects against floods, but an unreachable Redis must not
            # stop every employee from getting answers.
            log.warning("Chat rate limit not checked, Redis unavailable: %s", error)
            return None
        return int(count)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
