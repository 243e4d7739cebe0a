"""Fallback message templates in every supported language: sendable as they are, so drafting works with no LLM.

Each template is a few lines. `{greeting}` and the sign-off are added around it; `{offer}` and `{points_line}`
become empty lines (then dropped) when there is no offer or no points balance; lines starting with `~` are
left out of the short version. Segment templates keep `{first_name}` and `{last_item}` as merge fields.
A body named `<intent>_no_item` is used instead when the customer has no order or the item is unknown, so a
message never thanks for an order or asks about an item the customer does not have. Without a brand name or
sign-off of the seller's own, the shop and the signature are named in the message's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from crm.outreach.intents import INTENTS, LANGUAGES
from crm.outreach.offer import discount_phrase
from crm.settings import DEFAULT_BRAND_NAME, DEFAULT_SIGN_OFF

# Merge fields a segment template may keep for the seller's mailing tool.
MERGE_FIELDS = ("first_name", "last_item")


@dataclass(frozen=True)
class LanguagePack:
    greeting: str  # with {first_name}
    greeting_anonymous: str
    greeting_formal: str
    greeting_formal_anonymous: str
    item_bought: str  # what to call the last purchase when it is unknown
    item_cart: str
    item_shop: str
    offer_full: str  # coupon and discount
    offer_coupon: str
    offer_discount: str
    expires: str  # appended to an offer sentence
    points: str
    date_format: str
    brand: str  # how the shop calls itself when the seller has not set a brand name
    team: str  # the sign-off when the seller has not set one, with {brand}
    bodies: dict[str, str]  # intent (and "festival_sale", "custom_brief", "<intent>_no_item") -> body


PACKS: dict[str, LanguagePack] = {
    "en": LanguagePack(
        greeting="Hi {first_name},",
        greeting_anonymous="Hi there,",
        greeting_formal="Dear {first_name},",
        greeting_formal_anonymous="Dear valued customer,",
        item_bought="your recent order",
        item_cart="a few items",
        item_shop="your favourites",
        offer_full="Use code {coupon} for {discount}",
        offer_coupon="Use code {coupon} at checkout",
        offer_discount="Enjoy {discount} on your next order",
        expires=", valid until {expires}",
        points="You have {points} reward points waiting to be used.",
        date_format="%d %b %Y",
        brand="our shop",
        team="The team",
        bodies={
            "welcome": "Welcome to {brand}! Thank you for your first order, we hope you love {item}.\n"
            "~If you have any questions, just reply to this message and we will be happy to help.\n{offer}",
            "thank_you": "Thank you for being one of our most valued customers. We hope you are enjoying {item}.\n"
            "{points_line}\n{offer}\n~We truly appreciate your support.",
            "abandoned_cart": "You left {item} in your cart. We have saved it for you, but stock is limited.\n{offer}\n"
            "~Just reply here if you have any questions before you check out.",
            "replenishment": "It may be time to restock {item}. Reorder today so you never run out.\n{offer}\n"
            "~Reply to this message if you would like any help with your order.",
            "winback": "We miss you at {brand}! It has been a while since your last order, and we have new "
            "arrivals we think you will like.\n{points_line}\n{offer}\n~We would love to see you again.",
            "review_request": "We hope you are enjoying {item}. Could you spare a minute to leave a review? Your "
            "feedback helps us and other shoppers a lot.\n~Thank you for your support!\n{offer}",
            "service_recovery": "We are sorry about the problem with {item}. That is not the experience we want "
            "for you.\n~Please reply to this message and we will make it right as quickly as we "
            "can.\n{offer}",
            "festival": "Wishing you and your family a happy {festival}!\n"
            "~Thank you for shopping with us this year.\n{offer}",
            "festival_sale": "Our {festival} sale is here! It is the best time to stock up on {item}.\n{offer}\n"
            "~Shop early, the best deals go fast.",
            "custom": "Just checking in from {brand}. Let us know if there is anything we can help you with.\n{offer}",
            # No order or item to speak of (a customer with no orders, or items unknown): no order references.
            "welcome_no_item": "Welcome to {brand}! Thank you for choosing us, we are glad to have you with us.\n"
            "~If you have any questions, just reply to this message and we will be happy to help.\n"
            "{offer}",
            "thank_you_no_item": "Thank you for being one of our most valued customers.\n{points_line}\n{offer}\n"
            "~We truly appreciate your support.",
            "replenishment_no_item": "Running low on your favourites? Now is a good time to stock up so you never run "
            "out.\n{offer}\n~Reply to this message if you would like any help.",
            "winback_no_item": "We miss you at {brand}! It has been a while, and we have new arrivals we think you "
            "will like.\n{points_line}\n{offer}\n~We would love to see you again.",
            "review_request_no_item": "Could you spare a minute to tell us how we are doing? Your feedback helps us "
            "and other shoppers a lot.\n~Thank you for your support!\n{offer}",
            "service_recovery_no_item": "We are sorry about the problem you had. That is not the experience we want "
            "for you.\n~Please reply to this message and we will make it right as "
            "quickly as we can.\n{offer}",
            "custom_brief": "{brief}\n{offer}",
        },
    ),
    "zh": LanguagePack(
        greeting="{first_name}您好！",
        greeting_anonymous="亲爱的顾客，您好！",
        greeting_formal="尊敬的{first_name}，您好！",
        greeting_formal_anonymous="尊敬的顾客，您好！",
        item_bought="您选购的商品",
        item_cart="几件心仪的商品",
        item_shop="心仪好物",
        offer_full="使用优惠码 {coupon} 可享{discount}优惠",
        offer_coupon="结账时使用优惠码 {coupon} 即可享受优惠",
        offer_discount="下次下单即享{discount}优惠",
        expires="，有效期至{expires}",
        points="您目前有{points}积分可以使用。",
        date_format="{y}年{m}月{d}日",
        brand="小店",
        team="{brand}团队",
        bodies={
            "welcome": "欢迎来到{brand}！感谢您的首次下单，希望您喜欢{item}。\n"
            "~如有任何问题，直接回复这条消息，我们很乐意为您服务。\n{offer}",
            "thank_you": "感谢您一直以来的支持，您是我们最珍视的顾客之一。希望您喜欢{item}。\n"
            "{points_line}\n{offer}\n~再次感谢您的信任与支持。",
            "abandoned_cart": "您的购物车里还有{item}，我们已为您保留，但库存有限哦。\n{offer}\n"
            "~下单前有任何疑问，欢迎直接回复咨询。",
            "replenishment": "您购买的{item}可能快用完了，现在补货正是时候，以免断货。\n{offer}\n"
            "~需要帮忙下单的话，直接回复这条消息即可。",
            "winback": "好久不见，{brand}很想念您！我们上新了不少好物，相信您会喜欢。\n{points_line}\n{offer}\n"
            "~期待您再次光临。",
            "review_request": "希望您喜欢{item}。能否花一分钟给我们留下评价？您的反馈对我们和其他买家都非常重要。\n"
            "~感谢您的支持！\n{offer}",
            "service_recovery": "关于{item}出现的问题，我们深表歉意，这不是我们希望带给您的体验。\n"
            "~请直接回复这条消息，我们会尽快为您妥善处理。\n{offer}",
            "festival": "祝您和家人{festival}快乐！\n~感谢您今年一直支持{brand}。\n{offer}",
            "festival_sale": "{brand}{festival}大促来啦！现在正是选购{item}的好时机。\n{offer}\n~早买早享，好价不等人。",
            "custom": "{brand}来问候您一声。如有任何需要，欢迎随时联系我们。\n{offer}",
            "welcome_no_item": "欢迎来到{brand}！感谢您关注我们，很高兴认识您。\n"
            "~如有任何问题，直接回复这条消息，我们很乐意为您服务。\n{offer}",
            "thank_you_no_item": "感谢您一直以来的支持，您是我们最珍视的顾客之一。\n{points_line}\n{offer}\n"
            "~再次感谢您的信任与支持。",
            "replenishment_no_item": "家里的心仪好物快用完了吗？现在囤货正是时候，以免断货。\n{offer}\n"
            "~需要帮忙的话，直接回复这条消息即可。",
            "winback_no_item": "好久不见，{brand}很想念您！我们上新了不少好物，相信您会喜欢。\n{points_line}\n"
            "{offer}\n~期待您再次光临。",
            "review_request_no_item": "能否花一分钟给我们留下您的评价和建议？您的反馈对我们和其他买家都非常重要。\n"
            "~感谢您的支持！\n{offer}",
            "service_recovery_no_item": "对于您遇到的问题，我们深表歉意，这不是我们希望带给您的体验。\n"
            "~请直接回复这条消息，我们会尽快为您妥善处理。\n{offer}",
            "custom_brief": "{brief}\n{offer}",
        },
    ),
    "ms": LanguagePack(
        greeting="Hai {first_name},",
        greeting_anonymous="Hai,",
        greeting_formal="Salam sejahtera {first_name},",
        greeting_formal_anonymous="Salam sejahtera,",
        item_bought="pembelian anda",
        item_cart="beberapa barang",
        item_shop="barangan kegemaran anda",
        offer_full="Gunakan kod {coupon} untuk {discount}",
        offer_coupon="Gunakan kod {coupon} semasa pembayaran",
        offer_discount="Nikmati {discount} untuk pesanan anda yang seterusnya",
        expires=", sah sehingga {expires}",
        points="Anda ada {points} mata ganjaran yang boleh digunakan.",
        date_format="%d/%m/%Y",
        brand="kedai kami",
        team="Pasukan {brand}",
        bodies={
            "welcome": "Selamat datang ke {brand}! Terima kasih atas pesanan pertama anda, semoga anda gembira "
            "dengan {item}.\n~Jika ada sebarang soalan, balas sahaja mesej ini dan kami sedia membantu.\n{offer}",
            "thank_you": "Terima kasih kerana menjadi antara pelanggan yang paling kami hargai. Semoga anda berpuas "
            "hati dengan {item}.\n{points_line}\n{offer}\n~Kami amat menghargai sokongan anda.",
            "abandoned_cart": "Anda masih ada {item} dalam troli. Kami simpan untuk anda, tetapi stok adalah terhad.\n"
            "{offer}\n~Balas sahaja mesej ini jika ada soalan sebelum membuat pembayaran.",
            "replenishment": "Mungkin sudah tiba masanya untuk menambah stok {item}. Buat pesanan semula hari ini "
            "supaya anda tidak kehabisan.\n{offer}\n~Balas mesej ini jika anda perlukan bantuan.",
            "winback": "Kami rindu anda di {brand}! Sudah agak lama sejak pesanan terakhir anda, dan kami ada "
            "banyak barangan baharu yang pasti anda suka.\n{points_line}\n{offer}\n"
            "~Kami harap dapat berjumpa anda lagi.",
            "review_request": "Semoga anda berpuas hati dengan {item}. Boleh luangkan seminit untuk memberikan "
            "ulasan? Maklum balas anda sangat membantu kami dan pembeli lain.\n"
            "~Terima kasih atas sokongan anda!\n{offer}",
            "service_recovery": "Kami memohon maaf atas masalah dengan {item}. Itu bukan pengalaman yang kami mahukan "
            "untuk anda.\n~Sila balas mesej ini dan kami akan membetulkannya secepat mungkin.\n{offer}",
            "festival": "Selamat {festival} kepada anda sekeluarga!\n"
            "~Terima kasih kerana membeli-belah di {brand} tahun ini.\n{offer}",
            "festival_sale": "Jualan {festival} {brand} sudah bermula! Inilah masa terbaik untuk membeli {item}.\n"
            "{offer}\n~Beli awal, tawaran terbaik cepat habis.",
            "custom": "Sekadar bertanya khabar dari {brand}. Beritahu kami jika ada apa-apa yang boleh kami bantu.\n{offer}",
            "welcome_no_item": "Selamat datang ke {brand}! Terima kasih kerana memilih kami, kami gembira anda "
            "bersama kami.\n~Jika ada sebarang soalan, balas sahaja mesej ini dan kami sedia "
            "membantu.\n{offer}",
            "thank_you_no_item": "Terima kasih kerana menjadi antara pelanggan yang paling kami hargai.\n"
            "{points_line}\n{offer}\n~Kami amat menghargai sokongan anda.",
            "replenishment_no_item": "Barangan kegemaran anda sudah hampir habis? Inilah masa yang sesuai untuk "
            "menambah stok supaya anda tidak kehabisan.\n{offer}\n"
            "~Balas mesej ini jika anda perlukan bantuan.",
            "winback_no_item": "Kami rindu anda di {brand}! Sudah agak lama kita tidak berhubung, dan kami ada "
            "banyak barangan baharu yang pasti anda suka.\n{points_line}\n{offer}\n"
            "~Kami harap dapat berjumpa anda lagi.",
            "review_request_no_item": "Boleh luangkan seminit untuk berkongsi pengalaman anda dengan kami? Maklum "
            "balas anda sangat membantu kami dan pembeli lain.\n"
            "~Terima kasih atas sokongan anda!\n{offer}",
            "service_recovery_no_item": "Kami memohon maaf atas masalah yang anda alami. Itu bukan pengalaman yang "
            "kami mahukan untuk anda.\n~Sila balas mesej ini dan kami akan "
            "membetulkannya secepat mungkin.\n{offer}",
            "custom_brief": "{brief}\n{offer}",
        },
    ),
    "th": LanguagePack(
        greeting="สวัสดีค่ะ คุณ{first_name}",
        greeting_anonymous="สวัสดีค่ะ",
        greeting_formal="เรียน คุณ{first_name}",
        greeting_formal_anonymous="เรียน ลูกค้าผู้มีอุปการคุณ",
        item_bought="สินค้าที่สั่งไป",
        item_cart="สินค้าบางรายการ",
        item_shop="สินค้าชิ้นโปรด",
        offer_full="ใช้โค้ด {coupon} รับ{discount}",
        offer_coupon="ใช้โค้ด {coupon} ตอนชำระเงินได้เลยค่ะ",
        offer_discount="รับ{discount} สำหรับคำสั่งซื้อถัดไปค่ะ",
        expires=" ใช้ได้ถึงวันที่ {expires}",
        points="คุณมีคะแนนสะสม {points} คะแนนที่ใช้ได้ค่ะ",
        date_format="%d/%m/%Y",
        brand="ร้านของเรา",
        team="ทีมงาน{brand}",
        bodies={
            "welcome": "ยินดีต้อนรับสู่ {brand} ค่ะ ขอบคุณสำหรับคำสั่งซื้อแรก หวังว่าคุณจะชอบ{item}นะคะ\n"
            "~หากมีคำถามใด ๆ ตอบกลับข้อความนี้ได้เลย เรายินดีช่วยเหลือค่ะ\n{offer}",
            "thank_you": "ขอบคุณที่เป็นหนึ่งในลูกค้าคนสำคัญของเรา หวังว่าคุณจะพอใจกับ{item}นะคะ\n"
            "{points_line}\n{offer}\n~ขอบคุณที่สนับสนุนเราเสมอมาค่ะ",
            "abandoned_cart": "คุณยังมี{item}อยู่ในตะกร้า เราเก็บไว้ให้แล้ว แต่สินค้ามีจำนวนจำกัดนะคะ\n{offer}\n"
            "~หากมีคำถามก่อนชำระเงิน ตอบกลับข้อความนี้ได้เลยค่ะ",
            "replenishment": "ถึงเวลาเติม{item}แล้วหรือยังคะ สั่งซื้อซ้ำวันนี้เพื่อไม่ให้ของหมดค่ะ\n{offer}\n"
            "~หากต้องการความช่วยเหลือ ตอบกลับข้อความนี้ได้เลยค่ะ",
            "winback": "{brand} คิดถึงคุณนะคะ ไม่ได้เจอกันนานแล้ว ตอนนี้เรามีสินค้าใหม่มากมายที่คุณน่าจะชอบค่ะ\n"
            "{points_line}\n{offer}\n~หวังว่าจะได้พบคุณอีกครั้งนะคะ",
            "review_request": "หวังว่าคุณจะชอบ{item}นะคะ ช่วยสละเวลาสักนิดเขียนรีวิวให้เราได้ไหมคะ "
            "ความคิดเห็นของคุณมีค่ามากสำหรับเราและผู้ซื้อคนอื่น ๆ\n~ขอบคุณสำหรับการสนับสนุนค่ะ\n{offer}",
            "service_recovery": "ขออภัยเป็นอย่างยิ่งสำหรับปัญหาที่เกิดขึ้นกับ{item} นี่ไม่ใช่ประสบการณ์ที่เราอยากให้คุณได้รับค่ะ\n"
            "~กรุณาตอบกลับข้อความนี้ แล้วเราจะรีบแก้ไขให้เร็วที่สุดค่ะ\n{offer}",
            "festival": "สุขสันต์{festival}ค่ะ ขอให้คุณและครอบครัวมีความสุขมาก ๆ\n"
            "~ขอบคุณที่อุดหนุน {brand} มาตลอดปีนี้ค่ะ\n{offer}",
            "festival_sale": "โปรโมชั่น {festival} ของ {brand} มาแล้วค่ะ ถึงเวลาช้อป{item}แล้ว\n{offer}\n"
            "~รีบช้อปก่อน ดีลดี ๆ หมดเร็วนะคะ",
            "custom": "{brand} แวะมาทักทายค่ะ หากมีอะไรให้ช่วย บอกเราได้เลยนะคะ\n{offer}",
            "welcome_no_item": "ยินดีต้อนรับสู่ {brand} ค่ะ ขอบคุณที่แวะมาทำความรู้จักกันนะคะ\n"
            "~หากมีคำถามใด ๆ ตอบกลับข้อความนี้ได้เลย เรายินดีช่วยเหลือค่ะ\n{offer}",
            "thank_you_no_item": "ขอบคุณที่เป็นหนึ่งในลูกค้าคนสำคัญของเรานะคะ\n{points_line}\n{offer}\n"
            "~ขอบคุณที่สนับสนุนเราเสมอมาค่ะ",
            "replenishment_no_item": "สินค้าชิ้นโปรดใกล้หมดแล้วหรือยังคะ ตอนนี้เป็นเวลาที่ดีที่จะเติมของไว้ "
            "จะได้ไม่ขาดมือค่ะ\n{offer}\n~หากต้องการความช่วยเหลือ ตอบกลับข้อความนี้ได้เลยค่ะ",
            "winback_no_item": "{brand} คิดถึงคุณนะคะ ไม่ได้เจอกันนานแล้ว ตอนนี้เรามีสินค้าใหม่มากมายที่คุณน่าจะชอบค่ะ\n"
            "{points_line}\n{offer}\n~หวังว่าจะได้พบคุณอีกครั้งนะคะ",
            "review_request_no_item": "ช่วยสละเวลาสักนิดเล่าประสบการณ์ของคุณให้เราฟังได้ไหมคะ "
            "ความคิดเห็นของคุณมีค่ามากสำหรับเราและผู้ซื้อคนอื่น ๆ\n"
            "~ขอบคุณสำหรับการสนับสนุนค่ะ\n{offer}",
            "service_recovery_no_item": "ขออภัยเป็นอย่างยิ่งสำหรับปัญหาที่เกิดขึ้นค่ะ "
            "นี่ไม่ใช่ประสบการณ์ที่เราอยากให้คุณได้รับ\n"
            "~กรุณาตอบกลับข้อความนี้ แล้วเราจะรีบแก้ไขให้เร็วที่สุดค่ะ\n{offer}",
            "custom_brief": "{brief}\n{offer}",
        },
    ),
    "id": LanguagePack(
        greeting="Hai Kak {first_name},",
        greeting_anonymous="Hai Kak,",
        greeting_formal="Yth. {first_name},",
        greeting_formal_anonymous="Pelanggan yang terhormat,",
        item_bought="pesanan Anda",
        item_cart="beberapa produk",
        item_shop="produk favorit Anda",
        offer_full="Gunakan kode {coupon} untuk {discount}",
        offer_coupon="Gunakan kode {coupon} saat checkout",
        offer_discount="Nikmati {discount} untuk pesanan Anda berikutnya",
        expires=", berlaku sampai {expires}",
        points="Anda punya {points} poin yang bisa digunakan.",
        date_format="%d/%m/%Y",
        brand="toko kami",
        team="Tim {brand}",
        bodies={
            "welcome": "Selamat datang di {brand}! Terima kasih atas pesanan pertama Anda, semoga Anda suka dengan "
            "{item}.\n~Kalau ada pertanyaan, balas saja pesan ini, kami siap membantu.\n{offer}",
            "thank_you": "Terima kasih telah menjadi salah satu pelanggan setia kami. Semoga Anda puas dengan {item}.\n"
            "{points_line}\n{offer}\n~Kami sangat menghargai dukungan Anda.",
            "abandoned_cart": "Masih ada {item} di keranjang belanja Anda. Kami simpan untuk Anda, tapi stoknya "
            "terbatas.\n{offer}\n~Balas saja pesan ini kalau ada pertanyaan sebelum checkout.",
            "replenishment": "Sepertinya sudah waktunya membeli lagi {item}. Pesan ulang hari ini supaya tidak "
            "kehabisan.\n{offer}\n~Balas pesan ini kalau Anda butuh bantuan.",
            "winback": "Kami kangen Anda di {brand}! Sudah cukup lama sejak pesanan terakhir Anda, dan ada banyak "
            "produk baru yang pasti Anda suka.\n{points_line}\n{offer}\n~Kami tunggu kedatangan Anda lagi.",
            "review_request": "Semoga Anda suka dengan {item}. Boleh minta waktunya sebentar untuk memberikan ulasan? "
            "Masukan Anda sangat membantu kami dan pembeli lain.\n~Terima kasih atas dukungannya!\n{offer}",
            "service_recovery": "Kami mohon maaf atas masalah dengan {item}. Itu bukan pengalaman yang ingin kami "
            "berikan.\n~Silakan balas pesan ini dan kami akan segera menyelesaikannya.\n{offer}",
            "festival": "Selamat {festival} untuk Anda dan keluarga!\n"
            "~Terima kasih sudah berbelanja di {brand} tahun ini.\n{offer}",
            "festival_sale": "Promo {festival} dari {brand} sudah dimulai! Saatnya belanja {item}.\n{offer}\n"
            "~Belanja lebih awal, penawaran terbaik cepat habis.",
            "custom": "Sekadar menyapa dari {brand}. Kabari kami kalau ada yang bisa kami bantu.\n{offer}",
            "welcome_no_item": "Selamat datang di {brand}! Terima kasih sudah memilih kami, senang sekali Anda "
            "bergabung.\n~Kalau ada pertanyaan, balas saja pesan ini, kami siap membantu.\n{offer}",
            "thank_you_no_item": "Terima kasih telah menjadi salah satu pelanggan setia kami.\n{points_line}\n"
            "{offer}\n~Kami sangat menghargai dukungan Anda.",
            "replenishment_no_item": "Produk favorit Anda sudah mau habis? Sekarang saat yang tepat untuk menyetok "
            "lagi supaya tidak kehabisan.\n{offer}\n~Balas pesan ini kalau Anda butuh bantuan.",
            "winback_no_item": "Kami kangen Anda di {brand}! Sudah cukup lama kita tidak bertemu, dan ada banyak "
            "produk baru yang pasti Anda suka.\n{points_line}\n{offer}\n"
            "~Kami tunggu kedatangan Anda lagi.",
            "review_request_no_item": "Boleh minta waktunya sebentar untuk berbagi pengalaman Anda dengan kami? "
            "Masukan Anda sangat membantu kami dan pembeli lain.\n"
            "~Terima kasih atas dukungannya!\n{offer}",
            "service_recovery_no_item": "Kami mohon maaf atas masalah yang Anda alami. Itu bukan pengalaman yang "
            "ingin kami berikan.\n~Silakan balas pesan ini dan kami akan segera "
            "menyelesaikannya.\n{offer}",
            "custom_brief": "{brief}\n{offer}",
        },
    ),
    "vi": LanguagePack(
        greeting="Chào {first_name},",
        greeting_anonymous="Chào bạn,",
        greeting_formal="Kính gửi quý khách {first_name},",
        greeting_formal_anonymous="Kính gửi quý khách,",
        item_bought="sản phẩm bạn đã mua",
        item_cart="một vài sản phẩm",
        item_shop="những món bạn yêu thích",
        offer_full="Dùng mã {coupon} để được {discount}",
        offer_coupon="Dùng mã {coupon} khi thanh toán nhé",
        offer_discount="Bạn được {discount} cho đơn hàng tiếp theo",
        expires=", áp dụng đến {expires}",
        points="Bạn đang có {points} điểm thưởng có thể sử dụng.",
        date_format="%d/%m/%Y",
        brand="cửa hàng chúng tôi",
        team="Đội ngũ {brand}",
        bodies={
            "welcome": "Chào mừng bạn đến với {brand}! Cảm ơn bạn đã đặt đơn hàng đầu tiên, mong bạn sẽ thích "
            "{item}.\n~Nếu có bất kỳ câu hỏi nào, bạn chỉ cần trả lời tin nhắn này, chúng tôi luôn sẵn "
            "lòng hỗ trợ.\n{offer}",
            "thank_you": "Cảm ơn bạn đã là một trong những khách hàng thân thiết nhất của chúng tôi. Mong bạn hài "
            "lòng với {item}.\n{points_line}\n{offer}\n~Chúng tôi rất trân trọng sự ủng hộ của bạn.",
            "abandoned_cart": "Bạn vẫn còn {item} trong giỏ hàng. Chúng tôi đã giữ lại cho bạn, nhưng số lượng có "
            "hạn.\n{offer}\n~Nếu có câu hỏi trước khi thanh toán, hãy trả lời tin nhắn này nhé.",
            "replenishment": "Có lẽ đã đến lúc mua thêm {item}. Đặt lại hôm nay để không bị hết hàng nhé.\n{offer}\n"
            "~Hãy trả lời tin nhắn này nếu bạn cần hỗ trợ.",
            "winback": "{brand} nhớ bạn lắm! Đã lâu rồi bạn chưa ghé, và chúng tôi có nhiều sản phẩm mới chắc chắn "
            "bạn sẽ thích.\n{points_line}\n{offer}\n~Rất mong được gặp lại bạn.",
            "review_request": "Mong bạn hài lòng với {item}. Bạn có thể dành một phút để viết đánh giá không? Ý kiến "
            "của bạn rất hữu ích cho chúng tôi và những người mua khác.\n~Cảm ơn bạn đã ủng hộ!\n{offer}",
            "service_recovery": "Chúng tôi thành thật xin lỗi về sự cố với {item}. Đó không phải là trải nghiệm chúng "
            "tôi muốn mang đến cho bạn.\n~Hãy trả lời tin nhắn này, chúng tôi sẽ khắc phục nhanh "
            "nhất có thể.\n{offer}",
            "festival": "Chúc bạn và gia đình một mùa {festival} thật vui vẻ!\n"
            "~Cảm ơn bạn đã mua sắm tại {brand} trong năm qua.\n{offer}",
            "festival_sale": "Khuyến mãi {festival} của {brand} đã bắt đầu! Đây là lúc tuyệt vời để mua {item}.\n"
            "{offer}\n~Mua sớm nhé, ưu đãi tốt hết rất nhanh.",
            "custom": "{brand} gửi lời hỏi thăm bạn. Nếu cần hỗ trợ gì, hãy cho chúng tôi biết nhé.\n{offer}",
            "welcome_no_item": "Chào mừng bạn đến với {brand}! Cảm ơn bạn đã quan tâm, chúng tôi rất vui được "
            "làm quen với bạn.\n~Nếu có bất kỳ câu hỏi nào, bạn chỉ cần trả lời tin nhắn này, "
            "chúng tôi luôn sẵn lòng hỗ trợ.\n{offer}",
            "thank_you_no_item": "Cảm ơn bạn đã là một trong những khách hàng thân thiết nhất của chúng tôi.\n"
            "{points_line}\n{offer}\n~Chúng tôi rất trân trọng sự ủng hộ của bạn.",
            "replenishment_no_item": "Những món bạn yêu thích sắp hết chưa? Đây là lúc thích hợp để mua thêm, tránh "
            "bị hết hàng nhé.\n{offer}\n~Hãy trả lời tin nhắn này nếu bạn cần hỗ trợ.",
            "winback_no_item": "{brand} nhớ bạn lắm! Đã lâu rồi bạn chưa ghé, và chúng tôi có nhiều sản phẩm mới "
            "chắc chắn bạn sẽ thích.\n{points_line}\n{offer}\n~Rất mong được gặp lại bạn.",
            "review_request_no_item": "Bạn có thể dành một phút để chia sẻ trải nghiệm của mình với chúng tôi không? "
            "Ý kiến của bạn rất hữu ích cho chúng tôi và những người mua khác.\n"
            "~Cảm ơn bạn đã ủng hộ!\n{offer}",
            "service_recovery_no_item": "Chúng tôi thành thật xin lỗi về sự cố bạn gặp phải. Đó không phải là trải "
            "nghiệm chúng tôi muốn mang đến cho bạn.\n~Hãy trả lời tin nhắn này, chúng tôi "
            "sẽ khắc phục nhanh nhất có thể.\n{offer}",
            "custom_brief": "{brief}\n{offer}",
        },
    ),
}

assert set(PACKS) == set(LANGUAGES)
assert all(set(INTENTS) <= set(p.bodies) for p in PACKS.values())
assert all(set(p.bodies) == set(PACKS["en"].bodies) for p in PACKS.values())

# The settings' own defaults ("our shop", "The team"): a seller who has not set a brand or sign-off gets the
# message language's wording instead (PACKS[...].brand / .team), never English inside a Thai or Chinese message.
_UNSET_BRANDS = frozenset(["", DEFAULT_BRAND_NAME.casefold()])
_UNSET_SIGN_OFFS = frozenset(["", DEFAULT_SIGN_OFF.casefold()])
_DEFAULT_BRANDS = frozenset(p.brand.casefold() for p in PACKS.values())


def brand_is_set(brand: str | None) -> bool:
    """True when the seller set a brand name of their own (not the settings' default nor a language's)."""
    return (brand or "").strip().casefold() not in _UNSET_BRANDS | _DEFAULT_BRANDS


def localised_brand(brand: str | None, language: str) -> str:
    """The seller's brand name as set, or the language's own words for "our shop" when none is set."""
    return (brand or "").strip() if brand_is_set(brand) else PACKS[language].brand


def localised_sign_off(sign_off: str | None, brand: str | None, language: str) -> str:
    """The seller's sign-off as set, or the language's team sign-off ("小店团队", "Tim Kopi House")."""
    if (sign_off or "").strip().casefold() not in _UNSET_SIGN_OFFS:
        return (sign_off or "").strip()
    name = localised_brand(brand, language)
    if language == "th" and name[:1].isascii():
        name = " " + name  # "ทีมงาน Kopi House", but "ทีมงานร้านของเรา"
    return PACKS[language].team.replace("{brand}", name)


@dataclass(frozen=True)
class TemplateInput:
    """Everything a template may show (already reduced to what a message needs)."""

    language: str
    intent: str
    brand: str
    sign_off: str
    first_name: str | None = None
    item: str | None = None
    points: int = 0
    festival: str | None = None
    festival_kind: str = "holiday"
    coupon: str | None = None
    discount: str | None = None
    expires: date | None = None
    brief: str | None = None
    formal: bool = False
    short: bool = False
    merge_fields: bool = False  # segment template: keep {first_name} and {last_item}
    orders: int | None = None  # the customer's orders, when known: 0 means no order may be mentioned


def offer_sentence(language: str, coupon: str | None, discount: str | None, expires: date | None) -> str:
    pack = PACKS[language]
    if discount:
        discount = discount_phrase(discount, language)  # "10% off" -> "9折", "diskaun 10%", ...
    if coupon and discount:
        text = pack.offer_full.format(coupon=coupon, discount=discount)
    elif coupon:
        text = pack.offer_coupon.format(coupon=coupon)
    elif discount:
        text = pack.offer_discount.format(discount=discount)
    else:
        return ""
    if expires is not None:
        when = (
            pack.date_format.format(y=expires.year, m=expires.month, d=expires.day)
            if "{" in pack.date_format
            else expires.strftime(pack.date_format)
        )
        text += pack.expires.format(expires=when)
    stop = "。" if language == "zh" else "" if language == "th" else "."
    return text if text.endswith((".", "。", "ค่ะ", "nhé")) and not expires else text + stop


# What a merged "{first_name}" becomes for a customer without a usable name (a username, an e-mail), so the
# language's greeting still reads naturally: "Hi there,", "亲爱的顾客您好！", "สวัสดีค่ะ คุณ ลูกค้า", "Chào bạn,".
NEUTRAL_NAMES = {
    "en": "there",
    "zh": "亲爱的顾客",
    "ms": "pelanggan",
    "th": "ลูกค้า",
    "id": "Pelanggan",
    "vi": "bạn",
}


def neutral_name(language: str) -> str:
    return NEUTRAL_NAMES.get(language, NEUTRAL_NAMES["en"])


def generic_item(language: str, intent: str) -> str:
    """How a message refers to the item when it is not known."""
    pack = PACKS[language]
    return {"abandoned_cart": pack.item_cart, "festival": pack.item_shop}.get(intent, pack.item_bought)


def sign_off_line(brand: str, sign_off: str) -> str:
    """The seller's sign-off, with the brand unless the sign-off already names it or no brand name is set
    (a default such as "our shop" or "小店" adds nothing under a signature)."""
    if not brand_is_set(brand) or brand.lower() in sign_off.lower():
        return sign_off or brand
    return f"{sign_off}\n{brand}" if sign_off else brand


def render(t: TemplateInput) -> str:
    pack = PACKS[t.language]
    key = t.intent
    if t.intent == "festival" and t.festival_kind == "sale":
        key = "festival_sale"
    elif t.intent == "custom" and t.brief:
        key = "custom_brief"
    # No order to speak of (none placed, or the item is unknown): the variant that mentions no order or item.
    no_item = not t.merge_fields and (t.orders == 0 or not t.item)
    # A welcome for a customer who has ordered before must not thank them for a "first order".
    returning = key == "welcome" and not t.merge_fields and (t.orders or 0) > 1
    if (
        (no_item or returning)
        and f"{key}_no_item" in pack.bodies
        and not (key == "service_recovery" and t.item)
    ):
        key = f"{key}_no_item"
    brand = localised_brand(t.brand, t.language)
    sign_off = localised_sign_off(t.sign_off, t.brand, t.language)
    first_name = "{first_name}" if t.merge_fields else t.first_name
    if first_name:
        if t.language == "th" and first_name[:1].isascii():
            first_name = " " + first_name  # "คุณ Wei Ling", but "คุณสมชาย"
        greeting = (pack.greeting_formal if t.formal else pack.greeting).replace("{first_name}", first_name)
    else:
        greeting = pack.greeting_formal_anonymous if t.formal else pack.greeting_anonymous
    item = "{last_item}" if t.merge_fields else (t.item or generic_item(t.language, t.intent))
    points_line = pack.points.format(points=f"{t.points:,}") if t.points > 0 else ""
    values = {
        "brand": brand,
        "item": item,
        "festival": t.festival or "",
        "brief": (t.brief or "").strip(),
        "offer": offer_sentence(t.language, t.coupon, t.discount, t.expires),
        "points_line": points_line,
    }
    lines = []
    for line in pack.bodies[key].split("\n"):
        if line.startswith("~"):
            if t.short:
                continue
            line = line[1:]
        if t.language == "th" and not brand[:1].isascii():
            line = re.sub(r" ?\{brand\} ?", "{brand}", line)  # "ยินดีต้อนรับสู่ร้านของเราค่ะ", "สู่ Kopi House ค่ะ"
        if line.startswith("{brand}") and not brand_is_set(t.brand):
            line = brand[:1].upper() + brand[1:] + line[len("{brand}") :]  # "Cửa hàng chúng tôi nhớ bạn lắm!"
        # Values are substituted one by one so braces inside a product name or brief are never re-read.
        for name, value in values.items():
            line = line.replace("{" + name + "}", value)
        if line.strip():
            lines.append(line)
    return "\n".join([greeting, *lines, "", sign_off_line(brand, sign_off)])
