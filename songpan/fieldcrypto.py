"""Encryption at rest for sensitive fields (national ID numbers).

AES-256-GCM (authenticated) from ``cryptography``; the key is ``settings.FIELD_ENCRYPTION_KEY`` (32 bytes,
urlsafe base64). Beside each ciphertext a keyed digest (HMAC-SHA256 under a sub-key derived from the same key)
lets the database enforce uniqueness and answer exact-match searches without decrypting anything.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_VERSION = b"v1"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """The ciphertext was not made with the current key, or has been tampered with."""


def key_bytes(master_b64: str) -> bytes:
    """Decode and check a field key: 32 bytes in urlsafe base64 (ImproperlyConfigured otherwise)."""
    try:
        master = base64.urlsafe_b64decode(master_b64)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("SONGPAN_FIELD_KEY is not valid urlsafe base64") from exc
    if len(master) != 32:
        raise ImproperlyConfigured("SONGPAN_FIELD_KEY must decode to 32 bytes")
    return master


@lru_cache(maxsize=4)
def _keys(master_b64: str) -> tuple[AESGCM, bytes]:
    master = key_bytes(master_b64)
    cipher_key = hmac.new(master, b"songpan field encryption", hashlib.sha256).digest()
    digest_key = hmac.new(master, b"songpan field digest", hashlib.sha256).digest()
    return AESGCM(cipher_key), digest_key


def _current(key: str | None = None) -> tuple[AESGCM, bytes]:
    """The cipher and digest key from ``key`` (urlsafe base64), by default the configured one."""
    return _keys(key or settings.FIELD_ENCRYPTION_KEY)


def encrypt(plaintext: str, *, associated: str = "", key: str | None = None) -> str:
    """Encrypt ``plaintext``; ``associated`` (e.g. the field name) is authenticated, not stored."""
    cipher, _digest_key = _current(key)
    nonce = os.urandom(_NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plaintext.encode(), associated.encode())
    return (_VERSION + b":" + base64.urlsafe_b64encode(nonce + sealed)).decode()


def decrypt(token: str, *, associated: str = "", key: str | None = None) -> str:
    cipher, _digest_key = _current(key)
    try:
        version, payload = token.encode().split(b":", 1)
        if version != _VERSION:
            raise ValueError(version)
        raw = base64.urlsafe_b64decode(payload)
        return cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], associated.encode()).decode()
    except Exception as exc:  # InvalidTag, bad padding, wrong format: all mean "cannot be read with this key"
        raise DecryptionError("cannot decrypt field with the configured key") from exc


def digest(value: str, *, key: str | None = None) -> str:
    """A keyed, deterministic digest of ``value`` for uniqueness and exact-match lookups."""
    _cipher, digest_key = _current(key)
    return hmac.new(digest_key, value.encode(), hashlib.sha256).hexdigest()
