"""sources.toml for the demo files: the loader configuration (loaders.config schema), written as TOML text."""

from __future__ import annotations

import json

from loaders.demo.catalogue import SOURCES, SourceSpec

BASE_CURRENCY = "CNY"
RATES = {"USD": "7.20", "EUR": "7.80", "CNY": "1"}  # value of one unit in CNY
DEFAULTS = {"encoding": "utf-8", "date_format": "YYYY-MM-DD", "timestamp_format": "ISO", "timezone": "UTC"}


def _value(value: str | list[str] | tuple[str, ...]) -> str:
    """A TOML string or array of strings (JSON string escapes are valid TOML basic-string escapes)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else json.dumps(key)


def _source(spec: SourceSpec) -> list[str]:
    lines = [f"# {spec.about}"] if spec.about else []
    lines += [
        "[[sources]]",
        f"name = {_value(spec.name)}",
        f"kind = {_value(str(spec.kind))}",
        f"path = {_value(spec.file)}",
    ]
    if spec.encoding != DEFAULTS["encoding"]:
        lines.append(f"encoding = {_value(spec.encoding)}")
    lines += [f"{_key(k)} = {_value(v)}" for k, v in spec.settings.items()]
    if spec.properties:
        lines.append(f"properties = {_value(spec.properties)}")
    if spec.attributes:
        lines.append(f"attributes = {_value(spec.attributes)}")
    if spec.references:
        lines += ["", "[sources.references]"] + [f"{_key(k)} = {_value(v)}" for k, v in spec.references.items()]
    if spec.columns:
        lines += ["", "[sources.columns]"] + [f"{_key(k)} = {_value(v)}" for k, v in spec.columns.items()]
    return lines


def sources_toml(people: int, companies: int, seed: int) -> str:
    lines = [
        "# idgraph demo data set: one retailer's customer and B2B systems, written by",
        f"# `idgraph demo-data --people {people} --companies {companies} --seed {seed}`.",
        "# truth.csv beside this file gives the true person or company of every customer, contact and company record.",
        "# Sources are in loading order: what a row refers to comes before it.",
        "",
        f"base_currency = {_value(BASE_CURRENCY)}",
        "",
        "[rates]",
        *(f"{currency} = {rate}" for currency, rate in RATES.items()),
        "",
        "[defaults]",
        *(f"{key} = {_value(value)}" for key, value in DEFAULTS.items()),
    ]
    for spec in SOURCES:
        lines += ["", *_source(spec)]
    return "\n".join(lines) + "\n"
