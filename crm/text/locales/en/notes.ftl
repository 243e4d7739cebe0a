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

## Retention rules as a reader sees them (crm.automation.rules: RuleSpec.describe, Action.describe)
notes-rule_when = when { $trigger }{ $cond }: { $actions }
notes-rule_if = {" "}if { $condition }
notes-rule_and = ;{" "}
notes-rule_any_festival = any festival of the customer's country
notes-rule_trigger = { $trigger ->
        [first_order] first order
        [repeat_order] repeat order
        [order_cancelled] order cancelled
        [abandoned_cart] abandoned cart
        [tag_added] tag added { $param }
        [entered_segment] entered segment { $param }
        [entered_stage] entered stage { $param }
        [days_since_last_order] { $param } days after the last order
        [days_since_last_interaction] { $param } days pass without an order or interaction
        [points_reached] points reach { $param }
        [festival] { $before ->
            [0] it is { $param }
            [one] it is 1 day before { $param }
           *[other] it is { $before } days before { $param }
        }
       *[other] { $trigger } { $param }
    }
notes-rule_in_language = {" "}in { $language }
notes-rule_in_days = {" "}in { $days } days
notes-rule_alert_default = A customer matched this rule.
notes-rule_action = { $kind ->
        [tag] tag '{ $value }'
        [untag] untag '{ $value }'
        [draft] draft { $value }{ $lang } (for approval)
        [remind] remind { $value }{ $when }: { $text }
        [alert] alert groups: { $value }
        [points] award { $value } points
        [wait] wait { $value } days
       *[other] { $kind } { $value }
    }
note-bad_discount = the discount { $discount } is not a percentage a customer can be offered (more than 0% and less than 100%): it is written as given; change the offer before sending
