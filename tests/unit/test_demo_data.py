"""The demo data set: deterministic, valid for its own sources.toml, covered by truth.csv, and messy on purpose."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import ftfy
import phonenumbers
import pytest

from loaders.config import read_config
from loaders.demo import DemoSummary, generate_demo_data
from loaders.demo.catalogue import SOURCES, SourceSpec
from loaders.demo.people import EXPORT_DAY

SPECS = {spec.name: spec for spec in SOURCES}
PERSON_SOURCES = [spec for spec in SOURCES if spec.truth == "person"]
TRUTH_NOTES = {"", "test_row", "duplicate_row", "garbled", "logical_error"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    """A data set big enough for every kind of damage to show up at its usual rate (about a second to make)."""
    return generate_demo_data(tmp_path_factory.mktemp("demo"), people=1500, companies=100, seed=7)


def rows(out: Path, spec: SourceSpec) -> Iterator[dict[str, Any]]:
    path = out / spec.file
    with path.open(encoding=spec.encoding, newline="") as handle:
        if spec.is_jsonl:
            for line in handle:
                yield json.loads(line)
        else:
            yield from csv.DictReader(handle)


def id_column(spec: SourceSpec) -> str:
    column = spec.columns["source_id"]
    assert isinstance(column, str)
    return column


def truth_rows(demo: DemoSummary) -> list[dict[str, str]]:
    with demo.truth.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def notes(demo: DemoSummary, source: str, note: str) -> set[str]:
    return {t["source_id"] for t in truth_rows(demo) if t["source"] == source and t["note"] == note}


# determinism


def _files(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def test_the_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    generate_demo_data(tmp_path / "a", people=120, companies=12, seed=3)
    generate_demo_data(tmp_path / "b", people=120, companies=12, seed=3)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate_demo_data(tmp_path / "a", people=120, companies=12, seed=3)
    generate_demo_data(tmp_path / "b", people=120, companies=12, seed=4)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert all(a[name] != b[name] for name in a if name not in ("sources.toml",))


@pytest.mark.parametrize(("people", "companies"), [(0, 5), (5, 0)])
def test_empty_data_sets_are_refused(tmp_path: Path, people: int, companies: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_demo_data(tmp_path, people=people, companies=companies)


# the summary, the config and the files


def test_summary_counts_the_rows_of_each_file(demo: DemoSummary) -> None:
    assert list(demo.files) == [spec.file for spec in SOURCES]
    for spec in SOURCES:
        assert demo.files[spec.file] == sum(1 for _ in rows(demo.out, spec)), spec.file
    assert demo.total_rows == sum(demo.files.values())
    assert demo.truth_rows == len(truth_rows(demo))
    assert (demo.persons, demo.companies) == (1500, 100)
    assert demo.rows_per_second > 0


def test_sources_toml_validates_and_lists_every_file_in_loading_order(demo: DemoSummary) -> None:
    config = read_config(demo.config)
    assert config.base_currency == "CNY"
    assert {"USD", "EUR"} <= config.rates.keys()
    assert [s.name for s in config.sources] == [spec.name for spec in SOURCES]
    seen: set[str] = set()
    for source in config.sources:
        assert (demo.out / source.path).is_file(), source.path
        # what a row refers to is loaded before it
        assert set(source.references.values()) <= seen | {source.name}, source.name
        seen.add(source.name)


def test_every_configured_column_is_in_its_file(demo: DemoSummary) -> None:
    config = read_config(demo.config)
    for source in config.sources:
        spec = SPECS[source.name]
        assert source.kind == spec.kind
        assert source.encoding == spec.encoding
        if spec.is_jsonl:
            keys = set().union(*(row.keys() for row in rows(demo.out, spec)))
        else:
            with (demo.out / spec.file).open(encoding=spec.encoding, newline="") as handle:
                keys = set(next(csv.reader(handle)))
        assert keys == set(spec.header), spec.file
        mapped = {column for field in source.columns for column in source.column_of(field)}
        assert mapped | set(source.properties) | set(source.attributes) <= keys, spec.file


def test_references_point_at_records_that_exist(demo: DemoSummary) -> None:
    def ids(name: str) -> set[str]:
        spec = SPECS[name]
        return {str(row[id_column(spec)]) for row in rows(demo.out, spec)}

    companies, contacts, deals = ids("b2b_companies"), ids("b2b_contacts"), ids("b2b_opportunities")
    eshop, loyalty = ids("eshop"), ids("loyalty")
    checks = [
        ("b2b_companies", "Parent Account ID", companies),
        ("b2b_contacts", "Account ID", companies),
        ("b2b_opportunities", "Account ID", companies),
        ("opportunity_roles", "Opportunity ID", deals),
        ("opportunity_roles", "Contact ID", contacts),
        ("crm", "Loyalty Card No", loyalty),
        ("eshop_member_cards", "eshop_account", eshop),
        ("eshop_member_cards", "card_no", loyalty),
        ("app_devices", "account_id", eshop),
        ("pos", "会员卡号", loyalty),
        ("web", "user_id", eshop),
        ("app", "user_id", eshop),
    ]
    for source, column, known in checks:
        used = {row[column] for row in rows(demo.out, SPECS[source]) if row[column]}
        assert used, (source, column)
        assert used <= known, (source, column, sorted(used - known)[:3])


# truth.csv


def test_truth_covers_every_person_and_company_record_exactly_once(demo: DemoSummary) -> None:
    truth = truth_rows(demo)
    keys = Counter((t["source"], t["source_id"]) for t in truth)
    assert max(keys.values()) == 1
    records = {(spec.name, str(row[id_column(spec)])) for spec in SOURCES if spec.truth for row in rows(demo.out, spec)}
    assert set(keys) == records
    for t in truth:
        assert t["kind"] == SPECS[t["source"]].truth
        assert t["note"] in TRUTH_NOTES
        pattern = r"P\d{6}" if t["kind"] == "person" else r"C\d{5}"
        if t["note"] == "test_row":
            assert t["entity"] == ""
        else:
            assert re.fullmatch(pattern, t["entity"]), t


def test_truth_knows_every_person_and_company(demo: DemoSummary) -> None:
    entities = Counter(t["kind"] for t in truth_rows(demo) if t["entity"] and t["note"] == "")
    persons = {t["entity"] for t in truth_rows(demo) if t["kind"] == "person" and t["entity"]}
    companies = {t["entity"] for t in truth_rows(demo) if t["kind"] == "company" and t["entity"]}
    assert len(companies) == demo.companies
    assert len(persons) == demo.persons
    assert entities["person"] > demo.persons  # people have records in several sources


def test_people_have_records_in_one_to_five_sources(demo: DemoSummary) -> None:
    sources: dict[str, set[str]] = defaultdict(set)
    for t in truth_rows(demo):
        if t["kind"] == "person" and t["entity"]:
            sources[t["entity"]].add(t["source"])
    spread = Counter(len(s) for s in sources.values())
    assert set(spread) <= {1, 2, 3, 4, 5}
    assert spread[1] < len(sources) / 2  # most people are in several sources


def _email(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and "@" in value else None


def _phone(value: Any, region: str) -> str | None:
    if not value:
        return None
    number = phonenumbers.parse(str(value), region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _identifiers(demo: DemoSummary) -> dict[tuple[str, str], set[str]]:
    """Normalised e-mails and phones of every clean person record."""
    truth = {(t["source"], t["source_id"]): t for t in truth_rows(demo)}
    found: dict[tuple[str, str], set[str]] = {}
    for spec in PERSON_SOURCES:
        region = spec.settings.get("phone_region", "US")
        for row in rows(demo.out, spec):
            key = (spec.name, str(row[id_column(spec)]))
            if truth[key]["note"] not in ("", "duplicate_row"):
                continue
            values = {f"email:{_email(row[c])}" for c in spec.header if _email(row[c]) and "mail" in c.lower()}
            values |= {f"email:{_email(row[c])}" for c in ("电子邮箱",) if c in row and _email(row[c])}
            phone_columns = spec.columns.get("phone", "phone")
            for column in [phone_columns] if isinstance(phone_columns, str) else phone_columns:
                if number := _phone(row.get(column), region):
                    values.add(f"phone:{number}")
            found[key] = values
    return found


def test_no_two_people_share_an_email_and_only_households_and_hotlines_share_phones(demo: DemoSummary) -> None:
    entity = {(t["source"], t["source_id"]): t["entity"] for t in truth_rows(demo)}
    holders: dict[str, set[str]] = defaultdict(set)
    for key, values in _identifiers(demo).items():
        for value in values:
            holders[value].add(entity[key])
    shared = {value: len(people) for value, people in holders.items() if len(people) > 1}
    assert not [value for value in shared if value.startswith("email:")]
    hotlines = {"phone:+864008208820", "phone:+862162188888", "phone:+18885550123"}
    assert any(shared.get(h, 0) >= 3 for h in hotlines)  # a hotline entered on many unrelated records
    households = [count for value, count in shared.items() if value not in hotlines]
    assert households  # family members who give the same number
    assert max(households) <= 4


def test_most_records_of_a_person_share_an_email_or_phone(demo: DemoSummary) -> None:
    """Linking on e-mail and phone alone (no guards, no names) joins nearly every pair of one person's records."""
    entity = {(t["source"], t["source_id"]): t["entity"] for t in truth_rows(demo)}
    identifiers = _identifiers(demo)
    hotlines = {"phone:+864008208820", "phone:+862162188888", "phone:+18885550123"}
    parent = {key: key for key in identifiers}

    def find(key: tuple[str, str]) -> tuple[str, str]:
        while parent[key] != key:
            key = parent[key]
        return key

    first: dict[str, tuple[str, str]] = {}
    for key, values in sorted(identifiers.items()):
        for value in sorted(values - hotlines):
            if value in first:
                parent[find(key)] = find(first[value])
            else:
                first[value] = key
    by_entity: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in identifiers:
        by_entity[entity[key]].append(key)
    pairs = joined = 0
    for keys in by_entity.values():
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                pairs += 1
                joined += find(a) == find(b)
    assert joined / pairs > 0.9


# messiness


def test_gbk_files_are_gbk(demo: DemoSummary) -> None:
    for spec in SOURCES:
        data = (demo.out / spec.file).read_bytes()
        if spec.encoding == "gbk":
            assert data.decode("gb18030")
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        else:
            data.decode("utf-8")


def test_test_rows_are_in_every_person_source(demo: DemoSummary) -> None:
    test_rows = Counter(t["source"] for t in truth_rows(demo) if t["note"] == "test_row")
    assert set(test_rows) >= {"crm", "eshop", "loyalty"}
    for spec in PERSON_SOURCES:
        tests = notes(demo, spec.name, "test_row")
        for row in rows(demo.out, spec):
            if str(row[id_column(spec)]) in tests:
                text = json.dumps(row, ensure_ascii=False).lower()
                assert "test" in text or "测试" in text or "13800000000" in text


def test_duplicate_rows_are_exact_copies(demo: DemoSummary) -> None:
    found = 0
    for spec in PERSON_SOURCES:
        duplicates = notes(demo, spec.name, "duplicate_row")
        copies = Counter(json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows(demo.out, spec))
        ids = Counter(str(row[id_column(spec)]) for row in rows(demo.out, spec))
        assert {sid for sid, n in ids.items() if n > 1} == duplicates, spec.name
        assert sum(n - 1 for n in copies.values()) == len(duplicates), spec.name
        found += len(duplicates)
    assert found >= 5


def test_garbled_rows_hold_damage_ftfy_cannot_undo_and_mojibake_elsewhere_is_repairable(demo: DemoSummary) -> None:
    garbled = repaired = 0
    for spec in PERSON_SOURCES:
        bad = notes(demo, spec.name, "garbled")
        for row in rows(demo.out, spec):
            text = " ".join(str(v) for v in row.values() if isinstance(v, str))
            fixed = ftfy.fix_text(text)
            lost = "\ufffd" in fixed or "锟斤拷" in fixed
            assert lost == (str(row[id_column(spec)]) in bad), row
            garbled += lost
            if "Ã" in text and "Ã" not in fixed:
                repaired += 1
    assert garbled >= 3
    assert repaired >= 3  # `JosÃ© GarcÃ­a`


def _birth_dates(demo: DemoSummary) -> Iterator[tuple[str, str, date]]:
    formats = {
        "crm": ("Birth Date", r"(\d\d)/(\d\d)/(\d{4})", "MDY"),
        "eshop": ("birthday", r"(\d{4})-(\d\d)-(\d\d)", "YMD"),
    }
    formats["loyalty"] = ("出生日期", r"(\d{4})年(\d\d)月(\d\d)日", "YMD")
    for source, (column, pattern, order) in formats.items():
        for row in rows(demo.out, SPECS[source]):
            if row[column]:
                match = re.fullmatch(pattern, row[column])
                assert match, (source, row[column])  # each source in its own declared format
                parts = dict(zip(order, map(int, match.groups()), strict=True))
                yield source, str(row[id_column(SPECS[source])]), date(parts["Y"], parts["M"], parts["D"])


def test_birth_dates_follow_each_sources_format_and_some_are_logical_errors(demo: DemoSummary) -> None:
    errors = {(t["source"], t["source_id"]) for t in truth_rows(demo) if t["note"] == "logical_error"}
    future = 0
    for source, sid, day in _birth_dates(demo):
        impossible = day > EXPORT_DAY or day.year < 1905
        assert impossible == ((source, sid) in errors), (source, sid, day)
        future += day > EXPORT_DAY
    assert future >= 1


def test_times_follow_each_sources_format(demo: DemoSummary) -> None:
    patterns = {
        ("crm", "Created"): r"\d\d/\d\d/\d{4} \d\d:\d\d [AP]M",
        ("loyalty", "入会时间"): r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
        ("pos", "交易时间"): r"\d\d/\d\d/\d{4} \d\d:\d\d",
        ("webinar", "Registered At"): r"\d\d/\d\d/\d{4} \d\d:\d\d",
        ("web", "timestamp"): r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}Z|[+-]\d\d:\d\d)",
    }
    for (source, column), pattern in patterns.items():
        values = [row[column] for row in rows(demo.out, SPECS[source]) if row[column]]
        assert values
        assert all(re.fullmatch(pattern, v) for v in values), (
            source,
            [v for v in values if not re.fullmatch(pattern, v)][:3],
        )
    assert all(isinstance(row["ts"], int) for row in rows(demo.out, SPECS["app"]))


def test_amounts_come_in_cny_and_usd_and_some_quantities_are_negative(demo: DemoSummary) -> None:
    pos = list(rows(demo.out, SPECS["pos"]))
    assert {"CNY", "USD", ""} <= {row["币种"] for row in pos}
    assert any(int(row["数量"]) < 0 for row in pos)
    deals = {row["Currency"] for row in rows(demo.out, SPECS["b2b_opportunities"])}
    assert {"CNY", "USD"} <= deals


def test_chinese_phones_are_written_many_ways_and_all_parse(demo: DemoSummary) -> None:
    styles = Counter()
    for row in rows(demo.out, SPECS["loyalty"]):
        if raw := row["手机号码"]:
            assert phonenumbers.is_valid_number(phonenumbers.parse(raw, "CN")) or raw == "13800000000", raw
            styles[re.sub(r"\d", "9", raw)] += 1
    assert len(styles) >= 5  # 13800138000, 138 0013 8000, +86-138-0013-8000, 0086 ..., 86-...


def test_names_come_with_nicknames_pinyin_and_chinese_characters(demo: DemoSummary) -> None:
    crm = list(rows(demo.out, SPECS["crm"]))
    first_names = {row["First Name"] for row in crm}
    assert first_names & {"Bill", "Bob", "Liz", "Mike", "Jim", "Tom", "Kate", "Chris"}
    assert any(re.fullmatch(r"[\u4e00-\u9fff]{1,2}", row["First Name"] or "") for row in crm)
    assert any(row["Last Name"] in ("Zhang", "Wang", "Li", "Liu", "Chen") for row in crm)
    titles = {row["Title"] for row in rows(demo.out, SPECS["b2b_contacts"])}
    assert titles & {"CEO", "CFO", "Procurement Manager"}
    assert titles & {"总经理", "财务总监", "采购经理"}


def test_companies_have_legal_forms_subsidiaries_and_names_written_differently(demo: DemoSummary) -> None:
    companies = list(rows(demo.out, SPECS["b2b_companies"]))
    names = [row["Account Name"] for row in companies]
    assert any(name.endswith("有限公司") for name in names)
    assert any(re.search(r"\b(Inc\.|LLC|Corp\.|Ltd\.)$", name) for name in names)
    assert any(row["Parent Account ID"] for row in companies)
    typed = {row["Company"] for row in rows(demo.out, SPECS["webinar"])}
    assert typed - set(names)  # registrants write company names their own way
    domains = [row["company_domain"] for row in rows(demo.out, SPECS["ma_leads"]) if row["company_domain"]]
    assert any(d in ("gmail.com", "qq.com", "163.com", "outlook.com", "126.com") for d in domains)


def test_a_family_tablet_is_used_by_several_accounts(demo: DemoSummary) -> None:
    accounts: dict[str, set[str]] = defaultdict(set)
    for row in rows(demo.out, SPECS["app_devices"]):
        accounts[row["device_id"]].add(row["account_id"])
    shared = [len(a) for a in accounts.values() if len(a) > 1]
    assert shared
    assert max(shared) <= 4


def test_events_are_anonymous_or_logged_in_and_have_nested_properties(demo: DemoSummary) -> None:
    web = list(rows(demo.out, SPECS["web"]))
    assert any(row["user_id"] for row in web)
    assert any(not row["user_id"] for row in web)
    assert all(isinstance(row["properties"], dict) for row in web)
    assert {"page_view", "add_to_cart", "purchase"} <= {row["event"] for row in web}
    assert {"app_open", "purchase"} <= {row["name"] for row in rows(demo.out, SPECS["app"])}
