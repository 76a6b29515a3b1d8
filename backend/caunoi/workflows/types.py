"""Typed, validated workflow definitions. Built only by the loader; never changed after loading."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class State:
    name: str
    label_vi: str
    label_en: str
    clock: str  # running | paused | stopped
    final: bool
    # What officials see when it differs from the public label (e.g. internal review).
    staff_label_vi: str = ""
    staff_label_en: str = ""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


@dataclass(frozen=True)
class Action:
    """Something done to a case that leaves its state as it is (a note, a draft, an extension)."""

    name: str
    states: frozenset[str]
    roles: frozenset[str]


@dataclass(frozen=True)
class Lifecycle:
    version: int
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]
    actions: dict[str, Action]

    def label(self, state: str, language: str, *, staff: bool = False) -> str:
        found = self.states[state]
        if staff and found.staff_label_vi:
            return found.staff_label_en if language == "en" else found.staff_label_vi
        return found.label_en if language == "en" else found.label_vi


@dataclass(frozen=True)
class RoutingRule:
    id: str
    description: str
    agency: str
    kinds: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()  # folded with vn_fold at load time
    channels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RoutingRules:
    version: int
    fallback_agency: str
    fallback_description: str
    rules: tuple[RoutingRule, ...]


@dataclass(frozen=True)
class Period:
    days: int
    unit: str  # working_days | calendar_days
    legal_basis: str
    reminder_days_before: tuple[int, ...] = ()
    late_status_update_every_days: int | None = None


@dataclass(frozen=True)
class AppealPolicy:
    """The second stage of an answered case (deadlines vN.yaml, `appeal`)."""

    window: Period  # from the day of the answer: the last day the citizen may appeal
    handling: Period  # from the day of the appeal: the agency's deadline to reconsider
    route_to: str = "answering_agency"  # answering_agency | parent_agency


@dataclass(frozen=True)
class DeadlinePolicy:
    version: int
    kinds: dict[str, Period]
    forwarding: Period
    escalation_target: str = "parent_agency_leaders"
    # An overdue case is escalated to the parent agency's leaders, then one level further up for every this
    # many working days it stays late; None: the parent only (policies before version 2).
    escalation_every_working_days: int | None = None
    escalation_legal_basis: str = ""
    appeal: AppealPolicy | None = None  # None: the version offers no appeal


@dataclass(frozen=True)
class CalendarEntry:
    day: dt.date
    kind: str  # day_off | working_day
    reason_vi: str
    reason_en: str


@dataclass(frozen=True)
class PublicationPolicy:
    """Which kinds of answered cases are published without a moderator's review (publication/vN.yaml)."""

    version: int
    auto_publish: dict[str, bool]
    # agency code → kind → allowed; applies to the agency and those below it, the nearest one wins.
    agencies: dict[str, dict[str, bool]] = field(default_factory=dict)

    def allows_auto_publish(self, kind: str, agency_codes_nearest_first: list[str]) -> bool:
        for code in agency_codes_nearest_first:
            if kind in self.agencies.get(code, {}):
                return self.agencies[code][kind]
        return self.auto_publish.get(kind, False)


@dataclass(frozen=True)
class SuggestionsPolicy:
    """workflows/suggestions/vN.yaml: whether the learned routing model may route by itself."""

    version: int
    auto_route: bool
    min_confidence: float
    from_agencies: tuple[str, ...]


OFF = SuggestionsPolicy(0, False, 1.0, ())


@dataclass(frozen=True)
class WorkflowSet:
    """Every version of every workflow, as loaded from one folder."""

    lifecycles: dict[int, Lifecycle]
    routings: dict[int, RoutingRules]
    deadlines: dict[int, DeadlinePolicy]
    calendar: tuple[CalendarEntry, ...] = field(default=())
    publications: dict[int, PublicationPolicy] = field(default_factory=dict)
    suggestions: dict[int, SuggestionsPolicy] = field(default_factory=dict)

    @property
    def lifecycle(self) -> Lifecycle:
        return self.lifecycles[max(self.lifecycles)]

    @property
    def routing(self) -> RoutingRules:
        return self.routings[max(self.routings)]

    @property
    def deadline_policy(self) -> DeadlinePolicy:
        return self.deadlines[max(self.deadlines)]

    @property
    def publication_policy(self) -> PublicationPolicy:
        return self.publications[max(self.publications)]

    @property
    def suggestions_policy(self) -> SuggestionsPolicy:
        """The newest suggestions policy; off when there is none."""
        return self.suggestions[max(self.suggestions)] if self.suggestions else OFF
