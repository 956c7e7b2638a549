"""Company names as compared: legal forms stripped (Inc, Ltd, GmbH, 有限公司, ...), region qualifiers set apart
(`(中国)`, `China`, a Chinese city prefix), Chinese trade words translated and the rest romanised."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from resolver.fuzzy.text import fold, has_han, romanise, word_set

# Legal forms, as folded words at the end of a name (longest first); "group" and "holdings" go too, as 集团 and 控股.
_LEGAL_WORDS = sorted(
    (
        tuple(form.split())
        for form in (
            "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "l l c", "lc",
            "gmbh", "ag", "kg", "s a", "sa", "sas", "sarl", "bv", "b v", "nv", "n v", "plc", "pty", "pty ltd",
            "lp", "llp", "l p", "oy", "ab", "as", "a s", "spa", "s p a", "srl", "kk", "k k", "pte", "pte ltd",
            "co ltd", "company limited", "group", "holdings", "holding", "grp", "the",
        )
    ),
    key=len,
    reverse=True,
)  # fmt: skip
_LEGAL_HAN = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "控股", "公司", "股份")
# Where a company is: a subsidiary or branch carries it (Acme China, 平颖(上海)). Han -> Latin.
_COUNTRIES = {
    "中国": "china", "香港": "hongkong", "台湾": "taiwan", "澳门": "macau", "亚太": "asiapacific", "美国": "usa",
    "日本": "japan", "新加坡": "singapore", "英国": "uk", "德国": "germany", "法国": "france", "韩国": "korea",
}  # fmt: skip
_REGION_WORDS = word_set(
    "china prc hongkong hk taiwan macau asiapacific apac asia europe emea usa us america uk japan singapore "
    "germany france korea india canada australia international intl global"
)
# Chinese cities and provinces often written before a company's name (北京平颖科技有限公司).
_CN_PLACES = sorted(
    word_set(
        "北京 上海 天津 重庆 深圳 广州 杭州 成都 武汉 南京 苏州 西安 长沙 郑州 青岛 "
        "大连 宁波 厦门 福州 济南 合肥 沈阳 哈尔滨 长春 石家庄 太原 昆明 南宁 南昌 贵阳 "
        "兰州 海口 珠海 东莞 佛山 无锡 常州 温州 绍兴 嘉兴 烟台 广东 浙江 江苏 山东 "
        "福建 四川 湖北 湖南 河南 河北 安徽 江西 辽宁 吉林 黑龙江 陕西 山西 云南 广西 "
        "贵州 甘肃 海南 内蒙古 新疆 西藏 宁夏 青海"
    ),
    key=lambda place: (-len(place), place),
)
_CN_PLACE_LATIN = frozenset(romanise(place) for place in _CN_PLACES) | {"xian", "hongkong"}
# Chinese trade words and their usual English, so 平颖医疗器械 compares with Pingying Medical Devices.
_TRADES = {
    "信息技术": "information technology", "医疗器械": "medical devices", "新能源": "new energy",
    "科技": "technology", "技术": "technology", "网络": "network", "电子": "electronics", "贸易": "trading",
    "传媒": "media", "文化传媒": "culture media", "软件": "software", "实业": "industrial", "工业": "industrial",
    "投资": "investment", "咨询": "consulting", "管理": "management", "物流": "logistics", "食品": "food",
    "医药": "pharmaceutical", "生物": "biotech", "汽车": "automotive", "能源": "energy", "电器": "electric",
    "电气": "electric", "机械": "machinery", "化工": "chemical", "建设": "construction", "建筑": "construction",
    "房地产": "real estate", "置业": "real estate", "教育": "education", "金融": "financial", "银行": "bank",
    "保险": "insurance", "服装": "apparel", "服饰": "apparel", "家居": "home", "制造": "manufacturing",
    "数据": "data", "智能": "intelligent", "通信": "communications", "通讯": "communications", "环保": "environmental",
    "国际": "international", "餐饮": "catering", "旅游": "travel", "广告": "advertising", "设计": "design",
    "材料": "materials", "精密": "precision", "光电": "optoelectronics", "半导体": "semiconductor",
}  # fmt: skip
_TRADE_PATTERN = re.compile("|".join(sorted(_TRADES, key=len, reverse=True)))
# English abbreviations written out, so `Acme Tech` compares with `Acme Technology`.
_ABBREVIATIONS = {
    "tech": "technology", "technologies": "technology", "intl": "international", "mfg": "manufacturing",
    "svc": "services", "svcs": "services", "service": "services", "sys": "systems", "solution": "solutions",
    "labs": "laboratories", "lab": "laboratories", "bros": "brothers", "mgmt": "management", "assoc": "associates",
    "natl": "national", "dept": "department", "ctr": "center", "centre": "center", "and": "and",
}  # fmt: skip
# Words many companies share: two names that differ only outside them are different names.
GENERIC_WORDS = frozenset(" ".join(_TRADES.values()).split()) | word_set(
    "systems analytics logistics foods food health healthcare labs laboratories networks solutions energy "
    "capital manufacturing software partners industries services consulting international global technology "
    "enterprises associates trading media electronics network digital data management holdings group products "
    "marketing financial bank retail brands design engineering studio studios ventures resources center and of"
)
_PARENTHESES = re.compile(r"[(（\[]([^)）\]]*)[)）\]]")


@dataclass(frozen=True, slots=True)
class CompanyName:
    """`native`: folded name without legal form or region (Han kept); `latin`: the same translated and romanised,
    words separated by spaces; `region`: qualifiers such as `china`, `shanghai` ("" when none)."""

    native: str
    latin: str
    region: str
    region_is_city: bool  # the region is only a Chinese city or province prefix, which people often leave out


def _strip_legal_han(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_HAN:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text


def _strip_legal_words(words: list[str]) -> list[str]:
    changed = True
    while changed and words:
        changed = False
        for form in _LEGAL_WORDS:
            if len(words) > len(form) and tuple(words[-len(form) :]) == form:
                words, changed = words[: -len(form)], True
                break
        if words and words[0] == "the" and len(words) > 1:
            words, changed = words[1:], True
    return words


def _region_of(part: str) -> str:
    part = unicodedata.normalize("NFKC", part).strip()
    for han, latin in _COUNTRIES.items():
        part = part.replace(han, f" {latin} ")
    return " ".join(romanise(w) for w in fold(part).split())


@lru_cache(maxsize=65536)
def parse_company_name(name: str) -> CompanyName:
    """The comparable parts of a company name."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ").replace("＆", " and ")
    regions = [_region_of(m.group(1)) for m in _PARENTHESES.finditer(text)]
    text = _PARENTHESES.sub(" ", text)
    # A Chinese name loses its spaces; a Latin one its Han legal form (`Adkins Logistics(中国)有限公司`).
    text = _strip_legal_han(re.sub(r"\s+", "", text) if _mostly_han(text) else text.strip()).strip()
    if has_han(text):
        native = _strip_legal_han(text)
        for place in _CN_PLACES:
            if native.startswith(place) and len(native) > len(place) + 1:
                regions.append(romanise(place))
                native = native[len(place) :].removeprefix("市").removeprefix("省")
                break
        for han, latin in _COUNTRIES.items():
            if native.startswith(han) and len(native) > len(han) + 1:
                regions.append(latin)
                native = native[len(han) :]
        native = _strip_legal_han(native)
        latin_words = " ".join(romanise(run) if has_han(run) else run for run in _split_trades(native)).split()
    else:
        words = _strip_legal_words(fold(text).split())
        kept = [w for w in words if w not in _REGION_WORDS]
        if kept and kept[0] in _CN_PLACE_LATIN and len(kept) > 1:
            regions.append(kept[0])
            kept = kept[1:]
        regions += [w for w in words if w in _REGION_WORDS]
        words = _strip_legal_words(kept) if kept else words
        native = " ".join(words)
        latin_words = words
    latin = " ".join(_ABBREVIATIONS.get(w, w) for w in latin_words)
    region = " ".join(sorted({r for r in regions if r}))
    city_only = bool(region) and all(r in _CN_PLACE_LATIN for r in region.split())
    return CompanyName(native=native, latin=latin, region=region, region_is_city=city_only)


def _mostly_han(text: str) -> bool:
    """Han without Latin words: a Chinese name, whose spaces mean nothing."""
    return has_han(text) and not re.search(r"[a-z]{2,}", text)


def _split_trades(text: str) -> list[str]:
    """Han text with its trade words translated: `平颖医疗器械` -> [`平颖`, `medical devices`]."""
    out: list[str] = []
    start = 0
    for match in _TRADE_PATTERN.finditer(text):
        if match.start() > start:
            out.append(text[start : match.start()])
        out.append(_TRADES[match.group()])
        start = match.end()
    if start < len(text):
        out.append(text[start:])
    return out


def normalise_company_name(name: str) -> str:
    """A company's name without legal form or region qualifier, folded (`Acme, Inc.` -> `acme`, `北京平颖科技有限公司`
    -> `平颖科技`, `Adkins Logistics(中国)有限公司` -> `adkins logistics`). See `parse_company_name` for the rest."""
    return parse_company_name(name).native
