### Clarifying replies of the question parser (crm/query/parser.py), in English: the parser returns
### them in the question's language. Keep the same ids in zh/query.ftl (tests/test_texts.py checks it).

clarify-database_command = I only answer questions about your customers and sales; I can't run database commands.
clarify-contact_details = I don't send customers' contact details in chat. Look a customer up by name to see their profile, or export from your platform.
clarify-help = I answer questions about your sales and customers, in English or Chinese. For example:
clarify-off_topic = I'm your sales and customer assistant, so I can't help with that.
clarify-forecast = I don't forecast sales. I can report what happened, and predicted customer lifetime value.
clarify-empty = Ask me about your sales and customers, for example:
clarify-too_long = That question is too long for me; please ask one thing at a time.
clarify-not_understood = I didn't understand that question well enough to answer it. For example:
clarify-future = That period is in the future: I report on what has already happened.
clarify-same_period = The same period as which one? Name it, e.g. "revenue November 2025", or compare two periods: "revenue this year vs last year".
clarify-bad_date = I couldn't read that date; try e.g. 'September 2026' or 'Q3 2026'.
clarify-two_periods = That question names more than one period; which one do you mean?
clarify-repeat_count = I measure the share of customers who buy again (the repeat purchase rate), not a count of them. Did you mean:
clarify-exclude = I can't exclude things from a number yet; ask for one platform or country, or a breakdown by platform or country.
clarify-one_breakdown = I can break a number down one way at a time.
clarify-filter_and_breakdown = That asks for one platform and a breakdown by platform at once.
clarify-compare_kinds = I compare one number over two named periods, e.g. "revenue this year vs last year"; not breakdowns or lists. Name both periods, or ask for a monthly breakdown.
clarify-two_segments = That names more than one segment; ask about one at a time.
clarify-predicted_period = Predicted value is computed from all history up to today; I can't limit it to a period.
clarify-rank_by_what = Top customers by what: spend or number of orders?
clarify-list_size = I can list between 1 and 100 customers.
clarify-lifecycle_today = Lifecycle stages are counted as of today; ask without a period or metric.
clarify-whole_base = I don't list the whole customer base in chat. I can show top customers or counts.
clarify-unknown_word = I'm not sure what "{ $what }" means here, so I won't guess. Questions I can answer:
clarify-unknown_metric = I can't measure { $metric } from your exports. I can answer revenue, orders, customers, new customers, average order value, repeat purchase rate, churn rate, lifetime value, cancellations and returns, and from interactions.csv average rating, NPS, complaint rate and return reasons.
clarify-two_places = I answer for one { $by } at a time, or for all of them side by side.
clarify-segment_names = That can mean more than one customer segment: { $segments }. Which one? (For customers with a tag of that name, say "customers tagged vip".)
clarify-two_metrics = I answer one measure at a time: { $metrics }?
clarify-cohort_cell = Which cohort, and how many months after its first order? e.g. "month-3 retention of the June 2026 cohort".
clarify-list_condition = I list customers by one condition at a time over all platforms, most spent first, e.g. "customers who haven't ordered in 60 days" or "list the important winback customers in Thailand".
clarify-other_as_of_date = I answer as of one date at a time, so I can't take another as-of date inside the question. Ask about a period instead, e.g. "revenue June 2025" or "customers 2025".
clarify-rank_places =
    I rank customers, not { $dim ->
        [platform] platforms
       *[country] countries
    }; the breakdown by { $dim } shows every { $dim } side by side.
