"""Deterministic sampling helpers: weighted choice, proportional split, weighted sample without replacement."""

import itertools
import math
import random
from collections.abc import Sequence


class Weighted:
    """A weighted choice over a fixed population, with the cumulative weights computed once."""

    def __init__(self, weights: dict):
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder, ties to the first)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def weighted_sample(rng: random.Random, weights: Sequence[float], k: int) -> list[int]:
    """``k`` distinct indices drawn with probability proportional to weight (Efraimidis–Spirakis), in order."""
    keys = [(rng.random() ** (1.0 / w) if w > 0 else -1.0, i) for i, w in enumerate(weights)]
    keys.sort(reverse=True)
    return sorted(i for key, i in keys[:k] if key >= 0)
