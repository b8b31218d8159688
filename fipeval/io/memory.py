"""Giving freed memory back to the operating system between the loader's phases.

The loader frees each batch's temporaries as it goes, but glibc's allocator keeps freed
heap pages (its mmap threshold rises after the first large free, so later large arrays
come from the heap) and Arrow's allocator keeps its own; the process's resident memory
then stays near its high-water mark. ``release()`` asks both to return what is free:
``malloc_trim(0)`` (glibc only; elsewhere a no-op) and Arrow's ``release_unused()``. It
changes no setting of the caller's process and costs about a millisecond.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa


def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def release() -> None:
    """Return freed memory to the operating system where the allocators allow it."""
    if _TRIM is not None:
        _TRIM(0)
    pa.default_memory_pool().release_unused()
