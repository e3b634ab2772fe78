"""Who sees roll-up facts (registered from ``ReportsConfig.ready``): leaders and the office their county,
township staff their township, department staff the townships their department supports; cadres nothing."""

from accounts.scoping import Rule, register, within

from .models import RollupFact


def register_rules() -> None:
    register(RollupFact, Rule(within=within("code")))
