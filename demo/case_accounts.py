"""The cases placed on purpose so that each demo account finds work waiting when it signs in (the rest of the
demo's cases are drawn at random by ``demo.cases``, which this mixin is part of):

- ``township`` (川主寺镇): new cases to accept, accepted ones to assign;
- ``department`` (the education bureau): cases to start, cases under way, one overdue under supervision;
- ``cadre``: resolved cases of its households waiting for the household's verdict, one closed, one reopened;
- and the accountability system at work: a case overdue since yesterday (today's sweep will mark it), one under
  supervision, one penalised and held at county level; a dispute being mediated and one settled; a rejected case
  and a duplicate.
"""

from grievances.models import CaseKind

from . import case_texts as texts
from .case_life import CasePlan, Mediation


class DemoAccountCasesMixin:
    def _demo_account_plans(self) -> list[CasePlan]:
        rng = self.rng
        here = self.demo_township.code
        cadre_homes = self.demo_cadre_homes or self.households_by_township[here] or self.active_households
        others = [i for i in self.households_by_township[here] if i not in set(cadre_homes)] or cadre_homes
        plain = {"fate": "handle", "refer_to": None, "escalate": False, "late": None, "reopen": False, "stop": ""}
        fast = {"accept": (0, 0), "assign": (0, 0), "start": (0, 1)}
        plans: list[CasePlan] = []

        def add(kind, days_ago, *, home=None, township=here, category=None, source=None, **knobs) -> CasePlan:
            plan = self._random_plan(
                kind,
                self._moment(days_ago),
                home=home,
                township=township,
                category=category,
                source=source,
                village_level=False if home is not None or kind == CaseKind.DISPUTE else None,
            )
            for key, value in {**plain, **knobs}.items():
                setattr(plan, key, value)
            plan.case.priority = "normal"  # the deadlines below are counted with the "normal" policy
            plans.append(plan)
            return plan

        def home(pool, n):
            return pool[n % len(pool)]

        days = self._policy("roads_transport", "normal")[0]
        education_days = self._policy("education", "normal")[0]
        # township: new cases to accept, accepted ones to assign
        add(CaseKind.PROBLEM, 1, home=home(cadre_homes, 0), source="visit", stop="submit")
        add(CaseKind.PROBLEM, 1, home=home(others, 0), source="reception", stop="submit")
        add(CaseKind.SUGGESTION, 2, home=home(others, 1), source="suggestion_drive", stop="submit")
        add(CaseKind.PROBLEM, 3, home=home(others, 2), stop="accept", delays={"accept": (0, 1)})
        add(CaseKind.PROBLEM, 2, home=home(others, 3), source="hotline", stop="accept", delays={"accept": (0, 1)})
        # department (the education bureau): cases to start, cases under way, one overdue under supervision
        other_township = next((t.code for t in self.townships if t.code != here), here)
        add(CaseKind.PROBLEM, 3, category="education", stop="assign", delays={"accept": (0, 1), "assign": (0, 1)})
        add(CaseKind.PROBLEM, 4, township=other_township, category="education", stop="assign", delays=fast)
        for n, days_ago in enumerate((6, 9, 14)):
            add(
                CaseKind.PROBLEM,
                days_ago,
                township=here if n != 1 else other_township,
                category="education",
                stop="start",
                delays=fast,
            )
        supervised = add(CaseKind.PROBLEM, education_days + 5, category="education", stop="start", delays=fast)
        # cadre: resolved cases of its households to confirm, one closed, one reopened
        for n, days_ago in enumerate((25, 28)):
            # assigned the day it came in: resolved (2 + n) days ago, that many days before the deadline
            add(
                CaseKind.PROBLEM,
                days_ago,
                home=home(cadre_homes, n + 1),
                source="visit",
                category="roads_transport",
                stop="resolve",
                delays=fast,
                late=days_ago - days - 2 - n,
            )
        add(CaseKind.PROBLEM, 60, home=home(cadre_homes, 3), source="visit")
        add(
            CaseKind.PROBLEM,
            45,
            home=home(cadre_homes, 4),
            source="visit",
            category="roads_transport",
            delays=fast,
            late=-5,
            reopen=True,
            stop="reopen",
        )
        # accountability: overdue since yesterday (not swept yet), under supervision, penalised at county level
        add(CaseKind.PROBLEM, days + 1, home=home(others, 4), category="roads_transport", stop="start", delays=fast)
        add(CaseKind.PROBLEM, days + 8, township=other_township, category="roads_transport", stop="start", delays=fast)
        add(CaseKind.PROBLEM, days + 45, category="roads_transport", stop="start", delays=fast)
        # disputes: one being mediated, one settled
        add(CaseKind.DISPUTE, 12, stop="start", mediations=[Mediation((2, 4), "adjourned")])
        settled = add(CaseKind.DISPUTE, 70, delays=fast)
        settled.mediations, settled.outcome = (
            [Mediation((1, 4), "no_agreement"), Mediation((3, 6), "agreement")],
            "agreement",
        )
        settled.resolution = texts.DISPUTE_RESOLUTIONS["agreement"]
        # a rejected case and a duplicate of one under way
        add(CaseKind.PROBLEM, 20, home=home(others, 5), fate="reject", reject_note=rng.choice(texts.REJECTIONS))
        add(CaseKind.PROBLEM, 5, fate="duplicate", duplicate_of=supervised.case)
        return plans
