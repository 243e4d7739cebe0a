### 问题的回答（crm/query/compiler.py），中文：与 en/answers.ftl 的 id 相同。

answer-metric = { $period }{ $filters }{ $name }：{ $value }
answer-customer_base = { $filters }客户总数：{ $value } 位（至今至少有一笔有效订单的客户）。
answer-customer_base_prospects = 另有 { $n } 条客户记录还没有有效订单。
answer-compared = { $filters }{ $name }：{ $period } { $value }，{ $other } { $other_value }{ $change }
answer-change_pct = （较{ $other }：{ $sign }{ $pct }）
answer-change_pts = （较{ $other }：{ $sign }{ $pts } 个百分点）
answer-partial_window =
    {""}
    注意：{ $period }还没结束，目前只有 { $days }，{ $other }有 { $other_days }。
answer-so_far = （截至今日）
answer-part = （部分）
answer-running_note =
    {""}
    { $period }尚未结束：统计截至 { $day }。
answer-cut_note =
    {""}
    { $period }只统计时间窗口内的部分：{ $start } 至 { $end }。
answer-unpriced =
    {""}
    ⚠️ 有 { $n } 笔订单没有 { $currencies } 汇率，未计入；请用 rates.csv（currency,rate，折算成 { $base }）补上汇率。
answer-unpriced_one =
    {""}
    ⚠️ 有 1 笔订单没有 { $currencies } 汇率，未计入；请用 rates.csv（currency,rate，折算成 { $base }）补上汇率。
answer-customer_unpriced =
    {""}
    ⚠️ { $who } 有 { $n } 笔订单（{ $currencies }）没有 { $base } 汇率，其金额未计入；请用 rates.csv（currency,rate，折算成 { $base }）补上汇率。
answer-customer_unpriced_one =
    {""}
    ⚠️ { $who } 有 1 笔订单（{ $currencies }）没有 { $base } 汇率，其金额未计入；请用 rates.csv（currency,rate，折算成 { $base }）补上汇率。
answer-cohort_month = { $month }（{ $n } 人）
answer-cohort_x = 首单后第 k 个月
answer-cohort_running = （斜线：尚未结束的本月）
answer-cohort_running_cell = * 尚未结束的本月：目前为止的数字，不是最终值
answer-cohort_y = 首单月份（客户数）
answer-no_data = { $period }{ $filters }{ $name }：没有数据（该时间段内没有有效订单）
answer-group = { $period }{ $filters }按{ $by }统计的{ $name }：
answer-group_leader = ，最高的是{ $who }（{ $value }）：
answer-group_few = ⚠️ 以下分组的{ $unit ->
    [orders] 订单
   *[customers] 客户
}太少（少于 { $min }），仅供参考：{ $groups }。
answer-top = { $period }{ $filters }{ $key }前 { $n } 名客户：
answer-top_empty = { $period }{ $filters }没有有效订单的客户。
answer-segment_count = { $filters }{ $segment }{ $as_of }：{ $value } 位
answer-as_of_day = （截至 { $day }）
answer-segments = { $filters }RFM 客户分群（截至 { $day }）：
answer-lifecycle_count = { $filters }{ $stage }客户：{ $value } 位
answer-lifecycle = { $filters }客户生命周期分布（截至 { $day }）：
answer-cohort = { $filters }按首单月份的月度留存：每个首单月份的客户在第 k 个月再次购买的比例。
answer-cohort_empty = 这些月份没有有效订单，无法计算留存。
answer-cohort_small = ⚠️ 少于 { $min } 位客户的同期群（{ $months }）样本太少，仅供参考。
answer-list = { $filters }{ $what }共 { $n } 位，按累计消费从高到低：
answer-list_cut = { $filters }{ $what }共 { $n } 位，按累计消费从高到低，列出前 { $shown } 位：
answer-list_empty = { $filters }没有{ $what }。
answer-list_inactive = 最近 { $days } 天没有有效订单的客户
answer-list_segment = { $name }
answer-list_stage = { $name }客户
answer-list_everyone = 客户
answer-cohort_cell = { $cohort } 首购客户第 { $k } 个月（{ $month }）的留存率：{ $value }（{ $n } 位客户中有 { $kept } 位再次下单）。
answer-cohort_cell_empty = { $cohort } 没有首次下单的客户，无法计算留存。
answer-cohort_cell_future = { $month } 还没开始，{ $cohort } 首购客户第 { $k } 个月的留存率还无法计算。
answer-cohort_future = 这个时间段还没到：留存从客户的首单算起，目前还没有数据。
answer-per_platform_customers = （在多个平台购买的客户在每个平台各计一次，新客户按其在该平台的首单计，所以各平台相加可能多于全店。）
answer-segments_grouped_as_of = （客户按 { $day } 时所在的分群归类；时间范围只决定计入哪些订单。）
answer-clv = { $filters }{ $key }前 { $n } 名客户（BG/NBD + Gamma-Gamma，未来 { $horizon } 天；同一天的订单算一次购买）：
answer-clv_empty = 复购数据还不够，暂时无法拟合 CLV 模型。
answer-customer_none = 没有找到匹配“{ $search }”的客户。
answer-customer_many = 有 { $n } 位客户匹配“{ $search }”，请问是哪一位？
answer-recent_orders = 最近订单：
answer-more_items = 另 { $n } 件
answer-customer_spend = { $who } 累计消费 { $spent }，共 { $orders } 笔有效订单（至今的终身价值）。
answer-customer_orders = { $who } 共有 { $orders } 笔有效订单，累计消费 { $spent }。
answer-customer_aov = { $who } 的客单价：{ $aov }（{ $orders } 笔有效订单共 { $spent }）。
answer-customer_last_order = { $who } 最近一次下单在 { $days } 天前（{ $date }），共 { $orders } 笔有效订单。
answer-customer_then_clv = 预测未来一年的 CLV：{ $clv }。
answer-customer_clv = { $who } 未来一年的预测 CLV：{ $clv }（至今已消费 { $spent }）。
answer-customer_churn_risk = { $who } 的流失风险：{ $risk }（存活概率 { $p_alive }）。
answer-customer_p_alive = { $who } 的存活概率：{ $p_alive }（流失风险 { $risk }）。
answer-customer_segment = { $who } 属于{ $segment }；生命周期：{ $stage }。
answer-customer_no_orders = { $who } 还没有有效订单，暂无法计算。
answer-customer_one_order = { $who } 只有一笔订单，模型无法估计流失风险（BG/NBD 只能从复购节奏推断）；距上次下单 { $days } 天，生命周期：{ $stage }。
answer-customer_one_day = { $who } 的 { $orders } 笔订单都在同一天，模型按一次购买计算，无法估计流失风险（BG/NBD 只能从不同日期的购买推断）；距上次下单 { $days } 天，生命周期：{ $stage }。
answer-more_than = 超过 { $n }
answer-clarify_ambiguous = 不太确定您的意思，可以换个说法吗？
answer-clarify_out_of_scope = 我只能回答关于您店铺的客户、订单和销售的问题。
answer-clarify_unsafe = 这个我不能做：我不会导出客户的联系方式，也不会通过提问修改数据。
answer-clarify_unknown = 没有理解这个问题。
answer-clarify_try = 您可以这样问：
answer-draft = 起草消息：请使用 /draft 或客户卡片。
answer-reminder = 提醒：请使用 /reminders。
answer-window = 时间窗口：{ $start } 至 { $end }（{ $tz }）。
answer-definition = 定义：{ $text }。
answer-filters_label = 筛选：{ $filters }。
answer-in_platform = { $platform }{" "}
answer-in_country = { $country }{" "}
answer-with_tag = 标签 { $tag }{" "}
answer-in_segment = { $segment }{" "}
# Sort keys of the customer lists, in the order of texts.SORT_KEYS, separated by |
answer-keys = 消费金额|订单数|客单价|预测 CLV|存活概率|流失风险|距上次下单天数
answer-expected_purchases = 预计购买次数
answer-last_order_on = 最近下单 { $day }
answer-no_valid_order = 还没有有效订单

## 客户卡片（查询单个客户）

answer-card_title = 👤 { $who }（#{ $id }，{ $country }）
answer-card_platforms = 平台：{ $platforms }
answer-card_orders = 订单 { $orders } 笔，消费 { $spent }，{ $last }
answer-card_last_order = 距上次下单 { $days } 天
answer-card_segment = 分群：{ $segment }；生命周期：{ $stage }
answer-card_one_order = 存活概率：只有一笔订单，无法估计；预测 CLV { $clv }
answer-card_one_day = 存活概率：所有订单都在同一天，无法估计；预测 CLV { $clv }
answer-card_p_alive = 存活概率 { $p }，预测 CLV { $clv }
answer-card_points = 积分 { $points }；标签：{ $tags }；营销消息：{ $consent }
answer-card_consent_yes = 同意
answer-card_consent_no = 不同意
answer-card_consent_unknown = 未记录
answer-card_identities = 买家身份：{ $identities }

# RFM 分群的计算方式
answer-rfm_explanation = RFM 截至 { $day }：R = 最近一次有效订单距今天数，F = 有效订单数，M = 订单总额（本位币）；与全体客户的平均值比较：R 低于平均为高，F、M 高于平均为高，组合成八个分群。
answer-days = { $n } 天

# “为什么是这个数”说明里列出的筛选条件
answer-filter_platform = 平台
answer-filter_country = 国家
answer-filter_tag = 标签
answer-filter_segment = 客户分群

# 没有具体说明的澄清回复；拼错的词按词汇表理解
answer-rephrase = 请换个说法。
answer-read_as = （已把{ $read }）

# 小样本（crm.analytics.samples）：比率或平均值所基于的数量；太少时标注
answer-sample = 基于 { NUMBER($n, useGrouping: 1) } { $unit ->
    [orders] 笔订单
    [buyers] 位复购客户
   *[customers] 位客户
}。
answer-sample_small = ⚠️ 仅基于 { NUMBER($n, useGrouping: 1) } { $unit ->
    [orders] 笔订单
    [buyers] 位复购客户
   *[customers] 位客户
}，样本太少，仅供参考。
answer-clv_small_base = ⚠️ 只有 { NUMBER($n, useGrouping: 1) } 位客户在不止一天下过单（模型在 { $min } 位以上才可靠）：预测终身价值和存活概率仅供参考。

# 客户旅程（crm.query.journeys）：两个日期的生命周期阶段，以及新客的二次购买
answer-journey = 按 { $d1 } 的阶段分组，客户在 { $d2 }（{ $days } 天后）所处的阶段；每一行合计 100%。
answer-journey_move = 从{ $a }到{ $b }：{ $pct }（{ $d1 } 为{ $a }的 { $n } 位客户中，有 { $moved } 位在 { $d2 } 为{ $b }）。
answer-journey_move_none = { $d1 } 没有{ $a }客户。
answer-journey_joined = 有 { $n } 位客户在 { $d1 } 还没有记录。
answer-journey_actions = 可在下方一键为 { $d2 } 各阶段的客户起草消息。
answer-journey_empty = 截至 { $d2 } 还没有客户，没有阶段变化可显示。
answer-journey_dates = 第一个日期（{ $d1 }）必须早于第二个日期（{ $d2 }）。
answer-journey_not_yet = （尚未成为客户）
answer-journey_chart = { $d1 } 各阶段的客户在 { $d2 } 的去向
answer-journey_chart_row = { $stage }（{ $n } 位）
answer-journey_chart_x = 占该行客户的比例，按 { $d2 } 的阶段
answer-journey_chart_y = { $d1 } 的阶段
answer-journey_explanation = 每位客户在某日的生命周期阶段，是以该日为截至日期套用规则（只计该日结束前的有效订单）：新客 = 首笔有效订单在 { $days } 天内，其余按距最近一笔有效订单的天数分为活跃、沉睡或流失；潜在 = 有客户记录但还没有有效订单。“（尚未成为客户）”：{ $d1 } 还没有记录。行：{ $d1 } 的阶段；比例：这些客户后来所处的阶段。
answer-second_order = { $period }的新客中，{ $never } 在首单后 { $window } 天内没有再下单；{ $counted } 位中有 { $converted } 位（{ $rate }）下了第二单。
answer-second_order_too_recent = 另有 { $n } 位新客首单距今不足 { $window } 天，太新，未计入。
answer-second_order_too_recent_all = { $period }的 { $n } 位新客首单距今都不足 { $window } 天，还看不出是否会再次下单。
answer-second_order_empty = { $period }没有客户下首单，因此没有二次购买率。
answer-second_order_definition = 首笔有效订单在该时段内的客户中，在首单后 { $window } 天（× 24 小时）内下了第二笔有效订单的比例。只计首单距截至时刻至少 { $window } 天的客户。

## Loyalty points (crm/query/points.py)
answer-customer_points = { $who } 有 { NUMBER($points, useGrouping: 1) } 积分。
answer-customer_points_expiring = 其中 { NUMBER($points, useGrouping: 1) } 分将于 { $date } 到期。
answer-points_outstanding = 客户共持有 { NUMBER($points, useGrouping: 1) } 积分（{ $customers } 位客户有余额）。
answer-points_expiring = { $start } 至 { $end } 期间，{ $customers } 位客户的 { NUMBER($points, useGrouping: 1) } 积分将到期。
answer-points_no_expiry = 本店积分不会过期：设置 workspace.loyalty_expiry_days 后积分才会到期。

answer-service_figure = { $period }{ $filters }{ $name }：{ $value }（n = { $n }）{ $small }
answer-service_complaints = { $period }{ $filters }{ $name }：{ $value }（{ $complaints } 次投诉 / { $n } 笔有效订单，n = { $n }）{ $small }
answer-service_small = {" "}⚠️ 样本太少，仅供参考（n < { $min }）
answer-service_empty = { $period }{ $filters }{ $name }：没有数据（该时间段内没有{ $what }）
answer-service_what_avg_rating = 评价
answer-service_what_nps = NPS 回答
answer-service_what_complaint_rate = 有效订单
answer-service_what_return_reasons = 退货记录
answer-service_reasons = { $period }{ $filters }退货原因（n = { $n } 次退货）{ $small }：
answer-service_no_reason = 未填写原因
answer-service_no_breakdown = { $name }不能按{ $by }拆分：服务指标可按平台、国家、产品、月、季度或年拆分，订单指标可按平台、国家、客户分群、月、季度或年拆分。
answer-service_history = 售后记录（最新在前）：
answer-service_kind_review = 评价
answer-service_kind_nps = NPS
answer-service_kind_complaint = 投诉
answer-service_kind_return = 退货
answer-service_order = 订单 { $order }

## 客户卡片上的许可记录（crm.rights.consent_lines），Telegram 与命令行卡片共用。
answer-consent_history = 许可记录（最新在前）：
answer-consent_row = • { $date } · { $purpose } · { $state } · 渠道 { $channel } · 来源 { $source }
answer-consent_granted = 同意
answer-consent_withdrawn = 撤回
answer-consent_more = …以及更早的 { $n } 条
answer-consent_purpose_marketing = 营销
answer-consent_source_erasure = 应要求删除
