### Answers to questions (crm/query/compiler.py), in English: texts.t(lang, "metric", ...) reads
### answer-metric. Keep the same ids in zh/answers.ftl (tests/test_texts.py checks it).

answer-metric = { $name } { $period }{ $filters }: { $value }
answer-customer_base = Your customer base{ $filters }: { $value } customers with at least one valid order, all time.
answer-customer_base_prospects = {" "}{ $n } more customer records have no valid order yet.
answer-compared = { $name }{ $filters }: { $period } { $value }, { $other } { $other_value }{ $change }
answer-change_pct = {" "}({ $sign }{ $pct } on { $other })
answer-change_pts = {" "}({ $sign }{ $pts } percentage points on { $other })
answer-partial_window =
    {""}
    Note: { $period } is not over yet: { $days } so far, against { $other_days } in { $other }.
answer-so_far = {" "}(so far)
answer-part = {" "}(part)
answer-running_note =
    {""}
    { $period } is still running: counted up to { $day }.
answer-cut_note =
    {""}
    { $period } counts only its part in the window, { $start } to { $end }.
answer-unpriced =
    {""}
    ⚠️ { $n } orders have no { $currencies } rate and are left out; add the rate with a rates.csv (currency,rate into { $base }).
answer-unpriced_one =
    {""}
    ⚠️ 1 order has no { $currencies } rate and is left out; add the rate with a rates.csv (currency,rate into { $base }).
answer-customer_unpriced =
    {""}
    ⚠️ { $n } of { $who }'s orders (in { $currencies }) have no { $base } rate and are left out of their amounts; add the rate with a rates.csv (currency,rate into { $base }).
answer-customer_unpriced_one =
    {""}
    ⚠️ 1 of { $who }'s orders (in { $currencies }) has no { $base } rate and is left out of their amounts; add the rate with a rates.csv (currency,rate into { $base }).
answer-cohort_month = { $month } (n={ $n })
answer-cohort_x = months after the first order
answer-cohort_running = {" "}(hatched: the month still running)
answer-cohort_running_cell = * the month still running: counted so far, not final
answer-cohort_y = first-order month (customers)
answer-no_data = { $name } { $period }{ $filters }: no data (no valid orders in that window)
answer-group = { $name } by { $by } { $period }{ $filters }:
answer-group_leader = {" "}— highest: { $who } ({ $value }):
answer-group_few = ⚠️ Too few { $unit ->
    [orders] orders
   *[customers] customers
} to rely on (under { $min }): { $groups }.
answer-top = Top { $n } customers by { $key } { $period }{ $filters }:
answer-top_empty = No customers with valid orders { $period }{ $filters }.
answer-segment_count = { $segment }{ $filters }{ $as_of }: { $value } customers
answer-as_of_day = {" "}(as of { $day })
answer-segments = Customers by RFM segment{ $filters } (as of { $day }):
answer-lifecycle_count = { $stage } customers{ $filters }: { $value }
answer-lifecycle = Customers by lifecycle stage{ $filters } (as of { $day }):
answer-cohort = Monthly cohort retention{ $filters }: share of each first-order month buying again k months later.
answer-cohort_empty = No valid orders in those months, so no cohorts.
answer-cohort_small = ⚠️ Cohorts of fewer than { $min } customers ({ $months }) are too few to rely on.
answer-list = { $what }{ $filters }: { $n }, most spent first.
answer-list_cut = { $what }{ $filters }: { $n }, most spent first; the first { $shown } are listed.
answer-list_empty = { $what }{ $filters }: none.
answer-list_inactive = with no valid order in the last { $days } days
answer-list_segment = { $name } customers
answer-list_stage = { $name } customers
answer-list_everyone = customers
answer-cohort_cell = Month-{ $k } retention of the { $cohort } cohort: { $value } ({ $kept } of the { $n } customers whose first order was in { $cohort } ordered again in { $month }).
answer-cohort_cell_empty = No customer placed a first order in { $cohort }, so that cohort has no retention.
answer-cohort_cell_future = { $month } has not started yet, so month-{ $k } retention of the { $cohort } cohort is not known.
answer-cohort_future = That period is in the future: cohorts start with customers' first orders, so far none.
answer-per_platform_customers = (A customer who bought on several platforms counts on each — for new customers, at their first order there — so the platforms can add up to more than the shop.)
answer-segments_grouped_as_of = (Each customer is in their segment as of { $day }; the period picks the orders.)
answer-clv = Top { $n } customers by { $key }{ $filters } (BG/NBD + Gamma-Gamma, next { $horizon } days; orders on the same day count as one purchase):
answer-clv_empty = Not enough repeat purchases to fit the CLV model yet.
answer-customer_none = No customer matches “{ $search }”.
answer-customer_many = { $n } customers match “{ $search }”. Which one?
answer-recent_orders = Recent orders:
answer-more_items = +{ $n } more
answer-customer_spend = { $who } has spent { $spent } over { $orders } valid { $orders ->
        [one] order
       *[other] orders
    } (their lifetime value so far).
answer-customer_orders = { $who } has { $orders } valid { $orders ->
        [one] order
       *[other] orders
    }, { $spent } in all.
answer-customer_aov = Average order value of { $who }: { $aov } ({ $spent } over { $orders } valid { $orders ->
        [one] order
       *[other] orders
    }).
answer-customer_last_order = { $who } last ordered { $days ->
        [one] 1 day
       *[other] { $days } days
    } ago, on { $date } ({ $orders } valid { $orders ->
        [one] order
       *[other] orders
    } in all).
answer-customer_then_clv = {" "}Predicted CLV for the next 12 months: { $clv }.
answer-customer_clv = Predicted CLV of { $who } for the next 12 months: { $clv } (spent so far: { $spent }).
answer-customer_churn_risk = Churn risk of { $who }: { $risk } (P(alive) { $p_alive }).
answer-customer_p_alive = P(alive) of { $who }: { $p_alive } (churn risk { $risk }).
answer-customer_segment = { $who } is in the { $segment } segment; lifecycle: { $stage }.
answer-customer_no_orders = { $who } has no valid order yet, so there is nothing to measure.
answer-customer_one_order = { $who } has one order only, so the model cannot estimate their churn risk (BG/NBD learns it from repeat purchases); last order { $days } days ago, lifecycle: { $stage }.
answer-customer_one_day = { $who } has { $orders } orders, all on one day: one purchase as the model counts them, so it cannot estimate their churn risk (BG/NBD learns it from purchases on different days); last order { $days } days ago, lifecycle: { $stage }.
answer-more_than = More than { $n }
answer-clarify_ambiguous = I'm not sure what you mean; could you say it another way?
answer-clarify_out_of_scope = I can only answer questions about your shop's customers, orders and sales.
answer-clarify_unsafe = I can't do that: I never send out customers' contact details or change your data from a question.
answer-clarify_unknown = I didn't understand that question.
answer-clarify_try = You can ask, for example:
answer-draft = Drafting: use /draft or the customer card.
answer-reminder = Reminders: use /reminders.
answer-window = Window: { $start } to { $end } ({ $tz }).
answer-definition = Definition: { $text }.
answer-filters_label = Filters: { $filters }.
answer-in_platform = {" "}on { $platform }
answer-in_country = {" "}in { $country }
answer-with_tag = {" "}tagged { $tag }
answer-in_segment = {" "}in segment { $segment }
# Sort keys of the customer lists, in the order of texts.SORT_KEYS, separated by |
answer-keys = revenue|orders|average order value|predicted CLV|P(alive)|churn risk|days since last order
answer-expected_purchases = expected purchases
answer-last_order_on = last order { $day }
answer-no_valid_order = no valid order yet

## The customer card (a look-up of one customer)

answer-card_title = 👤 { $who } (#{ $id }, { $country })
answer-card_platforms = Platforms: { $platforms }
answer-card_orders = { $orders } orders, { $spent } spent, { $last }
answer-card_last_order = last order { $days } days ago
answer-card_segment = Segment: { $segment }; lifecycle: { $stage }
answer-card_one_order = P(alive) not estimated (one order only), predicted CLV { $clv }
answer-card_one_day = P(alive) not estimated (every order on one day), predicted CLV { $clv }
answer-card_p_alive = P(alive) { $p }, predicted CLV { $clv }
answer-card_points = Points { $points }; tags: { $tags }; marketing consent: { $consent }
answer-card_consent_yes = yes
answer-card_consent_no = no
answer-card_consent_unknown = not recorded
answer-card_identities = Buyer identities: { $identities }

# How the RFM segments are made (the "why this number" of a segment answer)
answer-rfm_explanation = RFM as of { $day }: R = days since the last valid order, F = valid orders, M = total order value (base currency); each compared with its mean over all customers (R high when below the mean, F and M high when above), giving the eight segments.
# A length of time in whole days
answer-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}

# The filters a "why this number" explanation lists (Filters: platform=shopee)
answer-filter_platform = platform
answer-filter_country = country
answer-filter_tag = tag
answer-filter_segment = segment

# A clarifying reply without its own sentence; a misspelt word read as a vocabulary word (“revnue” as “revenue”)
answer-rephrase = Could you rephrase that?
answer-read_as = (Read { $read }.){" "}

# Small samples (crm.analytics.samples): the n behind a ratio or an average, and the mark when it is too few
answer-sample = Based on { NUMBER($n, useGrouping: 1) } { $unit ->
    [orders] { $n ->
        [one] order
       *[other] orders
    }
    [buyers] { $n ->
        [one] repeat buyer
       *[other] repeat buyers
    }
   *[customers] { $n ->
        [one] customer
       *[other] customers
    }
}.
answer-sample_small = ⚠️ Based on { NUMBER($n, useGrouping: 1) } { $unit ->
    [orders] { $n ->
        [one] order
       *[other] orders
    }
    [buyers] { $n ->
        [one] repeat buyer
       *[other] repeat buyers
    }
   *[customers] { $n ->
        [one] customer
       *[other] customers
    }
}: too few to rely on.
answer-clv_small_base = ⚠️ Only { NUMBER($n, useGrouping: 1) } customers have bought on more than one day (the model is reliable from { $min } on): treat predicted CLV and P(alive) as rough.

# Journeys (crm.query.journeys): lifecycle stages at two dates, and second orders of new customers
answer-journey = Where customers stood on { $d2 } by their stage on { $d1 } ({ $days } days earlier); each row adds up to 100%.
answer-journey_move = From { $a } to { $b }: { $pct } ({ $moved } of the { $n } customers who were { $a } on { $d1 } were { $b } on { $d2 }).
answer-journey_move_none = No customer was { $a } on { $d1 }.
answer-journey_joined = { $n } customers had no record yet on { $d1 }.
answer-journey_actions = Drafts for each stage as it stands on { $d2 } are one tap away below.
answer-journey_empty = No customers on { $d2 } yet, so there are no stage changes to show.
answer-journey_dates = The first date ({ $d1 }) must be before the second ({ $d2 }).
answer-journey_not_yet = (not yet a customer)
answer-journey_chart = Where each stage on { $d1 } stood on { $d2 }
answer-journey_chart_row = { $stage } (n={ $n })
answer-journey_chart_x = share of the row's customers, by stage on { $d2 }
answer-journey_chart_y = stage on { $d1 }
answer-journey_explanation = Each customer's lifecycle stage is the rule applied with that date as the as-of date (only valid orders before the end of the day count): new = first valid order within { $days } days, then active, dormant or churned by days since the last valid order; prospect = a customer record with no valid order yet. "(not yet a customer)": no record on { $d1 }. Rows: stage on { $d1 }; shares: where those customers stood later.
answer-second_order = { $never } of the new customers of { $period } never ordered again within { $window } days of their first order: { $converted } of { $counted } ({ $rate }) did.
answer-second_order_too_recent = { $n } more new customers placed their first order less than { $window } days ago and are left out as too recent.
answer-second_order_too_recent_all = All { $n } new customers of { $period } placed their first order less than { $window } days ago: too recent to tell whether they ordered again.
answer-second_order_empty = No customer placed a first order in { $period }, so there is no second-order conversion.
answer-second_order_definition = Customers whose first valid order falls in the period; the share with a second valid order within { $window } days (× 24 h) of the first. Only customers whose first order is at least { $window } days before the as-of moment count.

## Loyalty points (crm/query/points.py)
answer-customer_points = { $who } has { NUMBER($points, useGrouping: 1) } points.
answer-customer_points_expiring = {" "}{ NUMBER($points, useGrouping: 1) } of them expire on { $date }.
answer-points_outstanding = Customers hold { NUMBER($points, useGrouping: 1) } points in total ({ $customers } { $customers ->
        [one] customer
       *[other] customers
    } with a balance).
answer-points_expiring = { NUMBER($points, useGrouping: 1) } points of { $customers } { $customers ->
        [one] customer
       *[other] customers
    } expire between { $start } and { $end }.
answer-points_no_expiry = Points do not expire in this shop: set workspace.loyalty_expiry_days to make them expire.

answer-service_figure = { $name } { $period }{ $filters }: { $value } (n = { $n }){ $small }
answer-service_complaints = { $name } { $period }{ $filters }: { $value } ({ $complaints } { $complaints ->
        [one] complaint
       *[other] complaints
    } / { $n } valid { $n ->
        [one] order
       *[other] orders
    }, n = { $n }){ $small }
answer-service_small = {" "}⚠️ too few to rely on (n < { $min })
answer-service_empty = { $name } { $period }{ $filters }: no data (no { $what } in that window)
answer-service_what_avg_rating = reviews
answer-service_what_nps = NPS answers
answer-service_what_complaint_rate = valid orders
answer-service_what_return_reasons = returns
answer-service_reasons = Return reasons { $period }{ $filters } (n = { $n } returns){ $small }:
answer-service_no_reason = no reason given
answer-service_no_breakdown = { $name } cannot be broken down by { $by }: service figures go by platform, country, product, month, quarter or year, and order figures by platform, country, segment, month, quarter or year.
answer-service_history = Service history (latest first):
answer-service_kind_review = review
answer-service_kind_nps = NPS
answer-service_kind_complaint = complaint
answer-service_kind_return = return
answer-service_order = order { $order }

## A customer card's consent history (crm.rights.consent_lines), on the Telegram and the command-line card.
answer-consent_history = Consent history (newest first):
answer-consent_row = • { $date } · { $purpose } · { $state } · channel { $channel } · source { $source }
answer-consent_granted = granted
answer-consent_withdrawn = withdrawn
answer-consent_more = …and { $n } earlier
answer-consent_purpose_marketing = marketing
answer-consent_source_erasure = erasure on request
