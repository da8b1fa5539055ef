"""Retry delays for pushes: exponential with a cap and deterministic jitter from the attempt key,
so many platforms failing together do not retry in lockstep."""

from __future__ import annotations

import zlib


def delays(attempts: int, base_seconds: float, cap_seconds: float, key: str = "") -> list[float]:
    """The waits before attempts 2..attempts (one fewer than attempts)."""
    spread = (zlib.crc32(key.encode()) % 1000) / 1000.0
    return [
        min(cap_seconds, base_seconds * 2**attempt) * (0.5 + spread / 2)
        for attempt in range(max(0, attempts - 1))
    ]
