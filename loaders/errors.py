"""Errors that stop a whole load (as opposed to one bad row, which is reported and skipped)."""

from __future__ import annotations


class LoadError(Exception):
    """The file cannot be loaded at all, e.g. a required column is missing. Nothing of it was written."""
