"""Web and email domains: bare lower-case host names, the domain of an email, and the free-mail providers."""

from __future__ import annotations

import re
import unicodedata

import idna

from loaders.reasons import InvalidValue, Reason

# Providers whose domain says nothing about a person's employer: never used to link contacts to a company.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "vip.qq.com",
        "163.com",
        "vip.163.com",
        "126.com",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "foxmail.com",
        "yeah.net",
        "139.com",
        "aliyun.com",
        "21cn.com",
        "tom.com",
    }
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ASCII_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+(?P<tld>{_LABEL})")
_MAX_DOMAIN = 253


def _invalid(detail: str) -> InvalidValue:
    return InvalidValue(Reason.INVALID_DOMAIN, f"not a domain name: {detail}")


def _host(value: str) -> str:
    """The host part of a URL-ish value: scheme, user info, path, query, fragment and port removed."""
    value = value.split("://", 1)[-1]
    for cut in "/?#":
        value = value.split(cut, 1)[0]
    value = value.rpartition("@")[2]
    return value.split(":", 1)[0]


def normalise_domain(raw: str) -> str:
    """A web domain as its bare host name: `https://www.Acme.com/about` -> `acme.com`.

    Internationalised names are returned in Unicode (`xn--fiqs8s` -> `中国`), as emails keep them, so company and email
    domains compare equal. Raises InvalidValue(INVALID_DOMAIN).
    """
    value = raw.strip().lower()
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value).replace("\u3002", ".")
    value = _host(value).removeprefix("www.").rstrip(".")
    if "." not in value:
        raise _invalid("it needs a dot (name.tld)")
    if len(value) > _MAX_DOMAIN:
        raise _invalid("too long")
    if value.isascii() and "xn--" not in value:
        match = _ASCII_DOMAIN.fullmatch(value)
        if match is None or len(match["tld"]) < 2 or match["tld"].isdigit():
            raise _invalid("only letters, digits, dots and inner hyphens are allowed, and a non-numeric top label")
        return value
    try:
        return idna.decode(idna.encode(value, uts46=True))
    except idna.IDNAError:
        raise _invalid("not a valid internationalised domain name") from None


def email_domain(email: str) -> str:
    """The domain of an email address, lower-cased: `ann@Acme.com` -> `acme.com`. Raises InvalidValue(INVALID_EMAIL)."""
    local, at, domain = email.strip().rpartition("@")
    domain = domain.rstrip(".").lower()
    if not at or not local or not domain:
        raise InvalidValue(Reason.INVALID_EMAIL, "not an email address: no domain after an @-sign")
    return domain


def is_free_mail(domain: str) -> bool:
    """True for a free-mail provider (gmail.com, qq.com, 163.com, ...): such a domain says nothing about an employer."""
    return domain.strip().lower().rstrip(".") in FREE_MAIL_DOMAINS
