### 草稿消息的提示（crm/outreach/service.py），发送前给卖家看：与 en/notes.ftl 的 id 相同。

note-no_consent = 没有营销同意记录：发送前请确认客户已同意接收
note-welcome_has_orders = 这位客户已有 { $orders } 笔订单：感谢消息可能比欢迎消息更合适
note-winback_no_order = 这位客户还没有订单：欢迎消息可能比挽回消息更合适
note-winback_active = 这位客户 { $days } 天前下过单，仍然活跃：感谢或补货提醒可能比挽回消息更合适
note-no_order_yet = 这位客户还没有订单：欢迎消息可能更合适
note-thank_you_lapsed = 这位客户上次下单是 { $days } 天前：挽回消息可能比感谢消息更合适
note-llm_not_used = 未使用 AI 草稿（{ $error }），改用模板
note-brief_as_written = 要点按原文使用：发送前请检查措辞和语言
note-too_long = 消息有 { $length } 个字符，超过了 { $limit } 的上限
note-next_variant = 未配置 AI：显示下一个版本
note-same_template = 未配置 AI：模板生成的消息相同

# 对草稿或修改后消息的检查结果
note-check_empty = 消息是空的
note-check_language = 消息不是要求的语言（{ $language }；看起来是 { $detected }）
note-check_placeholders = 还有未填写的占位符：{ $names }
note-check_coupon = 缺少优惠码 { $coupon }
note-check_discounts = 提到了未提供的折扣：{ $discounts }

notes-dry_run = 过去 { $days } 天内，这条规则会对 { $n } 位客户触发{ $n ->
        [0] {""}
       *[other] ：{ $customers }{ $more ->
            [0] {""}
           *[other] 等（另有 { $more } 位）
        }
    }

## Retention rules as a reader sees them (crm.automation.rules: RuleSpec.describe, Action.describe)
notes-rule_when = 当{ $trigger }{ $cond }时：{ $actions }
notes-rule_if = （条件：{ $condition }）
notes-rule_and = ；
notes-rule_any_festival = 客户所在国家的任一节日
notes-rule_trigger = { $trigger ->
        [first_order] 首单
        [repeat_order] 复购下单
        [order_cancelled] 订单取消或退货
        [abandoned_cart] 弃购
        [tag_added] 被打上标签 { $param }
        [entered_segment] 进入分群 { $param }
        [entered_stage] 进入生命周期阶段 { $param }
        [days_since_last_order] 最后一次下单后 { $param } 天
        [days_since_last_interaction] { $param } 天没有下单或互动
        [points_reached] 积分达到 { $param }
        [festival] { $before ->
            [0] { $param }当天
           *[other] { $param }前 { $before } 天
        }
       *[other] { $trigger } { $param }
    }
notes-rule_in_language = （{ $language }）
notes-rule_in_days = （{ $days } 天后）
notes-rule_alert_default = 有客户符合这条规则。
notes-rule_action = { $kind ->
        [tag] 打标签“{ $value }”
        [untag] 移除标签“{ $value }”
        [draft] 写 { $value } 草稿{ $lang }（待批准）
        [remind] 提醒 { $value }{ $when }：{ $text }
        [alert] 通知群组：{ $value }
        [points] 赠送 { $value } 积分
        [wait] 等待 { $value } 天
       *[other] { $kind } { $value }
    }
note-bad_discount = 折扣 { $discount } 不是可以提供给客户的百分比（应大于 0% 且小于 100%）：已按原样写入；发送前请修改优惠
