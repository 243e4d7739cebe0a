### Notes on a draft outreach message (crm/outreach/service.py), read by the seller before sending. The draft
### keeps them as message ids with arguments, so each teammate reads them in their own language. Keep the same
### ids in zh/notes.ftl (tests/test_texts.py checks it).

note-no_consent = no marketing consent on record: check the customer agreed before sending
note-welcome_has_orders = this customer has { $orders } orders already: a thank-you may fit better than a welcome
note-winback_no_order = this customer has no order yet: a welcome may fit better than a win-back
note-winback_active = this customer ordered { $days } days ago and is still active: a thank-you or a replenishment message may fit better than a win-back
note-no_order_yet = this customer has no order yet: a welcome may fit better
note-thank_you_lapsed = this customer's last order was { $days } days ago: a win-back may fit better than a thank-you
note-llm_not_used = LLM draft not used ({ $error }); template used instead
note-brief_as_written = the brief is used as written: check the wording and language before sending
note-too_long = the message is { $length } characters, over the limit of { $limit }
note-next_variant = no LLM configured: showing the next variant
note-same_template = no LLM configured: the template gives the same message

# What the checks find in a drafted or edited message
note-check_empty = the message is empty
note-check_language = the message is not in the requested language ({ $language }; looks like { $detected })
note-check_placeholders = unfilled placeholders: { $names }
note-check_coupon = the coupon code { $coupon } is missing
note-check_discounts = discounts that were not offered: { $discounts }

notes-dry_run = over the last { $days } days this rule would have fired for { $n ->
        [0] no customer
        [one] 1 customer
       *[other] { $n } customers
    }{ $n ->
        [0] {""}
       *[other] : { $customers }{ $more ->
            [0] {""}
           *[other] {" "}and { $more } more
        }
    }
