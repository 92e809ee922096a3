"""Password hashes: Argon2id, computed off the event loop, a bounded number at a time.

The parameters are OWASP's first recommendation for Argon2id (19 MiB of memory, 2 passes,
1 lane), cheaper in time and memory than argon2-cffi's default, which also ran on the event
loop and stalled the worker (docs/performance.md).

argon2 releases the GIL, so a hash runs in a thread of its own while the loop serves other
requests; at most one hash per core runs at once, the rest queue, so a burst of log-ins
costs at most (cores x 19 MiB) of memory. Hashes made with other parameters still verify
and are made again at the next log-in (`needs_rehash`).
"""

from __future__ import annotations

import asyncio
import functools
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
THREAD_PREFIX = "argon2"
_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix=THREAD_PREFIX)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so both cases take alike long."""
    return HASHER.hash("not-a-real-password")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_pool, HASHER.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` is the one `password_hash` was made from; an empty hash (an account
    without a password, or none at all) never matches, after as long a wait as one that does."""
    return await asyncio.get_running_loop().run_in_executor(_pool, _verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
