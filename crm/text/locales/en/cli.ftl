### The command line's own texts (bot/cli_ask.py), in English. Keep the same ids in zh/cli.ftl.

cli-reminder = Reminders live in the Telegram bot, not on the command line: start it with `sellermate run`, then write the reminder to the bot (e.g. "{ $text }") or use /reminders there.
cli-draft_needs_customer = Say whom the message is for, e.g. "draft a win-back for Tan Wei Ling in Thai" (or use `sellermate draft CUSTOMER --intent winback --lang th`).
cli-segment_csv = The recipients (name, first name, language, last item, points) as a CSV to merge with: `{ $command }`
cli-empty_db = note: this database has no orders yet; import your orders with `sellermate import FILE` (Shopee/Lazada/TikTok/… exports) or load sample data with `sellermate demo-data`; to read another database, add --db URL (or set SELLERMATE_DATABASE_URL).
cli-no_database = note: there is no database at { $path } (nothing was created there); import your orders with `sellermate import FILE` (Shopee/Lazada/TikTok/… exports) or load sample data with `sellermate demo-data`; to read an existing database, add --db URL (or set SELLERMATE_DATABASE_URL).
cli-demo_db = the demo database is at { $url }: sellermate ask --db "{ $url }" "…"
cli-more_rows = … and { NUMBER($n, useGrouping: 1) } more rows (the first { $shown } are shown); add --json for all of them.
cli-as_of_hint =
    {""}
    On the command line, set that date with --as-of YYYY-MM-DD.
cli-points_no_reason = Say why, after the points or with --reason: { $example }
cli-points_reason_twice = Give the reason once: after the points ("{ $said }") or with --reason ("{ $option }"), not both.
