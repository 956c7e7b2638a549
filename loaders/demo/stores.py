"""The company's shops in China: where loyalty members sign up and POS transactions happen."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True)
class Store:
    code: str
    name: str
    city: str
    currency: str = "CNY"  # the airport duty-free shop sells in US dollars


STORES = (
    Store("SH001", "上海南京西路店", "上海"),
    Store("SH002", "上海徐家汇店", "上海"),
    Store("BJ001", "北京三里屯店", "北京"),
    Store("BJ002", "北京国贸店", "北京"),
    Store("SZ001", "深圳万象城店", "深圳"),
    Store("GZ001", "广州天河城店", "广州"),
    Store("HZ001", "杭州湖滨店", "杭州"),
    Store("CD001", "成都太古里店", "成都"),
    Store("WH001", "武汉楚河汉街店", "武汉"),
    Store("PVG01", "上海浦东机场免税店", "上海", currency="USD"),
)
STORE_WEIGHTS = (14, 10, 12, 9, 10, 9, 7, 8, 6, 5)
STORE_CUMULATIVE = tuple(accumulate(STORE_WEIGHTS))
