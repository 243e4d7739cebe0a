### English texts of the SellerMate bot. Values are HTML (Telegram parse mode); { $name } arguments are
### filled by the handlers (bot/i18n: i18n("start.welcome", name=...) reads start-welcome). Keep the same ids
### in every language (tests/test_texts.py checks it).

## language

language-name = English
language-choose = Choose your language:
language-set = OK, I will answer in English.

## roles

roles-owner = owner
roles-admin = admin
roles-agent = agent
roles-viewer = viewer

## commands

commands-start = Start or set up SellerMate
commands-help = What I can do
commands-kpi = Key numbers at a glance
commands-top = Top customers by revenue
commands-products = Best-selling products (last 30 days)
commands-segments = RFM segments of your customers
commands-cohort = Cohort retention
commands-customer = Find a customer card
commands-draft = Draft a message to a customer or a segment
commands-experiments = Outreach experiments: which variant converts
commands-reminders = Your reminders
commands-team = Your team and roles
commands-invite = Invite a teammate (admins)
commands-bind = Send alerts to this group (admins)
commands-language = Change the language
commands-currency = Base currency (owner)

## common

common-slow_down = You are sending messages faster than I can answer. Please wait a moment.
common-unknown_command = I don't know that command. Send /help to see what I can do, or just ask a question in plain words.
common-not_available = This button is not available (anymore).
common-cancelled = Cancelled.
common-prompt_cancelled = (The open prompt was cancelled.)
common-nothing_to_cancel = Nothing to cancel.
common-waiting_for_text = I am waiting for your answer to the question above, as text. Send it, or /cancel.
common-unsupported_message = I read text and export files. Ask me a question in words (e.g. <i>revenue last month</i>), send an order export (CSV or Excel), or see /help.
common-ask_in_private = I answer questions in our private chat: @{ $bot }. Here in the group I take commands such as /kpi.

# What a teammate may type into each free-text field (crm/display.py); over it, the text is refused, not cut.
## limits

limits-note = A note can be at most { NUMBER($limit, useGrouping: 1) } characters; this one has { NUMBER($length, useGrouping: 1) }. Please send a shorter one (/cancel to stop).
limits-tag = A tag can be at most { NUMBER($limit, useGrouping: 1) } characters. Please send shorter tags (/cancel to stop).
limits-tags = At most { $limit } tags at a time, please (/cancel to stop).
limits-reminder = A reminder can be at most { NUMBER($limit, useGrouping: 1) } characters; this one has { NUMBER($length, useGrouping: 1) }. Please send a shorter one.
limits-brief = A brief can be at most { NUMBER($limit, useGrouping: 1) } characters; this one has { NUMBER($length, useGrouping: 1) }. Please send a shorter one (/cancel to stop).
limits-draft = A message can be at most { NUMBER($limit, useGrouping: 1) } characters; this one has { NUMBER($length, useGrouping: 1) }. Please send a shorter one (/cancel to stop).

## access

access-refused = Sorry, this is a private SellerMate bot for a seller team. Ask the owner for an invite link. (Your Telegram id: <code>{ $user_id }</code>)
access-refused_short = This is a private bot. Ask the owner for an invite.
access-role_needed = Only a team { $role } (or higher) can do that.
access-your_role = Your role: { $role }. /help shows what you can do.

## start

start-first_owner = Welcome, { $name }! You are the first user, so you are the <b>owner</b> of this SellerMate workspace. Let's set it up in four quick steps.
start-welcome_back = Welcome back, { $name }!

## setup

setup-language = 1/4 · Which language should I use?
setup-currency = 2/4 · Your base currency? All amounts are converted into it. Tap one or type an ISO code (e.g. EUR).
setup-currency_invalid = “{ $value }” is not a currency code. Please type three letters, e.g. SGD.
setup-timezone =
    Base currency: <b>{ $currency }</b>.
    3/4 · Your time zone? Days, weeks and months are counted in it. Tap one or type a name like Asia/Singapore.
setup-timezone_invalid = “{ $value }” is not a time zone I know. Try a name like Asia/Kuala_Lumpur.
setup-stores =
    Time zone: <b>{ $timezone }</b>.
    4/4 · Which stores do you sell on? Type their names separated by commas (e.g. shopee-my, lazada-sg, shopify), or skip.
setup-skip = Skip
setup-question_later = I can answer questions like this once your orders are in. Let's finish the set-up first, then send me your order export (CSV or Excel) and ask again.
setup-done =
    All set ✅
    Base currency: <b>{ $currency }</b>
    Time zone: <b>{ $timezone }</b>
    Stores: { $stores }

    { $orders ->
        [yes] Next: ask me about your orders in your own words (/help has examples), and invite your team with /invite.
       *[no] Next: send me your order export files (CSV or Excel) right here, and invite your team with /invite.
    }

## help

help-intro =
    Ask me anything about your customers in plain words, for example:
    • <i>revenue last month</i>
    • <i>repeat rate in Malaysia this year</i>
    • <i>top 10 customers by revenue</i>
    • <i>上个月的销售额</i>
help-your_role = As a team <b>{ $role }</b> you can:
help-ability-ask = • ask questions; shortcuts /kpi /top /segments /cohort /experiments; open a customer card with /customer; see the team with /team
help-ability-customer_notes = • tag customers and add notes (🏷 and 📝 on a customer card)
help-ability-drafts = • draft outreach messages: /draft, ✉️ on a customer card, or in words (<i>draft a win-back for Tan in Thai</i>)
help-ability-reminders = • set reminders: in words (<i>remind me tomorrow 10am to call Tan</i>) or ⏰ on a customer card; /reminders lists yours
help-ability-imports = • import orders: send an export file (CSV or Excel) here
help-ability-team = • invite agents and viewers (/invite) and remove members (/remove)
help-ability-alerts = • switch churn and KPI alerts and digests on or off: /alerts in a bound group
help-ability-bind = • send alerts to a team group: /bind there (/unbind stops them)
help-ability-roles = • invite admins and change roles (/role)
help-ability-currency = • change the base currency (/currency MYR): every amount is converted with your exchange rates
help-short-ask = questions
help-short-customer_notes = tags and notes
help-short-drafts = drafts
help-short-reminders = reminders
help-short-imports = imports
help-short-team = invites
help-short-alerts = /alerts
help-short-bind = /bind
help-short-roles = /role
help-short-currency = /currency
help-not_yours = Needs a higher role: { $items }. Ask the owner if you need them.
help-footer = Language: /language · End an open question: /cancel

## ask

ask-no_orders = There are no orders in SellerMate yet, so there is nothing to count. An admin sends the order export files (CSV or Excel) here, then ask again; /help shows what you can do.
ask-unavailable = The question engine is not installed in this build yet, so I cannot answer questions.
ask-page = { $page }/{ $pages }
ask-why = ❓ Why this number
ask-csv = ⬇️ CSV
ask-open_card = 👤 Open the card of #{ $id }
ask-why_title = <b>How this was calculated</b>
ask-expired = This answer is too old to page through. Please ask again.
ask-empty = No answer.
ask-stage_draft_welcome = ✉️ Welcome the { $n } { $stage } customers
ask-stage_draft_thank_you = 💌 Loyalty thank-you to the { $n } { $stage } customers
ask-stage_draft_winback = ↩️ Win back the { $n } { $stage } customers
ask-stage_offer_hint = 🎁 Churned customers come back more often for an offer. To add yours, send: <code>/draft segment { $stage } winback code BACK10 15% off</code> (your own code and discount).

## card

card-tag = 🏷 Tag
card-note = 📝 Add note
card-draft = ✉️ Draft outreach
card-remind = ⏰ Remind me
card-ask_search = Who? Send a name, e-mail, phone, username or order id.
card-not_found = No customer matches “{ $query }”.
card-choose = { $n } customers match; pick one:
card-orders =
    Orders: <b>{ $orders }</b> · Revenue: <b>{ $revenue }</b>
    First order: { $first } · Last order: { $last }
card-platforms = Platforms: { $platforms }
card-marketing_yes = Marketing consent: yes
card-marketing_no = Marketing consent: no
card-tags = Tags: { $tags }
card-ask_tag = Which tag? (several: separate with commas; /cancel to stop)
card-tagged = Tagged: { $tags } ✅
card-ask_note = Type the note (/cancel to stop).
card-noted = Note saved ✅

## team

team-title = <b>Your team</b>
team-inactive = (removed)
team-attempts_title = <b>Recent refused users</b>
team-help = Invite: /invite agent (or admin, viewer) · Change a role: /role USER_ID ROLE · Remove: /remove USER_ID
team-invite_usage = Usage: /invite agent — roles: admin, agent, viewer.
team-invite_created =
    Invite for a new <b>{ $role }</b> (valid 7 days, one use):
    { $link }

    Or they can send me: <code>/join { $code }</code>
team-invite_invalid = This invite is unknown, already used or expired. Ask for a new one.
team-join_usage = Usage: /join CODE (the code from your invite).
team-joined = Welcome to the team! Your role: <b>{ $role }</b>.
team-already_member = You are already in the team (role: { $role }).
team-role_usage = Usage: /role USER_ID ROLE — roles: owner, admin, agent, viewer (see ids in /team).
team-role_set = User <code>{ $user_id }</code> is now { $role }.
team-no_such_member = <code>{ $user_id }</code> is not in the team.
team-remove_usage = Usage: /remove USER_ID (see ids in /team).
team-removed = User <code>{ $user_id }</code> was removed from the team.

## groups

groups-bound = ✅ This group (“{ $title }”) now receives SellerMate alerts and digests. /unbind to stop.
groups-unbound = This group no longer receives SellerMate alerts.
groups-only_in_group = Add me to your team's group and send /bind there.

## imports

imports-too_big = This file is { $size } MB; I can import files up to { $limit } MB here. Export a shorter period (or split the file) and send the parts one by one, or ask whoever runs SellerMate to import it on the server.
imports-unknown_type = I can't import “{ $name }”: send a CSV or Excel export ({ $accepted }).
imports-unavailable = Importing is not installed in this build yet.
imports-receiving = 📥 Receiving { $name }…
imports-importing = ⏳ Importing { $name }…
imports-progress = ⏳ Importing { $name }: { $done }{ $total } rows…
imports-waiting = ⏳ Another import is running; { $name } is imported when it ends…
imports-failed =
    ❌ { $name } was not imported: { $reason }
    Nothing was changed.
imports-crashed =
    ❌ { $name } was not imported: the import stopped on an unexpected error (reference <code>{ $ref }</code> in the bot's log).
    Nothing was changed.
imports-done = ✅ Imported { $name } ({ $platform }, store { $store })
imports-counts =
    Rows: { $rows }
    Orders: { $new } new, { $updated } updated, { $unchanged } unchanged
    Customers: { $customers_new } new, { $merged } merged
imports-review_counts =
    Rows: { $rows }
    Reviews: { $added } added, { $there } already there
imports-erased_skipped = 🔒 Skipped { $n } rows of customers erased on request: they are not brought back.
imports-rejected = ⚠️ { $n } rows rejected:
imports-line = line { $line }
imports-more_rejected = … and { $n } more. Fix them in the export and send the file again: orders already imported are not counted twice.
imports-not_counted = Not counted in sales and customer metrics (only paid, shipped and completed orders are): { $orders }
imports-status-pending = pending
imports-status-cancelled = cancelled
imports-status-returned = returned
imports-fix-rates_file = This is an exchange-rates file: send it on its own and I import it as rates.
imports-fix-store_elsewhere = Send it again with the caption <code>{ $store }</code>, or with no caption.
imports-fix-unknown_layout = Send the order export as the platform gives it; other layouts need a column mapping in the settings (ask whoever runs SellerMate).
imports-missing_rates = No exchange rate yet for: { $currencies }. Send me a rates.csv (columns currency,rate; 1 unit of the currency = rate units of your base currency).
imports-reviews_anonymous = { $n ->
    [one] 1 review has
   *[other] { $n } reviews have
} no e-mail (anonymous): not kept.
imports-reviews_unknown_buyer = { $n ->
    [one] 1 review is
   *[other] { $n } reviews are
} by reviewers with no order imported: not kept (import their orders first, then this file again).
imports-reviews_spam = { $n ->
    [one] 1 review is
   *[other] { $n } reviews are
} marked spam: not kept.
imports-reviews_unlinked = { $n ->
    [one] 1 review names
   *[other] { $n } reviews name
} a product no imported order line has: kept, without a product.
imports-rates_done = ✅ Imported { $n } exchange rates from { $name } into <b>{ $base }</b> (1 unit of each currency = rate { $base }); order amounts re-priced.

## currency

currency-show =
    Base currency: <b>{ $currency }</b>. Every amount is reported in it.
    To change it: <code>/currency MYR</code> (amounts are converted with your exchange rates).
currency-usage = Usage: <code>/currency MYR</code> (a three-letter currency code).
currency-same = The base currency is already <b>{ $currency }</b>.
currency-changed = Base currency: <b>{ $new }</b> (was { $old }). { $rates } exchange rates re-expressed in { $new }, { $orders } orders converted.
currency-unpriced = { $n } orders still have no exchange rate and stay left out of amounts.
currency-no_rate = ❌ The base currency stays <b>{ $base }</b>: there is no { $currency } exchange rate, so your amounts cannot be converted into { $currency }. Send me a rates.csv first (columns currency,rate; 1 unit of currency = rate { $base }) with a line for { $currency }, e.g. <code>{ $currency },0.30</code>, then choose again.

## errors

errors-apology = Sorry, something went wrong on my side. Please try again; if it keeps happening, tell your admin the reference <code>{ $ref }</code>.

## reminders

reminders-created =
    ⏰ OK, I will remind you <b>{ $when }</b>:
    { $text }
reminders-customer_line = 👤 { $name } #{ $id }
reminders-ask_when = When should I remind you? For example: <i>tomorrow 10am</i>, <i>in 3 days</i>, <i>next Monday 9:30</i>.
reminders-ask_what = What should I remind you about? For example: <i>remind me tomorrow 10am to call Tan</i>.
reminders-past = { $when } has already passed. Please give a time in the future.
reminders-bad_time = I could not read that time ({ $detail }). Try e.g. <i>tomorrow 10am</i>.
reminders-too_far = That is too far ahead: reminders go up to five years ahead.
reminders-fired =
    ⏰ <b>Reminder</b>
    { $text }
reminders-fired_late =
    ⏰ <b>Reminder</b> (due { $when }; sent late because the bot was offline)
    { $text }
reminders-missed =
    ⚠️ <b>Missed reminder</b>: it was due { $when } while the bot was offline.
    { $text }
reminders-list_title = <b>Your reminders</b> (tap one to change it)
reminders-list_empty = No open reminders. Write e.g. <i>remind me tomorrow 10am to call Tan</i>.
reminders-list_item = { $n }. { $when } · { $text }
reminders-sent_mark = ✔ sent
reminders-detail =
    ⏰ <b>{ $when }</b>{ $status }
    { $text }
reminders-done = ✅ Done
reminders-snooze_1h = 💤 1 hour
reminders-snooze_1d = 💤 Tomorrow
reminders-snooze_1w = 💤 Next week
reminders-edit = ✏️ Edit
reminders-delete = 🗑 Delete
reminders-back = ◀ All reminders
reminders-open_customer = 👤 Customer card
reminders-marked_done = ✅ Done: { $text }
reminders-deleted = 🗑 Deleted: { $text }
reminders-snoozed = 💤 Snoozed to <b>{ $when }</b>: { $text }
reminders-ask_edit = Send the new time and/or text, e.g. <i>Friday 3pm</i> or <i>Friday 3pm call Tan instead</i>. /cancel to stop.
reminders-edited = ✏️ Updated: <b>{ $when }</b> · { $text }
reminders-not_found = This reminder no longer exists.
reminders-ask_for_customer = A reminder about <b>{ $name }</b>: when, and what? e.g. <i>tomorrow 10am follow up on the order</i>. /cancel to stop.
reminders-unavailable = Reminders are not running in this build.

## alerts

alerts-churn_title = ⚠️ <b>{ $n } important customers may be slipping away</b> (highest value at risk first)
alerts-churn_page_title = ⚠️ <b>Slipping away: { $first }–{ $last } of { $n }</b> (highest value at risk first)
alerts-churn_line = • <b>{ $name }</b> { $who } · { $segment } · { $days } days since last contact{ $p_alive } · at risk <b>{ $value }</b>/yr · spent { $spent }
alerts-p_alive = {" "}· P(alive) { $p }
alerts-churn_more = … and { $n } more: tap below.
alerts-churn_more_button = ⬇️ Show { $n } more
alerts-churn_page_gone = That list has changed since the alert: wait for the next scan or ask me: highest churn risk customers.
alerts-long_lost = 🕰 Also { $n } valuable customers long lost (no contact for over { $days } days): a win-back campaign, not a call.
alerts-stale_data = ⏳ Your newest order is from { $date }: send fresh exports.
alerts-no_orders = 📭 No orders from { $start } to { $end }: nothing to compare or chart. If you did sell then, send fresh exports.
alerts-assign = 🙋 { $name }: assign to me
alerts-assigned = 🙋 { $member } took <b>{ $name }</b> (reminder for { $when }).
alerts-assign_text = Win back { $name } (churn alert)
alerts-already_assigned = Already taken by { $member }.
alerts-kpi_title = 📉 <b>KPI alert</b> ({ $period })
alerts-kpi_period = last 90 days
alerts-kpi_below = • { $metric } is <b>{ $value }</b>, below your threshold { $threshold }
alerts-kpi_above = • { $metric } is <b>{ $value }</b>, above your threshold { $threshold }
alerts-weekly_title = 📊 <b>Weekly digest</b> · { $start } to { $end }
alerts-monthly_title = 🗓 <b>Monthly review</b> · { $month }
alerts-digest_line = • { $metric }: <b>{ $value }</b> ({ $change } vs { $previous })
# A rate's change in percentage points, e.g. +1.5
alerts-change_pts = { $points } pts
alerts-digest_chart = Revenue per day: this period against the one before
# The digest chart's series and its title with the currency of the amounts
alerts-chart_weekly_this = this week
alerts-chart_weekly_last = last week
alerts-chart_monthly_this = this month
alerts-chart_monthly_last = last month
alerts-digest_chart_title = { $title } ({ $currency })
alerts-at_risk = ⚠️ Important customers at risk of churning: { $n }
alerts-long_lost_count = 🕰 Valuable customers long lost (no contact for over { $days } days): { $n }
alerts-settings_title = <b>What this group receives</b> (tap to switch)
alerts-toggle_alerts = { $mark } Churn and KPI alerts
alerts-toggle_weekly = { $mark } Weekly digest
alerts-toggle_monthly = { $mark } Monthly review
alerts-not_bound = This group is not bound yet: an admin sends /bind here first.
alerts-only_in_group = Send /alerts in a bound team group to choose what it receives.

## draft

draft-usage =
    Usage: <code>/draft CUSTOMER [intent] [language]</code>, e.g. <code>/draft Tan winback th</code>
    A segment: <code>/draft segment important_winback winback [TH]</code>
    Or in plain words: <i>draft a win-back for Tan in Thai</i>.
    Intents: welcome, thank_you, abandoned_cart, replenishment, winback, review_request, service_recovery, festival, custom. Languages: en, zh, ms, th, id, vi.
draft-choose_intent = What kind of message?
draft-choose_customer = { $n } customers match; who is the message for?
draft-ask_brief = What should the message say? e.g. <i>tell her the blue one is back in stock</i>. /cancel to stop.
draft-ask_edit = Send your version of the message; it replaces the draft. /cancel to stop.
draft-working = Working on it…
draft-title = ✉️ <b>{ $intent }</b> for <b>{ $name }</b> · { $language } · { $source }
draft-source_llm = AI draft
draft-source_template = template
draft-refused =
    ⛔ No { $intent } message for <b>{ $name }</b>: { $reason }.
    Service messages (a review request, a service recovery note) are still possible.
draft-error = Cannot draft that: { $detail }
draft-approved_mark = ✅ Approved
draft-approved =
    ✅ Approved and logged as outreach: { $intent } for <b>{ $name }</b> · { $language }.
    The message above is ready to send: long-press it, copy, and send it on the customer's channel.
draft-follow_up = ⏰ Remind me to follow up
draft-back = ◀ Back
draft-btn_regenerate = 🔄 Regenerate
draft-btn_shorter = ✂️ Shorter
draft-btn_formal = 🎩 More formal
draft-btn_translate = 🌐 Translate
draft-btn_edit = ✏️ Edit
draft-btn_approve = ✅ Approve
draft-segment_need_intent = Which kind of message for the segment? e.g. <i>draft a win-back for all important_winback customers in Thailand</i>.
draft-segment_empty = Nobody to message in { $segment }{ $where } (left out: { $skipped }).
draft-segment_title =
    ✉️ <b>{ $intent }</b> for segment <b>{ $segment }</b>{ $where }: { $count } recipients, { $languages } language(s). Left out: { $skipped }.
    Merge fields: {"{"}first_name{"}"}, {"{"}last_item{"}"} (columns of the CSV).
draft-segment_template = <b>Template · { $language }</b>
draft-segment_csv = Recipients: { $count } (no e-mail or phone; join them in your sending tool).
draft-intent-welcome = 👋 Welcome
draft-intent-thank_you = 💝 Thank-you / VIP
draft-intent-abandoned_cart = 🛒 Abandoned cart
draft-intent-replenishment = 🔁 Replenishment
draft-intent-winback = 🔙 Win-back
draft-intent-review_request = ⭐ Review request
draft-intent-service_recovery = 🩹 Service recovery
draft-intent-festival = 🎉 Festival greeting
draft-intent-custom = 📝 Custom brief
alerts-service_title = 🩹 <b>{ $name }</b> left { $what } ({ $when })
alerts-service_rating = a low rating: <b>{ $rating }/{ $scale }</b>
alerts-service_complaint = <b>a complaint</b>
alerts-service_why = A valuable customer: { $why } · spent { $spent }
alerts-service_top_spend = top 10% by spend
alerts-service_order = order { $order }
alerts-service_open = 👤 Open { $name }
alerts-service_draft = ✍️ Draft a service-recovery message

rights-export_usage = Usage: <code>/export 12</code> (the customer's number, as their card shows it): everything held about them, as JSON and CSV files.
rights-erase_usage = Usage: <code>/erase 12</code> (the customer's number, as their card shows it).
rights-no_customer = No customer #{ $id }.
rights-exported = Everything held about customer #{ $id }: { $rows } records (JSON here, CSV below).
rights-erase_confirm = Erase customer #{ $id }? Their name, contact details, notes and messages are removed for good, also where other notes mention them; their orders stay without a person, so your figures do not change. This cannot be undone.
rights-erase_yes = 🗑 Erase for good
rights-erase_no = Keep
rights-erase_cancelled = Customer #{ $id } is kept as they were.
rights-erased = Customer { $ids } erased: names, contact details, notes and messages removed{ $mentions ->
        [0] {""}
       *[other] , and { $mentions } mentions elsewhere
    }. Orders and figures are kept.
audit-title = Audit trail, newest first ({ $n }):
audit-empty = Nothing in the audit trail yet.
audit-line = • { $at } UTC · { $who } · { $action } { $subject }
audit-actor_telegram = someone in Telegram
audit-actor_cli = command line
audit-actor_scheduler = scheduled job
audit-action_viewed = viewed
audit-action_exported = exported
audit-action_erased = erased
audit-action_changed = changed
audit-action_merged = merged
audit-action_approved = approved
audit-action_imported = imported
audit-action_ran = ran
audit-action_deleted = deleted
help-ability-data_rights = • export a customer's data (/export 12) or erase a customer on request (/erase 12)
help-short-data_rights = /export, /erase
help-ability-audit = • see who viewed, exported, changed or erased what (/audit)
help-short-audit = /audit

## Loyalty points (/points, /redeem, /adjust)
commands-points = Loyalty points of a customer (admins)
help-ability-points = • see, redeem and adjust a customer's loyalty points: /points 12, /redeem 12 200 voucher, /adjust 12 -50 goodwill correction
help-short-points = /points, /redeem
audit-action_redeemed = redeemed points of
audit-action_adjusted = adjusted points of
points-usage = Usage: <code>/points 12</code> (the customer's number, as their card shows it).
points-redeem_usage = Usage: <code>/redeem 12 200 voucher</code>: customer number, points, and why.
points-adjust_usage = Usage: <code>/adjust 12 -50 goodwill correction</code>: customer number, points (+ or −), and why.
points-no_customer = No customer #{ $id }.
points-no_reason = Say why, after the points: <code>/redeem 12 200 voucher</code>.
points-reason_too_long = The reason is too long: { $limit } characters at most.
points-bad_amount = The points must be a whole number other than 0 (and positive to redeem).
points-too_many = Refused: the balance is { NUMBER($balance, useGrouping: 1) } points, fewer than { NUMBER($asked, useGrouping: 1) }. Nothing changed.
points-redeemed = Redeemed { NUMBER($points, useGrouping: 1) } points of customer #{ $id } ✅
points-adjusted = Adjusted customer #{ $id } by { $sign }{ NUMBER($points, useGrouping: 1) } points ✅
points-balance = 🎁 <b>{ $who }</b> (#{ $id }): { NUMBER($points, useGrouping: 1) } points
points-expiring = ⏳ { NUMBER($points, useGrouping: 1) } expire on { $date }
points-due = ⌛ { NUMBER($points, useGrouping: 1) } are past their expiry day (written off by tonight's job)
points-recent = Last entries:
points-row = • { $date } · { $points } · { $reason } · { $note } · { $by }
points-reason_earn = earned
points-reason_reverse = reversed
points-reason_redeem = redeemed
points-reason_adjust = adjusted
points-reason_expire = expired
card-points = 🎁 Points: { NUMBER($points, useGrouping: 1) }{ $expiring }
card-points_expiring = {" "}· { NUMBER($points, useGrouping: 1) } expire on { $date }

## /rules: retention rules
commands-rules = Retention rules (admins)
help-ability-rules = • write, dry-run, edit, switch and delete retention rules: /rules
help-short-rules = /rules
rules-none = No retention rules yet. Write one in plain words, e.g. <code>/rules when a customer's first order is cancelled, tag them 'cancel-1st' and draft an apology</code>
rules-title = <b>Retention rules</b> (drafts always wait for your approval)
rules-counts = fired for { $customers } customers · { $drafts } drafts ({ $approved } approved) · { $ordered } ordered again within { $days } days
rules-never = not fired yet
rules-dry_button = 🔍 Dry run
rules-enable_button = ✅ Enable
rules-disable_button = ⏸ Disable
rules-not_understood = I could not read that rule. Write a trigger and an action, e.g. <code>/rules when a customer's first order is cancelled, tag them 'cancel-1st' and draft an apology</code> or <code>/rules 30 days after the last order, draft a replenishment message</code>
rules-refused = That rule cannot be saved: { $reason }
rules-parsed = New rule <b>{ $name }</b> (off): { $rule }
    { $dry }
    Press Enable to switch it on.
rules-dry = <b>{ $name }</b>: { $rule }
    { $dry }
rules-enabled = Rule <b>{ $name }</b> is on: it runs after each import and daily.
rules-disabled = Rule <b>{ $name }</b> is off; stopped { $drafts } waiting drafts, { $reminders } reminders and the later steps of { $waiting } customers.
rules-gone = That rule is no longer there.
rules-edit_button = ✏️ Edit
rules-delete_button = 🗑 Delete
rules-no_such = There is no rule called <b>{ $name }</b>. Use <code>/rules { $verb } NAME</code> with a name from <code>/rules</code>.
rules-ask_words = Write the new words for rule <b>{ $name }</b>, e.g. <i>30 days after the last order, draft a replenishment message</i>.
rules-edit_preview = Rule <b>{ $name }</b> would become: { $rule }
    { $dry }
    Press Replace to save it; it is then off until you enable it again, since what it does changed.
rules-replace_button = ✅ Replace
rules-keep_button = ✖️ Keep it
rules-edit_expired = That edit of <b>{ $name }</b> is no longer waiting; press Edit again.
rules-replaced = Rule <b>{ $name }</b> replaced: { $rule }
    It is off until you enable it again, since what it does changed; stopped { $drafts } waiting drafts, { $reminders } reminders and the later steps of { $waiting } customers.
rules-kept = Rule <b>{ $name }</b> is unchanged.
rules-ask_delete = Delete rule <b>{ $name }</b>? Its drafts waiting for approval, pending reminders and later steps stop, as when it is disabled; what it already did stays in the history.
rules-delete_yes_button = 🗑 Delete it
rules-deleted = Rule <b>{ $name }</b> deleted; stopped { $drafts } waiting drafts, { $reminders } reminders and the later steps of { $waiting } customers.
rules-refused_delete = That rule cannot be deleted: { $reason }
rules-same = That rule is there already: <b>{ $name }</b>. Edit or switch it here, or with <code>/rules edit { $name } …</code>.
rules-from_config = Rule <b>{ $name }</b> comes from config.yaml: change or remove it there.
## Outreach experiments (/experiments; docs/experiments.md)
experiments-draft_line = 🧪 Experiment <b>{ $name }</b>: this customer gets variant <b>{ $variant }</b> of { $labels }.
experiments-variant_template = <b>Template · { $language } · variant { $variant }</b>
experiments-split = 🧪 Experiment { $name }: the CSV's variant column says who gets which ({ $split }). Approve each language's templates to start it.
experiments-segment_approved = ✅ Approved: experiment <b>{ $name }</b> · { $language }, { $count } recipients ({ $split }). Send each recipient the variant in their CSV row; /experiments follows the orders.
experiments-usage = Use <code>/experiments</code> or <code>/experiments 30</code> (the days after an approval in which an order counts, 1–365).
experiments-none = No experiment yet. Draft one with two or three variants: <i>draft a win-back for all important_winback customers with 2 variants</i>, or <code>/draft Tan winback ab</code>, then approve it.
experiments-title = 🧪 <b>Experiments</b>: customers with a valid order within { $window } days of the approval (95% Wilson interval).
experiments-heading = <b>{ $name }</b> · { $intent }
experiments-variant = { $variant }: { $conversions }/{ $n } = { $rate } (95% CI { $low }–{ $high }){ $open ->
    [0] {""}
   *[other] , { $open } still in their window
}
experiments-variant_empty = { $variant }: nobody yet
experiments-winner = 🏆 Winner: { $variant } (p = { $p } against every other variant)
experiments-no_winner_ahead = No winner yet: { $variant } is ahead but p = { $p }
experiments-no_winner = No winner yet: the variants are level
experiments-more = …and { $n } older experiments (<code>sellermate experiments</code> lists them all).
