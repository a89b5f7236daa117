"""Where a dataset's secret key seed comes from (see hotline.cellkey).

The seed fixes every record's key, so it must stay the same for a dataset (or the same cell would
show other numbers after a restart, and two answers could be averaged) and stay secret (whoever
knows it can compute the noise and take it off). In order:

1. HOTLINE_PRIVACY_SEED, set by the operator: the choice for several hosts, or a read-only disk.
2. A seed file kept next to the data (`signals.csv.privacy-seed`), made once with 256 random bits;
   every worker of a server reads the same file. Where the data's folder cannot be written, the
   file goes to the user's state folder instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from pathlib import Path

SEED_SUFFIX = ".privacy-seed"
# The demo records are synthetic: nobody to protect, so its seed is public and its numbers are the same
# on every machine (tests, screenshots, the README's examples).
DEMO_SEED = b"hotline-dashboard synthetic demo data: public key seed"

log = logging.getLogger(__name__)


def from_text(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=32).digest()


def seed_for(data: Path | str | None, environ=os.environ) -> bytes:
    """The seed for data read from `data` (a file path, or any other source name such as a database URL)."""
    configured = environ.get("HOTLINE_PRIVACY_SEED")
    if configured:
        return from_text(configured)
    path = Path(data) if isinstance(data, Path) or (isinstance(data, str) and "://" not in data) else None
    if path is not None:
        candidate = path.with_name(path.name + SEED_SUFFIX)
        seed = _read_or_create(candidate)
        if seed is not None:
            return seed
    name = hashlib.sha256(str(Path(path).resolve() if path else data).encode()).hexdigest()[:16]
    state = Path(environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "hotline-dashboard"
    seed = _read_or_create(state / f"{name}{SEED_SUFFIX}")
    if seed is None:
        raise OSError(f"cannot keep a privacy seed in {state}: set HOTLINE_PRIVACY_SEED")
    return seed


def derived(seed: bytes, content_digest: bytes) -> bytes:
    """A seed of its own for an uploaded file: secret with the server's seed, the same in every worker."""
    return hashlib.blake2b(content_digest, key=seed[:64], digest_size=32).digest()


def _read_or_create(path: Path) -> bytes | None:
    try:
        return from_text(path.read_text().strip())
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: of several workers starting at once, one writes the seed and the others read it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return from_text(path.read_text().strip())
    except OSError:
        return None
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32) + "\n")
    log.info("made a new privacy seed in %s (keep it with the data; it fixes the published numbers)", path.name)
    return from_text(path.read_text().strip())
