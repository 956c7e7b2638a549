"""B2B engagement of CRM contacts: e-mail opens and clicks, web visits, webinars attended, calls and meetings.

Each contact is active (recent activity), gone quiet (activity that stopped weeks before the export) or silent;
people named on a deal are more often active and meet more. Drawn from a stream of its own, so adding these rows
leaves every other file of the data set as it was.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from loaders.demo import clock
from loaders.demo.numbering import IdSequence, stream
from loaders.demo.people import EXPORT_DAY
from loaders.demo.sinks import Row

_EXPORT = datetime(EXPORT_DAY.year, EXPORT_DAY.month, EXPORT_DAY.day, tzinfo=UTC)
MAX_PER_CONTACT = 30
_TYPES = ("email_open", "email_click", "web_visit", "webinar", "call", "meeting")
# Weights of each activity type by the part the contact's title plays (see b2b_rows.TITLES).
_MIX = {
    "executive": (5, 1, 1, 1, 2, 3),
    "finance": (5, 2, 1, 1, 2, 2),
    "technical": (4, 2, 4, 2, 1, 2),
    "procurement": (4, 1, 2, 0, 2, 2),
    "business": (5, 2, 3, 2, 1, 1),
    "user": (4, 2, 5, 3, 0, 1),
    "gatekeeper": (6, 1, 1, 0, 2, 0),
}
_CHANNELS = {
    "email_open": "email",
    "email_click": "email",
    "web_visit": "web",
    "webinar": "webinar",
    "call": "phone",
    "meeting": "in_person",
}
_SUBJECTS = {
    "email_open": ("Monthly newsletter", "Product update", "产品更新", "Event invitation"),
    "email_click": ("Monthly newsletter", "Case study", "白皮书下载", "Pricing page"),
    "web_visit": ("/pricing", "/docs", "/customers", "/zh/solutions"),
    "webinar": ("Data Cloud 101", "客户数据平台实践", "Analytics roadmap"),
    "call": ("Discovery call", "Follow-up", "需求沟通"),
    "meeting": ("Product demo", "Proposal review", "产品演示", "商务谈判"),
}


def _geometric(rng: random.Random, mean: float) -> int:
    p = 1 / (1 + mean)
    n = 0
    while rng.random() > p:
        n += 1
    return n


class ActivityRows:
    def __init__(self, seed: int, contacts: int) -> None:
        """`contacts`: at most how many contacts there are (the id space holds MAX_PER_CONTACT rows each)."""
        self._rng = stream(seed, "b2b-activity")
        self.ids = IdSequence(stream(seed, "b2b-activity-ids"), "00T", MAX_PER_CONTACT * contacts)

    def of_contact(self, contact: str, group: str, *, on_deal: bool) -> list[Row]:
        """The contact's activities, oldest first."""
        rng = self._rng
        draw = rng.random()
        active, quiet = (0.7, 0.2) if on_deal else (0.4, 0.25)
        if draw < active:
            last = _EXPORT - timedelta(seconds=rng.randrange(20 * 86_400))
            count = min(1 + _geometric(rng, 6.0 if on_deal else 3.0), MAX_PER_CONTACT)
            span_days = 120
        elif draw < active + quiet:
            last = _EXPORT - timedelta(days=rng.randint(45, 200), seconds=rng.randrange(86_400))
            count = min(1 + _geometric(rng, 3.0), MAX_PER_CONTACT)
            span_days = 150
        else:
            return []
        moments = [last] + [last - timedelta(seconds=rng.randrange(span_days * 86_400)) for _ in range(count - 1)]
        rows = []
        for when in sorted(max(m, clock.EVENTS_SINCE) for m in moments):
            kind = rng.choices(_TYPES, _MIX.get(group, _MIX["user"]))[0]
            rows.append(
                {
                    "Activity ID": self.ids.next(),
                    "Contact ID": contact,
                    "Activity Type": kind,
                    "Activity Date": clock.iso_z(when),
                    "Channel": _CHANNELS[kind],
                    "Subject": rng.choice(_SUBJECTS[kind]),
                }
            )
        return rows
