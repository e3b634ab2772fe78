"""What every part of the demo generator shares: the reference dates, the real county's numbers, the options,
the summary, and the plan of each village and cadre before rows are written."""

import datetime as dt
from dataclasses import dataclass, field

from divisions.models import Division

# The demo describes the county as it stands on this day; a fixed date keeps a seed's output the same every year.
AS_OF = dt.date(2026, 9, 30)
KEY_VILLAGE_YEAR = 2026

# The real county (DESIGN §1); smaller runs scale these down.
FULL_HOUSEHOLDS = 17_000
FULL_CADRES = 4_200
MIN_CADRES = 60
DEMO_TOWNSHIP_SUFFIX = "101"  # 川主寺镇 in Songpan: the demo township and cadre accounts work here
SEAT_TOWNSHIP_SUFFIX = "100"  # 进安镇, the county seat
DEMO_USERNAMES = ("leader", "office", "township", "department", "cadre")


class SeedError(Exception):
    """The demo county cannot be built as asked (too few cadres, an account name already taken, ...)."""


@dataclass(frozen=True)
class SeedOptions:
    households: int = FULL_HOUSEHOLDS
    cadres: int = FULL_CADRES
    seed: int = 2026
    password: str = "songpan-demo-2026"  # noqa: S105 - the documented demo default, never used in production


@dataclass
class SeedSummary:
    counts: dict[str, int]
    usernames: list[str]
    elapsed: float = 0.0


@dataclass
class VillagePlan:
    division: Division
    township: Division
    short_name: str
    is_community: bool
    households: int = 0
    cadres: list[int] = field(default_factory=list)  # indices into the builder's cadres


@dataclass
class CadrePlan:
    group: str  # leader, county, township, village, upper
    township: str | None = None
    village: str | None = None
    department: int | None = None  # index into the builder's departments
    posted_to: str | None = None  # the key village of a posted official


def village_short_name(name: str) -> str:
    """外城村民委员会 → 外城村, 巴郎社区居民委员会 → 巴郎社区."""
    for suffix, short in (("社区居民委员会", "社区"), ("村民委员会", "村"), ("居民委员会", "社区"), ("村委会", "村")):
        if name.endswith(suffix):
            return name[: -len(suffix)] + short
    return name
