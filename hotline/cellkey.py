"""The cell-key method: small, bounded, consistent noise, so that two views cannot be subtracted.

Suppression hides a small count inside one view, but free filters let anyone subtract one view from
another (`state=GU,TX` minus `state=TX`). Statistical agencies that publish free-filter table builders
(the ABS TableBuilder; the UK's 2021 Census custom datasets; Destatis and Statistik Austria, whose
method the sdcTools `cellKey` and `ptable` packages document) answer with the cell-key method:

1. Every record gets a fixed random key in [0, 1). Here a key is a keyed hash (secret seed) of the
   record's values and of its occurrence among identical records, so a file's row order, or how its
   rows group signals with a `count`, never changes a key: each signal has its own.
2. A cell's key is the sum of its records' keys, modulo 1. The same set of records always has the
   same cell key, whatever view it appears in.
3. The cell's published count is its true count plus a perturbation looked up from the cell's key in
   a perturbation table: at most D either way, mean zero, variance V, and as spread out as those
   constraints allow (maximum entropy). Zeros stay zero and no count becomes zero or negative.

Two views that differ by a few records thus differ by noise, not by the true count, and asking for
the same view again gives the same answer, so repeating a query teaches nothing. Keys are integers
in [0, 2**KEY_BITS) (a key k stands for k / 2**KEY_BITS), so sums are exact in float64 bincounts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np

KEY_BITS = 20
KEY_RANGE = 1 << KEY_BITS
# At most this many record keys are drawn at once while building a cube (bounds memory at 10 million).
_KEYS_PER_CHUNK = 1 << 22


@dataclass(frozen=True)
class PerturbationTable:
    """Noise of at most `max_change` (D) either way with variance `variance` (V), by cell key.

    The default D=5, V=8 is measured in benchmarks/privacy.py: subtracting two views recovers a
    hidden count exactly about as often as guessing within "fewer than 10", and shown counts move by
    2.4 on average, which is below 1% of any count of 1,000 or more.
    """

    max_change: int = 5
    variance: float = 8.0

    def __post_init__(self) -> None:
        if not 1 <= self.max_change <= 50:
            raise ValueError(f"the maximum change D must be a whole number from 1 to 50, not {self.max_change}")
        widest = self.max_change * (self.max_change + 1) / 3  # the variance of a uniform change over -D..D
        if not 0 < self.variance < widest:
            raise ValueError(
                f"the variance V must be above 0 and below {widest:g} for D={self.max_change} "
                f"(a uniform change), not {self.variance:g}"
            )

    @classmethod
    def parse(cls, text: str) -> PerturbationTable:
        """From "D,V" (the --perturbation option), e.g. "5,8"."""
        try:
            d, v = (part.strip() for part in str(text).split(","))
            max_change, variance = int(d), float(v)
        except ValueError:
            raise ValueError(
                f"perturbation must be 'D,V' (maximum change, variance), e.g. '5,8'; not {text!r}"
            ) from None
        return cls(max_change, variance)  # its own checks name what is out of range

    @property
    def label(self) -> str:
        return f"D={self.max_change}, V={self.variance:g}"

    @cached_property
    def _thresholds(self) -> tuple[np.ndarray, np.ndarray]:
        """Changes -D..D, and per true count 0..D+1 (D+1 stands for every larger count) the cell-key
        thresholds at which each change begins: change i applies to keys in [T[i-1], T[i])."""
        d = self.max_change
        changes = np.arange(-d, d + 1)
        spread = _max_entropy_probabilities(d, self.variance)
        rows = np.zeros((d + 2, len(changes)))
        rows[0, d] = 1.0  # a zero stays zero
        for count in range(1, d + 2):
            # A count that could reach zero keeps to a symmetric band that cannot: ±(count - 1), with the
            # same shape, so the change stays unbiased. Such counts are hidden anyway (below min_cell).
            reach = min(d, count - 1)
            allowed = np.abs(changes) <= reach
            weights = np.where(allowed, spread, 0.0)
            rows[count] = weights / weights.sum()
        cumulative = np.rint(np.cumsum(rows, axis=1) * KEY_RANGE).astype(np.int64)
        cumulative[:, -1] = KEY_RANGE
        return changes, cumulative

    def probabilities(self) -> np.ndarray:
        """P(change = -D..D) for a count above D: what the About panel and the benchmark describe."""
        return _max_entropy_probabilities(self.max_change, self.variance)

    def perturb(self, counts: np.ndarray, cell_keys: np.ndarray, *, small_below: int = 0) -> np.ndarray:
        """Published counts: each count plus the change its cell key selects.

        With `small_below`, a true count from 1 to small_below - 1 stays within that range whatever its
        noise: a count suppression must hide (it reads only the published counts) stays hidden.
        """
        counts = np.asarray(counts, dtype=np.int64)
        keys = np.asarray(cell_keys, dtype=np.int64)
        changes, cumulative = self._thresholds
        flat = _perturbed(counts.reshape(-1), keys.reshape(-1), changes, cumulative, KEY_RANGE, small_below)
        return flat.reshape(counts.shape)


# Every grid a view reads is published through here, a few dozen small grids per view: one compiled loop
# (numba, cached on disk) instead of a dozen numpy calls each.
@numba.njit(cache=True)
def _perturbed(counts, keys, changes, cumulative, key_range, small_below):
    published = np.empty(len(counts), dtype=np.int64)
    largest_row = cumulative.shape[0] - 1  # the row of every count above D
    for i in range(len(counts)):
        count = counts[i]
        key = keys[i] % key_range
        row = min(count, largest_row)
        # How many thresholds of its row the key reaches: change i applies to keys in [T[i-1], T[i]).
        position = 0
        for j in range(cumulative.shape[1] - 1):
            if key >= cumulative[row, j]:
                position += 1
        value = count + changes[position]
        if 0 < count < small_below:
            value = min(max(value, 1), small_below - 1)
        published[i] = value
    return published


def _max_entropy_probabilities(max_change: int, variance: float) -> np.ndarray:
    """The most spread-out distribution over -D..D with mean 0 and the given variance.

    Maximum entropy under a fixed second moment is a discrete Gaussian, p(k) ∝ exp(-λ k²); λ is found
    by bisection (the variance falls as λ grows). λ < 0 gives variances above that of a normal curve,
    up to (not including) the uniform one.
    """
    k = np.arange(-max_change, max_change + 1, dtype=float)
    low, high = -50.0, 50.0
    for _ in range(200):
        lam = (low + high) / 2
        exponent = -lam * k**2
        p = np.exp(exponent - exponent.max())
        p /= p.sum()
        if float((p * k**2).sum()) > variance:
            low = lam
        else:
            high = lam
    return p


# --- record keys ----------------------------------------------------------------------------------------
def value_hashes(seed: bytes, dimension: str, values) -> np.ndarray:
    """A secret 64-bit hash of each value of a dimension (keyed by the dataset's seed)."""
    out = np.empty(len(values), dtype=np.uint64)
    for i, value in enumerate(values):
        digest = hashlib.blake2b(f"{dimension}={value}".encode(), key=seed[:64], digest_size=8).digest()
        out[i] = int.from_bytes(digest, "little")
    return out


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: a bijective scramble of 64-bit integers (numpy wraps on overflow)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def combination_hashes(seed: bytes, categories: dict[str, tuple], codes: dict[str, np.ndarray]) -> np.ndarray:
    """One 64-bit hash per row of distinct dimension values, from the values themselves (never their codes,
    which move when a refresh brings a new year or category)."""
    n = len(next(iter(codes.values()))) if codes else 0
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for dimension in sorted(categories):
            combined = _mix(combined ^ value_hashes(seed, dimension, categories[dimension])[codes[dimension]])
    return combined


def key_sums(combinations: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each row (a combination of values and its number of signals), the sum of its signals' keys.

    Signal i (0, 1, ...) of a combination has the key hash(combination, i): the same signals get the
    same keys however the rows of the source file were split or ordered.
    """
    counts = np.asarray(counts, dtype=np.int64)
    sums = np.zeros(len(counts), dtype=np.int64)
    ends = np.cumsum(counts)
    start = 0
    golden = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        while start < len(counts):
            # A chunk of rows holding about _KEYS_PER_CHUNK signals (at least one row).
            base = ends[start - 1] if start else 0
            stop = max(start + 1, int(np.searchsorted(ends, base + _KEYS_PER_CHUNK, side="right")))
            chunk = counts[start:stop]
            row_of_signal = np.repeat(np.arange(len(chunk)), chunk)
            occurrence = np.arange(len(row_of_signal), dtype=np.int64) - np.repeat(np.cumsum(chunk) - chunk, chunk)
            keys = _mix(
                combinations[start:stop][row_of_signal] + (occurrence.astype(np.uint64) + np.uint64(1)) * golden
            )
            keys = (keys >> np.uint64(64 - KEY_BITS)).astype(np.float64)
            summed = np.bincount(row_of_signal, weights=keys, minlength=len(chunk))
            sums[start:stop] = np.rint(summed).astype(np.int64) % KEY_RANGE
            start = stop
    return sums
