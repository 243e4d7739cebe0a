### 问题解析器的澄清回复（crm/query/parser.py），中文：与 en/query.ftl 的 id 相同。

clarify-database_command = 我只回答关于客户和销售的问题，不能执行数据库命令。
clarify-contact_details = 我不会在聊天中发送客户的联系方式。可以按姓名查询单个客户的资料，或从平台后台导出。
clarify-help = 我可以用中文或英文回答关于销售和客户的问题，例如：
clarify-off_topic = 我是你的销售和客户助手，这个我帮不上忙。
clarify-forecast = 我不做销售预测。我可以报告历史数据，以及客户的预测终身价值。
clarify-empty = 可以问我关于销售和客户的问题，例如：
clarify-too_long = 问题太长了，请一次只问一件事。
clarify-not_understood = 这个问题我没能完全理解，为避免答错，请换个说法。例如：
clarify-future = 这个时间段还没到：我只统计已经发生的数据。
clarify-same_period = 请写明具体时间段，例如“2025年11月的销售额”，或对比两个时间段：“今年和去年的销售额对比”。
clarify-bad_date = 无法识别这个日期，请写成例如“2026年9月”或“2026年第三季度”。
clarify-two_periods = 问题中有多个时间段，请问是哪一个？
clarify-repeat_count = 我统计的是再次购买的客户占比（复购率），不是人数。您是想问：
clarify-exclude = 暂时不支持“排除”某一部分;可以只问一个平台或国家，或按平台/国家分组。
clarify-one_breakdown = 一次只能按一个维度分组。
clarify-filter_and_breakdown = 问题里同时指定了一个平台/国家又要求按它分组。
clarify-compare_kinds = 我可以对比一个指标在两个明确时间段的数值，例如“今年和去年的销售额对比”，暂不支持分组或名单的对比。请写明两个时间段，或按月分组查看。
clarify-two_segments = 问题中有多个分群，请一次问一个。
clarify-predicted_period = 预测值基于截至今天的全部历史数据计算，不能限定时间段。
clarify-rank_by_what = 按什么排名：消费金额还是订单数？
clarify-list_size = 我可以列出1到100个客户。
clarify-lifecycle_today = 生命周期阶段按今天统计;请不带时间段或指标提问。
clarify-whole_base = 我不会在聊天中列出全部客户。可以查看消费最多的客户或客户数量。
clarify-unknown_word = 我不确定“{ $what }”在这里指什么，为避免答错，请换个说法。我能回答的问题例如：
clarify-unknown_metric = 我无法从导入的数据中统计“{ $metric }”。我能回答：销售额、订单数、下单客户数、新客户数、客单价、复购率、流失率、客户终身价值、取消和退货，以及（来自 interactions.csv）平均评分、净推荐值、投诉率和退货原因。
clarify-two_places = 我一次回答一个平台或国家，或者按平台/国家分组对比。
clarify-segment_names = 这可能指多个客户分群：{ $segments }。请问是哪一个？（如果指带有该名称标签的客户，请说“带有vip标签的客户”。）
clarify-two_metrics = 我一次回答一个指标：{ $metrics }?
clarify-cohort_cell = 请写明哪个月的首购客户、首单后第几个月，例如“2026年6月首购客户的次月留存率”。
clarify-list_condition = 我按一个条件列出客户（全部平台），按累计消费排序，例如“60天没下单的客户”或“列出泰国的重要挽留客户”。
clarify-other_as_of_date = 我一次只按一个截止日期回答，不能在问题里另设截止日期。请改问一个时间段，例如“2025年6月的销售额”或“2025年的客户数”。
clarify-rank_places =
    我只对客户排名，不对{ $dim ->
        [platform] 平台
       *[country] 国家
    }排名；可以按{ $dim ->
        [platform] 平台
       *[country] 国家
    }分组查看。
