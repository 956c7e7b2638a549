"""Unique, random-looking numbers without memory: affine permutations modulo a prime."""

from __future__ import annotations

import random
from dataclasses import dataclass


def is_prime(n: int) -> bool:
    """Trial division; the numbers here stay below about 10^9."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    factor = 3
    while factor * factor <= n:
        if n % factor == 0:
            return False
        factor += 2
    return True


def prime_at_least(n: int) -> int:
    """The smallest prime >= n."""
    candidate = max(n, 2)
    while not is_prime(candidate):
        candidate += 1
    return candidate


def prime_at_most(n: int) -> int:
    """The largest prime <= n."""
    candidate = n
    while candidate > 2 and not is_prime(candidate):
        candidate -= 1
    return candidate


@dataclass(frozen=True)
class Permutation:
    """A bijection of [0, modulus) onto itself, `(a * i + b) mod modulus`: distinct inputs give distinct outputs,
    so ids, e-mail numbers and phone numbers are unique by construction, with no set of used values kept."""

    modulus: int
    factor: int
    offset: int

    @classmethod
    def random(cls, rng: random.Random, modulus: int) -> Permutation:
        """`modulus` must be a prime (every factor in [1, modulus) is then invertible)."""
        return cls(modulus, rng.randrange(1, modulus), rng.randrange(modulus))

    def __call__(self, index: int) -> int:
        if not 0 <= index < self.modulus:
            raise ValueError(f"index {index} outside the permutation's range [0, {self.modulus})")
        return (self.factor * index + self.offset) % self.modulus


class IdSequence:
    """Record ids of one source: `prefix` + a permuted counter, zero-padded to a fixed width."""

    def __init__(self, rng: random.Random, prefix: str, capacity: int, *, start: int = 0) -> None:
        self._prefix = prefix
        self._permutation = Permutation.random(rng, prime_at_least(max(capacity, 1000)))
        self._width = len(str(self._permutation.modulus - 1 + start))
        self._start = start
        self._next = 0

    def next(self) -> str:
        value = self._permutation(self._next) + self._start
        self._next += 1
        return f"{self._prefix}{value:0{self._width}d}"


def stream(seed: int, name: str) -> random.Random:
    """The random generator of one part of the data set, seeded from the run's seed and the part's name, so the
    parts do not disturb each other. Demo data, not security: the standard generator is the right one."""
    return random.Random(f"{name}:{seed}")  # noqa: S311
