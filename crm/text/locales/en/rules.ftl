### Why a retention rule cannot be saved (crm/automation/rules.py, crm/automation/engine.py), in English.
### Keep the same ids in zh/rules.ftl. English is what str() of a RuleError gives (config.yaml problems, logs),
### so these reproduce the wording the checks always had; quoted values arrive quoted ('x').

rule-error-named = rule { $name }: { $reason }
rule-error-no_name = a rule needs a name
rule-error-name_too_long = the name must be one line of at most { $max } characters
rule-error-not_mapping = a rule is a mapping with trigger, if and actions
rule-error-unknown_setting = unknown setting { $setting }; use trigger, if, actions and the trigger's parameter
rule-error-unknown_trigger = unknown trigger { $trigger }; triggers: { $known }
rule-error-trigger_needs = trigger { $trigger } needs { $key }
rule-error-days_not_number = days must be a whole number, got { $value }
rule-error-days_range = days must be between 1 and 3650, got { $value }
rule-error-points_not_number = points must be a whole number, got { $value }
rule-error-points_range = points must be between 1 and { $max }, got { $value }
rule-error-unknown_festival = unknown festival { $festival }; festivals: { $known }
rule-error-unknown_segment = unknown segment { $segment }; segments: { $known }
rule-error-unknown_stage = unknown lifecycle stage { $stage }; stages: { $known }
rule-error-unknown_tag = unknown tag { $tag }; tags: { $count ->
        [0] none yet
       *[other] { $known }
    }
rule-error-days_before_trigger = days_before belongs to the festival trigger
rule-error-days_before_not_number = days_before must be a whole number, got { $value }
rule-error-days_before_range = days_before must be between 0 and { $max }, got { $value }
rule-error-if_not_text = if must be an expression in quotes, e.g. 'orders == 0'
rule-error-no_action = a rule needs at least one action: { $actions }
rule-error-wait_last = a wait needs a step after it
rule-error-action_not_mapping = an action is a mapping like {"{"}tag: vip{"}"}; actions: { $actions }
rule-error-action_kinds = each action names exactly one of { $actions }, got { $count ->
        [0] none
       *[other] { $got }
    }
rule-error-action_unknown_setting = action { $kind }: unknown setting { $setting }
rule-error-tag_name = action { $kind }: a tag name of 1 to 64 characters
rule-error-unknown_intent = unknown intent { $intent }; intents: { $known }
rule-error-unknown_language = unknown language { $language }; languages: { $known }
rule-error-remind_text = action remind needs a text of 1 to 500 characters
rule-error-remind_in_days = action remind: in_days must be a whole number
rule-error-no_member = action remind: no team member { $member }; team members: { $count ->
        [0] none yet
       *[other] { $known }
    }
rule-error-alert_text = action alert needs a text of 1 to 500 characters
rule-error-wait_not_number = wait needs a whole number of days, got { $value }
rule-error-wait_range = wait must be between 1 and { $max } days, got { $value }
rule-error-points_action_not_number = action points needs a whole number, got { $value }
rule-error-points_action_zero = action points: a whole number other than 0
rule-error-points_action_range = action points must be between -{ $max } and { $max } (not 0), got { $value }
rule-error-from_config_change = comes from config.yaml; change it there
rule-error-from_config_remove = comes from config.yaml; remove it there
rule-error-exists = rule { $name } exists already
rule-error-no_such = no rule called { $name }

## The rule's condition ("if"), also a tag rule's (crm/tags.py)
rule-error-if_unreadable = cannot read { $expression } ({ $detail })
rule-error-if_comparison = comparison { $op } is not allowed
rule-error-if_unknown_field = unknown field { $field }; fields: { $fields }
rule-error-if_list_items = lists may hold only numbers and strings
rule-error-if_not_allowed = { $node } is not allowed in { $expression }
