"""Person comparisons, vectorised: for many record pairs at once, the level each field agrees at (Splink style)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from resolver.fuzzy.nicknames import same_given_name
from resolver.fuzzy.person import PersonFeatures
from resolver.fuzzy.settings import ComparisonSettings, PersonField
from resolver.fuzzy.surnames import same_family_name

IntArray = npt.NDArray[np.int64]
Levels = npt.NDArray[np.int8]

# Levels of each comparison, best first after "null" (either side missing, weight 0). Index = level code.
LEVELS: dict[PersonField, tuple[str, ...]] = {
    PersonField.NAME: ("null", "exact", "nickname", "close", "initial", "partial", "else"),
    PersonField.BIRTH_DATE: ("null", "exact", "close", "year", "else"),
    PersonField.GENDER: ("null", "match", "mismatch"),
    PersonField.ADDRESS: ("null", "street", "postcode", "city", "else"),
    PersonField.EMAIL: ("null", "exact", "local", "else"),
    PersonField.PHONE: ("null", "exact", "close", "else"),
}
NULL = 0
_PARALLEL_FROM = 20_000  # pairs from which similarity scorers run on all cores
# Name levels that count as agreement on the name (a link needs one when `require_name_agreement`).
AGREEING_NAME_LEVELS: tuple[str, ...] = ("exact", "nickname", "close", "initial")
# Levels that are evidence of this one person, not of a household sharing a family name, address and phone.
PERSONAL_LEVELS: dict[PersonField, tuple[str, ...]] = {
    PersonField.BIRTH_DATE: ("exact", "close"),
    PersonField.EMAIL: ("exact", "local"),
}
# The value column whose frequency adjusts each term-frequency level.
TF_COLUMNS: dict[PersonField, dict[str, str]] = {
    PersonField.NAME: {"exact": "name_key"},
    PersonField.BIRTH_DATE: {"exact": "birth_date"},
    PersonField.ADDRESS: {"postcode": "postcode", "city": "city"},
    PersonField.EMAIL: {"exact": "email", "local": "email_local"},
    PersonField.PHONE: {"exact": "phone"},
}


def level_code(field: PersonField, level: str) -> int:
    return LEVELS[field].index(level)


def _codes(values: Sequence[str]) -> tuple[IntArray, list[str]]:
    """Equal values get equal positive codes; "" gets 0. Also the values by code."""
    # Each value's first position (from 1; "" at 0) in one C-level pass, then ranked: the codes count up in order of
    # first appearance, as numbering each new value in a loop would.
    first_at: dict[str, int] = {"": 0}
    at = np.fromiter(map(first_at.setdefault, values, range(1, len(values) + 1)), dtype=np.int64, count=len(values))
    code_of = np.zeros(len(values) + 1, dtype=np.int64)
    code_of[np.fromiter(first_at.values(), dtype=np.int64, count=len(first_at))] = np.arange(len(first_at))
    codes: IntArray = code_of[at]
    return codes, list(first_at)


class PersonTable:
    """Person features as columns: value codes for equality tests, strings for similarity scorers."""

    def __init__(self, features: Sequence[PersonFeatures]) -> None:
        self.features = features
        self.size = len(features)
        self.given = [f.given for f in features]
        self.family = [f.family for f in features]
        self.street = [f.street for f in features]
        self.phone = [f.phone for f in features]
        # Given and family names share one numbering, so a given name can be compared with a family name.
        shared, self.part_values = _codes(self.given + self.family)
        self.given_code, self.family_code = shared[: self.size], shared[self.size :]
        # Length and first character's code point of each part, taken once per distinct value.
        values = self.part_values
        length = np.fromiter(map(len, values), dtype=np.int64, count=len(values))[shared]
        first = np.fromiter((ord(v[0]) if v else 0 for v in values), dtype=np.int64, count=len(values))[shared]
        self.given_length, self.family_length = length[: self.size], length[self.size :]
        self.given_first, self.family_first = first[: self.size], first[self.size :]
        # Value codes, and the values by code of the term-frequency columns (see TF_COLUMNS).
        self._coded: dict[str, tuple[IntArray, list[str]]] = {}
        self.name_code = self._code("name_key", [f.name_key for f in features])
        self.birth_date = np.fromiter(map(attrgetter("birth_date"), features), dtype=np.int64, count=self.size)
        self.gender = _codes([f.gender for f in features])[0]
        self.email_code = self._code("email", [f.email for f in features])
        self.local_code = self._code("email_local", [f.email_local for f in features])
        self.phone_code = self._code("phone", self.phone)
        self.postcode_code = self._code("postcode", [f.postcode for f in features])
        self.city_code = self._code("city", [f.city for f in features])
        self.street_code = _codes(self.street)[0]
        self._date_digits: npt.NDArray[np.int8] | None = None
        self._objects: dict[str, npt.NDArray[np.object_]] = {}

    def date_digits(self) -> npt.NDArray[np.int8]:
        """The eight digits of each birth date (yyyymmdd), least significant first; made once, on first use."""
        if self._date_digits is None:
            rest = self.birth_date.astype(np.int32)  # (yyyymmdd fits; a column at a time is ten times faster)
            digits = np.empty((self.size, 8), dtype=np.int8)
            for place in range(8):
                digits[:, place] = rest % 10
                rest //= 10
            self._date_digits = digits
        return self._date_digits

    def picked(self, column: str, index: IntArray) -> list[str]:
        """The values of a string column (given, family, street, phone) at the rows `index`, taken by numpy from
        the column as an object array, made on first use: several times faster than a loop over a million rows."""
        held = self._objects.get(column)
        if held is None:
            held = self._objects[column] = np.array(getattr(self, column), dtype=object)
        picked: list[str] = held[index].tolist()
        return picked

    def _code(self, column: str, values: Sequence[str]) -> IntArray:
        self._coded[column] = _codes(values)
        return self._coded[column][0]

    def coded(self, name: str) -> tuple[IntArray, list[str]]:
        """A term-frequency column (see TF_COLUMNS) as a code per record and the values by code ("" is code 0)."""
        if name == "birth_date" and name not in self._coded:
            dates, codes = np.unique(np.r_[0, self.birth_date], return_inverse=True)
            self._coded[name] = (codes[1:].astype(np.int64), [str(d) if d else "" for d in dates.tolist()])
        return self._coded[name]

    def column(self, name: str) -> list[str]:
        """The values of a term-frequency column (see TF_COLUMNS), as strings ("" when missing)."""
        codes, values = self.coded(name)
        return [values[code] for code in codes.tolist()]


def compare(
    table: PersonTable,
    ia: IntArray,
    ib: IntArray,
    settings: ComparisonSettings,
    fields: Sequence[PersonField] = tuple(PersonField),
) -> dict[PersonField, Levels]:
    """The level of every field for the pairs (ia[k], ib[k]); fields not asked for are all "null"."""
    compare_field: dict[PersonField, Callable[[PersonTable, IntArray, IntArray, ComparisonSettings], Levels]] = {
        PersonField.NAME: _name,
        PersonField.BIRTH_DATE: _birth_date,
        PersonField.GENDER: _gender,
        PersonField.ADDRESS: _address,
        PersonField.EMAIL: _email,
        PersonField.PHONE: _phone,
    }
    return {
        field: compare_field[field](table, ia, ib, settings) if field in fields else np.zeros(len(ia), dtype=np.int8)
        for field in PersonField
    }


def _similarity(a: list[str], b: list[str], scorer: Callable[..., Any]) -> npt.NDArray[np.float64]:
    if not a:
        return np.zeros(0)
    workers = -1 if len(a) >= _PARALLEL_FROM else 1  # starting threads costs milliseconds
    return np.asarray(process.cpdist(a, b, scorer=scorer, workers=workers), dtype=np.float64)


def _close_where(where: npt.NDArray[np.bool_], a: list[str], b: list[str], cut: float) -> npt.NDArray[np.bool_]:
    """Jaro-Winkler of a[k] and b[k] at least `cut`, scored only where `where` (False elsewhere)."""
    close = np.zeros(len(where), dtype=np.bool_)
    some = np.flatnonzero(where)
    if len(some):
        picked = some.tolist()
        scores = _similarity([a[k] for k in picked], [b[k] for k in picked], JaroWinkler.normalized_similarity)
        close[some] = scores >= cut
    return close


def _initial_ok(len_a: IntArray, len_b: IntArray, first_a: IntArray, first_b: IntArray) -> npt.NDArray[np.bool_]:
    """The other name part is missing on one side, or an initial of the other side's (`j` and `john`)."""
    ok: npt.NDArray[np.bool_] = (len_a == 0) | (len_b == 0) | (((len_a == 1) | (len_b == 1)) & (first_a == first_b))
    return ok


def _name(t: PersonTable, ia: IntArray, ib: IntArray, settings: ComparisonSettings) -> Levels:
    code = {name: level_code(PersonField.NAME, name) for name in LEVELS[PersonField.NAME]}
    levels = np.full(len(ia), code["else"], dtype=np.int8)
    ga, fa, gb, fb = t.given_code[ia], t.family_code[ia], t.given_code[ib], t.family_code[ib]
    null = ((ga == 0) & (fa == 0)) | ((gb == 0) & (fb == 0))
    whole = (ga > 0) & (fa > 0) & (gb > 0) & (fb > 0)
    exact = (t.name_code[ia] == t.name_code[ib]) & whole  # one part alone, equal, is "initial"
    rest = np.flatnonzero(~null & ~exact)
    ra, rb = ia[rest], ib[rest]
    ga, fa, gb, fb = ga[rest], fa[rest], gb[rest], fb[rest]
    same_gg, same_ff = (ga == gb) & (ga > 0), (fa == fb) & (fa > 0)
    same_gf, same_fg = (ga == fb) & (ga > 0), (fa == gb) & (fa > 0)
    given_a, given_b = t.picked("given", ra), t.picked("given", rb)
    family_a, family_b = t.picked("family", ra), t.picked("family", rb)
    jw = JaroWinkler.normalized_similarity
    cut = settings.name_similarity
    # The parts count only in pairs (given and family both close, or both crossed): the second of each pair is
    # scored only where the first is close, which most pairs (different people) are not.
    gg = _similarity(given_a, given_b, jw) >= cut
    gf = _similarity(given_a, family_b, jw) >= cut
    ff = _close_where(gg, family_a, family_b, cut)
    fg = _close_where(gf, family_a, given_b, cut)
    close = whole[rest] & ((gg & ff) | (gf & fg))
    lg_a, lg_b, lf_a, lf_b = t.given_length[ra], t.given_length[rb], t.family_length[ra], t.family_length[rb]
    cg_a, cg_b, cf_a, cf_b = t.given_first[ra], t.given_first[rb], t.family_first[ra], t.family_first[rb]
    initial = (
        (same_ff & _initial_ok(lg_a, lg_b, cg_a, cg_b))
        | (same_gg & _initial_ok(lf_a, lf_b, cf_a, cf_b))
        | (same_gf & _initial_ok(lf_a, lg_b, cf_a, cg_b))
        | (same_fg & _initial_ok(lg_a, lf_b, cg_a, cf_b))
    )
    one_part = same_gg | same_ff | same_gf | same_fg
    nickname = np.zeros(len(rest), dtype=np.bool_)
    asked = np.flatnonzero((one_part | (gg & ff) | (gf & fg)) & whole[rest])
    nickname[asked] = _nickname(t.part_values, ga[asked], fa[asked], gb[asked], fb[asked])
    result = np.full(len(rest), code["else"], dtype=np.int8)
    result[one_part] = code["partial"]
    result[initial] = code["initial"]
    result[close] = code["close"]
    result[nickname] = code["nickname"]
    levels[rest] = result
    levels[exact] = code["exact"]
    levels[null] = NULL
    return levels


def _nickname(
    values: list[str], given_a: IntArray, family_a: IntArray, given_b: IntArray, family_b: IntArray
) -> npt.NDArray[np.bool_]:
    """Both parts the same name, in full or short form or another romanisation, in either order. The parts are
    given as codes of `values`, all four present."""
    same_given, same_family = _same_parts(values, same_given_name), _same_parts(values, same_family_name)
    return (same_given(given_a, given_b) & same_family(family_a, family_b)) | (
        same_given(family_a, given_b) & same_family(given_a, family_b)
    )


def _same_parts(
    values: list[str], same: Callable[[str, str], bool]
) -> Callable[[IntArray, IntArray], npt.NDArray[np.bool_]]:
    """`same` of the name parts coded a[k] and b[k], vectorised: equal codes are the same name (as `same` has it);
    `same` is asked once per distinct pair of the others."""

    def of(a: IntArray, b: IntArray) -> npt.NDArray[np.bool_]:
        verdicts: npt.NDArray[np.bool_] = a == b
        differ = np.flatnonzero(~verdicts)
        if len(differ):
            n = len(values)
            distinct, which = np.unique(a[differ] * n + b[differ], return_inverse=True)
            verdicts[differ] = np.fromiter(
                (same(values[pair // n], values[pair % n]) for pair in distinct.tolist()), np.bool_, len(distinct)
            )[which]
        return verdicts

    return of


def _birth_date(t: PersonTable, ia: IntArray, ib: IntArray, settings: ComparisonSettings) -> Levels:
    code = {name: level_code(PersonField.BIRTH_DATE, name) for name in LEVELS[PersonField.BIRTH_DATE]}
    a, b = t.birth_date[ia], t.birth_date[ib]
    null = (a == 0) | (b == 0)
    exact = a == b
    year_a, year_b = a // 10000, b // 10000
    month_a, month_b, day_a, day_b = (a // 100) % 100, (b // 100) % 100, a % 100, b % 100
    day_month_swapped = (year_a == year_b) & (month_a == day_b) & (day_a == month_b)
    close = day_month_swapped & ~exact
    # A typo (one digit, or two neighbours swapped) is looked for only where both dates are known and differ.
    differing = np.flatnonzero(~exact & ~null)
    digits = t.date_digits()
    digits_a, digits_b = digits[ia[differing]], digits[ib[differing]]
    differ = digits_a != digits_b
    count = differ.sum(axis=1)
    swapped = (
        differ[:, :-1] & differ[:, 1:] & (digits_a[:, :-1] == digits_b[:, 1:]) & (digits_a[:, 1:] == digits_b[:, :-1])
    ).any(axis=1)
    close[differing] |= (count == 1) | ((count == 2) & swapped)
    levels = np.full(len(ia), code["else"], dtype=np.int8)
    levels[(year_a == year_b) & ~exact] = code["year"]
    levels[close] = code["close"]
    levels[exact] = code["exact"]
    levels[null] = NULL
    return levels


def _gender(t: PersonTable, ia: IntArray, ib: IntArray, settings: ComparisonSettings) -> Levels:
    a, b = t.gender[ia], t.gender[ib]
    levels = np.where(a == b, level_code(PersonField.GENDER, "match"), level_code(PersonField.GENDER, "mismatch"))
    levels[(a == 0) | (b == 0)] = NULL
    return levels.astype(np.int8)


def _address(t: PersonTable, ia: IntArray, ib: IntArray, settings: ComparisonSettings) -> Levels:
    code = {name: level_code(PersonField.ADDRESS, name) for name in LEVELS[PersonField.ADDRESS]}
    pa, pb, ca, cb = t.postcode_code[ia], t.postcode_code[ib], t.city_code[ia], t.city_code[ib]
    sa, sb = t.street_code[ia], t.street_code[ib]
    both_postcode, both_city, both_street = (pa > 0) & (pb > 0), (ca > 0) & (cb > 0), (sa > 0) & (sb > 0)
    postcode_equal, city_equal = both_postcode & (pa == pb), both_city & (ca == cb)
    street_similar = both_street & (sa == sb)
    fuzzy = np.flatnonzero(both_street & (sa != sb))
    if len(fuzzy):
        streets_a, streets_b = t.picked("street", ia[fuzzy]), t.picked("street", ib[fuzzy])
        ratio = _similarity(streets_a, streets_b, fuzz.token_sort_ratio)
        extended = np.fromiter(map(_extends, streets_a, streets_b), dtype=np.bool_, count=len(fuzzy))
        street_similar[fuzzy] = (ratio >= settings.street_similarity) | extended
    conflict = (both_postcode & ~postcode_equal) | (both_city & ~city_equal)
    street = street_similar & ~conflict
    levels = np.full(len(ia), code["else"], dtype=np.int8)
    levels[city_equal] = code["city"]
    levels[postcode_equal] = code["postcode"]
    levels[street] = code["street"]
    levels[~(both_postcode | both_city | both_street)] = NULL
    return levels


def _extends(a: str, b: str) -> bool:
    """One street is the other with more at its end (`12 main st` and `12 main st apt 3`), and says a number."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return long.startswith(short + " ") and " " in short and any(c.isdigit() for c in short)


def _email(t: PersonTable, ia: IntArray, ib: IntArray, settings: ComparisonSettings) -> Levels:
    code = {name: level_code(PersonField.EMAIL, name) for name in LEVELS[PersonField.EMAIL]}
    ea, eb, la, lb = t.email_code[ia], t.email_code[ib], t.local_code[ia], t.local_code[ib]
    levels = np.full(len(ia), code["else"], dtype=np.int8)
    levels[(la == lb) & (la > 0)] = code["local"]
    levels[ea == eb] = code["exact"]
    levels[(ea == 0) | (eb == 0)] = NULL
    return levels


def _phone(t: PersonTable, ia: IntArray, ib: IntArray, settings: ComparisonSettings) -> Levels:
    code = {name: level_code(PersonField.PHONE, name) for name in LEVELS[PersonField.PHONE]}
    pa, pb = t.phone_code[ia], t.phone_code[ib]
    levels = np.full(len(ia), code["else"], dtype=np.int8)
    fuzzy = np.flatnonzero((pa > 0) & (pb > 0) & (pa != pb))
    if len(fuzzy):
        distance = _similarity(t.picked("phone", ia[fuzzy]), t.picked("phone", ib[fuzzy]), OSA.distance)
        levels[fuzzy[distance <= 1]] = code["close"]
    levels[pa == pb] = code["exact"]
    levels[(pa == 0) | (pb == 0)] = NULL
    return levels


def name_level(a: PersonFeatures, b: PersonFeatures, settings: ComparisonSettings | None = None) -> str:
    """How two records' names compare (`exact`, `nickname`, `close`, `initial`, `partial`, `else`, `null`)."""
    table = PersonTable([a, b])
    codes = _name(table, np.array([0], dtype=np.int64), np.array([1], dtype=np.int64), settings or ComparisonSettings())
    return LEVELS[PersonField.NAME][int(codes[0])]


def names_agree(a: PersonFeatures, b: PersonFeatures, settings: ComparisonSettings | None = None) -> bool:
    """True when the names are one person's (exact, nickname, close spelling, initial). A guard for identifiers that
    households share (a phone, a family tablet): records whose names disagree are two people."""
    return name_level(a, b, settings) in AGREEING_NAME_LEVELS
