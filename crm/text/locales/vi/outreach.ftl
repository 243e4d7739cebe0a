### Outreach templates in Vietnamese (crm/outreach/templates.py): sendable with no LLM.
### Every language has the same ids (tests/test_texts.py checks it). In a body, a line starting with ~ is left
### out of the short version; { $offer } and { $points_line } may be empty (their line is then dropped);
### { $first_name } and { $item } become merge fields in a segment template.

outreach-greeting = Chào { $first_name },
outreach-greeting_anonymous = Chào bạn,
outreach-greeting_formal = Kính gửi quý khách { $first_name },
outreach-greeting_formal_anonymous = Kính gửi quý khách,
outreach-item_bought = sản phẩm bạn đã mua
outreach-item_cart = một vài sản phẩm
outreach-item_shop = những món bạn yêu thích
outreach-offer_full = Dùng mã { $coupon } để được { $discount }
outreach-offer_coupon = Dùng mã { $coupon } khi thanh toán nhé
outreach-offer_discount = Bạn được { $discount } cho đơn hàng tiếp theo
outreach-expires = , áp dụng đến { $expires }
outreach-points = Bạn đang có { $points } điểm thưởng có thể sử dụng.
# How a date is written: strftime codes, or the { $y } { $m } { $d } parts
outreach-points_expiring = Bạn đang có { $points } điểm thưởng, trong đó { $expiring } điểm sẽ hết hạn vào ngày { $date }.
outreach-date_format = %d/%m/%Y
outreach-brand = cửa hàng chúng tôi
outreach-team = Đội ngũ { $brand }
# What a merged first name becomes for a customer without a usable name
outreach-neutral_name = bạn

## Bodies, one per intent (festival_sale, custom_brief and <intent>_no_item are variants)

outreach-body-welcome =
    Chào mừng bạn đến với { $brand }! Cảm ơn bạn đã đặt đơn hàng đầu tiên, mong bạn sẽ thích { $item }.
    ~Nếu có bất kỳ câu hỏi nào, bạn chỉ cần trả lời tin nhắn này, chúng tôi luôn sẵn lòng hỗ trợ.
    { $offer }
outreach-body-thank_you =
    Cảm ơn bạn đã là một trong những khách hàng thân thiết nhất của chúng tôi. Mong bạn hài lòng với { $item }.
    { $points_line }
    { $offer }
    ~Chúng tôi rất trân trọng sự ủng hộ của bạn.
outreach-body-abandoned_cart =
    Bạn vẫn còn { $item } trong giỏ hàng. Chúng tôi đã giữ lại cho bạn, nhưng số lượng có hạn.
    { $offer }
    ~Nếu có câu hỏi trước khi thanh toán, hãy trả lời tin nhắn này nhé.
outreach-body-replenishment =
    Có lẽ đã đến lúc mua thêm { $item }. Đặt lại hôm nay để không bị hết hàng nhé.
    { $offer }
    ~Hãy trả lời tin nhắn này nếu bạn cần hỗ trợ.
outreach-body-winback =
    { $brand } nhớ bạn lắm! Đã lâu rồi bạn chưa ghé, và chúng tôi có nhiều sản phẩm mới chắc chắn bạn sẽ thích.
    { $points_line }
    { $offer }
    ~Rất mong được gặp lại bạn.
outreach-body-review_request =
    Mong bạn hài lòng với { $item }. Bạn có thể dành một phút để viết đánh giá không? Ý kiến của bạn rất hữu ích cho chúng tôi và những người mua khác.
    ~Cảm ơn bạn đã ủng hộ!
    { $offer }
outreach-body-service_recovery =
    Chúng tôi thành thật xin lỗi về sự cố với { $item }. Đó không phải là trải nghiệm chúng tôi muốn mang đến cho bạn.
    ~Hãy trả lời tin nhắn này, chúng tôi sẽ khắc phục nhanh nhất có thể.
    { $offer }
outreach-body-festival =
    Chúc bạn và gia đình một mùa { $festival } thật vui vẻ!
    ~Cảm ơn bạn đã mua sắm tại { $brand } trong năm qua.
    { $offer }
outreach-body-festival_sale =
    Khuyến mãi { $festival } của { $brand } đã bắt đầu! Đây là lúc tuyệt vời để mua { $item }.
    { $offer }
    ~Mua sớm nhé, ưu đãi tốt hết rất nhanh.
outreach-body-custom =
    { $brand } gửi lời hỏi thăm bạn. Nếu cần hỗ trợ gì, hãy cho chúng tôi biết nhé.
    { $offer }
outreach-body-welcome_no_item =
    Chào mừng bạn đến với { $brand }! Cảm ơn bạn đã quan tâm, chúng tôi rất vui được làm quen với bạn.
    ~Nếu có bất kỳ câu hỏi nào, bạn chỉ cần trả lời tin nhắn này, chúng tôi luôn sẵn lòng hỗ trợ.
    { $offer }
outreach-body-thank_you_no_item =
    Cảm ơn bạn đã là một trong những khách hàng thân thiết nhất của chúng tôi.
    { $points_line }
    { $offer }
    ~Chúng tôi rất trân trọng sự ủng hộ của bạn.
outreach-body-replenishment_no_item =
    Những món bạn yêu thích sắp hết chưa? Đây là lúc thích hợp để mua thêm, tránh bị hết hàng nhé.
    { $offer }
    ~Hãy trả lời tin nhắn này nếu bạn cần hỗ trợ.
outreach-body-winback_no_item =
    { $brand } nhớ bạn lắm! Đã lâu rồi bạn chưa ghé, và chúng tôi có nhiều sản phẩm mới chắc chắn bạn sẽ thích.
    { $points_line }
    { $offer }
    ~Rất mong được gặp lại bạn.
outreach-body-review_request_no_item =
    Bạn có thể dành một phút để chia sẻ trải nghiệm của mình với chúng tôi không? Ý kiến của bạn rất hữu ích cho chúng tôi và những người mua khác.
    ~Cảm ơn bạn đã ủng hộ!
    { $offer }
outreach-body-service_recovery_no_item =
    Chúng tôi thành thật xin lỗi về sự cố bạn gặp phải. Đó không phải là trải nghiệm chúng tôi muốn mang đến cho bạn.
    ~Hãy trả lời tin nhắn này, chúng tôi sẽ khắc phục nhanh nhất có thể.
    { $offer }
outreach-body-custom_brief =
    { $brief }
    { $offer }
