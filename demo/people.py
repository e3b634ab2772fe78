"""Plausible people for the demo county: names by ethnicity and generation, national ID numbers, mobile numbers
and family structures whose ages agree with the relations. Everything is drawn from one ``random.Random``.
"""

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from households.validators import id_number_check_char

from . import names
from .sampling import Weighted

_SURNAMES = {"han": names.HAN_SURNAMES, "hui": names.HUI_SURNAMES, "qiang": names.QIANG_SURNAMES}


def generation(birth_year: int) -> str:
    if birth_year < 1965:
        return "old"
    return "mid" if birth_year < 1995 else "young"


class PeopleMaker:
    """Names, ID numbers and phones; ID numbers and phones are unique across everything one maker produced."""

    def __init__(self, rng: random.Random, *, region: str, as_of: dt.date):
        self.rng = rng
        self.region = region
        self.as_of = as_of
        self._surnames = {ethnicity: Weighted(weights) for ethnicity, weights in _SURNAMES.items()}
        self._tibetan_surnames = Weighted(names.TIBETAN_SURNAMES)
        self._used_ids: set[str] = set()
        self._used_phones: set[str] = set()
        self._tibetan_male = names.TIBETAN_MALE + names.TIBETAN_UNISEX
        self._tibetan_female = names.TIBETAN_FEMALE + names.TIBETAN_UNISEX

    # --- names -------------------------------------------------------------------------------------------
    def family_surname(self, ethnicity: str) -> str:
        """The surname a family passes on; most Tibetan families use none."""
        if ethnicity == "tibetan":
            return self._tibetan_surnames.pick(self.rng) if self.rng.random() < names.TIBETAN_SURNAME_SHARE else ""
        return self._surnames.get(ethnicity, self._surnames["han"]).pick(self.rng)

    def name(self, *, surname: str, ethnicity: str, sex: str, birth_year: int) -> str:
        rng = self.rng
        if ethnicity == "tibetan":
            if surname:  # 杨卓玛, 王扎西: a Han surname with one Tibetan element (not 王王姆)
                elements = self._tibetan_male if sex == "male" else names.TIBETAN_FEMALE
                element = rng.choice(elements)
                while element.startswith(surname):
                    element = rng.choice(elements)
                return surname + element
            if sex == "male":
                first = rng.choice(self._tibetan_male)
                if rng.random() < 0.55:
                    second = rng.choice(names.TIBETAN_MALE)
                    return first + second if second != first else first
                return first
            last = rng.choice(names.TIBETAN_FEMALE)
            if rng.random() < 0.5:
                first = rng.choice(self._tibetan_female)
                return first + last if first != last else last
            return last
        surname = surname or self._surnames["han"].pick(rng)
        chars = names.GIVEN_CHARS[(sex, generation(birth_year))].replace(surname, "")  # no 林林 or 龙龙
        two_chars = rng.random() < (0.55 if birth_year < 1965 else 0.7)
        given = "".join(rng.sample(chars, 2)) if two_chars else rng.choice(chars)
        return surname + given

    # --- dates, ID numbers, phones -------------------------------------------------------------------------
    def birth_date(self, age: int) -> dt.date:
        """A birth date giving exactly ``age`` full years on the reference date."""
        latest = self.as_of.replace(year=self.as_of.year - age) if not _is_feb29(self.as_of) else self.as_of
        return latest - dt.timedelta(days=self.rng.randint(0, 364))

    def id_number(self, birth: dt.date, sex: str) -> str:
        """A valid GB 11643 number: region, birth date, sequence (odd for men), check character; never repeated."""
        while True:
            sequence = self.rng.randint(0, 499) * 2 + (1 if sex == "male" else 0)
            first17 = f"{self.region}{birth:%Y%m%d}{sequence:03d}"
            if first17 not in self._used_ids:
                self._used_ids.add(first17)
                return first17 + id_number_check_char(first17)

    def mobile(self) -> str:
        while True:
            phone = self.rng.choice(names.MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"
            if phone not in self._used_phones:
                self._used_phones.add(phone)
                return phone


def _is_feb29(day: dt.date) -> bool:
    return day.month == 2 and day.day == 29


# --- Families ------------------------------------------------------------------------------------------------


@dataclass
class Person:
    relation: str
    sex: str
    age: int
    ethnicity: str
    surname: str
    link: int | None = None  # for a child-in-law or grandchild: the index of the head's child it belongs to
    extra: dict = field(default_factory=dict)


# The order in which relations are added to a household of each shape, after the head.
_SHAPE_ORDER = {
    "nuclear": ["spouse", "child", "child", "child", "parent", "parent", "child", "sibling"],
    "three_generations": ["spouse", "child", "child_in_law", "grandchild", "grandchild", "child", "grandchild"],
    "elderly": ["spouse", "grandchild", "grandchild", "child"],
    "young_with_parents": ["spouse", "parent", "parent", "child", "child", "sibling", "child"],
    "single_parent": ["child", "child", "parent", "child", "parent"],
}
_SHAPES_BY_SIZE = {
    2: {"elderly": 42, "nuclear": 38, "single_parent": 14, "young_with_parents": 6},
    3: {"nuclear": 52, "three_generations": 18, "elderly": 10, "single_parent": 8, "young_with_parents": 12},
    4: {"nuclear": 48, "three_generations": 32, "young_with_parents": 16, "single_parent": 4},
    5: {"nuclear": 30, "three_generations": 50, "young_with_parents": 20},
    6: {"nuclear": 18, "three_generations": 62, "young_with_parents": 20},
    7: {"nuclear": 10, "three_generations": 75, "young_with_parents": 15},
}
_HEAD_AGE = {
    "nuclear": (25, 60),
    "three_generations": (52, 80),
    "elderly": (60, 88),
    "young_with_parents": (24, 42),
    "single_parent": (30, 62),
}
HOUSEHOLD_SIZES = Weighted({2: 11, 3: 18, 4: 23, 5: 22, 6: 16, 7: 10})
_SHAPE_CHOICE = {size: Weighted(weights) for size, weights in _SHAPES_BY_SIZE.items()}
MAX_AGE = 97


class FamilyMaker:
    """Relations and ages for one household; surnames follow the father's line where families use them."""

    def __init__(self, rng: random.Random, people: PeopleMaker):
        self.rng = rng
        self.people = people

    def family(self, size: int, ethnicity: str, mix: Weighted) -> list[Person]:
        rng = self.rng
        shape = _SHAPE_CHOICE[size].pick(rng)
        low, high = _HEAD_AGE[shape]
        head_age = rng.randint(low, high)
        widowed = shape in ("elderly", "single_parent")
        head_male = rng.random() < (0.62 if widowed else 0.85)
        surname = self.people.family_surname(ethnicity)
        head = Person("head", "male" if head_male else "female", head_age, ethnicity, surname)
        family = [head]
        order = list(_SHAPE_ORDER[shape])
        if shape == "elderly" and size == 2 and rng.random() < 0.25:
            order = ["grandchild", "child"]  # a grandparent left alone with a grandchild
        for relation in itertools.chain(order, itertools.repeat("child", 3), itertools.repeat("other")):
            if len(family) == size:
                break
            person = self._person(relation, family, mix)
            if person is not None:
                family.append(person)
        return family

    def _person(self, relation: str, family: list[Person], mix: Weighted) -> Person | None:
        """The next member of ``family`` in ``relation`` to its head, or ``None`` when the family cannot have one
        (a second spouse, a child older than its parents allow ...). Any other relation is a nephew, niece or
        cousin."""
        make = {
            "spouse": self._spouse,
            "child": self._child,
            "child_in_law": self._child_in_law,
            "grandchild": self._grandchild,
            "parent": self._parent,
            "sibling": self._sibling,
        }.get(relation, self._other_relative)
        return make(family, mix)

    def _spouse(self, family: list[Person], mix: Weighted) -> Person | None:
        """The head's spouse, of the other sex and a similar age, usually of the head's ethnicity."""
        rng = self.rng
        head = family[0]
        if _spouse_in(family) is not None:
            return None
        age = head.age + (rng.randint(-6, 2) if head.sex == "male" else rng.randint(-1, 7))
        age = max(20, min(age, MAX_AGE))
        ethnicity = head.ethnicity if rng.random() < 0.88 else mix.pick(rng)
        return Person("spouse", _other(head.sex), age, ethnicity, self.people.family_surname(ethnicity) or head.surname)

    def _child(self, family: list[Person], mix: Weighted) -> Person | None:
        """A child born when the head was 20 to 44, with the father's surname."""
        rng = self.rng
        head, spouse = family[0], _spouse_in(family)
        oldest = head.age - 20
        if oldest < 0:
            return None
        youngest = max(0, head.age - 44)
        if youngest > oldest:
            return None
        father = head if head.sex == "male" else spouse
        surname = father.surname if father is not None and father.surname else head.surname
        ethnicity = head.ethnicity if head.ethnicity != "han" or spouse is None else spouse.ethnicity
        return Person("child", rng.choice(("male", "female")), rng.randint(youngest, oldest), ethnicity, surname)

    def _child_in_law(self, family: list[Person], mix: Weighted) -> Person | None:
        """The spouse of the first grown-up child not yet married in the family."""
        rng = self.rng
        married = {p.link for p in family if p.relation == "child_in_law"}
        candidates = [i for i, p in enumerate(family) if p.relation == "child" and p.age >= 21 and i not in married]
        if not candidates:
            return None
        index = candidates[0]
        child = family[index]
        age = max(20, child.age + rng.randint(-4, 4))
        ethnicity = child.ethnicity if rng.random() < 0.85 else mix.pick(rng)
        surname = self.people.family_surname(ethnicity) or child.surname
        return Person("child_in_law", _other(child.sex), age, ethnicity, surname, link=index)

    def _grandchild(self, family: list[Person], mix: Weighted) -> Person | None:
        """A child of the first grown-up child, or of parents living elsewhere when the family has none."""
        head = family[0]
        parents = [i for i, p in enumerate(family) if p.relation == "child" and p.age >= 20]
        if parents:
            index = parents[0]
            child = family[index]
            in_law = next((p for p in family if p.relation == "child_in_law" and p.link == index), None)
            oldest = min(child.age - 20, 25)
            father = child if child.sex == "male" else in_law
            surname = father.surname if father is not None else child.surname
        else:  # the grandchild's parents live elsewhere
            index, oldest, surname = None, min(head.age - 42, 20), head.surname
        if oldest < 0:
            return None
        return Person(
            "grandchild",
            self.rng.choice(("male", "female")),
            self.rng.randint(0, oldest),
            head.ethnicity,
            surname,
            index,
        )

    def _parent(self, family: list[Person], mix: Weighted) -> Person | None:
        """A parent of the head (at most two, of both sexes), at least 20 years older."""
        rng = self.rng
        head = family[0]
        parents = [p for p in family if p.relation == "parent"]
        if len(parents) >= 2 or head.age + 20 > MAX_AGE:
            return None
        if parents:
            sex = _other(parents[0].sex)
            age = max(head.age + 20, min(MAX_AGE, parents[0].age + rng.randint(-5, 5)))
        else:
            sex = rng.choice(("male", "female"))
            age = min(MAX_AGE, head.age + rng.randint(20, 34))
        surname = head.surname if sex == "male" else self.people.family_surname(head.ethnicity) or head.surname
        return Person("parent", sex, age, head.ethnicity, surname)

    def _sibling(self, family: list[Person], mix: Weighted) -> Person | None:
        """A brother or sister of the head, within ten years of its age."""
        head = family[0]
        age = max(16, min(MAX_AGE, head.age + self.rng.randint(-10, 10)))
        return Person("sibling", self.rng.choice(("male", "female")), age, head.ethnicity, head.surname)

    def _other_relative(self, family: list[Person], mix: Weighted) -> Person | None:
        """A nephew, niece or cousin living with the family."""
        head = family[0]
        age = self.rng.randint(5, 70)
        return Person("other", self.rng.choice(("male", "female")), age, head.ethnicity, head.surname)


def _spouse_in(family: list[Person]) -> Person | None:
    return next((p for p in family if p.relation == "spouse"), None)


def _other(sex: str) -> str:
    return "female" if sex == "male" else "male"
