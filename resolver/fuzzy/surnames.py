"""Chinese surnames: their readings as surnames, two-character surnames, and other romanisations of the same name."""

from __future__ import annotations

from functools import lru_cache

from resolver.fuzzy.text import romanise, word_set

# Characters read differently as a surname than in ordinary text (单 is shan, not dan).
SURNAME_READINGS: dict[str, str] = {
    "单": "shan", "曾": "zeng", "区": "ou", "仇": "qiu", "朴": "piao", "解": "xie", "查": "zha", "盖": "ge",
    "乐": "yue", "缪": "miao", "覃": "qin", "翟": "zhai", "秘": "bi", "种": "chong", "尉": "yu", "繁": "po",
    "员": "yun", "召": "shao", "纪": "ji", "任": "ren", "华": "hua", "燕": "yan", "冼": "xian", "祭": "zhai",
    "沈": "shen", "柏": "bai", "万": "wan", "折": "she", "黑": "he", "阚": "kan", "长": "chang", "藏": "zang",
    "宁": "ning", "牟": "mu", "令狐": "linghu", "尉迟": "yuchi", "万俟": "moqi", "单于": "chanyu",
}  # fmt: skip

# Two-character surnames: in a Chinese full name they are the family name, not a family name and a given name.
COMPOUND_SURNAMES: frozenset[str] = word_set(
    "欧阳 司马 诸葛 上官 司徒 东方 皇甫 尉迟 公孙 慕容 长孙 夏侯 令狐 宇文 澹台 "
    "轩辕 端木 独孤 南宫 西门 呼延 万俟 单于 申屠 太史 钟离 闻人 赫连 濮阳 公冶 "
    "宗政 淳于 仲孙 百里 东郭 拓跋 完颜 司空"
)

# Frequent surnames in pinyin: a full name written in Latin letters that starts with one of them is likely
# written family name first (`Zhang Wei`).
COMMON_PINYIN_SURNAMES: frozenset[str] = word_set(
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song "
    "tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen "
    "yao fu zhong cui tan liao fan jin shi dai jia xia qiu hou zou xiong meng qin bai yan xue duan lei long tao "
    "gu mao hao gong shao wan qian lai hong kong kang niu ge xing qiao pang ni zhuang ouyang situ shangguan "
    "zhuge sima"
)

# Other romanisations of a pinyin surname (Wade-Giles, Cantonese, Hokkien, Korean): the same family name. Spellings
# that are themselves the pinyin of another surname (Chang, Cheng, Tan, Lei, ...) are left out: they would join two
# families.
SURNAME_VARIANTS: dict[str, tuple[str, ...]] = {
    "zhang": ("cheung", "cheong", "teo"),
    "wang": ("wong", "ong"),
    "li": ("lee", "lie"),
    "chen": ("chan", "chin", "chun"),
    "liu": ("lau", "lao", "low", "lew"),
    "huang": ("wong", "hwang", "ng", "oei", "ung"),
    "zhao": ("chao", "chiu", "chiew"),
    "zhou": ("chow", "chou", "chau"),
    "wu": ("ng", "woo", "goh", "ngo"),
    "xu": ("hsu", "tsui", "koh", "khoo"),
    "lin": ("lam", "lim"),
    "guo": ("kuo", "kwok", "kwak", "quek"),
    "he": ("ho", "hoe", "hor"),
    "zheng": ("cheang", "tay", "teh"),
    "xie": ("hsieh", "tse", "chia", "seah"),
    "cai": ("tsai", "choi", "choy", "chua"),
    "yang": ("yeung", "yeo", "ieong"),
    "zhu": ("chu", "chue", "choo"),
    "gao": ("kao", "ko"),
    "luo": ("lo", "law", "loh"),
    "liang": ("leung", "leong"),
    "song": ("sung", "soong"),
    "feng": ("fung", "fong"),
    "cao": ("tsao", "tso"),
    "jiang": ("chiang", "keung"),
    "ye": ("yeh", "yip", "yap", "ip"),
    "su": ("soo", "soh"),
    "lu": ("loo", "lyu", "lv"),
    "xiao": ("hsiao", "siu", "seow"),
    "zou": ("tsou",),
    "jin": ("kim", "kam"),
    "qian": ("chien",),
    "zhong": ("chung",),
    "tang": ("tong",),
    "weng": ("yung",),
}


@lru_cache(maxsize=65536)
def surname_variants(family: str) -> frozenset[str]:
    """The pinyin surnames a folded family name may be written for (itself included, when it is a known one)."""
    found = {family} if family in SURNAME_VARIANTS else set()
    for pinyin, others in SURNAME_VARIANTS.items():
        if family in others:
            found.add(pinyin)
    return frozenset(found)


def same_family_name(a: str, b: str) -> bool:
    """True when two folded family names are one Chinese surname in two romanisations (`zhang`, `cheung`)."""
    if a == b:
        return True
    variants = surname_variants(a)
    return bool(variants) and not variants.isdisjoint(surname_variants(b))


def split_han_name(name: str) -> tuple[str, str]:
    """(given, family) of a Chinese name written family name first without a space (`欧阳娜娜` -> (娜娜, 欧阳))."""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[2:], name[:2]
    return name[1:], name[:1]


@lru_cache(maxsize=65536)
def romanise_surname(family: str) -> str:
    """A Han family name in pinyin with its surname reading (`单` -> `shan`, `曾` -> `zeng`); others as `romanise`."""
    return SURNAME_READINGS.get(family) or romanise(family)
