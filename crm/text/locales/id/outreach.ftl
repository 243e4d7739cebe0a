### Outreach templates in Indonesian (crm/outreach/templates.py): sendable with no LLM.
### Every language has the same ids (tests/test_texts.py checks it). In a body, a line starting with ~ is left
### out of the short version; { $offer } and { $points_line } may be empty (their line is then dropped);
### { $first_name } and { $item } become merge fields in a segment template.

outreach-greeting = Hai Kak { $first_name },
outreach-greeting_anonymous = Hai Kak,
outreach-greeting_formal = Yth. { $first_name },
outreach-greeting_formal_anonymous = Pelanggan yang terhormat,
outreach-item_bought = pesanan Anda
outreach-item_cart = beberapa produk
outreach-item_shop = produk favorit Anda
outreach-offer_full = Gunakan kode { $coupon } untuk { $discount }
outreach-offer_coupon = Gunakan kode { $coupon } saat checkout
outreach-offer_discount = Nikmati { $discount } untuk pesanan Anda berikutnya
outreach-expires = , berlaku sampai { $expires }
outreach-points = Anda punya { $points } poin yang bisa digunakan.
# How a date is written: strftime codes, or the { $y } { $m } { $d } parts
outreach-points_expiring = Anda punya { $points } poin; { $expiring } di antaranya akan kedaluwarsa pada { $date }.
outreach-date_format = %d/%m/%Y
outreach-brand = toko kami
outreach-team = Tim { $brand }
# What a merged first name becomes for a customer without a usable name
outreach-neutral_name = Pelanggan

## Bodies, one per intent (festival_sale, custom_brief and <intent>_no_item are variants)

outreach-body-welcome =
    Selamat datang di { $brand }! Terima kasih atas pesanan pertama Anda, semoga Anda suka dengan { $item }.
    ~Kalau ada pertanyaan, balas saja pesan ini, kami siap membantu.
    { $offer }
outreach-body-thank_you =
    Terima kasih telah menjadi salah satu pelanggan setia kami. Semoga Anda puas dengan { $item }.
    { $points_line }
    { $offer }
    ~Kami sangat menghargai dukungan Anda.
outreach-body-abandoned_cart =
    Masih ada { $item } di keranjang belanja Anda. Kami simpan untuk Anda, tapi stoknya terbatas.
    { $offer }
    ~Balas saja pesan ini kalau ada pertanyaan sebelum checkout.
outreach-body-replenishment =
    Sepertinya sudah waktunya membeli lagi { $item }. Pesan ulang hari ini supaya tidak kehabisan.
    { $offer }
    ~Balas pesan ini kalau Anda butuh bantuan.
outreach-body-winback =
    Kami kangen Anda di { $brand }! Sudah cukup lama sejak pesanan terakhir Anda, dan ada banyak produk baru yang pasti Anda suka.
    { $points_line }
    { $offer }
    ~Kami tunggu kedatangan Anda lagi.
outreach-body-review_request =
    Semoga Anda suka dengan { $item }. Boleh minta waktunya sebentar untuk memberikan ulasan? Masukan Anda sangat membantu kami dan pembeli lain.
    ~Terima kasih atas dukungannya!
    { $offer }
outreach-body-service_recovery =
    Kami mohon maaf atas masalah dengan { $item }. Itu bukan pengalaman yang ingin kami berikan.
    ~Silakan balas pesan ini dan kami akan segera menyelesaikannya.
    { $offer }
outreach-body-festival =
    Selamat { $festival } untuk Anda dan keluarga!
    ~Terima kasih sudah berbelanja di { $brand } tahun ini.
    { $offer }
outreach-body-festival_sale =
    Promo { $festival } dari { $brand } sudah dimulai! Saatnya belanja { $item }.
    { $offer }
    ~Belanja lebih awal, penawaran terbaik cepat habis.
outreach-body-custom =
    Sekadar menyapa dari { $brand }. Kabari kami kalau ada yang bisa kami bantu.
    { $offer }
outreach-body-welcome_no_item =
    Selamat datang di { $brand }! Terima kasih sudah memilih kami, senang sekali Anda bergabung.
    ~Kalau ada pertanyaan, balas saja pesan ini, kami siap membantu.
    { $offer }
outreach-body-thank_you_no_item =
    Terima kasih telah menjadi salah satu pelanggan setia kami.
    { $points_line }
    { $offer }
    ~Kami sangat menghargai dukungan Anda.
outreach-body-replenishment_no_item =
    Produk favorit Anda sudah mau habis? Sekarang saat yang tepat untuk menyetok lagi supaya tidak kehabisan.
    { $offer }
    ~Balas pesan ini kalau Anda butuh bantuan.
outreach-body-winback_no_item =
    Kami kangen Anda di { $brand }! Sudah cukup lama kita tidak bertemu, dan ada banyak produk baru yang pasti Anda suka.
    { $points_line }
    { $offer }
    ~Kami tunggu kedatangan Anda lagi.
outreach-body-review_request_no_item =
    Boleh minta waktunya sebentar untuk berbagi pengalaman Anda dengan kami? Masukan Anda sangat membantu kami dan pembeli lain.
    ~Terima kasih atas dukungannya!
    { $offer }
outreach-body-service_recovery_no_item =
    Kami mohon maaf atas masalah yang Anda alami. Itu bukan pengalaman yang ingin kami berikan.
    ~Silakan balas pesan ini dan kami akan segera menyelesaikannya.
    { $offer }
outreach-body-custom_brief =
    { $brief }
    { $offer }
