"""Which records a person has in which sources, and which of their identifiers each record carries.

Each record (a Draft) picks identifiers from the person's own: current or older e-mail, current or old phone, work
e-mail and direct line, birth date, address, and a way of writing the name. Then the drafts are checked: a
record that shares nothing (no identifier, no comparable name with birth date or address) with the person's
other records is given one of their identifiers, except a small share that stays unlinkable, as in real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from loaders.demo.messiness import Rates, mistype_email_domain
from loaders.demo.people import Person
from loaders.demo.phones import CALL_CENTRE_CN, CALL_CENTRE_US, STORE_LANDLINE_CN, Phone

CONSUMER_SOURCES = ("crm", "eshop", "loyalty")
B2B_SOURCES = ("b2b_contacts", "ma_leads", "webinar")
_CONSUMER_ODDS = {
    "CN": (("loyalty", 0.75), ("eshop", 0.55), ("crm", 0.35)),
    "US": (("crm", 0.75), ("eshop", 0.65), ("loyalty", 0.03)),
}
_B2B_ODDS = (("b2b_contacts", 0.75), ("ma_leads", 0.5), ("webinar", 0.4))
_MAX_SOURCES = 5

# Name forms: how a record writes the person's name, and the script it can be compared in (None: not
# comparable by spelling, e.g. a nickname or given and family name swapped).
NAME_SCRIPT: dict[str, str | None] = {
    "native": "native",  # 张伟 / William Smith
    "pinyin": "latin",  # Wei Zhang
    "pinyin_family_first": "latin",  # Zhang Wei in one full-name field
    "transposed": None,  # first name Zhang, last name Wei
    "nickname": None,  # Bill Smith
    "english": None,  # Kevin Zhang
}

Identifier = tuple[str, str | None]  # (value, link token); no token: not the person's own (shared, mistyped)


@dataclass
class Draft:
    source: str
    name_form: str = "native"
    email: Identifier | None = None
    phones: list[tuple[Phone, str | None]] = field(default_factory=list)
    birth_date: bool = False
    placeholder_birth_date: bool = False  # 1900-01-01 typed to get past a required field (a logical error)
    address: bool = False
    loyalty_card: bool = False  # CRM: the member card number; e-shop: the card bound to the account
    note: str = ""  # "", duplicate_row, garbled or logical_error (as in truth.csv)

    @property
    def quarantined(self) -> bool:
        """The loader keeps it out of the graph, so it links nothing."""
        return self.note in ("garbled", "logical_error")

    def tokens(self, card_holder: bool) -> set[str]:
        if self.quarantined:
            return set()
        # A phone is shared within households, so a record only links by phone to records whose names agree: an
        # English work name (Kevin Zhang) does not agree with the person's Chinese name.
        suffix = "/english" if self.name_form == "english" else ""
        tokens = {token + suffix for _, token in self.phones if token}
        if self.email and self.email[1]:
            tokens.add(self.email[1])
        if self.loyalty_card or card_holder:
            tokens.add("card")
        script = NAME_SCRIPT[self.name_form]
        if script and self.birth_date and not self.placeholder_birth_date:
            tokens.add(f"{script}+birth")
        if script and self.address:
            tokens.add(f"{script}+address")
        return tokens


class RecordPlanner:
    """Drafts of one person's records."""

    def __init__(self, rng: random.Random, rates: Rates) -> None:
        self._rng = rng
        self._rates = rates

    def plan(self, person: Person) -> list[Draft]:
        rng = self._rng
        sources: list[str] = []
        if person.consumer:
            odds = _CONSUMER_ODDS[person.origin]
            sources = [source for source, p in odds if rng.random() < p] or [odds[0][0]]
        if person.job is not None:
            sources += [source for source, p in _B2B_ODDS if rng.random() < p] or ["b2b_contacts"]
        while len(sources) > _MAX_SOURCES:
            sources.pop(rng.randrange(len(sources)))
        sources += [s for s in sources if rng.random() < self._rates.duplicate_record]
        drafts = [self._draft(person, source) for source in sources]
        self._connect(person, drafts)
        return drafts

    # one record

    def _draft(self, person: Person, source: str) -> Draft:
        rng = self._rng
        draft = Draft(source)
        if source == "crm":
            draft.email = self._email(person, {"e0": 0.65, "e1": 0.15})
            draft.phones = self._phone(person, 0.8, old=0.25, hotline=CALL_CENTRE_US)
            draft.birth_date = rng.random() < 0.6
            draft.placeholder_birth_date = draft.birth_date and rng.random() < self._rates.placeholder_birth_date
            draft.address = rng.random() < 0.75
            draft.name_form = self._name_form(person, {"native": 0.5, "pinyin": 0.35, "transposed": 0.15}, 0.25)
        elif source == "eshop":
            draft.email = self._email(person, {"e0": 0.8, "e1": 0.2})
            draft.phones = self._phone(person, 0.65, old=0.15, hotline=None)
            draft.birth_date = rng.random() < 0.4
            draft.address = rng.random() < 0.7
            draft.name_form = self._name_form(person, {"native": 0.7, "pinyin": 0.2, "pinyin_family_first": 0.1}, 0.4)
        elif source == "loyalty":
            draft.email = self._email(person, {"e0": 0.25, "e1": 0.05})
            hotline = STORE_LANDLINE_CN if rng.random() < 0.5 else CALL_CENTRE_CN
            draft.phones = self._phone(person, 0.97, old=0.15, hotline=hotline)
            draft.birth_date = rng.random() < 0.75
            draft.address = person.origin == "CN" and rng.random() < 0.6
        elif source == "b2b_contacts":
            draft.email = self._email(person, {"ew": 0.9, "e0": 0.05})
            assert person.job is not None
            if rng.random() < 0.6:
                draft.phones.append((person.job.direct_line, "pw"))
            if rng.random() < 0.35:
                draft.phones += self._phone(person, 1.0, old=0.2, hotline=None)
            draft.name_form = self._work_name_form(person)
        elif source == "ma_leads":
            draft.email = self._email(person, {"ew": 0.75, "e0": 0.25})
            draft.phones = self._phone(person, 0.25, old=0.2, hotline=None)
            draft.name_form = self._work_name_form(person, native=person.origin == "US")
        else:  # webinar
            draft.email = self._email(person, {"ew": 0.6, "e0": 0.4})
            draft.name_form = self._work_name_form(person, native=person.origin == "US")
        draft.note = self._note(draft)
        return draft

    def _note(self, draft: Draft) -> str:
        rates = self._rates
        if draft.placeholder_birth_date:  # born 1900: more than 120 years ago, so a logical error too
            return "logical_error"
        draw = self._rng.random()
        if draw < rates.garbled:
            return "garbled"
        draw -= rates.garbled
        if draft.birth_date and not draft.placeholder_birth_date and draw < rates.future_birth_date:
            return "logical_error"
        draw -= rates.future_birth_date
        return "duplicate_row" if draw < rates.duplicate_row else ""

    def _email(self, person: Person, odds: dict[str, float]) -> Identifier | None:
        draw = self._rng.random()
        for which, p in odds.items():
            if draw < p:
                return self._email_of(person, which)
            draw -= p
        return None

    def _email_of(self, person: Person, which: str) -> Identifier:
        if which == "ew" and person.job is not None:
            address = person.job.work_email
        elif which == "e1" and len(person.emails) > 1:
            address = person.emails[1]
        else:
            address, which = person.emails[0], "e0"
        if self._rng.random() < self._rates.email_typo and (mistyped := mistype_email_domain(address)):
            return mistyped, None
        return address, which

    def _phone(
        self, person: Person, present: float, *, old: float, hotline: Phone | None
    ) -> list[tuple[Phone, str | None]]:
        rng = self._rng
        if rng.random() >= present:
            return []
        if hotline is not None and rng.random() < self._rates.call_centre_phone:
            return [(hotline, None)]
        if person.household_phone is not None and rng.random() < self._rates.household_phone:
            return [(person.household_phone, None)]
        if len(person.phones) > 1 and rng.random() < old:
            return [(person.phones[1], "p1")]
        return [(person.phones[0], "p0")]

    def _name_form(self, person: Person, chinese: dict[str, float], nickname: float) -> str:
        rng = self._rng
        if person.origin == "US":
            return "nickname" if person.nickname and rng.random() < nickname else "native"
        return rng.choices(list(chinese), list(chinese.values()))[0]

    def _work_name_form(self, person: Person, *, native: bool = True) -> str:
        rng = self._rng
        if person.origin == "US":
            return "nickname" if person.nickname and rng.random() < 0.3 else "native"
        if person.english_name and rng.random() < 0.6:
            return "english"
        return "native" if native and rng.random() < 0.6 else "pinyin"

    # linking

    def _connect(self, person: Person, drafts: list[Draft]) -> None:
        """Give each record that shares nothing with the person's main group of records one of its identifiers
        (except a share `rates.unlinkable` that stays apart)."""
        card_holder = next((d for d in drafts if d.source == "loyalty"), None)
        for draft in drafts:
            if draft.source == "crm" and card_holder is not None:
                draft.loyalty_card = self._rng.random() < 0.3
            elif draft.source == "eshop" and card_holder is not None:
                draft.loyalty_card = self._rng.random() < 0.25
        live = [d for d in drafts if not d.quarantined]
        if len(live) < 2:
            return
        while True:
            groups = _groups(live, card_holder)
            if len(groups) == 1:
                return
            main = max(groups, key=len)
            stray = next(g for g in groups if g is not main)[0]
            if self._rng.random() < self._rates.unlinkable:
                live.remove(stray)  # left unlinkable on purpose; the rest are still joined
                continue
            self._join(person, stray, main)

    def _join(self, person: Person, stray: Draft, main: list[Draft]) -> None:
        """Give the stray record an identifier of the main group: a phone where it has none (and its name agrees),
        else the group's e-mail; when the group links by names only, give both sides the current e-mail."""
        main_tokens = set().union(*(d.tokens(False) for d in main))
        main_phones = [p for d in main for p in d.phones if p[1]]
        main_emails = [d.email for d in main if d.email and d.email[1]]
        if stray.source != "webinar" and not stray.phones:
            for phone in main_phones:
                stray.phones = [phone]
                if stray.tokens(False) & main_tokens:
                    return
            stray.phones = []
        if main_emails:
            stray.email = main_emails[0]
        else:
            stray.email = main[0].email = (person.emails[0], "e0")


def _groups(drafts: list[Draft], card_holder: Draft | None) -> list[list[Draft]]:
    """Drafts grouped by shared link tokens (a tiny union-find: a person has a handful of records)."""
    parent = list(range(len(drafts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, draft in enumerate(drafts):
        for token in sorted(draft.tokens(draft is card_holder)):
            if token in owner:
                parent[find(i)] = find(owner[token])
            else:
                owner[token] = i
    groups: dict[int, list[Draft]] = {}
    for i, draft in enumerate(drafts):
        groups.setdefault(find(i), []).append(draft)
    return list(groups.values())
