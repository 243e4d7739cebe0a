### 自动化规则无法保存的原因（crm/automation/rules.py、crm/automation/engine.py）。与 en/rules.ftl 保持相同的 id。
### 带引号的值（'x'）原样传入，便于照抄到规则中。

rule-error-named = 规则 { $name }：{ $reason }
rule-error-no_name = 规则需要一个名称
rule-error-name_too_long = 名称必须是一行，最多 { $max } 个字符
rule-error-not_mapping = 规则应包含 trigger、if 和 actions
rule-error-unknown_setting = 未知的设置 { $setting }；请使用 trigger、if、actions 和触发条件的参数
rule-error-unknown_trigger = 未知的触发条件 { $trigger }；可用的触发条件：{ $known }
rule-error-trigger_needs = 触发条件 { $trigger } 需要 { $key }
rule-error-days_not_number = days 必须是整数，收到的是 { $value }
rule-error-days_range = days 必须在 1 到 3650 之间，收到的是 { $value }
rule-error-points_not_number = points 必须是整数，收到的是 { $value }
rule-error-points_range = points 必须在 1 到 { $max } 之间，收到的是 { $value }
rule-error-unknown_festival = 未知的节日 { $festival }；可用的节日：{ $known }
rule-error-unknown_segment = 未知的客户分群 { $segment }；可用的分群：{ $known }
rule-error-unknown_stage = 未知的生命周期阶段 { $stage }；可用的阶段：{ $known }
rule-error-unknown_tag = 未知的标签 { $tag }；现有标签：{ $count ->
        [0] 暂无
       *[other] { $known }
    }
rule-error-days_before_trigger = days_before 只能用于节日触发条件（festival）
rule-error-days_before_not_number = days_before 必须是整数，收到的是 { $value }
rule-error-days_before_range = days_before 必须在 0 到 { $max } 之间，收到的是 { $value }
rule-error-if_not_text = if 必须是加引号的表达式，例如 'orders == 0'
rule-error-no_action = 规则至少需要一个动作：{ $actions }
rule-error-wait_last = 等待（wait）之后还需要一个步骤
rule-error-action_not_mapping = 动作应写成类似 {"{"}tag: vip{"}"} 的形式；可用的动作：{ $actions }
rule-error-action_kinds = 每个动作必须且只能是 { $actions } 之一，收到的是 { $count ->
        [0] 无
       *[other] { $got }
    }
rule-error-action_unknown_setting = 动作 { $kind }：未知的设置 { $setting }
rule-error-tag_name = 动作 { $kind }：标签名需为 1 到 64 个字符
rule-error-unknown_intent = 未知的消息类型 { $intent }；可用的类型：{ $known }
rule-error-unknown_language = 未知的语言 { $language }；可用的语言：{ $known }
rule-error-remind_text = 提醒（remind）动作需要 1 到 500 个字符的文字
rule-error-remind_in_days = 提醒（remind）动作：in_days 必须是整数
rule-error-no_member = 提醒（remind）动作：团队中没有成员 { $member }；团队成员：{ $count ->
        [0] 暂无
       *[other] { $known }
    }
rule-error-alert_text = 警报（alert）动作需要 1 到 500 个字符的文字
rule-error-wait_not_number = 等待（wait）的天数必须是整数，收到的是 { $value }
rule-error-wait_range = 等待（wait）必须在 1 到 { $max } 天之间，收到的是 { $value }
rule-error-points_action_not_number = 积分（points）动作需要一个整数，收到的是 { $value }
rule-error-points_action_zero = 积分（points）动作：需要一个不为 0 的整数
rule-error-points_action_range = 积分（points）动作必须在 -{ $max } 到 { $max } 之间（不能为 0），收到的是 { $value }
rule-error-from_config_change = 来自 config.yaml；请在该文件中修改
rule-error-from_config_remove = 来自 config.yaml；请在该文件中删除
rule-error-exists = 规则 { $name } 已存在
rule-error-no_such = 没有名为 { $name } 的规则

## 规则的条件（if），标签规则也用（crm/tags.py）
rule-error-if_unreadable = 无法读懂条件 { $expression }（{ $detail }）
rule-error-if_comparison = 条件中不能使用比较 { $op }
rule-error-if_unknown_field = 未知的字段 { $field }；可用的字段：{ $fields }
rule-error-if_list_items = 列表中只能有数字和文字
rule-error-if_not_allowed = 条件 { $expression } 中不能使用 { $node }
