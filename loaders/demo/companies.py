"""The true companies behind the B2B records: legal names in English and Chinese, domains, parents and subsidiaries."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from faker import Faker

from loaders.demo.messiness import ascii_letters, typo
from loaders.demo.name_data import GIVEN_PINYIN
from loaders.demo.numbering import stream
from loaders.demo.phones import Country, Phone

# City, its pinyin and its telephone area code.
CN_CITIES = (
    ("北京", "Beijing", "10"), ("上海", "Shanghai", "21"), ("深圳", "Shenzhen", "755"), ("广州", "Guangzhou", "20"),
    ("杭州", "Hangzhou", "571"), ("成都", "Chengdu", "28"), ("武汉", "Wuhan", "27"), ("南京", "Nanjing", "25"),
    ("苏州", "Suzhou", "512"), ("西安", "Xi'an", "29"),
)  # fmt: skip
CN_TRADES = (
    ("科技", "Technology"), ("网络", "Network"), ("信息技术", "Information Technology"), ("电子", "Electronics"),
    ("贸易", "Trading"), ("传媒", "Media"), ("医疗器械", "Medical Devices"), ("新能源", "New Energy"),
)  # fmt: skip
US_TRADES = (
    "Systems", "Analytics", "Logistics", "Foods", "Health", "Labs", "Networks", "Solutions", "Energy", "Capital",
    "Manufacturing", "Software", "Partners", "Industries",
)  # fmt: skip
# Legal form as registered, and other ways people write it.
US_FORMS = {
    "Inc.": ("Inc", "Incorporated", "INC."),
    "LLC": ("L.L.C.", "llc", "Llc"),
    "Corp.": ("Corporation", "Corp", "CORP"),
    "Ltd.": ("Limited", "Ltd", "LTD"),
    "Co.": ("Company", "Co"),
    "Group": ("Group Inc.", "Grp"),
    "Holdings": ("Holdings Inc.", "Holdings LLC"),
}
US_FORM_WEIGHTS = (34, 22, 14, 8, 6, 10, 6)
INDUSTRIES = (
    "Software", "Retail", "Manufacturing", "Financial Services", "Healthcare", "Logistics", "Education", "Energy",
    "Media", "Telecommunications", "Consumer Goods", "Automotive",
)  # fmt: skip


@dataclass
class Company:
    index: int
    entity: str  # the id truth.csv gives the company
    country: Country
    name: str  # the legal name, as registered
    english_name: str | None  # the English name of a Chinese company
    brand: str  # the name without city and legal form: what people call it
    domain: str
    industry: str
    employees: int
    phone: Phone
    city: str
    area: str | None  # telephone area code of a Chinese company (its people's direct lines start with it)
    parent: int | None = None
    records: list[str] = field(default_factory=list)  # ids of its records in the B2B CRM; [0] is the main one
    contacts: list[str] = field(default_factory=list)  # ids of its contacts in the B2B CRM (for deal roles)
    work_emails: set[str] = field(default_factory=set)  # taken addresses at its domain

    def name_as_written(self, rng: random.Random) -> str:
        """The company's name as a person types it into a form: short, other legal form, English or Chinese."""
        if self.country == "CN" or self.english_name:
            choices = [self.brand, self.name, self.english_name or self.name, self.brand + self._trade_word()]
            if "有限公司" in self.name and "(" not in self.name:
                city = self.name[:2]
                choices.append(f"{self.name[2:].replace('有限公司', '')}（{city}）有限公司")
            return rng.choice(choices)
        base, form = self._base_and_form()
        choices = [base, f"{base} {form}", f"{base}, {form}", self.name.upper(), typo(base, rng)]
        choices += [f"{base} {alt}" for alt in US_FORMS.get(form, ())]
        return rng.choice(choices)

    def _trade_word(self) -> str:
        return next((zh for zh, _ in CN_TRADES if zh in self.name), "")

    def _base_and_form(self) -> tuple[str, str]:
        for form in US_FORMS:
            if self.name.endswith(f" {form}"):
                return self.name[: -len(form) - 1], form
        return self.name, ""

    def website(self, rng: random.Random) -> str:
        """The domain as someone typed the website: with or without scheme, www, trailing slash."""
        return rng.choice(
            (
                self.domain,
                f"www.{self.domain}",
                f"https://www.{self.domain}/",
                f"http://{self.domain}",
                f"https://{self.domain}",
            )
        )


def _entity(index: int) -> str:
    return f"C{index + 1:05d}"


class CompanyBook:
    """All companies (their number is small and given, so they are held in memory), and the odds of a person
    working at each."""

    def __init__(self, seed: int, count: int) -> None:
        self._rng = stream(seed, "companies")
        self._en = Faker("en_US")
        self._en.seed_instance(seed + 2)
        self._brands: set[str] = set()
        self._domains: set[str] = set()
        self.companies: list[Company] = []
        for index in range(count):
            self.companies.append(self._company(index))
        self._weights = [math.sqrt(c.employees) for c in self.companies]

    def pick(self, rng: random.Random) -> Company:
        return rng.choices(self.companies, self._weights)[0]

    def _company(self, index: int) -> Company:
        rng = self._rng
        if index >= 10 and rng.random() < 0.15:
            parent = self.companies[rng.randrange(index)]
            if parent.parent is None:
                return self._subsidiary(index, parent)
        return self._chinese(index) if rng.random() < 0.5 else self._american(index)

    def _industry_and_size(self) -> tuple[str, int]:
        employees = max(5, int(self._rng.lognormvariate(5.0, 1.6)))
        return self._rng.choice(INDUSTRIES), min(employees, 250_000)

    def _chinese(self, index: int, *, parent: Company | None = None) -> Company:
        rng = self._rng
        cities = [c for c in CN_CITIES if parent is None or c[0] != parent.city]
        city, city_en, area = rng.choice(cities)
        trade, trade_en = rng.choice(CN_TRADES)
        brand = parent.brand if parent else self._new_brand()
        form = "股份有限公司" if rng.random() < 0.15 else "有限公司"
        brand_py = "".join(GIVEN_PINYIN[c] for c in brand)
        stem = brand_py + ("" if parent is None else ascii_letters(city_en)[:2])
        industry, employees = self._industry_and_size()
        return Company(
            index=index,
            entity=_entity(index),
            country="CN",
            name=f"{city}{brand}{trade}{form}",
            english_name=f"{city_en} {brand_py.capitalize()} {trade_en} Co., Ltd.",
            brand=brand,
            domain=self._new_domain(stem, (".com.cn", ".cn", ".com"), ("", "tech", "-tech", "group")),
            industry=industry,
            employees=employees,
            phone=Phone("CN", f"{area}{rng.randint(5000, 8999)}{rng.choice(('8888', '0000', '6666', '1234'))}", area),
            city=city,
            area=area,
            parent=parent.index if parent else None,
        )

    def _american(self, index: int) -> Company:
        rng = self._rng
        while True:
            last = self._en.last_name()
            shape = rng.random()
            if shape < 0.4:
                base = f"{last} {rng.choice(US_TRADES)}"
            elif shape < 0.7:
                base = f"{last}-{self._en.last_name()}"
            else:
                base = last
            if base.lower() not in self._brands:
                break
        self._brands.add(base.lower())
        form = rng.choices(list(US_FORMS), US_FORM_WEIGHTS)[0]
        domain = self._new_domain(ascii_letters(base), (".com", ".com", ".io", ".net", ".co"), ("", "", "hq", "inc"))
        area = rng.choice(("212", "415", "312", "617", "206", "512", "303", "404"))
        industry, employees = self._industry_and_size()
        return Company(
            index=index,
            entity=_entity(index),
            country="US",
            industry=industry,
            employees=employees,
            name=f"{base} {form}",
            english_name=None,
            brand=base,
            domain=domain,
            phone=Phone("US", f"{area}555{rng.randint(1000, 9999)}"),
            city=self._en.city(),
            area=None,
        )

    def _subsidiary(self, index: int, parent: Company) -> Company:
        rng = self._rng
        if parent.country == "CN":
            return self._chinese(index, parent=parent)
        base = parent.brand
        stem = ascii_letters(base)
        if rng.random() < 0.5:
            name, english = f"{base}(中国)有限公司", f"{base} (China) Co., Ltd."
        else:
            name = english = f"{base} (Shanghai) Trading Co., Ltd."
        industry, employees = self._industry_and_size()
        return Company(
            index=index,
            entity=_entity(index),
            country="CN",
            industry=industry,
            employees=employees,
            name=name,
            english_name=english,
            brand=base,
            domain=self._new_domain(stem, (".com.cn", ".cn"), ("", "china", "-cn")),
            phone=Phone("CN", f"21{rng.randint(5000, 8999)}{rng.choice(('8888', '0000', '6666'))}", "21"),
            city="上海",
            area="21",
            parent=parent.index,
        )

    def _new_brand(self) -> str:
        chars = list(GIVEN_PINYIN)
        while True:
            brand = self._rng.choice(chars) + self._rng.choice(chars)
            if brand[0] != brand[1] and brand not in self._brands:
                self._brands.add(brand)
                return brand

    def _new_domain(self, stem: str, tlds: tuple[str, ...], extras: tuple[str, ...]) -> str:
        stem = stem or "company"
        for attempt in range(100):
            extra = self._rng.choice(extras) if attempt < 10 else str(attempt)
            domain = f"{stem[:20]}{extra}{self._rng.choice(tlds)}"
            if domain not in self._domains:
                self._domains.add(domain)
                return domain
        raise RuntimeError("no free domain")  # pragma: no cover - 100 tries cannot all collide
