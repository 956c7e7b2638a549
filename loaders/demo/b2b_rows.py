"""B2B rows: CRM companies, contacts, marketing-automation leads, webinar registrants, deals and their roles."""

from __future__ import annotations

import random
from dataclasses import dataclass

from loaders.demo import clock
from loaders.demo.companies import Company, CompanyBook
from loaders.demo.messiness import Rates, ascii_letters, email_as_typed
from loaders.demo.names import full_name, name_parts
from loaders.demo.numbering import IdSequence, stream
from loaders.demo.people import Job, PeopleFactory, Person
from loaders.demo.phones import write_phone
from loaders.demo.records import Draft
from loaders.demo.sinks import Row


@dataclass(frozen=True)
class Title:
    english: str
    chinese: str
    department: str
    group: str  # what kind of part the person plays in a purchase (drives the deal roles)


TITLES = (
    Title("CEO", "首席执行官", "Executive", "executive"),
    Title("General Manager", "总经理", "Executive", "executive"),
    Title("CFO", "财务总监", "Finance", "finance"),
    Title("Finance Manager", "财务经理", "Finance", "finance"),
    Title("CTO", "技术总监", "Engineering", "technical"),
    Title("IT Director", "IT总监", "IT", "technical"),
    Title("IT Manager", "IT经理", "IT", "technical"),
    Title("Procurement Manager", "采购经理", "Procurement", "procurement"),
    Title("Purchasing Director", "采购总监", "Procurement", "procurement"),
    Title("VP Sales", "销售副总裁", "Sales", "business"),
    Title("Marketing Manager", "市场经理", "Marketing", "business"),
    Title("Head of Operations", "运营总监", "Operations", "business"),
    Title("Software Engineer", "软件工程师", "Engineering", "user"),
    Title("Senior Engineer", "高级工程师", "Engineering", "user"),
    Title("Data Analyst", "数据分析师", "Analytics", "user"),
    Title("Business Analyst", "业务分析师", "Operations", "user"),
    Title("Executive Assistant", "行政助理", "Administration", "gatekeeper"),
)
_TITLE_WEIGHTS = (3, 3, 3, 3, 2, 2, 3, 3, 2, 3, 3, 3, 8, 6, 5, 4, 2)

# CRM contact roles on a deal, by the kind of part a title plays.
DEAL_ROLES: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "executive": (("Decision Maker", "Executive Sponsor"), (7, 3)),
    "finance": (("Economic Buyer", "Influencer"), (8, 2)),
    "technical": (("Technical Evaluator", "Decision Maker", "Influencer"), (6, 2, 2)),
    "procurement": (("Influencer", "Economic Buyer", "Other"), (5, 2, 3)),
    "business": (("Champion", "Influencer", "Business User"), (5, 3, 2)),
    "user": (("Business User", "Technical Evaluator", "Champion", "Influencer"), (5, 2, 2, 1)),
    "gatekeeper": (("Other", "Influencer"), (7, 3)),
}
_PRODUCTS = ("Platform Subscription", "Data Cloud", "Analytics Add-on", "Renewal", "Expansion", "Pilot", "平台订阅")
_STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
_FREE_MAIL_DOMAINS = ("gmail.com", "qq.com", "163.com", "outlook.com")
_TEST_NAMES = ("test", "Test", "TEST", "测试")
TEST_EMAIL = "test@test.com"


def _country(country: str, rng: random.Random) -> str:
    return rng.choice(("China", "CN", "中国") if country == "CN" else ("United States", "USA", "US"))


class B2BRows:
    def __init__(self, seed: int, people: int, book: CompanyBook, rates: Rates) -> None:
        self._rng = stream(seed, "b2b")
        self._book = book
        self._rates = rates
        capacity = 2 * people + 1000
        id_rng = stream(seed, "b2b-ids")
        self.ids = {
            "b2b_companies": IdSequence(id_rng, "001", 4 * len(book.companies) + 100),
            "b2b_contacts": IdSequence(id_rng, "003", capacity),
            "ma_leads": IdSequence(id_rng, "L-", capacity),
            "webinar": IdSequence(id_rng, "WR", capacity),
            "b2b_opportunities": IdSequence(id_rng, "006", 4 * len(book.companies) + 100),
        }
        self._contact_groups: dict[str, str] = {}

    # jobs

    def assign_job(self, person: Person, factory: PeopleFactory) -> None:
        """Give the person a job at a company: title, work e-mail at its domain, a direct line."""
        rng = self._rng
        company = self._book.pick(rng)
        title = rng.choices(TITLES, _TITLE_WEIGHTS)[0]
        chinese = company.country == "CN" and person.origin == "CN" and rng.random() < 0.65
        given = ascii_letters(person.english_name or person.given_latin)
        family = ascii_letters(person.family_latin)
        local = rng.choice((f"{given}.{family}", f"{given[:1]}{family}", f"{given}{family[:1]}", f"{family}{given}"))
        candidate, n = local, 1
        while candidate in company.work_emails:
            n += 1
            candidate = f"{local}{n}"
        company.work_emails.add(candidate)
        person.job = Job(
            company=company.index,
            title=title.chinese if chinese else title.english,
            department=title.department,
            work_email=f"{candidate}@{company.domain}",
            direct_line=factory.direct_line(person, company.area),
        )
        self._contact_groups[person.entity] = title.group

    # companies

    def company_rows(self, company: Company) -> list[tuple[str, Row]]:
        """The company's 1-3 records in the B2B CRM: the main one, and duplicates entered by other reps."""
        rng = self._rng
        count = rng.choices((1, 2, 3), (85, 12, 3))[0]
        rows: list[tuple[str, Row]] = []
        created = clock.moment(rng)
        for k in range(count):
            sid = self.ids["b2b_companies"].next()
            company.records.append(sid)
            parent = self._book.companies[company.parent] if company.parent is not None else None
            main = k == 0
            if main:
                name = company.name
            elif company.english_name and rng.random() < 0.5:
                name = company.english_name
            else:
                name = company.name_as_written(rng)
            row: Row = {
                "Account ID": sid,
                "Account Name": name,
                "Website": company.website(rng) if rng.random() < (0.92 if main else 0.7) else None,
                "Parent Account ID": parent.records[0] if parent and (main or rng.random() < 0.5) else None,
                "Industry": company.industry if main or rng.random() < 0.6 else None,
                "Employees": company.employees if main or rng.random() < 0.5 else None,
                "Phone": write_phone(company.phone, rng, "US") if rng.random() < 0.8 else None,
                "Billing City": company.city,
                "Billing Country": _country(company.country, rng),
                "Created Date": clock.iso_z(created if main else clock.later(rng, created), millis=True),
            }
            rows.append((sid, row))
        return rows

    def test_company_row(self) -> tuple[str, Row]:
        sid = self.ids["b2b_companies"].next()
        name = self._rng.choice(_TEST_NAMES)
        return sid, {"Account ID": sid, "Account Name": name, "Created Date": clock.iso_z(clock.moment(self._rng))}

    # people at companies

    def _names(self, person: Person, draft: Draft, *, gbk: bool = False) -> tuple[str, str]:
        return name_parts(
            person, draft.name_form, self._rng, self._rates, utf8=True, garbled=draft.note == "garbled", gbk=gbk
        )

    def _email(self, draft: Draft) -> str | None:
        return email_as_typed(draft.email[0], self._rng, self._rates) if draft.email else None

    def _title(self, person: Person) -> str | None:
        assert person.job is not None
        title = person.job.title
        draw = self._rng.random()
        if draw < 0.1:
            return None
        if draw < 0.15 and title.isascii():
            return title.lower()
        return title

    def contact(self, person: Person, draft: Draft, sid: str) -> Row:
        rng = self._rng
        assert person.job is not None
        company = self._book.companies[person.job.company]
        company.contacts.append(sid)
        self._contact_groups[sid] = self._contact_groups.get(person.entity, "user")
        given, family = self._names(person, draft)
        direct = next((p for p, link in draft.phones if link == "pw"), None)
        mobile = next((p for p, link in draft.phones if link != "pw"), None)
        account = (
            company.records[0] if len(company.records) == 1 or rng.random() < 0.85 else rng.choice(company.records)
        )
        return {
            "Contact ID": sid,
            "Account ID": account,
            "First Name": given,
            "Last Name": family,
            "Title": self._title(person),
            "Department": person.job.department if rng.random() < 0.6 else None,
            "Email": self._email(draft),
            "Phone": write_phone(direct, rng, "US") if direct else None,
            "Mobile": write_phone(mobile, rng, "US") if mobile else None,
            "Mailing City": company.city if rng.random() < 0.7 else None,
            "Mailing Country": _country(company.country, rng) if rng.random() < 0.8 else None,
            "Email Opt In": rng.choice(("true", "false")),
            "Created Date": clock.iso_z(clock.moment(rng), millis=True),
        }

    def lead(self, person: Person, draft: Draft, sid: str) -> Row:
        rng = self._rng
        assert person.job is not None
        company = self._book.companies[person.job.company]
        given, family = self._names(person, draft)
        email = self._email(draft)
        domain: str | None
        if draft.email and draft.email[1] == "ew":
            domain = rng.choice((company.domain, company.domain, f"www.{company.domain}", company.website(rng)))
        else:  # a free-mail lead: the tool fills the domain from the address, or leaves it empty
            domain = draft.email[0].rpartition("@")[2] if draft.email and rng.random() < 0.5 else None
        return {
            "lead_id": sid,
            "email": email,
            "first_name": given,
            "last_name": family,
            "company_domain": domain if rng.random() < 0.95 else None,
            "job_title": self._title(person),
            "phone": write_phone(draft.phones[0][0], rng, "US") if draft.phones else None,
            "country": _country(person.origin, rng) if rng.random() < 0.7 else None,
            "created_at": clock.utc_seconds(clock.moment(rng)),
            "email_opt_in": rng.choice(("true", "false", "")),
        }

    def webinar(self, person: Person, draft: Draft, sid: str) -> Row:
        rng = self._rng
        assert person.job is not None
        company = self._book.companies[person.job.company]
        given, family = self._names(person, draft)
        return {
            "Registrant ID": sid,
            "Full Name": full_name(person, draft.name_form, given, family),
            "Email": self._email(draft),
            "Company": company.name_as_written(rng) if rng.random() < 0.95 else None,
            "Job Title": self._title(person),
            "Country": _country(person.origin, rng) if rng.random() < 0.6 else None,
            "Registered At": clock.us_24h(clock.moment(rng, clock.EVENTS_SINCE)),
        }

    def test_row(self, source: str, sid: str) -> Row:
        rng = self._rng
        name = rng.choice(_TEST_NAMES)
        if source == "b2b_contacts":
            company = self._book.pick(rng)
            return {
                "Contact ID": sid,
                "Account ID": company.records[0],
                "First Name": name,
                "Last Name": name,
                "Email": TEST_EMAIL,
                "Created Date": clock.iso_z(clock.moment(rng), millis=True),
            }
        if source == "ma_leads":
            return {
                "lead_id": sid,
                "email": TEST_EMAIL,
                "first_name": name,
                "last_name": name,
                "created_at": clock.utc_seconds(clock.moment(rng)),
            }
        return {
            "Registrant ID": sid,
            "Full Name": f"{name} {name}",
            "Email": TEST_EMAIL,
            "Company": name,
            "Registered At": clock.us_24h(clock.moment(rng, clock.EVENTS_SINCE)),
        }

    def contact_group(self, contact: str) -> str:
        """The kind of part a contact's title plays in a purchase (a key of DEAL_ROLES)."""
        return self._contact_groups.get(contact, "user")

    # deals

    def opportunity_rows(self, company: Company) -> list[tuple[Row, list[Row]]]:
        """The company's deals, each with the contact roles the CRM records for it."""
        rng = self._rng
        if not company.contacts:
            return []
        deals: list[tuple[Row, list[Row]]] = []
        for _ in range(rng.choices((0, 1, 2, 3), (30, 40, 20, 10))[0]):
            sid = self.ids["b2b_opportunities"].next()
            created = clock.moment(rng, clock.EVENTS_SINCE)
            close = clock.later(rng, created, max_days=240).date()
            currency = "CNY" if company.country == "CN" else ("EUR" if rng.random() < 0.05 else "USD")
            amount = rng.uniform(5_000, 400_000) * (7 if currency == "CNY" else 1)
            deal: Row = {
                "Opportunity ID": sid,
                "Opportunity Name": f"{company.brand} - {rng.choice(_PRODUCTS)} {close.year}",
                "Account ID": company.records[0],
                "Amount": f"{amount:.2f}" if rng.random() < 0.7 else str(round(amount, -2)).removesuffix(".0"),
                "Currency": currency,
                "Stage": rng.choice(_STAGES),
                "Close Date": clock.iso_date(close),
                "Created Date": clock.iso_z(created),
            }
            members = rng.sample(company.contacts, min(len(company.contacts), rng.randint(1, 4)))
            roles = []
            for contact in members:
                names, weights = DEAL_ROLES[self._contact_groups.get(contact, "user")]
                role = rng.choices(names, weights)[0] if rng.random() < 0.95 else None
                roles.append({"Opportunity ID": sid, "Contact ID": contact, "Role": role})
            deals.append((deal, roles))
        return deals
