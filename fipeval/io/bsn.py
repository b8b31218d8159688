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
secret) or ``FIPEVAL_BSN_KEY_FILE`` (a path).

Why the key must be secret and random: there are only about 10^8 valid BSNs, so anyone who
has the key can hash them all (about six core-minutes) and reverse every pseudonym. A key
is refused when it is shorter than 16 bytes or its estimated entropy is below 64 bits
(``key_strength``: length times the Shannon entropy of its bytes, which catches repeated
characters and short alphabets, though not a dictionary word); make one with
``python -m fipeval key new --out FILE`` (32 random bytes as hex).
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
MIN_KEY_BITS = 64       # estimated entropy below this: refused (key_strength)
PSEUDONYM_CHARS = 16
_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)
_DIGIT_RUN = re.compile(r"\d{8,}")


def redact(text: str) -> str:
    """Replace every run of 8 or more digits by ``<number>`` (BSNs must not leak into text)."""
    return _DIGIT_RUN.sub("<number>", str(text))


def key_strength(secret: bytes) -> float:
    """Estimated entropy of a key in bits: its length times the Shannon entropy of its bytes.

    An upper bound for keys made by people (a word scores as its letters), exact in
    expectation for random ones: 32 random bytes as hex score about 250 bits, 16 equal
    characters 0.

    >>> round(key_strength(b"aaaaaaaaaaaaaaaa")), round(key_strength(b"abababababababab"))
    (0, 16)
    """
    if not secret:
        return 0.0
    counts = np.bincount(np.frombuffer(secret, dtype=np.uint8), minlength=256)
    p = counts[counts > 0] / len(secret)
    return max(0.0, float(len(secret) * -(p * np.log2(p)).sum()))   # never "-0 bits"


def new_key() -> str:
    """A new random key: 32 bytes from the operating system's generator, as 64 hex digits."""
    import secrets

    return secrets.token_hex(32)


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
                f"a key file (key=pathlib.Path(...)), or set ${KEY_ENV} or ${KEY_FILE_ENV}."
            ).for_command_line(
                "The data hold BSNs but no pseudonymisation key was given; pass --key FILE "
                f"(make one with `python -m fipeval key new --out FILE`), or set ${KEY_FILE_ENV}.")
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
    make = "make one with `python -m fipeval key new --out FILE`"
    if len(secret) < MIN_KEY_BYTES:
        raise PrivacyError(f"The key from {source} is {len(secret)} bytes; use at least "
                           f"{MIN_KEY_BYTES} random bytes ({make}).")
    bits = key_strength(secret)
    if bits < MIN_KEY_BITS:
        raise PrivacyError(f"The key from {source} is too predictable (about {bits:.0f} bits of "
                           f"entropy, at least {MIN_KEY_BITS} needed): whoever guesses it can "
                           f"hash all valid BSNs and reverse every pseudonym; {make}.")
    return secret


def normalise_bsn(values) -> pa.Array:
    """Strip whitespace, drop a trailing ``.0`` and left-pad 8-digit numbers with a zero."""
    text = values.cast(pa.string())
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    # the usual column holds digits only (or nothing): no space to trim, no ``.0``
    plain = pc.all(pc.or_(pc.ascii_is_decimal(text), pc.equal(pc.binary_length(text), 0)))
    if plain.as_py() is not True:
        text = pc.utf8_trim_whitespace(text)
        if pc.any(pc.match_substring(text, ".")).as_py():
            text = pc.replace_substring_regex(text, r"\.0+$", "")
    length = pc.utf8_length(text)
    if not pc.any(pc.equal(length, 8)).as_py():
        return text
    return pc.if_else(pc.equal(length, 8), pc.utf8_lpad(text, 9, "0"), text)


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
    # nine ASCII digits each: the 11-proef read from their bytes
    out[shape_ok] = nine_digit_numbers(good.cast(pa.string()))[1]
    return out


def nine_digit_numbers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """``(numbers, valid)`` of a string array whose every value is exactly nine ASCII
    digits (the usual BSN column: nothing to trim, pad or reject as empty), read straight
    from its bytes; None for any other column (the general path then reads it).
    ``valid`` is ``is_valid_bsn``; ``numbers`` the values as integers.

    Examples
    --------
    >>> numbers, valid = nine_digit_numbers(pa.array(["111222333", "123456789"]))
    >>> numbers.tolist(), valid.tolist()
    ([111222333, 123456789], [True, False])
    """
    if not isinstance(arr, pa.Array) or not pa.types.is_string(arr.type) or arr.null_count \
            or len(arr) == 0:
        return None
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    first = int(offsets[0])
    if int(offsets[-1]) - first != 9 * len(arr) or (np.diff(offsets) != 9).any():
        return None
    block = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[first:first + 9 * len(arr)].reshape(-1, 9)
    digits = block - np.uint8(48)                 # bytes below '0' wrap round to > 9
    if digits.max(initial=0) > 9:
        return None
    # digit by digit (Horner) in 32 bits: no whole-block temporaries of wide integers
    numbers = digits[:, 0].astype(np.int32)
    checksum = numbers * np.int32(_WEIGHTS[0])
    for place in range(1, 9):
        column = digits[:, place]
        numbers *= 10
        numbers += column
        checksum += column * np.int32(_WEIGHTS[place])
    return numbers.astype(np.int64), (checksum % 11 == 0) & (numbers != 0)


def pseudonymise(values, key: bytes) -> np.ndarray:
    """Keyed pseudonyms (HMAC-SHA256, hex, 16 characters) of normalised BSN strings.

    Each distinct value is hashed once; the result is an object array aligned with
    ``values`` (None where a value is missing).

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
    bounds = offsets.tolist()
    messages = list(map(data.__getitem__, map(slice, bounds[:-1], bounds[1:])))
    names = np.frombuffer(_hex_of_numbers(_hmac_numbers(messages, key)), dtype=f"S{PSEUDONYM_CHARS}")
    hashed = np.append(names.astype(str).astype(object), None)
    idx = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return hashed[idx]


def _hmac_numbers(messages: list, key: bytes) -> np.ndarray:
    """HMAC-SHA256 (RFC 2104) of each message (bytes): its first 8 bytes (the
    ``PSEUDONYM_CHARS`` = 16 hex characters of the pseudonym) as a big-endian 64-bit number,
    stored as int64. Equal numbers are equal pseudonyms, so the loader sorts and matches
    clients on these and writes the hex text once (``_hex_of_numbers``).

    The padded-key states are hashed once and copied per message: the same digest as
    ``hmac.digest(key, m, "sha256")`` at under half the cost per message (about 0.9 us:
    two copies, two updates, two digests; messages as bytes objects, since slicing a
    memoryview per message costs a third more). This loop is the floor of pseudonymisation
    without compiled code: hashlib holds the GIL for messages this short, so it cannot be
    spread over threads, and a NumPy SHA-256 (thousands of array operations per block)
    is slower.
    """
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy

    def digest(message: bytes) -> bytes:
        inner = inner_copy()
        inner.update(message)
        outer = outer_copy()
        outer.update(inner.digest())
        return outer.digest()

    n = len(messages)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    digests = np.frombuffer(b"".join(map(digest, messages)), dtype=np.uint8)
    first8 = np.ascontiguousarray(digests.reshape(n, 32)[:, :PSEUDONYM_CHARS // 2])
    return first8.view(">u8").ravel().astype(np.uint64).view(np.int64)


def _hmac_fixed_width(messages: bytes, width: int, key: bytes) -> np.ndarray:
    """``_hmac_numbers`` of the ``width``-byte messages laid back to back in ``messages``:
    by the compiled loop (``fipeval.io._hmac``, built with the package where a C compiler
    is present; SHA extensions of the CPU when it has them) or else by hashlib."""
    try:
        from . import _hmac
    except ImportError:   # not built: the same pseudonyms from hashlib, about 5 x the time
        listed = [messages[i:i + width] for i in range(0, len(messages), width)]
        return _hmac_numbers(listed, key)
    first8 = np.frombuffer(_hmac.first8(key, messages, width), dtype=">u8")
    return first8.astype(np.uint64).view(np.int64)


def _ascii_digits(numbers: np.ndarray) -> bytes:
    """The 9-digit, zero-padded ASCII text of each number (0 to 999,999,999), concatenated:
    one digit place per pass, in 32-bit arithmetic (a tenth of the 64-bit divisions' time)."""
    rest = numbers.astype(np.uint32)
    out = np.empty((len(rest), 9), dtype=np.uint8)
    for place in range(8, -1, -1):
        out[:, place] = rest % 10 + 48
        rest //= 10
    return out.tobytes()


def pseudonym_text(numbers: np.ndarray) -> pa.Array:
    """The pseudonyms' text (16 hex characters each) of ``_hmac_numbers`` numbers as one
    Arrow string array built from buffers (no Python object per row)."""
    n = len(numbers)
    width = PSEUDONYM_CHARS
    large = width * n >= 2 ** 31
    offsets = np.arange(0, width * n + 1, width, dtype=np.int64 if large else np.int32)
    return pa.Array.from_buffers(pa.large_string() if large else pa.string(), n,
                                 [None, pa.py_buffer(offsets),
                                  pa.py_buffer(_hex_of_numbers(numbers))])


def pseudonym_numbers(bsns: np.ndarray, key: bytes) -> np.ndarray:
    """The pseudonyms' 64-bit numbers (``_hmac_numbers``) of BSNs given as numbers (the
    9-digit text's value); hash distinct BSNs (the loader's ``pseudonymise_parts``)."""
    return _hmac_fixed_width(_ascii_digits(bsns), 9, key)


def _hex_of_numbers(numbers: np.ndarray) -> bytes:
    """The pseudonyms' text: 16 hex characters per ``_hmac_numbers`` number, concatenated."""
    return binascii.hexlify(numbers.view(np.uint64).astype(">u8").tobytes())


def looks_like_bsn(values: pa.Array, *, threshold: float = 0.9) -> bool:
    """True when most non-empty values are 8-9 digit numbers that pass the 11-proef."""
    text = normalise_bsn(values)
    text = text.filter(pc.greater(pc.utf8_length(text), 0))
    if len(text) == 0:
        return False
    sample = text.slice(0, 10_000)
    return float(is_valid_bsn(sample).mean()) >= threshold
