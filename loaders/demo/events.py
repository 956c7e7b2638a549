"""What people do: store purchases (POS), web and app events, app devices (with shared family tablets)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from loaders.demo import clock
from loaders.demo.messiness import Rates
from loaders.demo.people import Person
from loaders.demo.phones import write_phone
from loaders.demo.sinks import Row, SourceSink
from loaders.demo.stores import STORE_CUMULATIVE, STORES

_CATEGORIES = ("服装", "鞋履", "美妆", "配饰", "家居", "食品", "数码")
_PRODUCTS = (
    ("SKU-10021", "shoes", "Trail Runner 2", 699.0), ("SKU-10457", "apparel", "Linen Shirt", 299.0),
    ("SKU-11003", "beauty", "Hydra Serum 30ml", 459.0), ("SKU-12077", "home", "Ceramic Mug Set", 159.0),
    ("SKU-13090", "electronics", "Wireless Earbuds", 899.0), ("SKU-14001", "accessories", "Canvas Tote", 129.0),
    ("SKU-15022", "apparel", "Down Jacket", 1299.0), ("SKU-16008", "beauty", "Sun Cream SPF50", 189.0),
)  # fmt: skip
_PAGES = ("/", "/new-in", "/women", "/men", "/sale", "/search", "/cart", "/account", "/stores")
_REFERRERS = (
    "https://www.baidu.com/",
    "https://www.google.com/",
    "https://weixin.qq.com/",
    "",
    "https://www.xiaohongshu.com/",
)
_UTM = (
    {"source": "wechat", "medium": "social"},
    {"source": "newsletter", "medium": "email"},
    {"source": "baidu", "medium": "cpc"},
    None,
)
_SHOP = "https://www.lumina-shop.com"
_PHONES = ("iPhone 14", "iPhone 15 Pro", "HUAWEI Mate 60", "Xiaomi 14", "OPPO Reno11", "Galaxy S23", "Pixel 8")
_TABLETS = ("iPad (10th generation)", "iPad Air", "HUAWEI MatePad 11", "Xiaomi Pad 6")
_USD_PER_CNY = 0.14


def _geometric(rng: random.Random, mean: float) -> int:
    """0, 1, 2, ... with the given mean."""
    p = 1 / (1 + mean)
    n = 0
    while rng.random() > p:
        n += 1
    return n


class EventRows:
    def __init__(self, rng: random.Random, rates: Rates, sinks: dict[str, SourceSink]) -> None:
        self._rng = rng
        self._rates = rates
        self._pos = sinks["pos"]
        self._web = sinks["web"]
        self._app = sinks["app"]
        self._devices = sinks["app_devices"]
        self._transactions = 0

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    # stores

    def store_purchases(self, person: Person | None, card: str | None) -> None:
        """A member's purchases (person and card), or a walk-in customer's (neither)."""
        rng = self._rng
        count = _geometric(rng, 3.0) if card else 1
        for _ in range(count):
            self._transactions += 1
            store = rng.choices(STORES, cum_weights=STORE_CUMULATIVE)[0]
            top_up = rng.random() < 0.08
            quantity = rng.randint(1, 4)
            if rng.random() < self._rates.negative_quantity:
                quantity = -quantity
            price = round(rng.uniform(19, 1999), 2)
            amount = rng.choice((200.0, 500.0, 1000.0, 2000.0)) if top_up else price * abs(quantity)
            currency: str | None = rng.choice(("CNY", "CNY", "CNY", None))
            if store.currency == "USD":
                amount, currency = round(amount * _USD_PER_CNY, 2), "USD"
            when = clock.shanghai_day_first(clock.moment(rng, clock.EVENTS_SINCE))
            if rng.random() < self._rates.bad_timestamp:
                when = f"{rng.choice(('30/02', '31/04', '31/06', '32/01'))}/2025 {when[-5:]}"
            phone = None
            if person is not None and rng.random() < 0.12:
                phone = write_phone(person.phones[0], rng, "CN")
            row: Row = {
                "交易流水号": f"{store.code}{self._transactions:09d}",
                "会员卡号": card,
                "手机号": phone,
                "交易时间": when,
                "交易类型": "transaction" if top_up else "purchase",
                "渠道": "store",
                "门店编号": store.code,
                "门店城市": store.city,
                "商品类别": "储值卡" if top_up else rng.choice(_CATEGORIES),
                "数量": 1 if top_up else quantity,
                "金额": f"{amount:.2f}",
                "币种": currency,
            }
            self._pos.write(row, copies=2 if rng.random() < self._rates.duplicate_row / 2 else 1)

    # web

    def web_sessions(self, person: Person, accounts: list[str], *, mean: float = 2.5) -> None:
        """Browsing from the person's browsers: logged in (with the e-shop account id) or not (cookie only)."""
        rng = self._rng
        cookies = [self._cookie() for _ in range(rng.choice((1, 1, 2)))]
        offset = 8 if person.origin == "CN" else -5
        currency = "CNY" if person.origin == "CN" else "USD"
        for _ in range(_geometric(rng, mean)):
            user = rng.choice(accounts) if accounts and rng.random() < 0.65 else None
            self._web_session(rng.choice(cookies), user, offset, currency)

    def anonymous_visit(self) -> None:
        """Someone who never signs up: cookie only."""
        self._web_session(self._cookie(), None, self._rng.choice((8, 8, -5)), "CNY")

    def _cookie(self) -> str:
        rng = self._rng
        if rng.random() < 0.5:
            return f"GA1.2.{rng.randrange(10**9, 10**10)}.{rng.randrange(1_600_000_000, 1_750_000_000)}"
        return self._uuid()

    def _web_session(self, cookie: str, user: str | None, offset: int, currency: str) -> None:
        rng = self._rng
        when = clock.moment(rng, clock.EVENTS_SINCE)
        utm = rng.choice(_UTM)
        zulu = rng.random() < 0.3
        product = rng.choice(_PRODUCTS)

        def emit(event: str, properties: dict[str, Any], revenue: float | None = None) -> None:
            nonlocal when
            when += timedelta(seconds=rng.randint(5, 240))
            self._web.write(
                {
                    "event_id": self._uuid(),
                    "event": event,
                    "timestamp": clock.iso_z(when, millis=True) if zulu else clock.iso_offset(when, offset),
                    "channel": "web",
                    "anonymous_id": cookie,
                    "user_id": user,
                    "revenue": revenue,
                    "currency": currency if revenue is not None else None,
                    "properties": properties,
                }
            )

        for k in range(rng.randint(1, 6)):
            path = rng.choice(_PAGES) if k else "/"
            page = {"url": f"{_SHOP}{path}", "path": path, "title": f"Lumina | {path.strip('/') or 'home'}"}
            properties: dict[str, Any] = {"page": page}
            if k == 0:
                properties["referrer"] = rng.choice(_REFERRERS) or None
                if utm:
                    properties["utm"] = utm
            emit("page_view", properties)
        sku, category, name, price = product
        item = {"sku": sku, "category": category, "name": name, "price": price}
        if rng.random() < 0.35:
            emit("add_to_cart", {"product": item, "quantity": 1})
            if rng.random() < 0.45:
                total = price if currency == "CNY" else round(price * _USD_PER_CNY, 2)
                emit("purchase", {"order_id": f"W{rng.randrange(10**9):09d}", "products": [item]}, total)

    # app

    def app_usage(self, person: Person, accounts: list[str]) -> None:
        """The person's phones with the app: device rows, then sessions from them."""
        rng = self._rng
        if not accounts or rng.random() >= 0.45:
            return
        account = accounts[0]
        for _ in range(rng.choice((1, 1, 1, 2))):
            model = rng.choice(_PHONES)
            device = self._device_id(model)
            self._devices.write({"account_id": account, "device_id": device, "device_type": model})
            for _ in range(_geometric(rng, 3.0)):
                self._app_session(device, model, account if rng.random() < 0.8 else None, person.origin)

    def family_tablet(self, members: list[tuple[Person, str]]) -> None:
        """One tablet used by 2-4 members of a household, each logged in with their own account."""
        rng = self._rng
        model = rng.choice(_TABLETS)
        device = self._device_id(model)
        for person, account in members:
            self._devices.write({"account_id": account, "device_id": device, "device_type": model})
            for _ in range(rng.randint(1, 3)):
                self._app_session(device, model, account, person.origin)

    def _device_id(self, model: str) -> str:
        device = self._uuid()
        return device.upper() if model.startswith("i") else device  # IDFA upper case, Android ids lower case

    def _app_session(self, device: str, model: str, user: str | None, origin: str) -> None:
        rng = self._rng
        when: datetime = clock.moment(rng, clock.EVENTS_SINCE)
        ios = model.startswith("i")
        context = {
            "app_version": rng.choice(("5.1.0", "5.2.1", "5.3.0")),
            "os": {"name": "iOS" if ios else "Android", "version": rng.choice(("17.4", "17.5")) if ios else "14"},
            "network": rng.choice(("wifi", "4g", "5g")),
        }
        currency = "CNY" if origin == "CN" else "USD"
        events: list[tuple[str, dict[str, Any], float | None]] = [("app_open", {}, None)]
        product = rng.choice(_PRODUCTS)
        item = {"sku": product[0], "category": product[1], "price": product[3]}
        events += [
            ("screen_view", {"screen": {"name": rng.choice(("home", "list", "product_detail"))}}, None)
        ] * rng.randint(1, 4)
        if rng.random() < 0.3:
            events.append(("add_to_cart", {"product": item}, None))
            if rng.random() < 0.4:
                total = product[3] if currency == "CNY" else round(product[3] * _USD_PER_CNY, 2)
                events.append(("purchase", {"order_id": f"A{rng.randrange(10**9):09d}", "products": [item]}, total))
        if rng.random() < 0.1:
            events.insert(0, ("push_open", {"campaign": rng.choice(("618", "double11", "new_in"))}, None))
        for name, properties, amount in events:
            when += timedelta(seconds=rng.randint(3, 180))
            self._app.write(
                {
                    "id": self._uuid(),
                    "name": name,
                    "ts": clock.epoch_ms(when),
                    "channel": "app",
                    "device_id": device,
                    "user_id": user,
                    "amount": amount,
                    "currency": currency if amount is not None else None,
                    "properties": {**context, **properties},
                }
            )
