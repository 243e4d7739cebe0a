### Outreach templates in English (crm/outreach/templates.py): sendable with no LLM.
### Every language has the same ids (tests/test_texts.py checks it). In a body, a line starting with ~ is left
### out of the short version; { $offer } and { $points_line } may be empty (their line is then dropped);
### { $first_name } and { $item } become merge fields in a segment template.

outreach-greeting = Hi { $first_name },
outreach-greeting_anonymous = Hi there,
outreach-greeting_formal = Dear { $first_name },
outreach-greeting_formal_anonymous = Dear valued customer,
outreach-item_bought = your recent order
outreach-item_cart = a few items
outreach-item_shop = your favourites
outreach-offer_full = Use code { $coupon } for { $discount }
outreach-offer_coupon = Use code { $coupon } at checkout
outreach-offer_discount = Enjoy { $discount } on your next order
outreach-expires = , valid until { $expires }
outreach-points = You have { $points } reward points waiting to be used.
# How a date is written: strftime codes, or the { $y } { $m } { $d } parts
outreach-points_expiring = You have { $points } reward points; { $expiring } of them expire on { $date }.
outreach-date_format = %d %b %Y
outreach-brand = our shop
outreach-team = The team
# What a merged first name becomes for a customer without a usable name
outreach-neutral_name = there

## Bodies, one per intent (festival_sale, custom_brief and <intent>_no_item are variants)

outreach-body-welcome =
    Welcome to { $brand }! Thank you for your first order, we hope you love { $item }.
    ~If you have any questions, just reply to this message and we will be happy to help.
    { $offer }
outreach-body-thank_you =
    Thank you for being one of our most valued customers. We hope you are enjoying { $item }.
    { $points_line }
    { $offer }
    ~We truly appreciate your support.
outreach-body-abandoned_cart =
    You left { $item } in your cart. We have saved it for you, but stock is limited.
    { $offer }
    ~Just reply here if you have any questions before you check out.
outreach-body-replenishment =
    It may be time to restock { $item }. Reorder today so you never run out.
    { $offer }
    ~Reply to this message if you would like any help with your order.
outreach-body-winback =
    We miss you at { $brand }! It has been a while since your last order, and we have new arrivals we think you will like.
    { $points_line }
    { $offer }
    ~We would love to see you again.
outreach-body-review_request =
    We hope you are enjoying { $item }. Could you spare a minute to leave a review? Your feedback helps us and other shoppers a lot.
    ~Thank you for your support!
    { $offer }
outreach-body-service_recovery =
    We are sorry about the problem with { $item }. That is not the experience we want for you.
    ~Please reply to this message and we will make it right as quickly as we can.
    { $offer }
outreach-body-festival =
    Wishing you and your family a happy { $festival }!
    ~Thank you for shopping with us this year.
    { $offer }
outreach-body-festival_sale =
    Our { $festival } sale is here! It is the best time to stock up on { $item }.
    { $offer }
    ~Shop early, the best deals go fast.
outreach-body-custom =
    Just checking in from { $brand }. Let us know if there is anything we can help you with.
    { $offer }
outreach-body-welcome_no_item =
    Welcome to { $brand }! Thank you for choosing us, we are glad to have you with us.
    ~If you have any questions, just reply to this message and we will be happy to help.
    { $offer }
outreach-body-thank_you_no_item =
    Thank you for being one of our most valued customers.
    { $points_line }
    { $offer }
    ~We truly appreciate your support.
outreach-body-replenishment_no_item =
    Running low on your favourites? Now is a good time to stock up so you never run out.
    { $offer }
    ~Reply to this message if you would like any help.
outreach-body-winback_no_item =
    We miss you at { $brand }! It has been a while, and we have new arrivals we think you will like.
    { $points_line }
    { $offer }
    ~We would love to see you again.
outreach-body-review_request_no_item =
    Could you spare a minute to tell us how we are doing? Your feedback helps us and other shoppers a lot.
    ~Thank you for your support!
    { $offer }
outreach-body-service_recovery_no_item =
    We are sorry about the problem you had. That is not the experience we want for you.
    ~Please reply to this message and we will make it right as quickly as we can.
    { $offer }
outreach-body-custom_brief =
    { $brief }
    { $offer }
