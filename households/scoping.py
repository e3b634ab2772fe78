"""Who sees households, members and income sources (registered from ``HouseholdsConfig.ready``): staff inside
their divisions, a cadre the households it is paired with."""

from accounts.scoping import Rule, register, within
from ledgers.scoping import paired_with_cadre

from .models import Household, IncomeSource, Member


def register_rules() -> None:
    register(Household, Rule(within=within("village__code"), of_cadre=paired_with_cadre("pk")))
    register(Member, Rule(within=within("household__village__code"), of_cadre=paired_with_cadre("household_id")))
    register(IncomeSource, Rule(within=within("household__village__code"), of_cadre=paired_with_cadre("household_id")))
