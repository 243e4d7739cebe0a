"""Errors the importer reports to the seller: one clear sentence, nothing changed."""
from __future__ import annotations


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, unknown layout, missing columns)."""
