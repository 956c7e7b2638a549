"""Loaders: read source exports, normalise and validate them, and write them to a GraphStore."""

from loaders.customers import load_customers_csv
from loaders.errors import LoadError
from loaders.normalise import normalise_domain, normalise_email, normalise_identifier, normalise_phone
from loaders.report import LoadReport, RowProblem

__all__ = [
    "LoadError",
    "LoadReport",
    "RowProblem",
    "load_customers_csv",
    "normalise_domain",
    "normalise_email",
    "normalise_identifier",
    "normalise_phone",
]
