"""Password hashing with scrypt (hashlib, i.e. OpenSSL): a standard slow KDF, no extra package.

Stored as `scrypt$N$r$p$salt$hash` (base64), so the cost can be raised later and old hashes
still verify. Verification always does the same work: an unknown user is checked against a
dummy hash, so the answer takes as long as a wrong password's.
"""

import base64
import functools
import hashlib
import hmac
import secrets

N, R, P = 2 ** 14, 8, 1  # 16 MiB and ~50 ms a hash on this machine (OWASP's minimum is N=2^17 r=8 or 2^14 r=8 p=5)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`; None (no such user) costs the same and is False."""
    known = stored is not None
    try:
        _, n, r, p, salt, digest = (stored or _dummy()).split("$")
        found = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                               dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, base64.b64decode(digest)) and known


@functools.cache
def _dummy() -> str:
    return hash_password(secrets.token_hex(16))
