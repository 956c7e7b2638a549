"""Fuzzy links between company records: equal or very similar names (legal forms stripped), refused when web
domains, regions, countries or cities say the records are different organisations (a subsidiary, a branch)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from graph import Record, RecordKey
from resolver.fuzzy.blocking import blocked_pairs
from resolver.fuzzy.company_names import GENERIC_WORDS, parse_company_name
from resolver.fuzzy.links import FuzzyLink
from resolver.fuzzy.person import normalise_city
from resolver.fuzzy.settings import CompanyFuzzySettings
from resolver.fuzzy.text import fold, word_set

_COUNTRIES = {
    "us": "us", "usa": "us", "united states": "us", "united states of america": "us", "america": "us",
    "美国": "us", "cn": "cn", "china": "cn", "prc": "cn", "中国": "cn", "中华人民共和国": "cn",
    "peoples republic of china": "cn", "uk": "gb", "gb": "gb", "united kingdom": "gb", "great britain": "gb",
    "england": "gb", "英国": "gb", "de": "de", "germany": "de", "deutschland": "de", "德国": "de",
}  # fmt: skip


# Names typed by testers or to fill a required field: such records are never linked by name.
PLACEHOLDER_NAMES = word_set(
    "test testing ceshi demo sample example company unknown none null na nil xxx abc asdf qwerty tbd temp dummy noname"
)


BRAND_RULE = "company:name=brand"


@dataclass(frozen=True, slots=True)
class CompanyFeatures:
    """What of a company record the name matching compares."""

    key: RecordKey
    name: str  # folded, without legal form or region; Han kept
    latin: str  # the name translated and romanised, words separated by spaces
    region: str  # `china`, `shanghai`, ... or ""
    region_is_city: bool
    domains: tuple[str, ...] = ()
    city: str = ""
    country: str = ""

    @property
    def compact(self) -> str:
        return self.latin.replace(" ", "")

    @classmethod
    def from_record(cls, record: Record) -> CompanyFeatures | None:
        """The record's comparable values, or None when it has no usable name."""
        props = record.properties
        raw = props.get("name")
        if not isinstance(raw, str) or not raw.strip():
            return None
        parsed = parse_company_name(raw)
        if not parsed.latin or parsed.latin.replace(" ", "") in PLACEHOLDER_NAMES:
            return None
        given = props.get("domains", props.get("domain"))
        domains = [given] if isinstance(given, str) else given if isinstance(given, list) else []
        city = props.get("city")
        country = props.get("country")
        return cls(
            key=record.key,
            name=parsed.native,
            latin=parsed.latin,
            region=parsed.region,
            region_is_city=parsed.region_is_city,
            domains=tuple(sorted({d.casefold() for d in domains if isinstance(d, str) and d})),
            city=normalise_city(city) if isinstance(city, str) else "",
            country=normalise_country(country) if isinstance(country, str) else "",
        )


def normalise_country(text: str) -> str:
    """A country as a short code where known (`United States`, `USA` -> `us`; `中国`, `China` -> `cn`)."""
    folded = fold(text)
    return _COUNTRIES.get(folded, _COUNTRIES.get(text.strip(), folded))


def company_blocking_keys(f: CompanyFeatures) -> list[str]:
    """The whole name, its first word, and its first four letters (typos later in the name)."""
    keys = [f"cn:{f.compact}"]
    first = f.latin.split()[0]
    if len(first) >= 3 and first != f.compact:
        keys.append(f"cw:{first}")
    if len(f.compact) >= 4:
        keys.append(f"cp:{f.compact[:4]}")
    return keys


def refusal(a: CompanyFeatures, b: CompanyFeatures, settings: CompanyFuzzySettings) -> str | None:
    """Why two companies with similar names are still different organisations, or None."""
    domains_a = set(a.domains) - settings.free_mail_domains
    domains_b = set(b.domains) - settings.free_mail_domains
    if domains_a and domains_b and not domains_a & domains_b:
        return "different domains"
    if a.region != b.region and not _regions_compatible(a, b):
        return "different regions"
    if settings.require_same_country and a.country and b.country and a.country != b.country:
        return "different countries"
    if settings.require_same_city and a.city and b.city and a.city != b.city:
        return "different cities"
    return None


def _regions_compatible(a: CompanyFeatures, b: CompanyFeatures) -> bool:
    """One name has no region and the other only a Chinese city prefix (often left out), or the records say they
    are in one city of one country (`Acme` in Shanghai, CN is the `Acme (China)` there, not its parent)."""
    if a.region and b.region:
        return False
    if a.region_is_city or b.region_is_city:
        return True
    return bool(a.city and a.city == b.city and a.country and a.country == b.country)


def name_similarity(a: CompanyFeatures, b: CompanyFeatures) -> float:
    """100 for names equal once normalised, else the token sort ratio of the normalised names (word order free,
    but every word counts: `acme china` is not `acme`), and no more than the ratio of their distinctive words
    (`jianlan information technology` is not `jiangang information technology`)."""
    if a.compact == b.compact:
        return 100.0
    whole = fuzz.token_sort_ratio(a.latin, b.latin)
    distinctive = fuzz.ratio(_distinctive(a.latin), _distinctive(b.latin))
    return float(min(whole, distinctive))


def _brand_of(a: CompanyFeatures, b: CompanyFeatures) -> bool:
    """One name's words are the other's less some generic words."""
    words_a, words_b = set(a.latin.split()), set(b.latin.split())
    if words_a == words_b:
        return False
    small, large = (words_a, words_b) if len(words_a) < len(words_b) else (words_b, words_a)
    return small < large and all(w in GENERIC_WORDS for w in large - small)


def _distinctive(latin: str) -> str:
    words = [w for w in latin.split() if w not in GENERIC_WORDS]
    return "".join(words) if words else latin.replace(" ", "")


def _name_rule(a: CompanyFeatures, b: CompanyFeatures, settings: CompanyFuzzySettings) -> str | None:
    """How the names agree (`company:name=exact`, `company:name~96`, `company:name=typo`), or None."""
    similarity = name_similarity(a, b)
    if similarity == 100.0:
        return "company:name=exact"
    shortest = min(len(a.compact), len(b.compact))
    if shortest < settings.min_name_length:
        return None
    if similarity >= settings.similarity:
        return f"company:name~{similarity:.0f}"
    # The brand alone and the brand with generic words (`晶鑫` and `晶鑫新能源`), in one city.
    same_city = bool(a.city and a.city == b.city)
    if same_city and len(_distinctive(a.latin)) >= 4 and _brand_of(a, b):
        return BRAND_RULE
    # One typo (a letter wrong, missing, extra or two swapped) in a long name, where both records name one city.
    if shortest >= settings.typo_min_length and same_city and OSA.distance(a.compact, b.compact) <= 1:
        return "company:name=typo"
    return None


def _unambiguous(links: list[FuzzyLink], features: Sequence[CompanyFeatures]) -> list[FuzzyLink]:
    """Brand links of a record whose brand alone matches companies of different full names are dropped: `晶鑫` in
    Hangzhou may be 晶鑫新能源 or 晶欣信息技术."""
    longer: dict[int, set[str]] = {}
    for link in links:
        if link.rule == BRAND_RULE:
            a, b = features[link.index_a], features[link.index_b]
            short, long = (link.index_a, b) if len(a.latin) < len(b.latin) else (link.index_b, a)
            longer.setdefault(short, set()).add(long.latin)
    ambiguous = {index for index, names in longer.items() if len(names) > 1}
    return [link for link in links if link.rule != BRAND_RULE or not ambiguous & {link.index_a, link.index_b}]


def company_links(features: Sequence[CompanyFeatures], settings: CompanyFuzzySettings | None = None) -> list[FuzzyLink]:
    """Links between company records with equal or very similar names that nothing refuses, sorted by keys.
    Score: the name similarity (0-1); rule: `company:name=exact` or `company:name~96`."""
    settings = settings or CompanyFuzzySettings()
    if not settings.enabled or len(features) < 2:
        return []
    pairs = blocked_pairs([company_blocking_keys(f) for f in features], settings.max_block_size)
    links = []
    for i, j in zip(pairs.a.tolist(), pairs.b.tolist(), strict=True):
        a, b = features[i], features[j]
        rule = _name_rule(a, b, settings)
        if rule is None or refusal(a, b, settings) is not None:
            continue
        if b.key < a.key:
            i, j, a, b = j, i, b, a
        links.append(FuzzyLink(i, j, a.key, b.key, name_similarity(a, b) / 100.0, rule))
    links = _unambiguous(links, features)
    links.sort(key=lambda link: (link.key_a, link.key_b))
    return links
