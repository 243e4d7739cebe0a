### Answers about products (crm/query/products.py): best sellers, category preference, bought together,
### replenishment cycles, return rate by product, what lapsed valuable customers bought. Same ids in zh.

products-by-units = units
products-by-revenue = revenue
products-by-buyers = buyers
products-share = share
products-return-rate = return rate
products-few = few orders (n={ $n })
products-few-note =
    {""}
    "few orders": fewer than { $min } orders or customers behind that figure, too few to rely on.
products-best = Best sellers by { $by } { $period }{ $filters } (top { $n } of { $total } products):
products-best-empty = No products sold in valid orders { $period }{ $filters }.
products-winback = What lapsed valuable customers ({ $segments }{ $filters }: { $customers } customers) bought most, by buyers, { $period } — candidates for a win-back offer (top { $n }):
products-winback-empty = The { $segments } customers{ $filters } bought no products in valid orders.
products-suggest-winback = draft a winback message for { $segment } customers featuring { $product }
products-mix = What customers{ $filters } buy most { $period }: each category's share of their line value ({ $customers } customers):
products-mix-by = Category preference by { $by } { $period }{ $filters }: each category's share of the group's line value (five largest per group):
products-mix-empty = No priced product lines in valid orders { $period }{ $filters }.
products-together = Products bought together { $period }{ $filters }: { $n } pairs in at least { $min } of { $orders } orders, highest lift first:
products-together-empty = No two products were bought together in at least { $min } of the { $orders } orders { $period }{ $filters }.
products-reorder-unknown = No product matches “{ $product }”: give its SKU or words of its name.
products-reorder-too-few = { $product }: only { $n } customers bought it in two or more orders, fewer than { $min }, so no replenishment cycle is reported.
products-reorder-one = { $product }{ $filters }: customers reorder it every { $days } days (median over { $n } customers with two or more orders); { $due } are due to reorder it this week or overdue by less than a cycle, most overdue first:
products-reorder-one-none = { $product }{ $filters }: customers reorder it every { $days } days (median over { $n } customers with two or more orders); nobody is due to reorder it this week.
products-reorder-all = Replenishment cycles{ $filters } (top { $n } of { $total } products with at least 5 repeat customers), most due this week first:
products-reorder-none = No product{ $filters } has 5 customers who bought it in two or more orders, so there are no replenishment cycles yet.
products-suggest-draft = draft a replenishment message for { $customer }
products-suggest-remind = remind me { $day } 10am to follow up the { $n } customers due to reorder { $product }
products-returns = Return rate by product { $period }{ $filters } (top { $n }, highest first):
products-returns-empty = No valid or returned orders with products { $period }{ $filters }.
products-define-best = A product is a SKU (else its normalised name); units = Σ quantity, revenue = Σ (unit price × quantity − line discount) in base currency at the order's rate, buyers = distinct customers; valid orders only; order-level shipping and discounts are not allocated. Ties: revenue, then name.
products-define-mix = Each category's share of the group's line value (products without a category stand for their own); valid orders only.
products-define-together = Support = orders with both / orders; confidence(A→B) = orders with both / orders with A; lift = confidence(A→B) / (orders with B / orders); pairs in at least min_orders orders.
products-define-reorder = Cycle = median of the whole local days between consecutive orders containing the product, over customers with two or more (at least 5 customers); due this week = the day a cycle after their last order falls within 7 days of the as-of date, less than a whole cycle ago.
products-define-returns = Returned orders containing the product / (valid + returned) orders containing it.
products-suggest-by-units = top { $n } products by units { $period }
products-suggest-by-revenue = top { $n } products by revenue { $period }
products-suggest-by-buyers = top { $n } products by buyers { $period }
products-command-usage = /products shows the best sellers of the last 30 days; the buttons rank them by revenue or buyers. Ask more in words: “products often bought together”, “who is due to reorder Hydrating Serum”.
