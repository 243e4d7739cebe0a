"""Errors the importer reports to the seller: one clear sentence, nothing changed."""

from __future__ import annotations


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, unknown layout, missing columns).

    `str(exc)` is the command line's sentence (what is wrong, and the command or option that fixes it). Where
    the fix depends on the front end, `problem` is what is wrong alone and `fix` (with `fix_args`) names the
    fix, so that the Telegram bot can say it in chat terms (crm/text/locales/<lang>/bot.ftl: imports-fix-<fix>).
    """

    def __init__(
        self, message: str, *, problem: str | None = None, fix: str | None = None, **fix_args: str
    ) -> None:
        super().__init__(message)
        self.problem = problem or message
        self.fix = fix
        self.fix_args = fix_args


# A workbook that cannot be opened at all: what a seller can do about it, not the library's error class.
UNREADABLE_WORKBOOK = (
    "cannot open the spreadsheet: the file is damaged or is not really a workbook; download the export again, "
    "or save it as CSV and import that"
)
