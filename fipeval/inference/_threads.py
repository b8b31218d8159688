"""One BLAS thread for the small dense algebra of resampling.

The resampling routines multiply matrices of tens of columns (a design with municipality
fixed effects, G x G cluster cross-products). For such sizes a second OpenBLAS thread only
adds synchronisation, and on a shared 2-core machine it waits for a core: measured on the
national cohort (30,645 x 40 design), a QR took 0.06 s with one thread and 0.6 s with two,
an SVD 0.04 s and 0.36 s. ``one_blas_thread()`` limits BLAS to one thread inside the block
and restores the previous setting after it: with ``threadpoolctl`` when it is installed,
otherwise through the setter of numpy's bundled OpenBLAS, otherwise it does nothing.
"""

from __future__ import annotations

import ctypes
import glob
import os
from contextlib import contextmanager
from functools import lru_cache, wraps


@lru_cache(maxsize=1)
def _numpy_openblas():
    """(get, set) of numpy's bundled OpenBLAS thread count, or None."""
    import numpy as np

    folder = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in sorted(glob.glob(os.path.join(folder, "libscipy_openblas*"))):
        try:
            lib = ctypes.CDLL(path)      # the copy numpy already loaded: same handle
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                    return get, put
    return None


@contextmanager
def one_blas_thread():
    """Run the block with one BLAS thread (see the module docstring)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        with threadpool_limits(limits=1, user_api="blas"):
            yield
        return
    blas = _numpy_openblas()
    if blas is None:
        yield
        return
    get, put = blas
    before = get()
    put(1)
    try:
        yield
    finally:
        put(before)


def with_one_blas_thread(fn):
    """Decorator: ``fn`` runs inside :func:`one_blas_thread`."""
    @wraps(fn)
    def call(*args, **kwargs):
        with one_blas_thread():
            return fn(*args, **kwargs)
    return call
