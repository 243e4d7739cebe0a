### Outreach templates in Thai (crm/outreach/templates.py): sendable with no LLM.
### Every language has the same ids (tests/test_texts.py checks it). In a body, a line starting with ~ is left
### out of the short version; { $offer } and { $points_line } may be empty (their line is then dropped);
### { $first_name } and { $item } become merge fields in a segment template.

outreach-greeting = สวัสดีค่ะ คุณ{ $first_name }
outreach-greeting_anonymous = สวัสดีค่ะ
outreach-greeting_formal = เรียน คุณ{ $first_name }
outreach-greeting_formal_anonymous = เรียน ลูกค้าผู้มีอุปการคุณ
outreach-item_bought = สินค้าที่สั่งไป
outreach-item_cart = สินค้าบางรายการ
outreach-item_shop = สินค้าชิ้นโปรด
outreach-offer_full = ใช้โค้ด { $coupon } รับ{ $discount }
outreach-offer_coupon = ใช้โค้ด { $coupon } ตอนชำระเงินได้เลยค่ะ
outreach-offer_discount = รับ{ $discount } สำหรับคำสั่งซื้อถัดไปค่ะ
outreach-expires = {" "}ใช้ได้ถึงวันที่ { $expires }
outreach-points = คุณมีคะแนนสะสม { $points } คะแนนที่ใช้ได้ค่ะ
# How a date is written: strftime codes, or the { $y } { $m } { $d } parts
outreach-points_expiring = คุณมีคะแนนสะสม { $points } คะแนน โดย { $expiring } คะแนนจะหมดอายุวันที่ { $date } ค่ะ
outreach-date_format = %d/%m/%Y
outreach-brand = ร้านของเรา
outreach-team = ทีมงาน{ $brand }
# What a merged first name becomes for a customer without a usable name
outreach-neutral_name = ลูกค้า

## Bodies, one per intent (festival_sale, custom_brief and <intent>_no_item are variants)

outreach-body-welcome =
    ยินดีต้อนรับสู่ { $brand } ค่ะ ขอบคุณสำหรับคำสั่งซื้อแรก หวังว่าคุณจะชอบ{ $item }นะคะ
    ~หากมีคำถามใด ๆ ตอบกลับข้อความนี้ได้เลย เรายินดีช่วยเหลือค่ะ
    { $offer }
outreach-body-thank_you =
    ขอบคุณที่เป็นหนึ่งในลูกค้าคนสำคัญของเรา หวังว่าคุณจะพอใจกับ{ $item }นะคะ
    { $points_line }
    { $offer }
    ~ขอบคุณที่สนับสนุนเราเสมอมาค่ะ
outreach-body-abandoned_cart =
    คุณยังมี{ $item }อยู่ในตะกร้า เราเก็บไว้ให้แล้ว แต่สินค้ามีจำนวนจำกัดนะคะ
    { $offer }
    ~หากมีคำถามก่อนชำระเงิน ตอบกลับข้อความนี้ได้เลยค่ะ
outreach-body-replenishment =
    ถึงเวลาเติม{ $item }แล้วหรือยังคะ สั่งซื้อซ้ำวันนี้เพื่อไม่ให้ของหมดค่ะ
    { $offer }
    ~หากต้องการความช่วยเหลือ ตอบกลับข้อความนี้ได้เลยค่ะ
outreach-body-winback =
    { $brand } คิดถึงคุณนะคะ ไม่ได้เจอกันนานแล้ว ตอนนี้เรามีสินค้าใหม่มากมายที่คุณน่าจะชอบค่ะ
    { $points_line }
    { $offer }
    ~หวังว่าจะได้พบคุณอีกครั้งนะคะ
outreach-body-review_request =
    หวังว่าคุณจะชอบ{ $item }นะคะ ช่วยสละเวลาสักนิดเขียนรีวิวให้เราได้ไหมคะ ความคิดเห็นของคุณมีค่ามากสำหรับเราและผู้ซื้อคนอื่น ๆ
    ~ขอบคุณสำหรับการสนับสนุนค่ะ
    { $offer }
outreach-body-service_recovery =
    ขออภัยเป็นอย่างยิ่งสำหรับปัญหาที่เกิดขึ้นกับ{ $item } นี่ไม่ใช่ประสบการณ์ที่เราอยากให้คุณได้รับค่ะ
    ~กรุณาตอบกลับข้อความนี้ แล้วเราจะรีบแก้ไขให้เร็วที่สุดค่ะ
    { $offer }
outreach-body-festival =
    สุขสันต์{ $festival }ค่ะ ขอให้คุณและครอบครัวมีความสุขมาก ๆ
    ~ขอบคุณที่อุดหนุน { $brand } มาตลอดปีนี้ค่ะ
    { $offer }
outreach-body-festival_sale =
    โปรโมชั่น { $festival } ของ { $brand } มาแล้วค่ะ ถึงเวลาช้อป{ $item }แล้ว
    { $offer }
    ~รีบช้อปก่อน ดีลดี ๆ หมดเร็วนะคะ
outreach-body-custom =
    { $brand } แวะมาทักทายค่ะ หากมีอะไรให้ช่วย บอกเราได้เลยนะคะ
    { $offer }
outreach-body-welcome_no_item =
    ยินดีต้อนรับสู่ { $brand } ค่ะ ขอบคุณที่แวะมาทำความรู้จักกันนะคะ
    ~หากมีคำถามใด ๆ ตอบกลับข้อความนี้ได้เลย เรายินดีช่วยเหลือค่ะ
    { $offer }
outreach-body-thank_you_no_item =
    ขอบคุณที่เป็นหนึ่งในลูกค้าคนสำคัญของเรานะคะ
    { $points_line }
    { $offer }
    ~ขอบคุณที่สนับสนุนเราเสมอมาค่ะ
outreach-body-replenishment_no_item =
    สินค้าชิ้นโปรดใกล้หมดแล้วหรือยังคะ ตอนนี้เป็นเวลาที่ดีที่จะเติมของไว้ จะได้ไม่ขาดมือค่ะ
    { $offer }
    ~หากต้องการความช่วยเหลือ ตอบกลับข้อความนี้ได้เลยค่ะ
outreach-body-winback_no_item =
    { $brand } คิดถึงคุณนะคะ ไม่ได้เจอกันนานแล้ว ตอนนี้เรามีสินค้าใหม่มากมายที่คุณน่าจะชอบค่ะ
    { $points_line }
    { $offer }
    ~หวังว่าจะได้พบคุณอีกครั้งนะคะ
outreach-body-review_request_no_item =
    ช่วยสละเวลาสักนิดเล่าประสบการณ์ของคุณให้เราฟังได้ไหมคะ ความคิดเห็นของคุณมีค่ามากสำหรับเราและผู้ซื้อคนอื่น ๆ
    ~ขอบคุณสำหรับการสนับสนุนค่ะ
    { $offer }
outreach-body-service_recovery_no_item =
    ขออภัยเป็นอย่างยิ่งสำหรับปัญหาที่เกิดขึ้นค่ะ นี่ไม่ใช่ประสบการณ์ที่เราอยากให้คุณได้รับ
    ~กรุณาตอบกลับข้อความนี้ แล้วเราจะรีบแก้ไขให้เร็วที่สุดค่ะ
    { $offer }
outreach-body-custom_brief =
    { $brief }
    { $offer }
