"""What a new user gets wrong on the command line: one clear line (and the right exit code), never a traceback.

The command line's entry point (`bot.cli.main`) runs in this process for most cases (`sellermate`: the same
environment a subprocess would get, without its second of start-up); the cases about the process itself (an
option refused before anything is imported, a module missing, an error no check foresaw and its report file,
an import failing in a way nobody planned) run the real command line in a subprocess (`python -m bot.cli …`).
None needs network access.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import Ran, run_cli, run_command, run_main

REPO = Path(__file__).resolve().parents[1]


def cli(
    *args: str,
    db: str | None = None,
    stdin: str | None = None,
    pre: str = "",
    timeout: float = 120,
    cwd: Path = REPO,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """Run `sellermate ARGS`; `pre` is Python run first in the same process (to hide an installed module)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    clean.update(SELLERMATE_CONFIG=os.devnull, SELLERMATE_TIMEZONE="Asia/Singapore", PYTHONPATH=str(REPO))
    if db:
        clean["SELLERMATE_DATABASE_URL"] = db
    clean.update(env)
    if pre:
        cmd = [
            sys.executable,
            "-c",
            f"import sys\n{pre}\nfrom bot.cli import main\nsys.exit(main(sys.argv[1:]))",
            *args,
        ]
    else:
        cmd = [sys.executable, "-m", "bot.cli", *args]
    return subprocess.run(
        cmd, check=False, cwd=cwd, env=clean, capture_output=True, text=True, input=stdin, timeout=timeout
    )


def in_process(*args: str, db: str, monkeypatch: pytest.MonkeyPatch) -> Ran:
    """The same command line run in this process (Typer's runner), for the many cases of one option's
    spellings: each subprocess costs a second of start-up, and what is tested is how the option is read (the
    subprocess tests above and below cover how the process itself behaves)."""
    r = run_cli(monkeypatch, db, *args)
    return Ran(r.exit_code, r.stdout, r.stderr)


@pytest.fixture
def sellermate(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """`sellermate(*args, db=, stdin=, cwd=, **env)`: `cli` run through the entry point in this process."""

    def run(
        *args: str, db: str | None = None, stdin: str | None = None, cwd: Path | None = None, **env: str
    ) -> Ran:
        return run_command(monkeypatch, capsys, *args, db=db, stdin=stdin, cwd=cwd, **env)

    return run


def one_clear_line(p: subprocess.CompletedProcess[str] | Ran, code: int, *needles: str) -> str:
    assert "Traceback" not in p.stderr + p.stdout, p.stderr[-3000:]
    assert p.returncode == code, (p.returncode, p.stderr[-2000:])
    errors = [line for line in p.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, p.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def no_db(tmp_path: Path) -> str:
    """A database file that is not there yet (for the commands that must not create one)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"


@pytest.fixture
def db(tmp_path: Path, sqlite_template: Path) -> str:
    """An empty shop database, already at the newest schema (a copy of the session's migrated template: the
    commands then skip a second or two of migrations each)."""
    shutil.copy(sqlite_template, tmp_path / "shop.db")
    return f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"


# 1. periods ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "period,why",
    [
        ("2026-13", "month must be 01 to 12"),
        ("2026-00", "month must be 01 to 12"),
        ("last-0-days", "between 1 and 3660"),
        ("last-99999-days", "between 1 and 3660"),
        ("2026-Q5", "quarter must be Q1 to Q4"),
        ("1999", "year must be between 2000 and 2100"),
        ("soon", "not understood"),
    ],
)
def test_a_bad_period_says_what_is_wrong_and_the_accepted_forms(
    no_db: str, tmp_path: Path, period: str, why: str
) -> None:
    p = cli("kpi", "orders", "--period", period, db=no_db)
    one_clear_line(p, 2, f"--period {period!r}", why, "last-N-days", "YYYY-MM", "YYYY-QN")
    assert not (tmp_path / "shop.db").exists()  # refused before opening anything


def test_good_periods_still_work(db: str, sellermate: Any) -> None:
    for period in ("2026-11", "2026-q4", "last-7-days", "all", "this_month"):
        p = sellermate("kpi", "orders", "--period", period, "--as-of", "2026-11-23", db=db)
        assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]


@pytest.mark.parametrize("args", [("kpi", "revenue"), ("cohort",), ("products", "best")])
def test_a_period_after_the_as_of_day_is_refused_not_answered_with_zero(
    db: str, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kpi revenue --period 2027` answered "SGD 0.00" (exit 0); `ask` declines a future period."""
    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    for period in ("2026-12", "2027", "2027-Q1"):
        code, out, err = run_main(capsys, *args, "--period", period, "--as-of", "2026-11-23", "--db", db)
        assert code == 2 and out == "", (period, out, err)
        assert err.strip() == (
            f"error: --period {period!r} is in the future (as of 2026-11-23): SellerMate reports on what "
            "has already happened"
        ), err
    code, out, err = run_main(capsys, *args, "--period", "2026-11", "--as-of", "2026-11-23", "--db", db)
    assert code == 0 and "in the future" not in err, err


# 2. --chart into a missing folder ----------------------------------------------------------------------------
def test_chart_into_a_missing_folder_is_refused_before_computing(
    no_db: str, tmp_path: Path, sellermate: Any
) -> None:
    p = sellermate("kpi", "orders", "--by", "platform", "--chart", str(tmp_path / "nope" / "x.png"), db=no_db)
    one_clear_line(p, 2, "--chart", "does not exist")
    assert not (tmp_path / "shop.db").exists()
    p = sellermate("kpi", "orders", "--by", "platform", "--chart", str(tmp_path), db=no_db)
    one_clear_line(p, 2, "--chart", "is a folder")


def test_a_section_variable_that_is_not_json_is_one_clear_line(no_db: str) -> None:
    """SELLERMATE_WORKSPACE='{bad' (a section as JSON, read by pydantic-settings) is a setting to fix: one
    line naming the variable and the two forms it takes, exit code 2, not an unexpected error."""
    p = cli("ask", "revenue last month", db=no_db, SELLERMATE_WORKSPACE="{bad json")
    one_clear_line(p, 2, "SELLERMATE_WORKSPACE", "JSON", "SELLERMATE_WORKSPACE__<FIELD>")
    assert "report" not in p.stderr


# 3./4. `sellermate run` ----------------------------------------------------------------------------------------
def test_run_with_a_malformed_token_says_what_a_token_looks_like(no_db: str, tmp_path: Path) -> None:
    p = cli("run", db=no_db, SELLERMATE_TELEGRAM_TOKEN="garbage")
    line = one_clear_line(p, 2, "malformed", "@BotFather", "digits", "SELLERMATE_TELEGRAM_TOKEN")
    assert "garbage" not in line  # never echo the secret
    assert not (tmp_path / "shop.db").exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_without_a_route_to_telegram_is_one_line(no_db: str, tmp_path: Path, sellermate: Any) -> None:
    api = f"http://127.0.0.1:{_closed_port()}"
    p = sellermate(
        "run",
        db=no_db,
        SELLERMATE_TELEGRAM_TOKEN="123456:ABC-def_ghi",
        SELLERMATE_TELEGRAM_API_URL=api,
    )
    one_clear_line(p, 1, "Telegram cannot be reached", api, "network", "proxy", "telegram.api_url")
    assert not (tmp_path / "shop.db").exists()  # checked before the database is opened


# 5./6. databases ----------------------------------------------------------------------------------------------
def test_sqlite_in_a_missing_folder_says_the_folder_is_missing(tmp_path: Path, sellermate: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nope' / 'x.db'}"
    for args in (("kpi", "--db", url), ("ask", "revenue", "--db", url), ("segments", "--db", url)):
        one_clear_line(
            sellermate(*args), 2, "cannot open the database", "does not exist", str(tmp_path / "nope")
        )
    # The same from the environment (SELLERMATE_DATABASE_URL), not only from --db.
    one_clear_line(
        sellermate("kpi", db=url), 2, "cannot open the database", "does not exist", str(tmp_path / "nope")
    )


def test_postgres_without_the_extra_says_how_to_install_it() -> None:
    p = cli("kpi", "--db", "postgresql+asyncpg://me@127.0.0.1/shop", pre="sys.modules['asyncpg'] = None")
    one_clear_line(p, 2, "PostgreSQL", "asyncpg", 'pip install -e ".[postgres]"')


def test_an_unreachable_postgres_server_is_one_line() -> None:
    p = cli("kpi", "--db", f"postgresql+asyncpg://me:secret@127.0.0.1:{_closed_port()}/shop")
    line = one_clear_line(p, 1, "cannot open the database", "127.0.0.1")
    assert "secret" not in line


# 7. metric and segment names ----------------------------------------------------------------------------------
def test_commands_written_in_chinese_answer_in_chinese(db: str, sellermate: Any) -> None:
    p = sellermate("kpi", "客单价", "--as-of", "2026-11-23", db=db)
    assert p.returncode == 0 and "客单价" in p.stdout and "average order value" not in p.stdout, p.stdout
    assert "重要挽留客户" in sellermate("segments", "重要挽留客户", "--as-of", "2026-11-23", db=db).stdout


@pytest.mark.parametrize(
    "name,label",
    [
        ("repeat-rate", "repeat purchase rate"),
        ("repeat rate", "repeat purchase rate"),
        ("repeat_rate", "repeat purchase rate"),
        ("Repeat-Purchase-Rate", "repeat purchase rate"),
        ("churn", "churn rate"),
        ("ltv", "lifetime value"),
        ("aov", "average order value"),
        ("new-customers", "new customers"),
        ("复购率", "复购率"),
    ],
)
def test_kpi_accepts_loose_metric_names_and_synonyms(
    db: str, name: str, label: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = in_process("kpi", name, "--as-of", "2026-11-23", db=db, monkeypatch=monkeypatch)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert label in p.stdout


@pytest.mark.parametrize(
    "country,code", [("UK", "GB"), ("gb", "GB"), ("Thailand", "TH"), ("泰国", "TH"), ("united kingdom", "GB")]
)
def test_country_options_take_codes_and_names(
    db: str, country: str, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = in_process(
        "kpi",
        "revenue",
        "--country",
        country,
        "--as-of",
        "2026-11-23",
        "--json",
        db=db,
        monkeypatch=monkeypatch,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    assert json.loads(p.stdout)["query"]["filters"]["country"] == code


@pytest.mark.parametrize("args", [("kpi", "revenue"), ("segments",), ("cohort",)])
def test_an_unknown_country_is_refused_not_answered_with_zero(db: str, args: tuple[str, ...]) -> None:
    one_clear_line(cli(*args, "--country", "ZZ", db=db), 2, "unknown country 'ZZ'", "ISO code")


def test_unknown_metric_lists_the_valid_ones(db: str) -> None:
    one_clear_line(cli("kpi", "profit", db=db), 2, "unknown metric 'profit'", "repeat_rate", "avg_ltv")


@pytest.mark.parametrize(
    "name", ["important-winback", "important winback", "Important_Winback", "重要挽留客户"]
)
def test_segments_accepts_loose_segment_names(db: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    p = in_process("segments", name, "--as-of", "2026-11-23", "--json", db=db, monkeypatch=monkeypatch)
    assert p.returncode == 0, p.stderr[-2000:]
    assert json.loads(p.stdout)["query"]["segment"] == "important_winback"


def test_unknown_or_ambiguous_segment_names_say_which_are_valid(db: str, sellermate: Any) -> None:
    one_clear_line(
        sellermate("segments", "sleepy", db=db), 2, "unknown segment", "important_winback", "general_keep"
    )
    one_clear_line(sellermate("segments", "vip", db=db), 2, "could mean", "important_value", "important_keep")
    p = sellermate("kpi", "orders", "--segment", "general-keep", "--as-of", "2026-11-23", "--json", db=db)
    assert p.returncode == 0 and json.loads(p.stdout)["query"]["filters"]["segment"] == "general_keep"


# 8./9. the console chat and the demo --------------------------------------------------------------------------
def test_console_chat_points_reminders_to_the_bot_in_the_users_language(db: str, sellermate: Any) -> None:
    p = sellermate("chat", db=db, stdin="remind me to call Tan tomorrow at 9\n提醒我明天给Tan打电话\n/quit\n")
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert "Reminders live in the Telegram bot" in p.stdout and "sellermate run" in p.stdout
    assert "提醒功能在 Telegram 机器人里" in p.stdout
    assert "Reminders: use /reminders." not in p.stdout


def test_demo_says_how_to_ask_more_and_the_chat_writes_drafts(tmp_path: Path, sellermate: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    p = sellermate("demo", "--customers", "25", "--as-of", "2026-11-23", "--db", url, "--no-chat")
    assert p.returncode == 0, p.stderr[-2000:]
    hint = [line for line in p.stdout.splitlines() if "sellermate ask --db" in line]
    assert hint and url in hint[0]
    exports = next(line for line in p.stdout.splitlines() if line.startswith("demo export files"))
    assert (Path(exports.split(": ", 1)[1]) / "rates.csv").is_file()  # it says where its export files are
    # The next command without --db (here in a folder with no database of its own) reads the demo, saying so.
    (tmp_path / "elsewhere").mkdir()
    later = sellermate(
        "ask", "how many orders", "--as-of", "2026-11-23", "--json", cwd=tmp_path / "elsewhere"
    )
    assert later.returncode == 0 and json.loads(later.stdout)["value"] > 0, later.stdout + later.stderr[-999:]
    assert f"using the demo database at {url}" in later.stderr
    assert not (tmp_path / "elsewhere" / "sellermate.db").exists()
    # The hint works: a later `ask` on the demo database answers from its data.
    top = sellermate("ask", "top 1 customers by revenue", "--as-of", "2026-11-23", "--json", "--db", url)
    assert top.returncode == 0, top.stderr[-2000:]
    name = json.loads(top.stdout)["rows"][0][0]
    p = sellermate(
        "chat",
        "--db",
        url,
        "--as-of",
        "2026-11-23",
        stdin=f"draft a win-back for {name} in Thai with code BACK10 for 10% off\ndraft a win-back message\n"
        "draft a win-back for all important_winback customers\n",
    )
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert "Drafting: use /draft" not in p.stdout
    assert f"for {name} (winback, th," in p.stdout or f"refused for {name}" in p.stdout
    assert "Say whom the message is for" in p.stdout
    assert "has no orders yet" not in p.stdout + p.stderr
    assert "sellermate draft --segment important_winback --intent winback --csv recipients.csv" in p.stdout
    # `ask` does the same as the chat: it drafts, and points reminders to the bot (no Telegram-only commands).
    d = sellermate(
        "ask",
        f"draft a win-back for {name} in Thai with code BACK10 for 10% off",
        "--as-of",
        "2026-11-23",
        "--db",
        url,
    )
    assert d.returncode == 0 and "Drafting: use /draft" not in d.stdout, d.stdout + d.stderr[-2000:]
    assert f"for {name} (winback, th," in d.stdout or f"refused for {name}" in d.stdout
    assert "off off" not in d.stdout
    r = sellermate("ask", "remind me to call Tan tomorrow at 9", "--db", url)
    assert "Reminders live in the Telegram bot, not on the command line" in r.stdout
    assert "Reminders: use /reminders." not in r.stdout


def test_asking_an_empty_database_says_how_to_import(db: str, tmp_path: Path, sellermate: Any) -> None:
    assert sellermate("kpi", "orders", db=db).returncode == 0  # the database exists, with no orders
    p = sellermate("ask", "revenue last month", "--as-of", "2026-11-23", db=db)
    assert p.returncode == 0, p.stderr[-2000:]
    assert (
        "no orders yet" in p.stderr
        and "sellermate import FILE" in p.stderr
        and "sellermate demo-data" in p.stderr
        and "--db URL" in p.stderr  # how to read the database the seller meant
    )
    j = sellermate("ask", "revenue last month", "--json", db=db)
    assert json.loads(j.stdout)["intent"] == "metric"  # stdout stays one JSON object
    zh = sellermate("ask", "上个月的销售额", db=db)
    assert "还没有订单" in zh.stderr and "--db URL" in zh.stderr


def test_asking_a_database_that_is_not_there_does_not_create_it(tmp_path: Path, sellermate: Any) -> None:
    """A question only reads: `ask` on a SQLite file that does not exist says so and leaves no file behind
    (not even the default sellermate.db in the current folder)."""
    path = tmp_path / "typo.db"
    p = sellermate(
        "ask", "revenue last month", "--as-of", "2026-11-23", "--db", f"sqlite+aiosqlite:///{path}"
    )
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert f"there is no database at {path} (nothing was created there)" in p.stderr
    assert "--db URL" in p.stderr and "sellermate import FILE" in p.stderr
    assert not path.exists() and list(tmp_path.iterdir()) == []
    j = sellermate("ask", "revenue last month", "--json", "--db", f"sqlite+aiosqlite:///{path}")
    assert json.loads(j.stdout)["intent"] == "metric" and not path.exists()  # stdout stays one JSON object
    zh = sellermate("ask", "上个月的销售额", "--db", f"sqlite+aiosqlite:///{path}")
    assert f"{path} 没有数据库" in zh.stderr and not path.exists()
    (tmp_path / "cwd").mkdir()
    default = sellermate("ask", "revenue last month", cwd=tmp_path / "cwd", TMPDIR=str(tmp_path))
    assert default.returncode == 0 and "sellermate.db (nothing was created there)" in default.stderr
    assert list((tmp_path / "cwd").iterdir()) == [] and not list(tmp_path.glob("sellermate-empty-*"))


def test_the_reporting_commands_read_a_missing_database_as_ask_does(tmp_path: Path, sellermate: Any) -> None:
    """`kpi`, `segments` and the other reporting commands only read too: on a SQLite file that is not there
    they say so, as `ask` does, and leave no file behind (they created an empty database there before)."""
    path = tmp_path / "typo.db"
    url = f"sqlite+aiosqlite:///{path}"
    for args in (("kpi", "revenue", "--by", "month"), ("segments",), ("kpi", "aov", "--json")):
        p = sellermate(*args, "--as-of", "2026-11-23", "--db", url)
        assert p.returncode == 0 and "Traceback" not in p.stderr, (args, p.stderr[-2000:])
        assert f"there is no database at {path} (nothing was created there)" in p.stderr, args
        assert not path.exists() and list(tmp_path.iterdir()) == [], args
        if "--json" in args:
            assert json.loads(p.stdout)["intent"] == "metric"  # stdout stays one JSON object


def test_kpi_ltv_is_lifetime_like_ask(db: str, sellermate: Any) -> None:
    """Average LTV with no period is all of a customer's spend, from `kpi` as from `ask`."""
    kpi = json.loads(sellermate("kpi", "ltv", "--as-of", "2026-11-23", "--json", db=db).stdout)
    ask = json.loads(sellermate("ask", "what is our LTV", "--as-of", "2026-11-23", "--json", db=db).stdout)
    assert kpi["query"]["period"]["kind"] == ask["query"]["period"]["kind"] == "all_time"


@pytest.mark.parametrize("intent", ["win-back", "Win Back", "WINBACK"])
def test_draft_accepts_loose_intent_names(db: str, intent: str, monkeypatch: pytest.MonkeyPatch) -> None:
    p = in_process("draft", "Nobody Here", "--intent", intent, db=db, monkeypatch=monkeypatch)
    assert "unknown intent" not in p.stderr and "no customer" in (p.stdout + p.stderr).lower(), p.stderr


@pytest.mark.parametrize(
    ("people", "said"), [(3, "3 customers match 'Tan' (ids "), (18, "more than 5 customers")]
)
def test_draft_counts_the_customers_a_name_matches(
    db: str,
    people: int,
    said: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """18 customers called Tan were "5 customers match 'Tan'" (the search stopped at 5)."""
    import asyncio

    from sqlalchemy import func, select

    from storage.db import open_database
    from storage.models import Customer, Workspace

    async def add() -> None:
        database = await open_database(db)
        async with database.sessions() as s:
            ws = (await s.execute(select(func.min(Workspace.id)))).scalar_one()
            s.add_all(Customer(workspace_id=ws, display_name=f"Tan Number {i}") for i in range(people))
            await s.commit()
        await database.dispose()

    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    assert run_main(capsys, "kpi", "orders", "--db", db)[0] == 0  # the workspace the commands use
    asyncio.run(add())
    code, _, err = run_main(capsys, "draft", "Tan", "--intent", "winback", "--db", db)
    assert code == 2 and said in err and "; use the id" in err, err
    assert err.count(",") == (2 if people == 3 else 5), err  # the ids named: all 3, or 5 and "…"


def test_draft_refuses_an_unknown_intent_with_the_list(db: str, sellermate: Any) -> None:
    one_clear_line(
        sellermate("draft", "Tan", "--intent", "spam", db=db),
        2,
        "unknown intent 'spam'",
        "winback",
        "thank_you",
    )


def test_a_malformed_or_non_mapping_config_file_is_one_line_with_file_line_and_column(
    tmp_path: Path, db: str, sellermate: Any
) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("workspace:\n  base_currency: SGD\n    timezone: Asia/Singapore\n", encoding="utf-8")
    one_clear_line(
        sellermate("kpi", "orders", db=db, SELLERMATE_CONFIG=str(cfg)),
        2,
        "config.yaml line 3, column 13: mapping values are not allowed here",
    )
    # `sellermate run` reads the same file first: a list is refused before the token is even looked at.
    cfg.write_text("- workspace\n- llm\n", encoding="utf-8")
    one_clear_line(
        sellermate("run", db=db, SELLERMATE_CONFIG=str(cfg)),
        2,
        "config.yaml: expected settings",
        "a mapping",
        "found a list",
    )


def test_bad_tag_rules_are_all_named_in_one_plain_line(tmp_path: Path, db: str, sellermate: Any) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        'workspace:\n  tag_rules:\n    broken: "ltv >>= 3"\n    bad_field: "spend > 1"\n'
        '    fine: "ltv > 100"\n',
        encoding="utf-8",
    )
    line = one_clear_line(
        sellermate("kpi", db=db, SELLERMATE_CONFIG=str(cfg)),
        2,
        "error: setting workspace.tag_rules: tag rule 'broken': cannot read",
        "tag rule 'bad_field': unknown field 'spend'",
    )
    assert "Value error" not in line and line.count("workspace.tag_rules") == 1


def test_an_unforeseen_error_is_one_line_with_a_report_file_never_a_traceback(
    db: str, tmp_path: Path
) -> None:
    # An error no check foresaw (here: the question engine fails), and a warning logged with its traceback.
    pre = (
        "import logging, crm.query.service as s\n"
        "async def boom(*a, **k):\n"
        "    try:\n        raise ValueError('inner')\n"
        "    except ValueError:\n        logging.getLogger('crm').warning('a warning', exc_info=True)\n"
        "    raise RuntimeError('kaboom')\n"
        "s.ask = boom"
    )
    p = cli("ask", "revenue last month", db=db, pre=pre, TMPDIR=str(tmp_path))
    assert "Traceback" not in p.stderr + p.stdout, p.stderr
    assert p.returncode == 1
    line = one_clear_line(p, 1, "RuntimeError: kaboom", "please report it")
    report = Path(line.split("the details are in ")[1].split(" (please")[0])
    assert report.parent == tmp_path and "Traceback" in report.read_text() and "kaboom" in report.read_text()
    assert "warning: a warning" in p.stderr


# 5. an import that fails on something unexpected -------------------------------------------------------------
def test_an_import_failing_unexpectedly_is_one_line_without_the_sql(db: str, tmp_path: Path) -> None:
    """The importer logs such a failure with its traceback for the bot's operators; on the command line neither
    that traceback nor the SQL statement of a database error reaches the user."""
    export = tmp_path / "orders_export.csv"
    export.write_text(
        "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem price,Total,"
        "Fulfillment Status\n#1,a@example.com,paid,2026-03-01 10:00:00 +0800,1,Serum,10,10,\n",
        encoding="utf-8",
    )
    pre = (
        "import crm.importing.service as service\n"
        "from sqlalchemy.exc import DBAPIError\n"
        "async def broken(*args, **kwargs):\n"
        "    raise DBAPIError('INSERT INTO orders (a, b) VALUES (?, ?)', (1, 2), Exception('disk I/O error'))\n"
        "service._import_orders = broken\n"
    )
    line = one_clear_line(
        cli("import", str(export), db=db, pre=pre),
        1,
        "error: orders_export.csv: import failed, nothing changed",
        "disk I/O error",
    )
    assert "INSERT" not in line and "[SQL" not in line


def test_a_future_as_of_date_is_refused_and_an_unknown_customer_exits_1(
    tmp_path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """An --as-of date after today would answer every recent period with 0; it is refused in one line.
    `sellermate customer` with no match prints so and exits 1 (a script can tell); a match exits 0."""
    from datetime import date, timedelta

    from tests.test_importing import SHOPIFY_HEADER, shopify_row, write_csv

    def cli(*args: str) -> tuple[int, str, str]:
        return run_main(capsys, *args)

    for name in [k for k in os.environ if k.startswith("SELLERMATE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    monkeypatch.setenv("SELLERMATE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    export = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [shopify_row("#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800")],
    )
    assert cli("import", "-q", str(export))[0] == 0
    later = (date.today() + timedelta(days=3)).isoformat()
    code, out, err = cli("ask", "revenue last month", "--as-of", later)
    assert code == 2 and "in the future" in err and out == "" and "Traceback" not in err, err
    today = date.today().isoformat()
    assert cli("ask", "revenue last month", "--as-of", today)[0] == 0
    code, out, _ = cli("customer", "Nobody Atall")
    assert code == 1 and "No customer matches" in out
    code, out, _ = cli("customer", "tan@example.com")
    assert code == 0 and "#" in out
