### 商品相关的回答（crm/query/products.py）：畅销商品、品类偏好、经常一起买、回购周期、按商品的退货率、
### 流失的高价值客户买得最多的商品。与 en 的 id 相同。

products-by-units = 销量
products-by-revenue = 销售额
products-by-buyers = 购买人数
products-share = 占比
products-return-rate = 退货率
products-few = 订单少（n={ $n }）
products-few-note =
    {""}
    “订单少”：该数字背后的订单或客户不足 { $min }，参考价值有限。
products-best = { $period }{ $filters }按{ $by }排名的畅销商品（共 { $total } 个商品中的前 { $n } 个）：
products-best-empty = { $period }{ $filters }的有效订单中没有售出商品。
products-winback = 流失的高价值客户（{ $filters }{ $segments }：{ $customers } 位）{ $period }买得最多的商品（按购买人数），可用于挽回优惠（前 { $n } 个）：
products-winback-empty = { $filters }{ $segments }在有效订单中没有购买商品。
products-suggest-winback = 给{ $segment }写一条挽回消息，推荐 { $product }
products-mix = { $period }{ $filters }客户最喜欢买什么：各品类占其商品金额的比例（{ $customers } 位客户）：
products-mix-by = { $period }{ $filters }按{ $by }的品类偏好：各品类占该组商品金额的比例（每组前五）：
products-mix-empty = { $period }{ $filters }的有效订单中没有已定价的商品行。
products-together = { $period }{ $filters }经常一起买的商品：在 { $orders } 笔订单中至少一起出现 { $min } 次的 { $n } 组，按提升度从高到低：
products-together-empty = { $period }{ $filters }的 { $orders } 笔订单中，没有两件商品一起出现至少 { $min } 次。
products-reorder-unknown = 没有找到与“{ $product }”相符的商品：请给出 SKU 或商品名称中的词。
products-reorder-too-few = { $product }：只有 { $n } 位客户在两笔以上订单中买过，少于 { $min } 位，暂不给出回购周期。
products-reorder-one = { $filters }{ $product }的回购周期为 { $days } 天（{ $n } 位买过两次以上的客户的中位数）；有 { $due } 位客户本周该回购或已逾期（不到一个周期），逾期最久的在前：
products-reorder-one-none = { $filters }{ $product }的回购周期为 { $days } 天（{ $n } 位买过两次以上的客户的中位数）；本周没有该回购的客户。
products-reorder-all = { $filters }各商品的回购周期（{ $total } 个至少有 5 位回购客户的商品中的前 { $n } 个），本周该回购人数多的在前：
products-reorder-none = { $filters }还没有商品有 5 位在两笔以上订单中购买的客户，暂无回购周期。
products-suggest-draft = 给 { $customer } 写一条补货提醒消息
products-suggest-remind = { $day } 上午10点提醒我跟进 { $n } 位该回购 { $product } 的客户
products-returns = { $period }{ $filters }按商品的退货率（前 { $n } 个，从高到低）：
products-returns-empty = { $period }{ $filters }没有含商品的有效或退货订单。
products-define-best = 商品按 SKU 区分（没有 SKU 时按规范化的商品名）；销量 = 数量之和，销售额 = (单价 × 数量 − 商品折扣) 之和，按订单汇率折算成本币；购买人数 = 不同客户数；只计有效订单；订单级运费和折扣不分摊。并列时按销售额、再按名称。
products-define-mix = 各品类占该组商品金额的比例（没有品类的商品自成一类）；只计有效订单。
products-define-together = 支持度 = 同时包含两者的订单 / 订单数；置信度(A→B) = 同时包含两者的订单 / 包含 A 的订单；提升度 = 置信度(A→B) / (包含 B 的订单 / 订单数)；只列出至少 min_orders 笔订单同时包含的组合。
products-define-reorder = 回购周期 = 买过两次以上的客户相邻两笔含该商品订单之间的整天数（当地日期）的中位数（至少 5 位客户）；本周该回购 = 上次购买后一个周期的日子落在截至日期起 7 天内，且过期不到一个周期。
products-define-returns = 含该商品的退货订单 / 含该商品的（有效 + 退货）订单。
products-suggest-by-units = { $period }销量最高的{ $n }个商品
products-suggest-by-revenue = { $period }销售额最高的{ $n }个商品
products-suggest-by-buyers = { $period }购买人数最多的{ $n }个商品
products-command-usage = /products 显示过去 30 天的畅销商品；下方按钮可按销售额或购买人数排名。也可以直接问：“哪些商品经常一起买”、“Hydrating Serum 的回购周期”。
