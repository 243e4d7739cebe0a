### 命令行的文本（bot/cli_ask.py），中文：与 en/cli.ftl 的 id 相同。

cli-reminder = 提醒功能在 Telegram 机器人里，命令行不支持：先运行 `sellermate run` 启动机器人，然后把提醒发给机器人（例如“{ $text }”），或在机器人里使用 /reminders。
cli-draft_needs_customer = 请说明写给哪位客户，例如“给 Tan Wei Ling 写一条泰语挽回消息”（或使用 `sellermate draft 客户 --intent winback --lang th`）。
cli-segment_csv = 收件人名单（姓名、名字、语言、最近购买、积分）可导出为 CSV 用于合并发送：`{ $command }`
cli-empty_db = 提示：这个数据库还没有订单；用 `sellermate import 文件` 导入平台导出的订单，或用 `sellermate demo-data` 载入示例数据；要读取另一个数据库，请加上 --db URL（或设置 SELLERMATE_DATABASE_URL）。
cli-no_database = 提示：{ $path } 没有数据库（也没有在那里新建）；用 `sellermate import 文件` 导入平台导出的订单，或用 `sellermate demo-data` 载入示例数据；要读取已有的数据库，请加上 --db URL（或设置 SELLERMATE_DATABASE_URL）。
cli-demo_db = 示例数据库在 { $url }：sellermate ask --db "{ $url }" "…"
cli-more_rows = ……还有 { NUMBER($n, useGrouping: 1) } 行（只显示前 { $shown } 行）；加上 --json 可得到全部。
cli-as_of_hint =
    {""}
    在命令行中可以用 --as-of YYYY-MM-DD 设定截止日期。
cli-points_no_reason = 请写明原因，放在积分之后或用 --reason：{ $example }
cli-points_reason_twice = 原因只写一次：放在积分之后（“{ $said }”）或用 --reason（“{ $option }”），不要两处都写。
