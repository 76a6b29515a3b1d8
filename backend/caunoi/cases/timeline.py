"""The case's history for staff, in plain language: one sentence per event, names instead of codes (agencies,
areas, categories, people, states), never a raw payload. Also the routing decision ("why here") in words.

The citizen's timeline (selectors.case_public_timeline) speaks to the citizen; this one to officials, and
says more (who did it, internal steps), but in the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from caunoi.accounts.models import User
from caunoi.agencies.models import Agency, Area, Category
from caunoi.workflows.registry import workflows

from .models import Case, CaseEvent, Channel, EventType, Kind


@dataclass(frozen=True)
class StaffTimelineEntry:
    at: dt.datetime
    type: str
    title: str  # what happened, e.g. "Transferred"
    status: str  # the case's state after it, as a label
    agency: str  # the agency holding the case then, by name
    actor: str  # who did it, by name; "" for the system
    sentence: str  # the change in one sentence


class _Names:
    """Codes to names for one page: each kind of reference read once, only for the codes it needs."""

    def __init__(self, events: list[CaseEvent]) -> None:
        codes: set[str] = set()
        usernames: set[str] = set()
        for event in events:
            payload = event.payload or {}
            for key in ("from", "to", "agency"):
                if isinstance(payload.get(key), str):
                    codes.add(payload[key])
            codes.update(code for code in payload.get("agencies", []) if isinstance(code, str))
            for key in ("assignee", "approver"):
                if isinstance(payload.get(key), str):
                    usernames.add(payload[key])
        self.agencies = {a.code: a.display_name for a in Agency.objects.filter(code__in=codes)}
        self.people = {u.username: u.get_full_name() or u.username for u in User.objects.filter(username__in=usernames)}

    def agency(self, code: Any) -> str:
        return self.agencies.get(str(code), str(code or "—"))

    def person(self, username: Any) -> str:
        return self.people.get(str(username), str(username or "—"))


def _date(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return "—"


def _language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def staff_timeline(case: Case) -> list[StaffTimelineEntry]:
    """Every event of `case`, oldest first, each in one sentence (see the module's docstring)."""
    events = list(case.events.select_related("actor", "agency").order_by("at", "id"))
    names = _Names(events)
    lifecycle = workflows().lifecycles[case.lifecycle_version]
    entries = []
    for event in events:
        try:
            status = lifecycle.label(event.status, _language(), staff=True)
        except KeyError:
            status = event.status
        actor = event.actor.get_full_name() or event.actor.get_username() if event.actor else ""
        entries.append(
            StaffTimelineEntry(
                at=event.at,
                type=event.type,
                title=str(EventType(event.type).label) if event.type in EventType.values else event.type,
                status=status,
                agency=event.agency.display_name,
                actor=actor,
                sentence=_sentence(event, names, case),
            )
        )
    return entries


def _sentence(event: CaseEvent, names: _Names, case: Case) -> str:
    p = event.payload or {}
    t = event.type
    if t == EventType.SUBMITTED:
        channel = Channel(p["channel"]).label if p.get("channel") in Channel.values else p.get("channel", "")
        return _("Received through %(channel)s.") % {"channel": str(channel).lower() if channel else "—"}
    if t == EventType.ROUTED:
        return routing_sentence(p, fallback_agency=event.agency.display_name)
    if t in {EventType.DEADLINE_SET, EventType.CLOCK_RESUMED, EventType.DEADLINE_RECOMPUTED}:
        if t == EventType.CLOCK_RESUMED:
            return _("The clock runs again; the case is now due on %(date)s.") % {"date": _date(p.get("due_date"))}
        if t == EventType.DEADLINE_RECOMPUTED:
            return _("The due date moved to %(date)s: the working calendar changed.") % {
                "date": _date(p.get("due_date"))
            }
        return _("Due on %(date)s.") % {"date": _date(p.get("due_date"))}
    if t == EventType.CLOCK_PAUSED:
        return _("The clock is on hold while the citizen is asked for more information.")
    if t == EventType.CLAIMED:
        return _("%(person)s took the case.") % {"person": names.person(p.get("assignee"))}
    if t == EventType.ASSIGNED:
        return _("Assigned to %(person)s.") % {"person": names.person(p.get("assignee"))}
    if t == EventType.NOTE_ADDED:
        return _("An internal note was added (see Internal notes).")
    if t == EventType.INFO_REQUESTED:
        return _("The citizen was asked for more information; the deadline is on hold until they reply.")
    if t == EventType.CITIZEN_REPLIED:
        return _("The citizen replied; the case is now due on %(date)s.") % {"date": _date(p.get("due_date"))}
    if t == EventType.ANSWER_DRAFTED:
        if p.get("autosaved"):
            return _("Draft version %(number)s was saved automatically while being written.") % {
                "number": p.get("version")
            }
        return _("Draft version %(number)s was saved.") % {"number": p.get("version")}
    if t == EventType.REVIEW_REQUESTED:
        return _("Version %(number)s was sent to a leader for review.") % {"number": p.get("version")}
    if t == EventType.RETURNED:
        return _("Returned to the drafter: “%(comment)s”") % {"comment": p.get("comment", "")}
    if t == EventType.ANSWERED:
        if p.get("via_primary"):
            return _("Answered with the answer of case %(code)s, of which it is a duplicate.") % {
                "code": p["via_primary"]
            }
        if p.get("parts"):
            return _("Answered: every part (%(codes)s) was answered.") % {"codes": ", ".join(p["parts"])}
        return _("Version %(number)s was approved by %(person)s and sent to the citizen.") % {
            "number": p.get("version"),
            "person": names.person(p.get("approver")) if p.get("approver") else event.agency.display_name,
        }
    if t == EventType.TRANSFERRED:
        sentence = _(
            "Transferred from %(source)s to %(target)s: “%(reason)s”. The new agency must answer by %(date)s."
        ) % {
            "source": names.agency(p.get("from")),
            "target": names.agency(p.get("to")),
            "reason": p.get("reason", ""),
            "date": _date(p.get("due_date")),
        }
        if p.get("forwarded_late"):
            sentence += " " + _("It was forwarded after the 5 working days allowed.")
        return sentence
    if t == EventType.EXTENDED:
        days = int(p.get("days") or 0)
        return ngettext(
            "The deadline was extended by %(days)s day, to %(date)s: “%(reason)s”.",
            "The deadline was extended by %(days)s days, to %(date)s: “%(reason)s”.",
            days,
        ) % {"days": days, "date": _date(p.get("due_date")), "reason": p.get("reason", "")}
    if t == EventType.REJECTED:
        return _("Closed as outside our remit: “%(reason)s”. Procedure that applies instead: “%(pointer)s”.") % {
            "reason": p.get("reason", ""),
            "pointer": p.get("pointer", ""),
        }
    if t == EventType.LINKED:
        return _("Linked as a duplicate of case %(code)s: its answer will reach this citizen too.") % {
            "code": p.get("primary", "")
        }
    if t == EventType.SPLIT:
        return _("Split between %(agencies)s: each answers its part, and the citizen gets one combined answer.") % {
            "agencies": ", ".join(names.agency(code) for code in p.get("agencies", [])) or "—"
        }
    if t == EventType.RATED:
        return _("The citizen rated the answer %(score)s out of 5.") % {"score": p.get("score", "—")}
    if t == EventType.APPEALED:
        return _("The citizen appealed the answer; %(agency)s reconsiders it and must decide by %(date)s.") % {
            "agency": names.agency(p.get("to")) if p.get("to") else event.agency.display_name,
            "date": _date(p.get("due_date")),
        }
    if t in {EventType.OVERDUE, EventType.ESCALATED, EventType.REMINDED, EventType.FORWARDING_REMINDED,
             EventType.FORWARDING_OVERDUE}:  # fmt: skip
        return _("%(what)s (due %(date)s).") % {"what": EventType(t).label, "date": _date(p.get("due_date"))}
    if t == EventType.HELD:
        return _("Held for moderation: one of many similar submissions in a short time.")
    return str(EventType(t).label) + "." if t in EventType.values else t


def routing_sentence(explanation: dict[str, Any], *, fallback_agency: str = "") -> str:
    """The routing decision in one sentence: "Sent by rule: area Hà Nội, category Land" or why no rule."""
    if explanation.get("fallback"):
        return _("No routing rule matched: sent to the triage desk.")
    lines = routing_lines(explanation)
    if not lines:
        return _("Sent to %(agency)s.") % {"agency": fallback_agency or "—"}
    return _("Sent by the routing rule for %(conditions)s.") % {"conditions": "; ".join(lines)}


def routing_lines(explanation: dict[str, Any]) -> list[str]:
    """What the routing rule matched, one condition a line, with names: "area: Thành phố Hà Nội"."""
    matched = (explanation or {}).get("matched") or {}
    if not isinstance(matched, dict):
        return []
    lines = []
    for condition, values in matched.items():
        values = values if isinstance(values, list) else [values]
        names = _names_of(condition, [str(v) for v in values])
        label = {
            "kind": _("type"),
            "category": _("category"),
            "area": _("area"),
            "channel": _("channel"),
            "keywords": _("keywords"),
        }.get(condition, condition)
        lines.append(f"{label} {', '.join(names)}")
    return lines


def _names_of(condition: str, values: list[str]) -> list[str]:
    if condition == "area":
        found = {a.code: a.display_name for a in Area.objects.filter(code__in=values)}
        return [found.get(v, v) for v in values]
    if condition == "category":
        found = {c.slug: c.display_name for c in Category.objects.filter(slug__in=values)}
        return [found.get(v, v) for v in values]
    if condition == "kind":
        return [str(Kind(v).label) if v in Kind.values else v for v in values]
    if condition == "channel":
        return [str(Channel(v).label) if v in Channel.values else v for v in values]
    return [f"“{v}”" for v in values]
