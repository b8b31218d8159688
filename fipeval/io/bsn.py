"""Citizen service numbers (BSN): the 11-proef and keyed pseudonyms.

A BSN is 9 digits (an 8-digit number gets a leading zero) and is valid when
``9*d1 + 8*d2 + 7*d3 + 6*d4 + 5*d5 + 4*d6 + 3*d7 + 2*d8 - 1*d9`` is divisible by 11
(``000000000`` is not valid). BSNs are personal data: fipeval replaces them at load by
``HMAC-SHA256(key, bsn)`` in hex, truncated to 16 characters (64 bits: collision-free in
practice for the roughly 20 million numbers ever issued). The same key gives the same
pseudonym, so separate exports (spells, contacts, events) still join; without the key the
pseudonym cannot be reversed. Raw numbers never leave this module: errors refer to rows
by line number.

The key comes from, in this order: the ``key=`` argument (the secret itself, or a
``pathlib.Path`` to a file holding it), the environment variable ``FIPEVAL_BSN_KEY`` (the
secret) or ``FIPEVAL_BSN_KEY_FILE`` (a path). Keys shorter than 16 bytes are refused.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import PrivacyError

KEY_ENV = "FIPEVAL_BSN_KEY"
KEY_FILE_ENV = "FIPEVAL_BSN_KEY_FILE"
MIN_KEY_BYTES = 16
PSEUDONYM_CHARS = 16
_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)
_DIGIT_RUN = re.compile(r"\d{8,}")


def redact(text: str) -> str:
    """Replace every run of 8 or more digits by ``<number>`` (BSNs must not leak into text)."""
    return _DIGIT_RUN.sub("<number>", str(text))


def resolve_key(key: str | bytes | os.PathLike | None = None, *, required: bool = True) -> bytes | None:
    """Return the pseudonymisation key as bytes.

    Parameters
    ----------
    key
        The secret (str or bytes), or a ``pathlib.Path`` to a file holding it. When None,
        the environment variables ``FIPEVAL_BSN_KEY`` (secret) and ``FIPEVAL_BSN_KEY_FILE``
        (path) are tried.
    required
        Raise PrivacyError when no key is found (otherwise return None).

    Examples
    --------
    >>> resolve_key("a-secret-of-16-bytes-or-more")[:8]
    b'a-secret'
    """
    source = "the `key` argument"
    if key is None and os.environ.get(KEY_ENV):
        key, source = os.environ[KEY_ENV], f"${KEY_ENV}"
    elif key is None and os.environ.get(KEY_FILE_ENV):
        key, source = Path(os.environ[KEY_FILE_ENV]), f"${KEY_FILE_ENV}"
    if key is None:
        if required:
            raise PrivacyError(
                "The data hold BSNs but no pseudonymisation key was given; pass key=..., "
                f"a key file (key=pathlib.Path(...)), or set ${KEY_ENV} or ${KEY_FILE_ENV}.")
        return None
    if isinstance(key, os.PathLike):
        path = Path(key)
        try:
            secret = path.read_bytes().strip()
        except OSError as err:
            raise PrivacyError(f"Cannot read the key file {path} named by {source}: "
                               f"{err.strerror}; check the path.") from err
        source = f"key file {path}"
    elif isinstance(key, str):
        secret = key.encode("utf-8")
    elif isinstance(key, bytes):
        secret = key
    else:
        raise PrivacyError(f"The key must be str, bytes or a pathlib.Path; got {type(key).__name__}.")
    if len(secret) < MIN_KEY_BYTES:
        raise PrivacyError(f"The key from {source} is {len(secret)} bytes; use at least "
                           f"{MIN_KEY_BYTES} random bytes (e.g. `python -c \"import secrets; "
                           "print(secrets.token_hex(32))\"`).")
    return secret


def normalise_bsn(values) -> pa.Array:
    """Strip whitespace, drop a trailing ``.0`` and left-pad 8-digit numbers with a zero."""
    text = pc.utf8_trim_whitespace(values.cast(pa.string()))
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if pc.any(pc.match_substring(text, ".")).as_py():
        text = pc.replace_substring_regex(text, r"\.0+$", "")
    return pc.if_else(pc.equal(pc.utf8_length(text), 8), pc.utf8_lpad(text, 9, "0"), text)


def is_valid_bsn(values, *, normalised: bool = False) -> np.ndarray:
    """Boolean array: which values are valid BSNs (9 digits, 8 padded, passing the 11-proef).

    Examples
    --------
    >>> is_valid_bsn(["111222333", "123456789", "11122233"]).tolist()
    [True, False, False]
    """
    arr = pa.array(values, type=pa.string()) if not isinstance(values, (pa.Array, pa.ChunkedArray)) \
        else values
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    text = arr if normalised else normalise_bsn(arr)
    shape_ok = pc.and_(pc.equal(pc.utf8_length(text), 9), pc.ascii_is_decimal(text))
    shape_ok = pc.fill_null(shape_ok, False).to_numpy(zero_copy_only=False)
    out = np.zeros(len(text), dtype=bool)
    if not shape_ok.any():
        return out
    good = text.filter(pa.array(shape_ok)) if not shape_ok.all() else text
    digits = np.frombuffer(good.buffers()[2], dtype=np.uint8)
    starts = np.frombuffer(good.buffers()[1], dtype=np.int32)[good.offset:good.offset + len(good)]
    checksum = np.zeros(len(good), dtype=np.int32)
    nonzero = np.zeros(len(good), dtype=bool)
    for k, weight in enumerate(_WEIGHTS):
        digit = digits[starts + k].astype(np.int32) - 48
        checksum += weight * digit
        nonzero |= digit > 0
    out[shape_ok] = (checksum % 11 == 0) & nonzero
    return out


def pseudonymise(values, key: bytes) -> np.ndarray:
    """Keyed pseudonyms (HMAC-SHA256, hex, 16 characters) of normalised BSN strings.

    Each distinct value is hashed once; the result is an object array aligned with
    ``values``.

    Examples
    --------
    >>> pseudonymise(["111222333", "111222333"], b"0123456789abcdef").tolist()[0] == \\
    ...     pseudonymise(["111222333"], b"0123456789abcdef").tolist()[0]
    True
    """
    arr = pa.array(values, type=pa.string()) if not isinstance(values, (pa.Array, pa.ChunkedArray)) \
        else values
    encoded = pc.dictionary_encode(arr)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    uniques = encoded.dictionary
    data = uniques.buffers()[2]
    data = b"" if data is None else data.to_pybytes()
    offsets = np.frombuffer(uniques.buffers()[1], dtype=np.int32)[uniques.offset:uniques.offset + len(uniques) + 1]
    hashed = np.append(_hmac_hex(data, offsets, key), None)
    idx = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return hashed[idx]


def _hmac_hex(data: bytes, offsets: np.ndarray, key: bytes) -> np.ndarray:
    """HMAC-SHA256 (RFC 2104) of each message ``data[offsets[i]:offsets[i+1]]``, hex, first
    ``PSEUDONYM_CHARS`` characters, as an object array of str.

    The padded-key states are hashed once and copied per message: the same digest as
    ``hmac.digest(key, m, "sha256")`` at under half the cost per message.
    """
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner_base = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer_base = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    n_bytes = PSEUDONYM_CHARS // 2
    view = memoryview(data)
    out = bytearray()
    bounds = offsets.tolist()
    for start, end in zip(bounds[:-1], bounds[1:]):
        inner = inner_base.copy()
        inner.update(view[start:end])
        outer = outer_base.copy()
        outer.update(inner.digest())
        out += outer.digest()[:n_bytes]
    hexed = binascii.hexlify(bytes(out)).decode("ascii")
    width = PSEUDONYM_CHARS
    result = np.empty(len(bounds) - 1, dtype=object)
    result[:] = [hexed[i:i + width] for i in range(0, len(hexed), width)]
    return result


class Pseudonymiser:
    """``pseudonymise`` with a memory: numbers already hashed in this load are looked up
    (spells, contacts and events of one client share their BSN)."""

    def __init__(self, key: bytes):
        self._key = key
        self._cache: dict[str, str] = {}   # normalised BSN -> pseudonym, for this load only

    def __call__(self, values) -> np.ndarray:
        # one dict lookup per distinct number: linear in the data however many parts it has
        arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        encoded = pc.dictionary_encode(arr)
        uniques = encoded.dictionary.to_pylist()
        cache = self._cache
        missing = [u for u in uniques if u not in cache]
        if missing:
            cache.update(zip(missing, pseudonymise(missing, self._key)))
        per_unique = np.array([cache[u] for u in uniques] + [None], dtype=object)
        idx = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        return per_unique[idx]


def looks_like_bsn(values: pa.Array, *, threshold: float = 0.9) -> bool:
    """True when most non-empty values are 8-9 digit numbers that pass the 11-proef."""
    text = normalise_bsn(values)
    text = text.filter(pc.greater(pc.utf8_length(text), 0))
    if len(text) == 0:
        return False
    sample = text.slice(0, 10_000)
    return float(is_valid_bsn(sample).mean()) >= threshold
