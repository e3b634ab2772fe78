"""Balanced cadre–household pairing for the demo county.

Each household goes to the least-loaded cadre (load relative to the rank's limit) among the pools that may take
it, with a small penalty for pools further away: cadres of its own village first, then the township's staff and
the county leaders responsible for the township, then the county departments supporting the township, then any
county cadre. Loads only grow, so every pool is a heap with lazy updates.
"""

import heapq
from collections.abc import Hashable

POOL_PENALTY = {"village": 0.0, "township": 0.06, "support": 0.15, "county": 0.35}


class PairingCapacityError(Exception):
    """There are not enough cadres, under the per-rank limits, to pair every household."""


class PairingAllocator:
    def __init__(self, limits: list[int], tiebreak: list[float]):
        self.limits = limits
        self.loads = [0] * len(limits)
        self._tiebreak = tiebreak
        self._pools: dict[tuple[str, Hashable], list] = {}

    def ratio(self, cadre: int) -> float:
        return self.loads[cadre] / self.limits[cadre]

    def add(self, kind: str, key: Hashable, cadre: int) -> None:
        if self.limits[cadre] > self.loads[cadre]:
            heap = self._pools.setdefault((kind, key), [])
            heapq.heappush(heap, (self.ratio(cadre), self._tiebreak[cadre], cadre))

    def take(self, cadre: int) -> None:
        """Count a pairing made outside the allocator (e.g. the demo cadre's households)."""
        self.loads[cadre] += 1

    def _top(self, kind: str, key: Hashable) -> tuple[float, int] | None:
        heap = self._pools.get((kind, key))
        while heap:
            ratio, tiebreak, cadre = heap[0]
            if self.loads[cadre] >= self.limits[cadre]:
                heapq.heappop(heap)
            elif ratio != self.ratio(cadre):
                heapq.heapreplace(heap, (self.ratio(cadre), tiebreak, cadre))
            else:
                return ratio, cadre
        return None

    def assign(self, *, village: Hashable, township: Hashable) -> int:
        """The cadre for one household of ``village`` in ``township``; its load is counted."""
        best = None
        for kind, key in (("village", village), ("township", township), ("support", township), ("county", None)):
            top = self._top(kind, key)
            if top is not None:
                cost = top[0] + POOL_PENALTY[kind]
                if best is None or cost < best[0]:
                    best = (cost, kind, key, top[1])
        if best is None:
            raise PairingCapacityError("every cadre has reached the pairing limit of its rank")
        _cost, kind, key, cadre = best
        self.loads[cadre] += 1
        heap = self._pools[(kind, key)]
        if self.loads[cadre] < self.limits[cadre]:
            heapq.heapreplace(heap, (self.ratio(cadre), self._tiebreak[cadre], cadre))
        else:
            heapq.heappop(heap)
        return cadre
