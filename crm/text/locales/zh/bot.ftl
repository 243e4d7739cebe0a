### 中文 (Chinese) texts of the SellerMate bot: the same ids as en/bot.ftl.

## language

language-name = 中文
language-choose = 请选择语言：
language-set = 好的，我会用中文回答。

## roles

roles-owner = 所有者
roles-admin = 管理员
roles-agent = 客服
roles-viewer = 只读成员

## commands

commands-start = 开始或设置 SellerMate
commands-help = 我能做什么
commands-kpi = 关键指标一览
commands-top = 按收入排名的客户
commands-products = 畅销商品（过去 30 天）
commands-segments = 客户 RFM 分层
commands-cohort = 同期群留存
commands-experiments = 外联实验：哪个版本转化更好
commands-reminders = 我的提醒
commands-customer = 查找客户卡片
commands-draft = 给客户或分群起草消息
commands-team = 团队与角色
commands-invite = 邀请同事（管理员）
commands-bind = 把提醒发到本群（管理员）
commands-language = 切换语言
commands-currency = 本位币（所有者）

## common

common-slow_down = 你发消息的速度超过了我回答的速度，请稍等片刻。
common-unknown_command = 我不认识这个命令。发送 /help 查看我能做什么，或直接用自然语言提问。
common-not_available = 这个按钮（已）不可用。
common-cancelled = 已取消。
common-prompt_cancelled = （已取消等待中的输入。）
common-nothing_to_cancel = 没有需要取消的操作。
common-waiting_for_text = 我在等你用文字回答上面的问题。请直接发送，或发送 /cancel 取消。
common-unsupported_message = 我能读文字和导出文件。用文字提问（例如<i>上个月的销售额</i>），发送订单导出文件（CSV 或 Excel），或查看 /help。
common-ask_in_private = 提问请在私聊中进行：@{ $bot }。在群里我接受 /kpi 这样的命令。

## limits

limits-note = 备注最多 { NUMBER($limit, useGrouping: 1) } 个字符，这条有 { NUMBER($length, useGrouping: 1) } 个。请发送短一些的（/cancel 取消）。
limits-tag = 标签最多 { NUMBER($limit, useGrouping: 1) } 个字符。请发送短一些的标签（/cancel 取消）。
limits-tags = 一次最多 { $limit } 个标签（/cancel 取消）。
limits-reminder = 提醒内容最多 { NUMBER($limit, useGrouping: 1) } 个字符，这条有 { NUMBER($length, useGrouping: 1) } 个。请发送短一些的。
limits-brief = 消息要点最多 { NUMBER($limit, useGrouping: 1) } 个字符，这条有 { NUMBER($length, useGrouping: 1) } 个。请发送短一些的（/cancel 取消）。
limits-draft = 消息最多 { NUMBER($limit, useGrouping: 1) } 个字符，这条有 { NUMBER($length, useGrouping: 1) } 个。请发送短一些的（/cancel 取消）。

## access

access-refused = 抱歉，这是某个卖家团队的私有 SellerMate 机器人。请向所有者索取邀请链接。（你的 Telegram ID：<code>{ $user_id }</code>）
access-refused_short = 这是私有机器人，请向所有者索取邀请。
access-role_needed = 只有团队{ $role }（或更高角色）可以这样做。
access-your_role = 你的角色是{ $role }：发送 /help 查看你能做什么。

## start

start-first_owner = 欢迎，{ $name }！你是第一位用户，因此是这个 SellerMate 工作区的<b>所有者</b>。我们用四个简单步骤完成设置。
start-welcome_back = 欢迎回来，{ $name }！

## setup

setup-language = 1/4 · 我应该使用哪种语言？
setup-currency = 2/4 · 你的本位币是什么？所有金额都会换算成它。点选一个，或输入 ISO 代码（如 EUR）。
setup-currency_invalid = “{ $value }”不是货币代码，请输入三个字母，例如 SGD。
setup-timezone =
    本位币：<b>{ $currency }</b>。
    3/4 · 你的时区？日、周、月都按它计算。点选一个，或输入名称，如 Asia/Singapore。
setup-timezone_invalid = 我不认识时区“{ $value }”。请试试 Asia/Kuala_Lumpur 这样的名称。
setup-stores =
    时区：<b>{ $timezone }</b>。
    4/4 · 你在哪些店铺销售？用逗号分隔输入店铺名（如 shopee-my, lazada-sg, shopify），或跳过。
setup-skip = 跳过
setup-question_later = 导入订单后我就能回答这类问题。先完成设置，然后把订单导出文件（CSV 或 Excel）发给我，再问一次。
setup-done =
    设置完成 ✅
    本位币：<b>{ $currency }</b>
    时区：<b>{ $timezone }</b>
    店铺：{ $stores }

    { $orders ->
        [yes] 下一步：直接用自己的话问我订单的情况（/help 里有例子），并用 /invite 邀请你的团队。
       *[no] 下一步：直接把订单导出文件（CSV 或 Excel）发给我，并用 /invite 邀请你的团队。
    }

## help

help-intro =
    用自然语言问我任何关于客户的问题，例如：
    • <i>上个月的销售额</i>
    • <i>今年马来西亚的复购率</i>
    • <i>收入前10的客户</i>
    • <i>revenue last month</i>
help-your_role = 作为团队<b>{ $role }</b>，你可以：
help-ability-ask = • 提问；快捷命令 /kpi /top /segments /cohort /experiments；用 /customer 打开客户卡片；用 /team 查看团队
help-ability-customer_notes = • 给客户打标签、添加备注（客户卡片上的 🏷 和 📝）
help-ability-drafts = • 起草营销消息：/draft、客户卡片上的 ✉️，或直接说（<i>给王小明写一条感谢消息</i>）
help-ability-reminders = • 设置提醒：直接说（<i>明天上午10点提醒我联系王小姐</i>）或点客户卡片上的 ⏰；/reminders 查看你的提醒
help-ability-imports = • 导入订单：把导出文件（CSV 或 Excel）发到这里
help-ability-team = • 邀请客服和只读成员（/invite），移除成员（/remove）
help-ability-alerts = • 开关流失/KPI 提醒和周报：在已绑定的群里发送 /alerts
help-ability-bind = • 把提醒发到团队群：在群里发送 /bind（/unbind 停止）
help-ability-roles = • 邀请管理员、修改角色（/role）
help-ability-currency = • 更换本位币（/currency MYR）：所有金额按你的汇率换算
help-short-ask = 提问
help-short-customer_notes = 标签和备注
help-short-drafts = 起草消息
help-short-reminders = 提醒
help-short-imports = 导入
help-short-team = 邀请成员
help-short-alerts = /alerts
help-short-bind = /bind
help-short-roles = /role
help-short-currency = /currency
help-not_yours = 需要更高角色：{ $items }。如有需要，请联系所有者。
help-footer = 语言：/language · 结束当前提问：/cancel

## ask

ask-no_orders = SellerMate 里还没有订单，所以没有可统计的数据。请管理员把订单导出文件（CSV 或 Excel）发到这里，然后再问；/help 查看你能做什么。
ask-unavailable = 此版本尚未安装问答引擎，暂时无法回答问题。
ask-page = { $page }/{ $pages }
ask-why = ❓ 这个数字怎么来的
ask-csv = ⬇️ 导出 CSV
ask-open_card = 👤 打开客户卡片 #{ $id }
ask-why_title = <b>计算方法</b>
ask-expired = 这个回答太久了，无法翻页，请重新提问。
ask-empty = 没有答案。
ask-stage_draft_welcome = ✉️ 给{ $stage }阶段的 { $n } 位客户发欢迎消息
ask-stage_draft_thank_you = 💌 给{ $stage }阶段的 { $n } 位客户发感谢消息
ask-stage_draft_winback = ↩️ 给{ $stage }阶段的 { $n } 位客户发挽回消息
ask-stage_offer_hint = 🎁 流失客户更容易被优惠吸引回来。要加上优惠，请发送：<code>/draft segment { $stage } winback code BACK10 15% off</code>（换成您自己的优惠码和折扣）。

## card

card-tag = 🏷 打标签
card-note = 📝 添加备注
card-draft = ✉️ 起草消息
card-remind = ⏰ 提醒我
card-ask_search = 找谁？请发送姓名、邮箱、电话、用户名或订单号。
card-not_found = 没有客户匹配“{ $query }”。
card-choose = 有 { $n } 位客户匹配，请选择：
card-orders =
    订单：<b>{ $orders }</b> · 收入：<b>{ $revenue }</b>
    首单：{ $first } · 最近一单：{ $last }
card-platforms = 平台：{ $platforms }
card-marketing_yes = 营销许可：是
card-marketing_no = 营销许可：否
card-tags = 标签：{ $tags }
card-ask_tag = 打什么标签？（多个用逗号分隔；/cancel 取消）
card-tagged = 已打标签：{ $tags } ✅
card-ask_note = 请输入备注（/cancel 取消）。
card-noted = 备注已保存 ✅

## team

team-title = <b>你的团队</b>
team-inactive = （已移除）
team-attempts_title = <b>最近被拒绝的用户</b>
team-help = 邀请：/invite agent（或 admin、viewer）· 修改角色：/role 用户ID 角色 · 移除：/remove 用户ID
team-invite_usage = 用法：/invite agent —— 角色：admin、agent、viewer。
team-invite_created =
    新<b>{ $role }</b>的邀请（7 天内有效，仅限一次）：
    { $link }

    或让对方发送：<code>/join { $code }</code>
team-invite_invalid = 此邀请无效、已被使用或已过期，请索取新的邀请。
team-join_usage = 用法：/join 邀请码
team-joined = 欢迎加入团队！你的角色：<b>{ $role }</b>。
team-already_member = 你已经在团队中（角色：{ $role }）。
team-role_usage = 用法：/role 用户ID 角色 —— 角色：owner、admin、agent、viewer（ID 见 /team）。
team-role_set = 用户 <code>{ $user_id }</code> 现在是{ $role }。
team-no_such_member = <code>{ $user_id }</code> 不在团队中。
team-remove_usage = 用法：/remove 用户ID（ID 见 /team）。
team-removed = 用户 <code>{ $user_id }</code> 已从团队移除。

## groups

groups-bound = ✅ 本群（“{ $title }”）现在会收到 SellerMate 的提醒和周报。发送 /unbind 停止。
groups-unbound = 本群不再接收 SellerMate 提醒。
groups-only_in_group = 请把我加入团队群，并在群里发送 /bind。

## imports

imports-too_big = 这个文件有 { $size } MB，这里最多只能导入 { $limit } MB 的文件。请导出更短的时间段（或拆分文件）后逐个发送，或请负责运行 SellerMate 的人在服务器上导入。
imports-unknown_type = 无法导入“{ $name }”：请发送 CSV 或 Excel 导出文件（{ $accepted }）。
imports-unavailable = 此版本尚未安装导入功能。
imports-receiving = 📥 正在接收 { $name }…
imports-importing = ⏳ 正在导入 { $name }…
imports-progress = ⏳ 正在导入 { $name }：{ $done }{ $total } 行…
imports-waiting = ⏳ 另一个导入正在进行；它结束后再导入 { $name }…
imports-failed =
    ❌ { $name } 未导入：{ $reason }
    没有任何数据被修改。
imports-crashed =
    ❌ { $name } 未导入：导入因意外错误而中止（机器人日志中的编号 <code>{ $ref }</code>）。
    没有任何数据被修改。
imports-done = ✅ 已导入 { $name }（{ $platform }，店铺 { $store }）
imports-counts =
    行数：{ $rows }
    订单：新增 { $new }，更新 { $updated }，未变 { $unchanged }
    客户：新增 { $customers_new }，合并 { $merged }
imports-review_counts =
    行数：{ $rows }
    评价：新增 { $added }，已存在 { $there }
imports-erased_skipped = 🔒 已跳过 { $n } 行已应要求删除的客户数据：不会重新导入。
imports-rejected = ⚠️ { $n } 行被拒绝：
imports-line = 第 { $line } 行
imports-more_rejected = …… 还有 { $n } 行。请在导出文件中修正后把文件再发一次：已导入的订单不会重复计算。
imports-not_counted = 以下订单不计入销售和客户指标（只计已付款、已发货、已完成的订单）：{ $orders }
imports-status-pending = 待付款
imports-status-cancelled = 已取消
imports-status-returned = 已退货
imports-fix-rates_file = 这是汇率文件：请单独发送，我会把它作为汇率导入。
imports-fix-store_elsewhere = 请把文件再发一次，并附上说明文字 <code>{ $store }</code>，或不附说明文字。
imports-fix-unknown_layout = 请发送平台原样导出的订单文件；其他格式需要在设置中配置列映射（请联系负责运行 SellerMate 的人）。
imports-missing_rates = 以下货币还没有汇率：{ $currencies }。请把 rates.csv（列：currency,rate；1 单位该货币 = rate 单位本位币）发给我。
imports-reviews_anonymous = { $n } 条评价没有邮箱（匿名）：未保存。
imports-reviews_unknown_buyer = { $n } 条评价的评价人没有已导入的订单：未保存（请先导入其订单，再导入本文件）。
imports-reviews_spam = { $n } 条评价标为垃圾评价：未保存。
imports-reviews_unlinked = { $n } 条评价所指的产品不在已导入的订单明细中：已保存，但不关联产品。
imports-rates_done = ✅ 已从 { $name } 导入 { $n } 条汇率，折算成 <b>{ $base }</b>（1 单位货币 = rate { $base }）；订单金额已重新换算。

## currency

currency-show =
    本位币：<b>{ $currency }</b>，所有金额都以它报告。
    要更换：<code>/currency MYR</code>（金额会按你的汇率换算）。
currency-usage = 用法：<code>/currency MYR</code>（三个字母的货币代码）。
currency-same = 本位币已经是 <b>{ $currency }</b>。
currency-changed = 本位币：<b>{ $new }</b>（原为 { $old }）。{ $rates } 条汇率已改为以 { $new } 表示，{ $orders } 笔订单已换算。
currency-unpriced = 仍有 { $n } 笔订单没有汇率，金额中不计入。
currency-no_rate = ❌ 本位币仍为 <b>{ $base }</b>：没有 { $currency } 的汇率，无法把金额换算成 { $currency }。请先发给我一个 rates.csv（列：currency,rate；1 单位货币 = rate { $base }），其中包含 { $currency } 一行，例如 <code>{ $currency },0.30</code>，然后再选择。

## errors

errors-apology = 抱歉，我这边出了点问题。请重试；如果一直出现，请把参考编号 <code>{ $ref }</code> 告诉管理员。

## reminders

reminders-created =
    ⏰ 好的，我会在 <b>{ $when }</b> 提醒你：
    { $text }
reminders-customer_line = 👤 { $name } #{ $id }
reminders-ask_when = 什么时候提醒你？例如：<i>明天上午10点</i>、<i>3天后</i>、<i>下周一9:30</i>。
reminders-ask_what = 要提醒你做什么？例如：<i>明天上午10点提醒我给陈先生打电话</i>。
reminders-past = { $when } 已经过去了，请给一个将来的时间。
reminders-bad_time = 看不懂这个时间（{ $detail }）。试试 <i>明天上午10点</i>。
reminders-too_far = 太远了：提醒最多可以设在五年之内。
reminders-fired =
    ⏰ <b>提醒</b>
    { $text }
reminders-fired_late =
    ⏰ <b>提醒</b>（原定 { $when }；机器人当时离线，所以晚发了）
    { $text }
reminders-missed =
    ⚠️ <b>错过的提醒</b>：原定 { $when }，当时机器人离线。
    { $text }
reminders-list_title = <b>你的提醒</b>（点一个可以修改）
reminders-list_empty = 没有未完成的提醒。可以这样写：<i>明天上午10点提醒我给陈先生打电话</i>。
reminders-list_item = { $n }. { $when } · { $text }
reminders-sent_mark = ✔ 已发送
reminders-detail =
    ⏰ <b>{ $when }</b>{ $status }
    { $text }
reminders-done = ✅ 完成
reminders-snooze_1h = 💤 1小时后
reminders-snooze_1d = 💤 明天
reminders-snooze_1w = 💤 下周
reminders-edit = ✏️ 修改
reminders-delete = 🗑 删除
reminders-back = ◀ 全部提醒
reminders-open_customer = 👤 客户卡片
reminders-marked_done = ✅ 已完成：{ $text }
reminders-deleted = 🗑 已删除：{ $text }
reminders-snoozed = 💤 已推迟到 <b>{ $when }</b>：{ $text }
reminders-ask_edit = 请发送新的时间和/或内容，例如 <i>周五下午3点</i> 或 <i>周五下午3点 改为给陈先生打电话</i>。/cancel 取消。
reminders-edited = ✏️ 已更新：<b>{ $when }</b> · { $text }
reminders-not_found = 这个提醒已经不存在了。
reminders-ask_for_customer = 关于 <b>{ $name }</b> 的提醒：什么时候、做什么？例如 <i>明天上午10点 跟进订单</i>。/cancel 取消。
reminders-unavailable = 这个版本没有运行提醒功能。

## alerts

alerts-churn_title = ⚠️ <b>{ $n } 位重要客户可能正在流失</b>（按风险价值从高到低）
alerts-churn_page_title = ⚠️ <b>可能流失：第 { $first }–{ $last } 位，共 { $n } 位</b>（按风险价值从高到低）
alerts-churn_line = • <b>{ $name }</b> { $who } · { $segment } · 已 { $days } 天没有互动{ $p_alive } · 风险价值 <b>{ $value }</b>/年 · 累计消费 { $spent }
alerts-p_alive = {" "}· 存活概率 { $p }
alerts-churn_more = …… 还有 { $n } 位：点击下方按钮查看。
alerts-churn_more_button = ⬇️ 再看 { $n } 位
alerts-churn_page_gone = 预警之后名单已经变化：请等待下一次扫描，或问我：流失风险最高的客户。
alerts-long_lost = 🕰 另有 { $n } 位高价值客户已久未联系（超过 { $days } 天）：适合做召回活动，而不是逐个打电话。
alerts-stale_data = ⏳ 最新订单是 { $date } 的：请发送新的导出文件。
alerts-no_orders = 📭 { $start } 至 { $end } 没有订单：没有可对比的数据，也不画图。如果这段时间有销售，请发送新的导出文件。
alerts-assign = 🙋 { $name }：交给我
alerts-assigned = 🙋 { $member } 认领了 <b>{ $name }</b>（提醒时间 { $when }）。
alerts-assign_text = 挽回客户 { $name }（流失预警）
alerts-already_assigned = 已经由 { $member } 认领。
alerts-kpi_title = 📉 <b>指标预警</b>（{ $period }）
alerts-kpi_period = 最近90天
alerts-kpi_below = • { $metric } 为 <b>{ $value }</b>，低于你设定的阈值 { $threshold }
alerts-kpi_above = • { $metric } 为 <b>{ $value }</b>，高于你设定的阈值 { $threshold }
alerts-weekly_title = 📊 <b>每周简报</b> · { $start } 至 { $end }
alerts-monthly_title = 🗓 <b>月度回顾</b> · { $month }
alerts-digest_line = • { $metric }：<b>{ $value }</b>（较上期 { $change }，上期 { $previous }）
# A rate's change in percentage points, e.g. +1.5
alerts-change_pts = { $points }个百分点
alerts-digest_chart = 每日销售额：本期与上期对比
# The digest chart's series and its title with the currency of the amounts
alerts-chart_weekly_this = 本周
alerts-chart_weekly_last = 上周
alerts-chart_monthly_this = 本月
alerts-chart_monthly_last = 上月
alerts-digest_chart_title = { $title }（{ $currency }）
alerts-at_risk = ⚠️ 有流失风险的重要客户：{ $n } 位
alerts-long_lost_count = 🕰 已久未联系的高价值客户（超过 { $days } 天）：{ $n } 位
alerts-settings_title = <b>本群接收的内容</b>（点击切换）
alerts-toggle_alerts = { $mark } 流失和指标预警
alerts-toggle_weekly = { $mark } 每周简报
alerts-toggle_monthly = { $mark } 月度回顾
alerts-not_bound = 本群还没有绑定：请管理员先在这里发送 /bind。
alerts-only_in_group = 请在已绑定的团队群里发送 /alerts 来选择接收内容。

## draft

draft-usage =
    用法：<code>/draft 客户 [类型] [语言]</code>，例如 <code>/draft Tan winback th</code>
    客户分群：<code>/draft segment important_winback winback [TH]</code>
    也可以直接说：<i>给 Tan Wei Ling 写一条感谢消息</i>。
    类型：welcome、thank_you、abandoned_cart、replenishment、winback、review_request、service_recovery、festival、custom。语言：en、zh、ms、th、id、vi。
draft-choose_intent = 要写哪种消息？
draft-choose_customer = 有 { $n } 位客户匹配，消息是发给谁的？
draft-ask_brief = 消息要说什么？例如 <i>告诉她蓝色款到货了</i>。/cancel 取消。
draft-ask_edit = 请发送你修改后的消息，它会替换草稿。/cancel 取消。
draft-working = 正在处理…
draft-title = ✉️ 给 <b>{ $name }</b> 的<b>{ $intent }</b> · { $language } · { $source }
draft-source_llm = AI 草稿
draft-source_template = 模板
draft-refused =
    ⛔ 不能给 <b>{ $name }</b> 写{ $intent }消息：{ $reason }。
    服务类消息（邀请评价、售后补救）仍然可以写。
draft-error = 无法起草：{ $detail }
draft-approved_mark = ✅ 已批准
draft-approved =
    ✅ 已批准，并记录为一次外联：给 <b>{ $name }</b> 的{ $intent } · { $language }。
    上面那条消息可以直接发送：长按复制，在客户的渠道发给对方。
draft-follow_up = ⏰ 提醒我跟进
draft-back = ◀ 返回
draft-btn_regenerate = 🔄 重新生成
draft-btn_shorter = ✂️ 更短
draft-btn_formal = 🎩 更正式
draft-btn_translate = 🌐 翻译
draft-btn_edit = ✏️ 编辑
draft-btn_approve = ✅ 批准
draft-segment_need_intent = 要给这个分群写哪种消息？例如 <i>给所有 important_winback 客户写一条挽回消息</i>。
draft-segment_empty = { $segment }{ $where } 没有可以发送的客户（排除：{ $skipped }）。
draft-segment_title =
    ✉️ 分群 <b>{ $segment }</b>{ $where } 的<b>{ $intent }</b>：{ $count } 位收件人，{ $languages } 种语言。排除：{ $skipped }。
    合并字段：{"{"}first_name{"}"}、{"{"}last_item{"}"}（CSV 中的列）。
draft-segment_template = <b>模板 · { $language }</b>
draft-segment_csv = 收件人：{ $count } 位（不含邮箱和电话，请在你的发送工具里关联）。
draft-intent-welcome = 👋 欢迎
draft-intent-thank_you = 💝 感谢 / VIP
draft-intent-abandoned_cart = 🛒 购物车提醒
draft-intent-replenishment = 🔁 补货提醒
draft-intent-winback = 🔙 挽回
draft-intent-review_request = ⭐ 邀请评价
draft-intent-service_recovery = 🩹 售后补救
draft-intent-festival = 🎉 节日问候
draft-intent-custom = 📝 自定义
alerts-service_title = 🩹 <b>{ $name }</b> 留下了{ $what }（{ $when }）
alerts-service_rating = 低分评价：<b>{ $rating }/{ $scale }</b>
alerts-service_complaint = <b>投诉</b>
alerts-service_why = 高价值客户：{ $why } · 累计消费 { $spent }
alerts-service_top_spend = 消费额前 10%
alerts-service_order = 订单 { $order }
alerts-service_open = 👤 查看 { $name }
alerts-service_draft = ✍️ 起草售后挽回消息

rights-export_usage = 用法：<code>/export 12</code>（客户编号，见客户卡片）：导出该客户的全部数据，JSON 和 CSV 文件。
rights-erase_usage = 用法：<code>/erase 12</code>（客户编号，见客户卡片）。
rights-no_customer = 没有编号为 #{ $id } 的客户。
rights-exported = 客户 #{ $id } 的全部数据：{ $rows } 条记录（此处为 JSON，CSV 在下方）。
rights-erase_confirm = 确定删除客户 #{ $id } 的个人数据吗？其姓名、联系方式、备注和消息将被永久删除，其他备注中提到该客户的地方也会删除；订单保留但不再关联到个人，您的各项数据不会改变。此操作无法撤销。
rights-erase_yes = 🗑 永久删除
rights-erase_no = 保留
rights-erase_cancelled = 客户 #{ $id } 保持不变。
rights-erased = 客户 { $ids } 的个人数据已删除：姓名、联系方式、备注和消息均已清除{ $mentions ->
        [0] {""}
       *[other] ，另有 { $mentions } 处提及已删除
    }。订单和统计数据保留。
audit-title = 操作记录（最新在前，共 { $n } 条）：
audit-empty = 暂无操作记录。
audit-line = • { $at } UTC · { $who } · { $action } { $subject }
audit-actor_telegram = Telegram 成员
audit-actor_cli = 命令行
audit-actor_scheduler = 定时任务
audit-action_viewed = 查看
audit-action_exported = 导出
audit-action_erased = 删除
audit-action_changed = 修改
audit-action_merged = 合并
audit-action_approved = 批准
audit-action_imported = 导入
audit-action_ran = 运行
audit-action_deleted = 移除
help-ability-data_rights = • 导出客户数据（/export 12）或应客户要求删除其个人数据（/erase 12）
help-short-data_rights = /export、/erase
help-ability-audit = • 查看谁查看、导出、修改或删除了什么（/audit）
help-short-audit = /audit

## Loyalty points (/points, /redeem, /adjust)
commands-points = 客户积分（管理员）
help-ability-points = • 查看、兑换和调整客户积分：/points 12、/redeem 12 200 优惠券、/adjust 12 -50 补偿更正
help-short-points = /points、/redeem
audit-action_redeemed = 兑换了积分：
audit-action_adjusted = 调整了积分：
points-usage = 用法：<code>/points 12</code>（客户编号，见客户卡片）。
points-redeem_usage = 用法：<code>/redeem 12 200 优惠券</code>：客户编号、积分和原因。
points-adjust_usage = 用法：<code>/adjust 12 -50 补偿更正</code>：客户编号、积分（+ 或 −）和原因。
points-no_customer = 没有客户 #{ $id }。
points-no_reason = 请在积分后写明原因：<code>/redeem 12 200 优惠券</code>。
points-reason_too_long = 原因太长：最多 { $limit } 个字符。
points-bad_amount = 积分必须是非 0 的整数（兑换时为正数）。
points-too_many = 已拒绝：积分余额为 { NUMBER($balance, useGrouping: 1) }，少于 { NUMBER($asked, useGrouping: 1) }。未做任何更改。
points-redeemed = 已为客户 #{ $id } 兑换 { NUMBER($points, useGrouping: 1) } 积分 ✅
points-adjusted = 已为客户 #{ $id } 调整 { $sign }{ NUMBER($points, useGrouping: 1) } 积分 ✅
points-balance = 🎁 <b>{ $who }</b>（#{ $id }）：{ NUMBER($points, useGrouping: 1) } 积分
points-expiring = ⏳ { NUMBER($points, useGrouping: 1) } 分将于 { $date } 到期
points-due = ⌛ { NUMBER($points, useGrouping: 1) } 分已过期（今晚的任务会记入账本）
points-recent = 最近记录：
points-row = • { $date } · { $points } · { $reason } · { $note } · { $by }
points-reason_earn = 获得
points-reason_reverse = 冲回
points-reason_redeem = 兑换
points-reason_adjust = 调整
points-reason_expire = 过期
card-points = 🎁 积分：{ NUMBER($points, useGrouping: 1) }{ $expiring }
card-points_expiring = {" "}· 其中 { NUMBER($points, useGrouping: 1) } 分将于 { $date } 到期

## /rules: retention rules
commands-rules = 自动化规则（管理员）
help-ability-rules = • 编写、试运行、编辑、开关和删除自动化规则：/rules
help-short-rules = /rules
rules-none = 还没有自动化规则。用一句话写一条，例如 <code>/rules 首单取消时打标签"cancel-1st"并写道歉</code>
rules-title = <b>自动化规则</b>（草稿都会等待您批准）
rules-counts = 已触发 { $customers } 位客户 · { $drafts } 份草稿（{ $approved } 份已批准）· { $ordered } 位在 { $days } 天内再次下单
rules-never = 尚未触发
rules-dry_button = 🔍 试运行
rules-enable_button = ✅ 启用
rules-disable_button = ⏸ 停用
rules-not_understood = 我没看懂这条规则。请写出触发条件和动作，例如 <code>/rules 首单取消时打标签"cancel-1st"并写道歉</code> 或 <code>/rules 30 days after the last order, draft a replenishment message</code>
rules-refused = 无法保存该规则：{ $reason }
rules-parsed = 新规则 <b>{ $name }</b>（未启用）：{ $rule }
    { $dry }
    按“启用”开启。
rules-dry = <b>{ $name }</b>：{ $rule }
    { $dry }
rules-enabled = 规则 <b>{ $name }</b> 已启用：每次导入后和每天运行。
rules-disabled = 规则 <b>{ $name }</b> 已停用；已停止 { $drafts } 份待批草稿、{ $reminders } 条提醒，以及 { $waiting } 位客户尚未执行的后续步骤。
rules-gone = 该规则已不存在。
rules-edit_button = ✏️ 编辑
rules-delete_button = 🗑 删除
rules-no_such = 没有名为 <b>{ $name }</b> 的规则。请用 <code>/rules { $verb } 名称</code>，名称见 <code>/rules</code>。
rules-ask_words = 请写出规则 <b>{ $name }</b> 的新内容，例如 <i>30 days after the last order, draft a replenishment message</i>。
rules-edit_preview = 规则 <b>{ $name }</b> 将变为：{ $rule }
    { $dry }
    按"替换"保存；由于其行为已改变，保存后它处于停用状态，需要您重新启用。
rules-replace_button = ✅ 替换
rules-keep_button = ✖️ 保留原样
rules-edit_expired = 对 <b>{ $name }</b> 的编辑已失效，请再按一次"编辑"。
rules-replaced = 规则 <b>{ $name }</b> 已替换：{ $rule }
    由于其行为已改变，它处于停用状态，需要您重新启用；已停止 { $drafts } 份待批草稿、{ $reminders } 条提醒，以及 { $waiting } 位客户尚未执行的后续步骤。
rules-kept = 规则 <b>{ $name }</b> 未作更改。
rules-ask_delete = 删除规则 <b>{ $name }</b>？它待批准的草稿、待处理的提醒和后续步骤将像停用时一样停止；已执行的记录保留在历史中。
rules-delete_yes_button = 🗑 确认删除
rules-deleted = 规则 <b>{ $name }</b> 已删除；已停止 { $drafts } 份待批草稿、{ $reminders } 条提醒，以及 { $waiting } 位客户尚未执行的后续步骤。
rules-refused_delete = 无法删除该规则：{ $reason }
rules-same = 这条规则已存在：<b>{ $name }</b>。可在此编辑或开关，或使用 <code>/rules edit { $name } …</code>。
rules-from_config = 规则 <b>{ $name }</b> 来自 config.yaml：请在该文件中修改或删除。
## Outreach experiments (/experiments; docs/experiments.md)
experiments-draft_line = 🧪 实验 <b>{ $name }</b>：这位客户收到 { $labels } 中的 <b>{ $variant }</b> 版本。
experiments-variant_template = <b>模板 · { $language } · { $variant } 版本</b>
experiments-split = 🧪 实验 { $name }：CSV 的 variant 列标明每位收件人收到哪个版本（{ $split }）。批准每种语言的模板后实验开始。
experiments-segment_approved = ✅ 已批准：实验 <b>{ $name }</b> · { $language }，{ $count } 位收件人（{ $split }）。请按 CSV 中每行的版本发送；/experiments 会跟踪之后的订单。
experiments-usage = 用法：<code>/experiments</code> 或 <code>/experiments 30</code>（批准后多少天内的订单算转化，1–365）。
experiments-none = 还没有实验。写一条带两三个版本的消息：<i>给所有重要挽留客户写一条挽回消息，两个版本</i>，或 <code>/draft Tan winback ab</code>，然后批准。
experiments-title = 🧪 <b>实验</b>：批准后 { $window } 天内下了有效订单的客户（95% Wilson 区间）。
experiments-heading = <b>{ $name }</b> · { $intent }
experiments-variant = { $variant }：{ $conversions }/{ $n } = { $rate }（95% 区间 { $low }–{ $high }）{ $open ->
    [0] {""}
   *[other] ，{ $open } 位仍在观察期内
}
experiments-variant_empty = { $variant }：暂无客户
experiments-winner = 🏆 胜出：{ $variant }（与其他每个版本相比 p = { $p }）
experiments-no_winner_ahead = 尚无胜出版本：{ $variant } 领先，但 p = { $p }
experiments-no_winner = 尚无胜出版本：各版本持平
experiments-more = ……还有 { $n } 个更早的实验（<code>sellermate experiments</code> 会全部列出）。
