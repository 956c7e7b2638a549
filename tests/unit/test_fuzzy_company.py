"""Company name normalisation and company links: legal forms, Chinese names, subsidiaries, domains."""

from __future__ import annotations

import pytest

from graph import Record, RecordKey, RecordKind
from resolver.fuzzy import CompanyFuzzySettings
from resolver.fuzzy.company import CompanyFeatures, company_blocking_keys, company_links, refusal
from resolver.fuzzy.company_names import normalise_company_name, parse_company_name


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME INCORPORATED", "acme"),
        ("Acme Corp", "acme"),
        ("Acme Corporation", "acme"),
        ("Acme Co.", "acme"),
        ("Acme Company", "acme"),
        ("Acme Ltd", "acme"),
        ("Acme Limited", "acme"),
        ("Acme LLC", "acme"),
        ("Acme L.L.C.", "acme"),
        ("Acme GmbH", "acme"),
        ("Acme AG", "acme"),
        ("Acme S.A.", "acme"),
        ("Acme SAS", "acme"),
        ("Acme BV", "acme"),
        ("Acme PLC", "acme"),
        ("Acme Pty Ltd", "acme"),
        ("Acme Co., Ltd.", "acme"),
        ("The Home Depot, Inc.", "home depot"),
        ("Brown & Jones Holdings", "brown and jones"),
        ("阿里巴巴集团控股有限公司", "阿里巴巴"),
        ("平颖科技有限责任公司", "平颖科技"),
        ("广州成红贸易股份有限公司", "成红贸易"),
        ("北京平颖科技有限公司", "平颖科技"),
        ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统"),
        ("Andersen(中国)有限公司", "andersen"),
        ("Andersen（中国）有限公司", "andersen"),
        ("ＡＣＭＥ　Ｉｎｃ．", "acme"),
    ],
)
def test_normalise_company_name(raw: str, normalised: str) -> None:
    assert normalise_company_name(raw) == normalised


def test_regions_are_kept_apart_from_the_name() -> None:
    assert parse_company_name("Acme China Ltd").region == "china"
    assert parse_company_name("Acme(中国)有限公司").region == "china"
    beijing = parse_company_name("北京平颖医疗器械有限公司")
    assert (beijing.region, beijing.region_is_city) == ("beijing", True)
    assert beijing.latin == parse_company_name("Beijing Pingying Medical Devices Co., Ltd.").latin


def company(name: str, key: str, **properties: object) -> CompanyFeatures:
    record = Record(
        kind=RecordKind.COMPANY,
        key=RecordKey("crm", key),
        properties={"name": name, **properties},
    )
    features = CompanyFeatures.from_record(record)
    assert features is not None
    return features


def linked(*companies: CompanyFeatures) -> set[tuple[str, str]]:
    return {(link.key_a.source_id, link.key_b.source_id) for link in company_links(companies)}


def test_legal_forms_and_scripts_link() -> None:
    assert linked(company("Acme, Inc.", "1"), company("ACME INCORPORATED", "2")) == {("1", "2")}
    assert linked(company("北京平颖医疗器械有限公司", "1"), company("Beijing Pingying Medical Devices Co., Ltd.", "2"))
    assert linked(company("北京平颖医疗器械有限公司", "1"), company("平颖医疗器械（北京）有限公司", "2"))


def test_typos_link_only_in_long_names_of_one_city() -> None:
    assert linked(company("Hill-Evans Inc.", "1", city="Austin"), company("Hill Evasn", "2", city="Austin"))
    assert not linked(company("Hill-Evans Inc.", "1", city="Austin"), company("Hill Evasn", "2", city="Boston"))
    assert not linked(company("Ware Inc", "1", city="Austin"), company("Wrae", "2", city="Austin"))


def test_subsidiaries_are_not_linked_to_their_parent() -> None:
    assert not linked(company("Acme China Ltd", "1"), company("Acme Inc", "2"))
    assert not linked(company("Acme(中国)有限公司", "1"), company("Acme, Inc.", "2"))
    assert not linked(company("Acme (Shanghai) Trading Co., Ltd.", "1"), company("Acme Inc", "2"))
    assert not linked(company("北京平颖科技有限公司", "1"), company("上海平颖科技有限公司", "2"))
    assert linked(company("Acme (China) Co., Ltd.", "1"), company("Acme(中国)有限公司", "2"))


def test_similar_names_with_other_distinctive_words_are_different_companies() -> None:
    assert not linked(company("Jianlan Information Technology", "1"), company("Jiangang Information Technology", "2"))
    assert not linked(company("Kaibin Technology", "1", city="X"), company("Kaibin Trading", "2", city="X"))


def test_domains_refuse_when_both_have_some_and_share_none() -> None:
    a = company("Acme Inc", "1", domains=["acme.com"])
    b = company("Acme LLC", "2", domains=["acme-widgets.com"])
    c = company("Acme", "3", domains=["gmail.com"])
    assert refusal(a, b, CompanyFuzzySettings()) == "different domains"
    assert linked(a, b) == set()
    assert linked(a, c) == {("1", "3")}  # a free-mail domain says nothing about a company


def test_a_brand_alone_links_only_when_unambiguous() -> None:
    brand = company("晶鑫", "1", city="杭州")
    energy = company("杭州晶鑫新能源有限公司", "2", city="杭州")
    it = company("杭州晶欣信息技术有限公司", "3", city="杭州")  # another company whose name sounds the same
    assert linked(brand, energy) == {("1", "2")}
    assert linked(brand, energy, it) == set()


def test_placeholders_and_blocking() -> None:
    assert CompanyFeatures.from_record(Record(kind=RecordKind.COMPANY, key=RecordKey("c", "1"), properties={})) is None
    test = Record(kind=RecordKind.COMPANY, key=RecordKey("c", "1"), properties={"name": "Test Company Ltd"})
    assert CompanyFeatures.from_record(test) is None
    assert CompanyFeatures.from_record(test.model_copy(update={"properties": {"name": "测试"}})) is None
    assert CompanyFeatures.from_record(test.model_copy(update={"properties": {"name": "Tesla Inc"}})) is not None
    keys = company_blocking_keys(company("Pingying Medical Devices", "1"))
    assert keys == ["cn:pingyingmedicaldevices", "cw:pingying", "cp:ping"]
