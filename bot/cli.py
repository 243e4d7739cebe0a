"""The `sellermate` command line: every answer the bot gives is also reachable here."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import typer
from typer.core import TyperGroup

# Every command and command group, in the order `sellermate --help` lists them (Typer lists a module's commands
# before its groups), with the module of this package whose `register(app)` declares it. Only the module of the
# command being run is imported (LazyCommands), so a command starts without loading the others' imports;
# tests/test_cli_startup.py checks this table against what the modules declare.
COMMANDS: dict[str, str] = {
    "import": "cli_import",
    "ask": "cli_ask",
    "chat": "cli_ask",
    "demo": "cli_ask",
    "products": "cli_analytics",
    "kpi": "cli_analytics",
    "segments": "cli_analytics",
    "customer": "cli_analytics",
    "cohort": "cli_analytics",
    "journeys": "cli_analytics",
    "run": "cli_bot",
    "draft": "cli_outreach",
    "experiments": "cli_experiments",
    "demo-data": "cli_demo_data",
    "worker": "cli_worker",
    "rates": "cli_import",
    "currency": "cli_currency",
    "customers": "cli_customers",
    "tags": "cli_customers",
    "audit": "cli_customers",
    "points": "cli_points",
    "rules": "cli_rules",
}


def _declared(module: str) -> dict[str, Any]:
    """The click commands that bot.<module> declares, built as the `sellermate` app builds its own."""
    from typer.main import get_group

    part = typer.Typer(pretty_exceptions_enable=False)
    __import__(f"bot.{module}", fromlist=["register"]).register(part)
    return dict(get_group(part).commands)


class LazyCommands(TyperGroup):
    """The top-level command group: a command's module is imported when that command is run or its help is
    shown (Click's lazy subcommands, on Typer's group), not for every command."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self._load(COMMANDS[cmd_name])
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and args[0] not in COMMANDS:
            # Not a command: every command is loaded so that "Did you mean …?" can name any of them.
            for module in dict.fromkeys(COMMANDS.values()):
                self._load(module)
        return super().resolve_command(ctx, args)

    def _load(self, module: str) -> None:
        for name, command in _declared(module).items():
            self.commands.setdefault(name, command)


app = typer.Typer(
    name="sellermate",
    cls=LazyCommands,
    help="SellerMate: a CRM assistant for cross-border e-commerce sellers (Telegram bot + CLI).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _group() -> None:
    # A group with no command registered yet (they are loaded lazily) is still a group to Typer.
    pass


T = TypeVar("T")

DB_OPTION_HELP = "Database URL (default from SELLERMATE_DATABASE_URL or config.yaml)."
AS_OF_HELP = "Answer as of the end of this local date (YYYY-MM-DD); default now."


class CLIError(Exception):
    """An error the user can fix; printed as one line, never a traceback (exit code 2: bad input)."""

    exit_code = 2


class CLIUnavailable(CLIError):
    """Something outside the command line is not reachable (Telegram, a database server): one line, exit code 1."""

    exit_code = 1


POSTGRES_EXTRA_HINT = 'install the PostgreSQL extra: pip install -e ".[postgres]" (in the SellerMate folder)'
POSTGRES_DRIVERS = ("asyncpg", "psycopg", "psycopg2")


def check_output_file(path: Any, option: str) -> None:
    """Refuse an output file whose folder is missing or not writable, before any work is done."""
    from pathlib import Path

    target = Path(path).expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise CLIError(f"{option} {str(path)!r} is a folder; give a file name, e.g. {target / 'chart.png'}")
    if not folder.is_dir():
        raise CLIError(
            f"{option}: the folder {str(folder)!r} does not exist; create it or choose another path"
        )
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise CLIError(f"{option}: {str(path)!r} cannot be written (no permission); choose another path")


def _words(text: str) -> str:
    """A name as typed on the command line, compared loosely: case, '-', '_' and spaces do not matter."""
    t = unicodedata.normalize("NFKC", text).lower().replace("_", " ").replace("-", " ")
    return re.sub(r"\s+", " ", t).strip()


def resolve_name(
    text: str,
    names: tuple[str, ...],
    phrases: dict[str, tuple[str, ...]],
    what: str,
    *labels: dict[str, str],
    ambiguous: dict[str, tuple[str, ...]] | None = None,
) -> str:
    """The canonical name for `text`: an exact name, the name written loosely, or a synonym of the question
    vocabulary (crm.query.vocab); otherwise a CLIError listing the valid names."""
    if text in names:
        return text
    key = _words(text)
    table: dict[str, set[str]] = {}
    for name in names:
        table.setdefault(_words(name), set()).add(name)
    for label in labels:
        for name, phrase in label.items():
            table.setdefault(_words(phrase), set()).add(name)
    for name, synonyms in phrases.items():
        for phrase in synonyms:
            table.setdefault(_words(phrase), set()).add(name)
    hits = table.get(key, set())
    if len(hits) == 1:
        return next(iter(hits))
    candidates = sorted(hits) or sorted((ambiguous or {}).get(key, ()))
    if not candidates:
        candidates = sorted((ambiguous or {}).get(key.replace(" ", "-"), ()))
    if candidates:
        raise CLIError(f"{what} {text!r} could mean {' or '.join(candidates)}; say which one")
    raise CLIError(f"unknown {what} {text!r}; choose one of {', '.join(names)}")


def resolve_metric(text: str) -> str:
    from crm import catalog

    return resolve_name(
        text,
        catalog.METRIC_IDS,
        {m.id: m.phrases for m in catalog.METRICS},
        "metric",
        {m.id: m.choice_en for m in catalog.METRICS},
        {m.id: m.name_zh for m in catalog.METRICS},
    )


def resolve_segment(text: str) -> str:
    from crm import catalog
    from crm.query.vocab import AMBIGUOUS_SEGMENT_PHRASES

    return resolve_name(
        text,
        catalog.SEGMENT_IDS,
        {x.id: x.phrases for x in catalog.SEGMENTS},
        "segment",
        {x.id: x.choice_en for x in catalog.SEGMENTS},
        {x.id: x.name_zh for x in catalog.SEGMENTS},
        ambiguous=AMBIGUOUS_SEGMENT_PHRASES,
    )


def _shown_url(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return url


def database_problem(exc: BaseException, url: str | None = None) -> str | None:
    """One line for a database that cannot be opened or used, or None when `exc` is something else."""
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] in POSTGRES_DRIVERS:
        return f"PostgreSQL support is not installed ({exc.name} is missing): {POSTGRES_EXTRA_HINT}"
    try:
        from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(exc, (OperationalError, InterfaceError, DBAPIError)) and not (
        url and isinstance(exc, OSError)
    ):
        return None  # OSError counts only while opening (a server that cannot be reached)
    where = f" {_shown_url(url)}" if url else ""
    text = str(getattr(exc, "orig", None) or exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    reason = _sqlite_folder_problem(url) or reason
    return f"cannot open the database{where}: {reason}" if url else f"database error: {reason}"


def _sqlite_folder_problem(url: str | None) -> str | None:
    """Why a SQLite file cannot be created where the URL puts it (a missing or read-only folder), or None."""
    from bot.demo_state import sqlite_file

    path = sqlite_file(url) if url else None
    if path is None:
        return None
    folder = path.resolve().parent
    if not folder.is_dir():
        return f"the folder {str(folder)!r} does not exist; create it or use another path"
    if not os.access(folder, os.W_OK):
        return f"the folder {str(folder)!r} is not writable"
    return None


async def open_app(
    settings: Any = None,
    *,
    db_url: str | None = None,
    before_migrations: Any = None,
    read_demo: bool = False,
    read_only: bool = False,
    **overrides: Any,
) -> Any:
    """bot.context.open_app for commands: a database that cannot be opened is one CLIError line.

    `read_demo`: a reading command with no database chosen and an empty default database reads the last
    `sellermate demo`'s database instead, and says so on stderr (bot.demo_state).
    `read_only`: a command that only reads does not create a SQLite file that is not there: it reads an empty
    database in a temporary folder (removed on close) and the context names the missing file
    (`missing_database`), for the command to say so; nor does it write a time zone set in config or
    environment into the workspace (it answers in it).
    """
    from bot.context import open_app as _open_app

    if settings is None:  # loaded once, here: the URL is needed before connecting
        from bot.settings import load_settings

        settings = load_settings(**overrides)
    if read_demo:
        from bot.demo_state import demo_instead, using_demo_note

        demo = demo_instead(settings, db_url)
        if demo is not None:
            typer.echo(using_demo_note(demo), err=True)
            db_url = demo.url
    url = db_url or settings.database.url
    if read_only:
        from bot.demo_state import sqlite_file

        path = sqlite_file(url) if url else None
        # (a folder that is not there either is more likely a mistyped path: said as such below)
        if path is not None and not path.exists() and path.parent.is_dir():
            import tempfile

            scratch = Path(tempfile.mkdtemp(prefix="sellermate-empty-"))
            try:
                app_ctx = await _open_app(settings, db_url=f"sqlite+aiosqlite:///{scratch / 'empty.db'}")
            except BaseException:
                shutil.rmtree(scratch, ignore_errors=True)
                raise
            app_ctx.missing_database, app_ctx.scratch = path, scratch
            return app_ctx
    # Checked before connecting: a failed aiosqlite connect leaves its worker thread answering a closed
    # event loop, which prints a traceback after the one-line error.
    problem = _sqlite_folder_problem(url)
    if problem:
        raise CLIError(f"cannot open the database {_shown_url(url)}: {problem}")
    try:
        return await _open_app(
            settings, db_url=db_url, before_migrations=before_migrations, persist=not read_only
        )
    except Exception as exc:
        message = database_problem(exc, url)
        if message is None:
            raise
        if isinstance(exc, ModuleNotFoundError) or (url or "").startswith("sqlite"):
            raise CLIError(message) from None
        raise CLIUnavailable(message) from None


def parse_as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CLIError(f"--as-of must be a date like 2026-11-23, got {value!r}") from None
    # A day ahead of this machine's date is still today somewhere east of it; later dates would answer from
    # data that cannot exist yet (every recent period empty), so they are refused rather than answered 0.
    if day > date.today() + timedelta(days=1):
        raise CLIError(f"--as-of {value} is in the future; use today's date or an earlier one")
    return day


def setting_problem(error: Mapping[str, Any]) -> str:
    """One pydantic error on a setting as a seller reads it: 'setting workspace.tag_rules: tag rule …'."""
    where = ".".join(str(p) for p in error.get("loc", ()))
    msg = str(error.get("msg", ""))
    msg = msg.removeprefix("Value error, ")  # pydantic's prefix for a validator's own message
    if msg.startswith((where.split(".")[-1], where)):  # the message names the setting itself
        return f"setting {msg}"
    return f"setting {where}: {msg}" if where else f"setting: {msg}"


def settings_source_problem(exc: BaseException) -> str | None:
    """One line for a setting pydantic-settings could not read (a section variable such as
    SELLERMATE_WORKSPACE that is not a JSON object), or None for anything else. Recognised by its class
    (pydantic_settings.SettingsError) without importing pydantic-settings, which most commands never load."""
    cls = type(exc)
    if cls.__name__ != "SettingsError" or not cls.__module__.startswith("pydantic_settings"):
        return None
    import re

    field = re.search(r'field "([^"]+)"', str(exc))
    if field is None:
        return f"setting: {exc}"
    name = f"SELLERMATE_{field.group(1).upper()}"
    return (
        f"setting {field.group(1)} ({name}): its value is not valid JSON; a section variable takes a JSON "
        f"object such as '{{\"<field>\": <value>}}', or set one field with {name}__<FIELD>"
    )


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine for a command, turning user-fixable errors into one clear line and exit code 2."""
    import asyncio

    from pydantic import ValidationError

    from bot.settings import ConfigFileError
    from storage.db import DatabaseURLError

    try:
        return asyncio.run(fn())  # type: ignore[arg-type]
    except CLIError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except ConfigFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except DatabaseURLError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except ValidationError as exc:
        for problem in exc.errors():
            typer.echo(f"error: {setting_problem(problem)}", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:
        setting = settings_source_problem(exc)
        if setting is not None:
            typer.echo(f"error: {setting}", err=True)
            raise typer.Exit(2) from None
        message = database_problem(exc)
        if message is None:
            typer.echo(f"error: {crash_report(exc)}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(2 if isinstance(exc, ModuleNotFoundError) else 1) from None


def _debug() -> bool:
    """SELLERMATE_DEBUG=1/true/yes/on shows tracebacks and INFO logs; 0, false, no, off or unset do not."""
    return os.environ.get("SELLERMATE_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")


def one_line(exc: BaseException) -> str:
    """An unexpected error as one line: its kind and the first line of its message (a database error's, not
    the SQL statement SQLAlchemy appends to it)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{exc.__class__.__name__}: {first[:300]}" if first else exc.__class__.__name__


def crash_report(exc: BaseException) -> str:
    """One line for an error nobody foresaw: what it was, and a file with the details to report (a traceback
    is for the maintainers, not for the seller's terminal). SELLERMATE_DEBUG=1 shows it instead."""
    import tempfile
    import traceback
    from datetime import datetime

    if _debug():
        traceback.print_exception(exc)
    what = one_line(exc)
    try:
        fd, path = tempfile.mkstemp(prefix=f"sellermate-error-{datetime.now():%Y%m%d-%H%M%S}-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        return f"something unexpected went wrong ({what}); run again with SELLERMATE_DEBUG=1 for the details"
    return f"something unexpected went wrong ({what}); the details are in {path} (please report it)"


class OneLineLogs(logging.Formatter):
    """Log records as one line each on the terminal ("warning: ..."): tracebacks stay out of the seller's way
    (SELLERMATE_DEBUG=1 keeps them)."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def quiet_logging() -> None:
    """Warnings and errors of a command as one line each on stderr; `run` and `worker` set their own logging."""
    if _debug():
        logging.basicConfig(level=logging.INFO)
        return
    root = logging.getLogger()
    if any(isinstance(h, _StderrNow) for h in root.handlers):
        return
    handler = _StderrNow()
    handler.setFormatter(OneLineLogs())
    handler.setLevel(logging.WARNING)
    # Errors are logged for a bot's operators; a command says its own one 'error:' line about them.
    handler.addFilter(lambda record: record.levelno < logging.ERROR)
    root.addHandler(handler)


class _Redacted(logging.Filter):
    """Replaces a secret in a record's message and traceback text (aiogram names the request URL, which holds
    the bot token, in a network error)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, "<token>")
        return True


def redact_in_logs(secret: str) -> None:
    """Keep `secret` (the bot token) out of every log line the process writes, through the root's handlers."""
    if not secret:
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _Redacted) and f.secret == secret for f in handler.filters):
            handler.addFilter(_Redacted(secret))


class _StderrNow(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record comes (a test runner may swap it between commands)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _register_all() -> None:
    """Register every command on `app` at once (tests invoke `app` with Typer's runner); `main` loads only
    the command it runs. Once per process: registering again would add every command a second time, and
    Typer rebuilds each registered command on every invocation (a test process running hundreds of commands
    slowed down quadratically)."""
    if app.registered_commands:
        return
    for module in dict.fromkeys(COMMANDS.values()):
        __import__(f"bot.{module}", fromlist=["register"]).register(app)


@contextmanager
def collector_paused() -> Iterator[None]:
    """For a command that answers once and ends (`ask`): Python's cyclic garbage collector is paused while it
    runs, and resumed after (a test runner runs many commands in one process). Its passes over the ~100,000
    objects the imports create cost about 0.09 s of CPU in one answer; one answer leaves little cyclic garbage
    (reference counting frees the rest), and the process ends. Not for commands that run long or read files."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _freeze_at_exit() -> None:
    """At exit, what is still alive is moved out of the garbage collector's reach (gc.freeze): the process is
    ending, and the collector's passes over every object during interpreter shutdown cost about 0.15 s of CPU
    after an answer (most of the modules SellerMate loads). A command closes what it opened itself."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once, however often main runs in one process (tests)
    atexit.register(gc.freeze)


# Commands that answer once and end: the collector is paused from the start of `main` (Typer's parsing imports
# pydantic and builds the parameters' validators, about 20,000 objects), not only while the answer runs.
ONE_SHOT_COMMANDS = frozenset({"ask"})


def _paused_for(args: list[str], *, process_ends: bool) -> Any:
    """The collector's pause for a command: none but for a one-shot command. Run by the installed command
    (`process_ends`: the process ends when main returns), the collector is not resumed at all: resuming it
    starts a collection over the hundred thousand objects the answer left, about 5 ms of CPU just before the
    process exits (gc.freeze at exit keeps the interpreter's shutdown from collecting them either). Called
    with arguments (tests, other Python code), main resumes it as collector_paused does."""
    if not (args[:1] and args[0] in ONE_SHOT_COMMANDS):
        return nullcontext()
    if process_ends:
        import gc

        gc.disable()
        return nullcontext()
    return collector_paused()


def main(argv: list[str] | None = None) -> Any:
    _freeze_at_exit()
    quiet_logging()
    args = sys.argv[1:] if argv is None else argv
    try:
        with _paused_for(args, process_ends=argv is None):
            return app(args=argv, prog_name="sellermate")
    except CLIError as exc:  # raised while checking options, before any async work
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        # Settings read outside run_async. Only a command that loaded the settings can have failed on them,
        # so `--help` and the like never import the settings machinery just to name this error.
        settings = sys.modules.get("bot.settings")
        if settings is not None and isinstance(exc, settings.ConfigFileError):
            typer.echo(f"error: {exc}", err=True)
            sys.exit(2)
        raise


if __name__ == "__main__":  # pragma: no cover
    # `python -m bot.cli`: run the imported module's main, so its exception classes are the ones raised.
    from bot.cli import main as _main

    sys.exit(_main())
