"""Loading every source kind from real files into a real SQLite store: mapping, quarantine, counts, re-runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from graph import (
    Direction,
    GraphStore,
    Identifier,
    IdentifierKind,
    RecordKey,
    RecordKind,
    RelType,
    open_store,
)
from loaders import (
    FileReport,
    LoadConfig,
    LoadError,
    LoadOptions,
    Quarantine,
    SourceConfig,
    SourceKind,
    actor_key,
    load_file,
    load_sources,
    read_config,
)

TODAY = date(2026, 11, 29)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    yield store
    store.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def quarantined(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()] if path.exists() else []


def load(
    store: GraphStore, tmp_path: Path, kind: SourceKind, name: str, text: str, encoding: str = "utf-8", **settings: Any
) -> FileReport:
    suffix = ".jsonl" if text.lstrip().startswith("{") else ".csv"
    path = write(tmp_path / f"{name}{suffix}", text, encoding)
    source = SourceConfig(name=name, kind=kind, path=path.name, **settings)
    options = LoadOptions(
        base_currency="CNY", rates={"USD": Decimal("7.10")}, today=TODAY, quarantine=Quarantine(tmp_path / "q.jsonl")
    )
    report = load_file(store, source, path, options)
    assert options.quarantine is not None
    options.quarantine.close()
    assert report.balanced, report
    return report


CUSTOMERS = """source_id,first_name,last_name,birth_date,email,phone,city
1,ann,LEE,03/04/1990, Ann.Lee@Example.com ,(415) 555-0100,Oslo
2,Bob,Ray,13/01/1980,bob@example.com,,
3,Cy,Doe,02/30/1985,cy@example.com,,
4,Di,Eve,01/01/2090,di@example.com,,
5,Ed,Fox,,not-an-email,,
6,Flo,Gu,,flo@example.com,12,
7,Test,User,,test@test.com,,
8,锟斤拷,Wu,,wu@example.com,,
,No,Id,,noid@example.com,,
1,ann,LEE,03/04/1990, Ann.Lee@Example.com ,(415) 555-0100,Oslo
9,JosÃ©,GarcÃ­a,,jose@example.com,,
"""


def test_every_row_is_loaded_quarantined_or_a_duplicate_with_its_reason(store: GraphStore, tmp_path: Path) -> None:
    report = load(store, tmp_path, SourceKind.CUSTOMER, "crm", CUSTOMERS, date_format="MM/DD/YYYY", phone_region="US")
    assert (report.rows_read, report.loaded, report.quarantined, report.duplicates) == (11, 2, 8, 1)
    assert report.reasons == {
        "invalid_date": 2,  # 13/01/1980 does not fit MM/DD/YYYY; 02/30/1985 is impossible
        "logical_error": 1,  # born in 2090
        "invalid_email": 1,
        "invalid_phone": 1,
        "test_data": 1,
        "garbled_text": 1,
        "missing_required": 1,
    }
    entries = quarantined(tmp_path / "q.jsonl")
    by_line = {e["line"]: e for e in entries}
    assert by_line[3]["reasons"] == [
        {"field": "birth_date", "reason": "invalid_date", "message": by_line[3]["reasons"][0]["message"]}
    ]
    assert by_line[3]["row"]["birth_date"] == "13/01/1980"  # the original row, to fix it
    assert by_line[3]["source"] == "crm"
    assert by_line[3]["file"].endswith("crm.csv")
    assert all("13/01/1980" not in r["message"] for e in entries for r in e["reasons"])  # no values in messages
    ann = store.get_records([RecordKey("crm", "1")])[RecordKey("crm", "1")].properties
    assert ann["birth_date"] == "1990-03-04"  # 03/04 under MM/DD is 4 March
    assert ann["first_name"] == "Ann"
    assert ann["last_name"] == "Lee"
    assert ann["email"] == "ann.lee@example.com"
    assert ann["email_given"] == "Ann.Lee@Example.com"
    assert ann["phone"] == "+14155550100"
    jose = store.get_records([RecordKey("crm", "9")])[RecordKey("crm", "9")].properties
    assert (jose["first_name"], jose["last_name"]) == ("José", "García")  # mojibake repaired
    assert report.fill_rates["email"] == 1.0
    assert report.fill_rates["birth_date"] == 0.5
    assert report.normalisations["email"] == 1


def test_the_declared_date_format_decides_day_and_month(store: GraphStore, tmp_path: Path) -> None:
    text = "source_id,birth_date\n1,03/04/2000\n"
    load(store, tmp_path, SourceKind.CUSTOMER, "us", text, date_format="MM/DD/YYYY")
    load(store, tmp_path, SourceKind.CUSTOMER, "eu", text, date_format="DD/MM/YYYY")
    records = store.get_records([RecordKey("us", "1"), RecordKey("eu", "1")])
    assert records[RecordKey("us", "1")].properties["birth_date"] == "2000-03-04"
    assert records[RecordKey("eu", "1")].properties["birth_date"] == "2000-04-03"


def test_loading_the_same_file_again_changes_nothing(store: GraphStore, tmp_path: Path) -> None:
    load(store, tmp_path, SourceKind.CUSTOMER, "crm", CUSTOMERS, date_format="MM/DD/YYYY", phone_region="US")
    before = (store.counts(), list(store.iter_records(list(RecordKind))), list(store.iter_links(list(RecordKind))))
    report = load(store, tmp_path, SourceKind.CUSTOMER, "crm", CUSTOMERS, date_format="MM/DD/YYYY", phone_region="US")
    assert report.loaded == 2
    assert (
        store.counts(),
        list(store.iter_records(list(RecordKind))),
        list(store.iter_links(list(RecordKind))),
    ) == before


def test_gbk_exports_with_chinese_headers_load(store: GraphStore, tmp_path: Path) -> None:
    text = "会员号,姓名,手机\nM1,王 芳,138 0013 8000\nM2,李雷,+86-139-2468-1357\n"
    report = load(
        store,
        tmp_path,
        SourceKind.CUSTOMER,
        "loyalty",
        text,
        encoding="gbk",
        columns={"source_id": "会员号", "full_name": "姓名", "phone": "手机"},
        phone_region="CN",
    )
    assert report.loaded == 2
    wang = store.get_records([RecordKey("loyalty", "M1")])[RecordKey("loyalty", "M1")]
    assert wang.properties["full_name"] == "王芳"
    assert store.records_with(Identifier(IdentifierKind.PHONE, "+8613800138000")) == [RecordKey("loyalty", "M1")]


COMPANIES = """source_id,name,domain,parent_id
2,Acme China Ltd,https://www.acme.cn/about,1
1,Acme Inc.,acme.com,
3,Orphan GmbH,orphan.de,99
"""


def test_companies_with_domains_and_parents_later_in_the_file(store: GraphStore, tmp_path: Path) -> None:
    report = load(store, tmp_path, SourceKind.COMPANY, "b2b", COMPANIES)
    assert report.loaded == 3
    assert report.warnings == {"unknown_parent": 1}
    parents = store.neighbours(RecordKey("b2b", "2"), RelType.SUBSIDIARY_OF)
    assert [n.record.key for n in parents] == [RecordKey("b2b", "1")]
    assert store.records_with(Identifier(IdentifierKind.DOMAIN, "acme.cn")) == [RecordKey("b2b", "2")]


def test_contacts_work_at_companies_by_id_domain_or_name(store: GraphStore, tmp_path: Path) -> None:
    load(store, tmp_path, SourceKind.COMPANY, "b2b", COMPANIES)
    contacts = """source_id,first_name,email,title,company_id,company_domain,company_name
c1,Ann,ann@acme.com,CFO,1,,
c2,Bob,bob@acme.cn,总经理,,acme.cn,
c3,Cy,cy@gmail.com,Engineer,,,Acme  China LTD
c4,Di,di@gmail.com,Analyst,,gmail.com,
c5,Ed,ed@x.com,CEO,404,,
"""
    report = load(store, tmp_path, SourceKind.CONTACT, "crm", contacts, references={"company": "b2b"})
    assert (report.loaded, report.reasons) == (4, {"unknown_reference": 1})
    works_at = {
        k: [(n.record.key, n.properties) for n in store.neighbours(RecordKey("crm", k), RelType.WORKS_AT)]
        for k in ("c1", "c2", "c3", "c4")
    }
    assert works_at["c1"] == [(RecordKey("b2b", "1"), {"title": "CFO"})]
    assert works_at["c2"] == [(RecordKey("crm", "company:acme.cn"), {"title": "总经理"})]
    assert works_at["c3"] == [(RecordKey("crm", "company-name:acme china ltd"), {"title": "Engineer"})]
    assert works_at["c4"] == []  # a free-mail domain names no company
    # The company named by its domain holds that domain, so the resolver joins it to the CRM's record.
    assert RecordKey("crm", "company:acme.cn") in store.records_with(Identifier(IdentifierKind.DOMAIN, "acme.cn"))


def test_events_link_to_who_did_them_with_money_in_the_base_currency(store: GraphStore, tmp_path: Path) -> None:
    load(store, tmp_path, SourceKind.CUSTOMER, "loyalty", "source_id,first_name\nM1,Wang\n")
    events = """source_id,type,timestamp,member,amount,currency,quantity,store_city,device
t1,purchase,04/03/2024 23:30,M1,100.00,USD,2,上海,
t2,purchase,05/03/2024 01:00,M1,"¥1,234.50",,1,北京,
t3,purchase,05/03/2024 01:00,M1,10,USD,-1,北京,
t4,page_view,05/03/2024 02:00,,,,,,dev-9
t5,purchase,05/03/2024 03:00,M404,10,USD,1,,
"""
    report = load(
        store,
        tmp_path,
        SourceKind.EVENT,
        "pos",
        events,
        columns={"person_id": "member", "device_id": "device"},
        properties=["store_city"],
        timestamp_format="DD/MM/YYYY HH:mm",
        timezone="Asia/Shanghai",
        currency="CNY",
        references={"person": "loyalty"},
    )
    assert report.loaded == 3
    assert report.reasons == {"logical_error": 1, "unknown_reference": 1}
    records = store.get_records([RecordKey("pos", "t1"), RecordKey("pos", "t2"), RecordKey("pos", "t4")])
    t1 = records[RecordKey("pos", "t1")].properties
    assert t1["timestamp"] == "2024-03-04T15:30:00+00:00"  # 23:30 in Shanghai
    assert (t1["amount"], t1["currency"], t1["original_amount"], t1["original_currency"]) == (
        710.0,
        "CNY",
        "100.00",
        "USD",
    )
    assert t1["properties"] == {"store_city": "上海"}
    assert records[RecordKey("pos", "t2")].properties["amount"] == 1234.5
    performed = store.neighbours(RecordKey("loyalty", "M1"), RelType.PERFORMED)
    assert [n.record.key.source_id for n in performed] == ["t1", "t2"]
    # t4 names no person: a derived customer record holds its device and performed it.
    [actor] = store.records_with(Identifier(IdentifierKind.DEVICE, "dev-9"))
    assert actor == actor_key("pos", [Identifier(IdentifierKind.DEVICE, "dev-9")])
    assert store.get_records([actor])[actor].kind is RecordKind.CUSTOMER
    assert [n.record.key for n in store.neighbours(actor, RelType.PERFORMED)] == [RecordKey("pos", "t4")]


def test_jsonl_events_without_ids_get_stable_ones(store: GraphStore, tmp_path: Path) -> None:
    events = (
        '{"type": "page_view", "timestamp": "2024-03-04T10:00:00+08:00", "device_id": "d1",'
        ' "properties": {"url": "/"}}\n'
        "not json\n"
        '{"type": "page_view", "timestamp": "2024-03-04T10:00:05+08:00", "device_id": "d1"}\n'
    )
    first = load(store, tmp_path, SourceKind.EVENT, "web", events)
    assert (first.loaded, first.reasons) == (2, {"malformed_row": 1})
    ids = [r.key for r in store.iter_records([RecordKind.EVENT])]
    load(store, tmp_path, SourceKind.EVENT, "web", events)
    assert [r.key for r in store.iter_records([RecordKind.EVENT])] == ids


def test_opportunities_with_contact_roles_devices_and_accounts(store: GraphStore, tmp_path: Path) -> None:
    load(store, tmp_path, SourceKind.COMPANY, "b2b", COMPANIES)
    load(store, tmp_path, SourceKind.CONTACT, "b2b_contacts", "source_id,first_name\nc1,Ann\nc2,Bob\n")
    opportunities = (
        '{"source_id": "o1", "name": "Big deal", "company_id": "1", "amount": 1000, "currency": "USD",'
        ' "contact_roles": [{"contact_id": "c1", "role": "Decision Maker"}]}\n'
    )
    refs = {"company": "b2b", "contact": "b2b_contacts"}
    assert load(store, tmp_path, SourceKind.OPPORTUNITY, "opps", opportunities, references=refs).loaded == 1
    roles = "opportunity_id,contact_id,role\no1,c2,Economic Buyer\no1,c9,Champion\n"
    report = load(
        store, tmp_path, SourceKind.OPPORTUNITY_ROLE, "roles", roles, references={**refs, "opportunity": "opps"}
    )
    assert (report.loaded, report.quarantined) == (1, 1)
    on_deal = store.neighbours(RecordKey("opps", "o1"), RelType.ON_OPPORTUNITY, Direction.IN)
    assert [(n.record.key.source_id, n.properties["role"]) for n in on_deal] == [
        ("c1", "Decision Maker"),
        ("c2", "Economic Buyer"),
    ]
    assert [n.record.key for n in store.neighbours(RecordKey("opps", "o1"), RelType.FOR)] == [RecordKey("b2b", "1")]

    devices = "person_id,device_id\nc1,tablet-1\nc2,tablet-1\n"
    load(store, tmp_path, SourceKind.DEVICE, "app", devices, references={"person": "b2b_contacts"})
    assert store.records_with(Identifier(IdentifierKind.DEVICE, "tablet-1")) == [
        RecordKey("b2b_contacts", "c1"),
        RecordKey("b2b_contacts", "c2"),
    ]
    accounts = "person_id,account_id\nc1,L-7\n"
    load(store, tmp_path, SourceKind.ACCOUNT, "loyalty", accounts, references={"person": "b2b_contacts"})
    account = Identifier(IdentifierKind.ACCOUNT, "L-7", "loyalty")
    assert store.records_with(account) == [RecordKey("b2b_contacts", "c1")]


def test_a_csv_missing_a_required_column_is_refused_before_writing(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"missing required column 'source_id' or 'id'.*found columns: name, email"):
        load(store, tmp_path, SourceKind.CUSTOMER, "crm", "name,email\nAnn,ann@example.com\n")
    assert store.counts()["Customer"] == 0


def test_a_config_file_loads_its_sources_in_order(store: GraphStore, tmp_path: Path) -> None:
    write(tmp_path / "companies.csv", COMPANIES)
    write(tmp_path / "contacts-1.csv", "id,first_name,company\nc1,Ann,1\n")
    write(tmp_path / "contacts-2.csv", "id,first_name,company\nc2,Bob,2\n")
    write(
        tmp_path / "sources.toml",
        """
base_currency = "CNY"
rates = { USD = 7.1 }

[defaults]
phone_region = "CN"

[[sources]]
name = "b2b"
kind = "company"
path = "companies.csv"

[[sources]]
name = "crm"
kind = "contact"
path = "contacts-*.csv"
references = { company = "b2b" }
columns = { company_id = "company" }
""",
    )
    config = read_config(tmp_path / "sources.toml")
    assert config.sources[1].phone_region == "CN"
    report = load_sources(store, config, LoadOptions.of(config))
    assert [Path(f.file).name for f in report.files] == ["companies.csv", "contacts-1.csv", "contacts-2.csv"]
    assert report.totals["loaded"] == 5
    assert store.counts()["WORKS_AT"] == 2


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[sources]]\nname = "a"\nkind = "customer"\npath = "a.csv"\ncolums = {}\n',
            r"sources\[0\] \('a'\)\.colums: unknown key",
        ),
        (
            '[[sources]]\nname = "a"\nkind = "customer"\npath = "a.csv"\ncolumns = { frist_name = "First" }\n',
            "maps onto 'frist_name', which is not a customer field",
        ),
        ('[[sources]]\nname = "a"\nkind = "client"\npath = "a.csv"\n', r"sources\[0\] \('a'\)\.kind"),
        ('[[sources]]\nname = "a"\nkind = "customer"\npath = "a.csv"\ndate_format = "banana"\n', "banana"),
        ('[[sources]]\nname = "a"\nkind = "customer"\npath = "a.csv"\ntimezone = "Mars/Base"\n', "Mars/Base"),
        ("sources = 3\n", "sources"),
    ],
)
def test_config_errors_name_what_is_wrong(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        read_config(write(tmp_path / "sources.toml", toml))


def test_only_loads_the_named_sources_and_refuses_unknown_names() -> None:
    config = LoadConfig(
        sources=[
            SourceConfig(name="a", kind=SourceKind.CUSTOMER, path="a.csv"),
            SourceConfig(name="b", kind=SourceKind.CUSTOMER, path="b.csv"),
        ]
    )
    assert [s.name for s in config.only(["b"])] == ["b"]
    with pytest.raises(LoadError, match="no source named 'c'"):
        config.only(["c"])


def test_the_other_quarantine_reasons(store: GraphStore, tmp_path: Path) -> None:
    companies = "source_id,name,domain,employees\n1,Acme,acme.com,12\n2,Bad Domain,not a domain,\n3,Half,half.com,1.5\n"
    report = load(store, tmp_path, SourceKind.COMPANY, "b2b", companies)
    assert report.reasons == {"invalid_domain": 1, "invalid_number": 1}
    events = (
        '{"source_id": "e1", "type": "purchase", "timestamp": "yesterday"}\n'
        '{"source_id": "e2", "type": "purchase", "timestamp": "2024-03-04T10:00:00Z", "amount": "ten"}\n'
        '{"source_id": "e3", "type": "purchase", "timestamp": "2024-03-04T10:00:00Z", "amount": 5, "currency": "XYZ"}\n'
        '{"source_id": "e4", "type": "purchase", "timestamp": "2024-03-04T10:00:00Z", "properties": [1, 2]}\n'
        '{"source_id": "e5", "type": "purchase", "timestamp": "2024-03-04T10:00:00Z", "device_id": "d5"}\n'
        '{"source_id": "e6", "type": "purchase", "timestamp": "2024-03-04T10:00:00Z"}\n'  # nobody did it
    )
    report = load(store, tmp_path, SourceKind.EVENT, "web", events)
    assert report.loaded == 1
    assert report.reasons == {
        "invalid_timestamp": 1,
        "invalid_number": 1,
        "unknown_currency": 1,
        "invalid_value": 1,
        "missing_required": 1,
    }


def test_a_check_turned_off_lets_such_rows_through(store: GraphStore, tmp_path: Path) -> None:
    text = "source_id,email\n1,test@test.com\n1,test@test.com\n"
    report = load(store, tmp_path, SourceKind.CUSTOMER, "qa", text, checks={"test_data": False, "duplicates": False})
    assert (report.loaded, report.quarantined, report.duplicates) == (2, 0, 0)


def test_a_name_column_is_the_full_name_of_a_person(store: GraphStore, tmp_path: Path) -> None:
    load(store, tmp_path, SourceKind.CUSTOMER, "crm", "id,name,email\n1,ANN LEE,ann@example.com\n")
    assert store.get_records([RecordKey("crm", "1")])[RecordKey("crm", "1")].properties["full_name"] == "Ann Lee"
