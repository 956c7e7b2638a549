"""The demo data run: companies, then people household by household, their records and events, then deals."""

from __future__ import annotations

import time
from pathlib import Path

from loaders.demo.activities import ActivityRows
from loaders.demo.b2b_rows import B2BRows
from loaders.demo.catalogue import B2B_ACTIVITIES, SOURCES
from loaders.demo.companies import CompanyBook
from loaders.demo.customer_rows import CustomerRows
from loaders.demo.events import EventRows
from loaders.demo.messiness import Rates
from loaders.demo.numbering import IdSequence, stream
from loaders.demo.people import PeopleFactory, Person
from loaders.demo.records import CONSUMER_SOURCES, Draft, RecordPlanner
from loaders.demo.sinks import Row, SourceSink, TruthSink
from loaders.demo.sources_toml import sources_toml
from loaders.demo.summary import DemoSummary

_CONTACTS_PER_COMPANY = 5  # on average: people with a job are about this many per company
_MAX_PROFESSIONAL_SHARE = 0.4
_CONSUMER_PROFESSIONALS = 0.35  # people with a job who also buy for themselves


class _Run:
    def __init__(self, out: Path, people: int, companies: int, seed: int, rates: Rates) -> None:
        self.rates = rates
        self.people = people
        self.book = CompanyBook(seed, companies)
        self.factory = PeopleFactory(seed, people)
        self.b2b = B2BRows(seed, people, self.book, rates)
        self.planner = RecordPlanner(stream(seed, "records"), rates)
        self.customers = CustomerRows(stream(seed, "customer-rows"), rates)
        self.mix = stream(seed, "mix")
        shuffle = stream(seed, "shuffle")
        # The activities file shuffles with a generator of its own, so it leaves the order of the others alone.
        activity_shuffle = stream(seed, "b2b-activity-shuffle")
        self.sinks = {
            spec.name: SourceSink(out, spec, activity_shuffle if spec is B2B_ACTIVITIES else shuffle)
            for spec in SOURCES
        }
        self.truth = TruthSink(out)
        self.events = EventRows(stream(seed, "events"), rates, self.sinks)
        id_rng = stream(seed, "customer-ids")
        capacity = 2 * people + 1000
        self.ids = {
            "crm": IdSequence(id_rng, "CUS", capacity),
            "eshop": IdSequence(id_rng, "U", capacity, start=10_000_000),
            "loyalty": IdSequence(id_rng, "8800", capacity),
            **self.b2b.ids,
        }
        self.activities = ActivityRows(seed, capacity)
        self.professional_share = min(_MAX_PROFESSIONAL_SHARE, _CONTACTS_PER_COMPANY * companies / people)

    def close(self) -> None:
        for sink in self.sinks.values():
            sink.close()
        self.truth.close()

    def companies(self) -> None:
        for company in self.book.companies:
            for sid, row in self.b2b.company_rows(company):
                self.sinks["b2b_companies"].write(row)
                self.truth.write("company", "b2b_companies", sid, company.entity)
            if self.mix.random() < self.rates.test_row * 2:
                sid, row = self.b2b.test_company_row()
                self.sinks["b2b_companies"].write(row)
                self.truth.write("company", "b2b_companies", sid, "", "test_row")

    def households(self) -> None:
        for household in self.factory.households():
            for person in household:
                if self.mix.random() < self.professional_share:
                    self.b2b.assign_job(person, self.factory)
                    person.consumer = self.mix.random() < _CONSUMER_PROFESSIONALS
            for person in household:
                self.person(person)
            tablet_users = [(p, p.ids["eshop"][0]) for p in household if p.ids.get("eshop")]
            if len(tablet_users) >= 2 and self.mix.random() < 0.3:
                self.events.family_tablet(tablet_users[:4])
            if self.mix.random() < 0.3:
                self.events.anonymous_visit()

    def person(self, person: Person) -> None:
        drafts = self.planner.plan(person)
        sids = [self.ids[draft.source].next() for draft in drafts]
        card = next((sid for sid, d in zip(sids, drafts, strict=True) if d.source == "loyalty"), None)
        for sid, draft in zip(sids, drafts, strict=True):
            self.sinks[draft.source].write(
                self.row(person, draft, sid, card), copies=2 if draft.note == "duplicate_row" else 1
            )
            self.truth.write("person", draft.source, sid, person.entity, draft.note)
            if not draft.quarantined:
                person.ids.setdefault(draft.source, []).append(sid)
                if draft.source == "eshop" and draft.loyalty_card and card:
                    self.sinks["eshop_member_cards"].write(
                        {"eshop_account": sid, "card_no": card, "program": "loyalty"}
                    )
            if self.mix.random() < self.rates.test_row:
                self.test_row(draft.source)
        self.person_events(person)

    def row(self, person: Person, draft: Draft, sid: str, card: str | None) -> Row:
        match draft.source:
            case "crm":
                return self.customers.crm(person, draft, sid, card)
            case "eshop":
                return self.customers.eshop(person, draft, sid)
            case "loyalty":
                return self.customers.loyalty(person, draft, sid)
            case "b2b_contacts":
                return self.b2b.contact(person, draft, sid)
            case "ma_leads":
                return self.b2b.lead(person, draft, sid)
            case _:
                return self.b2b.webinar(person, draft, sid)

    def test_row(self, source: str) -> None:
        sid = self.ids[source].next()
        row = self.customers.test_row(source, sid) if source in CONSUMER_SOURCES else self.b2b.test_row(source, sid)
        self.sinks[source].write(row)
        self.truth.write("person", source, sid, "", "test_row")

    def person_events(self, person: Person) -> None:
        events = self.events
        for card in person.ids.get("loyalty", []):
            events.store_purchases(person, card)
        if person.consumer and person.origin == "CN" and self.mix.random() < 0.5:
            events.store_purchases(None, None)  # a walk-in purchase by someone who is not a member
        accounts = person.ids.get("eshop", [])
        if accounts:
            events.web_sessions(person, accounts)
            events.app_usage(person, accounts)
        elif person.consumer and self.mix.random() < 0.2:
            events.web_sessions(person, [], mean=1.0)

    def deals(self) -> None:
        on_deals: set[str] = set()
        for company in self.book.companies:
            for deal, roles in self.b2b.opportunity_rows(company):
                self.sinks["b2b_opportunities"].write(deal)
                for role in roles:
                    self.sinks["opportunity_roles"].write(role)
                    on_deals.add(role["Contact ID"])
        for company in self.book.companies:
            for contact in company.contacts:
                group = self.b2b.contact_group(contact)
                for row in self.activities.of_contact(contact, group, on_deal=contact in on_deals):
                    self.sinks["b2b_activities"].write(row)


def generate_demo_data(out: Path, *, people: int = 2000, companies: int = 200, seed: int = 7) -> DemoSummary:
    """Write the demo data set (data files, sources.toml, truth.csv) into `out`, streaming: memory does not grow
    with `people`. The same arguments give byte-identical files."""
    if people < 1 or companies < 1:
        raise ValueError("people and companies must be at least 1")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run = _Run(out, people, companies, seed, Rates())
    try:
        run.companies()
        run.households()
        run.deals()
    finally:
        run.close()
    config = out / "sources.toml"
    config.write_text(sources_toml(people, companies, seed), encoding="utf-8")
    files = {spec.file: run.sinks[spec.name].rows for spec in SOURCES}
    return DemoSummary(
        out=out,
        config=config,
        truth=run.truth.path,
        files=files,
        truth_rows=run.truth.rows,
        total_rows=sum(files.values()),
        persons=people,
        companies=companies,
        seconds=time.perf_counter() - started,
    )
