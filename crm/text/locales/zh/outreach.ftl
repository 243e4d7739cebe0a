### Outreach templates in Chinese (crm/outreach/templates.py): sendable with no LLM.
### Every language has the same ids (tests/test_texts.py checks it). In a body, a line starting with ~ is left
### out of the short version; { $offer } and { $points_line } may be empty (their line is then dropped);
### { $first_name } and { $item } become merge fields in a segment template.

outreach-greeting = { $first_name }您好！
outreach-greeting_anonymous = 亲爱的顾客，您好！
outreach-greeting_formal = 尊敬的{ $first_name }，您好！
outreach-greeting_formal_anonymous = 尊敬的顾客，您好！
outreach-item_bought = 您选购的商品
outreach-item_cart = 几件心仪的商品
outreach-item_shop = 心仪好物
outreach-offer_full = 使用优惠码 { $coupon } 可享{ $discount }优惠
outreach-offer_coupon = 结账时使用优惠码 { $coupon } 即可享受优惠
outreach-offer_discount = 下次下单即享{ $discount }优惠
outreach-expires = ，有效期至{ $expires }
outreach-points = 您目前有{ $points }积分可以使用。
# How a date is written: strftime codes, or the { $y } { $m } { $d } parts
outreach-points_expiring = 您有{ $points }积分，其中{ $expiring }分将于{ $date }到期。
outreach-date_format = { $y }年{ $m }月{ $d }日
outreach-brand = 小店
outreach-team = { $brand }团队
# What a merged first name becomes for a customer without a usable name
outreach-neutral_name = 亲爱的顾客

## Bodies, one per intent (festival_sale, custom_brief and <intent>_no_item are variants)

outreach-body-welcome =
    欢迎来到{ $brand }！感谢您的首次下单，希望您喜欢{ $item }。
    ~如有任何问题，直接回复这条消息，我们很乐意为您服务。
    { $offer }
outreach-body-thank_you =
    感谢您一直以来的支持，您是我们最珍视的顾客之一。希望您喜欢{ $item }。
    { $points_line }
    { $offer }
    ~再次感谢您的信任与支持。
outreach-body-abandoned_cart =
    您的购物车里还有{ $item }，我们已为您保留，但库存有限哦。
    { $offer }
    ~下单前有任何疑问，欢迎直接回复咨询。
outreach-body-replenishment =
    您购买的{ $item }可能快用完了，现在补货正是时候，以免断货。
    { $offer }
    ~需要帮忙下单的话，直接回复这条消息即可。
outreach-body-winback =
    好久不见，{ $brand }很想念您！我们上新了不少好物，相信您会喜欢。
    { $points_line }
    { $offer }
    ~期待您再次光临。
outreach-body-review_request =
    希望您喜欢{ $item }。能否花一分钟给我们留下评价？您的反馈对我们和其他买家都非常重要。
    ~感谢您的支持！
    { $offer }
outreach-body-service_recovery =
    关于{ $item }出现的问题，我们深表歉意，这不是我们希望带给您的体验。
    ~请直接回复这条消息，我们会尽快为您妥善处理。
    { $offer }
outreach-body-festival =
    祝您和家人{ $festival }快乐！
    ~感谢您今年一直支持{ $brand }。
    { $offer }
outreach-body-festival_sale =
    { $brand }{ $festival }大促来啦！现在正是选购{ $item }的好时机。
    { $offer }
    ~早买早享，好价不等人。
outreach-body-custom =
    { $brand }来问候您一声。如有任何需要，欢迎随时联系我们。
    { $offer }
outreach-body-welcome_no_item =
    欢迎来到{ $brand }！感谢您关注我们，很高兴认识您。
    ~如有任何问题，直接回复这条消息，我们很乐意为您服务。
    { $offer }
outreach-body-thank_you_no_item =
    感谢您一直以来的支持，您是我们最珍视的顾客之一。
    { $points_line }
    { $offer }
    ~再次感谢您的信任与支持。
outreach-body-replenishment_no_item =
    家里的心仪好物快用完了吗？现在囤货正是时候，以免断货。
    { $offer }
    ~需要帮忙的话，直接回复这条消息即可。
outreach-body-winback_no_item =
    好久不见，{ $brand }很想念您！我们上新了不少好物，相信您会喜欢。
    { $points_line }
    { $offer }
    ~期待您再次光临。
outreach-body-review_request_no_item =
    能否花一分钟给我们留下您的评价和建议？您的反馈对我们和其他买家都非常重要。
    ~感谢您的支持！
    { $offer }
outreach-body-service_recovery_no_item =
    对于您遇到的问题，我们深表歉意，这不是我们希望带给您的体验。
    ~请直接回复这条消息，我们会尽快为您妥善处理。
    { $offer }
outreach-body-custom_brief =
    { $brief }
    { $offer }
