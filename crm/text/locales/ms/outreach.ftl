### Outreach templates in Malay (crm/outreach/templates.py): sendable with no LLM.
### Every language has the same ids (tests/test_texts.py checks it). In a body, a line starting with ~ is left
### out of the short version; { $offer } and { $points_line } may be empty (their line is then dropped);
### { $first_name } and { $item } become merge fields in a segment template.

outreach-greeting = Hai { $first_name },
outreach-greeting_anonymous = Hai,
outreach-greeting_formal = Salam sejahtera { $first_name },
outreach-greeting_formal_anonymous = Salam sejahtera,
outreach-item_bought = pembelian anda
outreach-item_cart = beberapa barang
outreach-item_shop = barangan kegemaran anda
outreach-offer_full = Gunakan kod { $coupon } untuk { $discount }
outreach-offer_coupon = Gunakan kod { $coupon } semasa pembayaran
outreach-offer_discount = Nikmati { $discount } untuk pesanan anda yang seterusnya
outreach-expires = , sah sehingga { $expires }
outreach-points = Anda ada { $points } mata ganjaran yang boleh digunakan.
# How a date is written: strftime codes, or the { $y } { $m } { $d } parts
outreach-points_expiring = Anda ada { $points } mata ganjaran; { $expiring } daripadanya akan luput pada { $date }.
outreach-date_format = %d/%m/%Y
outreach-brand = kedai kami
outreach-team = Pasukan { $brand }
# What a merged first name becomes for a customer without a usable name
outreach-neutral_name = pelanggan

## Bodies, one per intent (festival_sale, custom_brief and <intent>_no_item are variants)

outreach-body-welcome =
    Selamat datang ke { $brand }! Terima kasih atas pesanan pertama anda, semoga anda gembira dengan { $item }.
    ~Jika ada sebarang soalan, balas sahaja mesej ini dan kami sedia membantu.
    { $offer }
outreach-body-thank_you =
    Terima kasih kerana menjadi antara pelanggan yang paling kami hargai. Semoga anda berpuas hati dengan { $item }.
    { $points_line }
    { $offer }
    ~Kami amat menghargai sokongan anda.
outreach-body-abandoned_cart =
    Anda masih ada { $item } dalam troli. Kami simpan untuk anda, tetapi stok adalah terhad.
    { $offer }
    ~Balas sahaja mesej ini jika ada soalan sebelum membuat pembayaran.
outreach-body-replenishment =
    Mungkin sudah tiba masanya untuk menambah stok { $item }. Buat pesanan semula hari ini supaya anda tidak kehabisan.
    { $offer }
    ~Balas mesej ini jika anda perlukan bantuan.
outreach-body-winback =
    Kami rindu anda di { $brand }! Sudah agak lama sejak pesanan terakhir anda, dan kami ada banyak barangan baharu yang pasti anda suka.
    { $points_line }
    { $offer }
    ~Kami harap dapat berjumpa anda lagi.
outreach-body-review_request =
    Semoga anda berpuas hati dengan { $item }. Boleh luangkan seminit untuk memberikan ulasan? Maklum balas anda sangat membantu kami dan pembeli lain.
    ~Terima kasih atas sokongan anda!
    { $offer }
outreach-body-service_recovery =
    Kami memohon maaf atas masalah dengan { $item }. Itu bukan pengalaman yang kami mahukan untuk anda.
    ~Sila balas mesej ini dan kami akan membetulkannya secepat mungkin.
    { $offer }
outreach-body-festival =
    Selamat { $festival } kepada anda sekeluarga!
    ~Terima kasih kerana membeli-belah di { $brand } tahun ini.
    { $offer }
outreach-body-festival_sale =
    Jualan { $festival } { $brand } sudah bermula! Inilah masa terbaik untuk membeli { $item }.
    { $offer }
    ~Beli awal, tawaran terbaik cepat habis.
outreach-body-custom =
    Sekadar bertanya khabar dari { $brand }. Beritahu kami jika ada apa-apa yang boleh kami bantu.
    { $offer }
outreach-body-welcome_no_item =
    Selamat datang ke { $brand }! Terima kasih kerana memilih kami, kami gembira anda bersama kami.
    ~Jika ada sebarang soalan, balas sahaja mesej ini dan kami sedia membantu.
    { $offer }
outreach-body-thank_you_no_item =
    Terima kasih kerana menjadi antara pelanggan yang paling kami hargai.
    { $points_line }
    { $offer }
    ~Kami amat menghargai sokongan anda.
outreach-body-replenishment_no_item =
    Barangan kegemaran anda sudah hampir habis? Inilah masa yang sesuai untuk menambah stok supaya anda tidak kehabisan.
    { $offer }
    ~Balas mesej ini jika anda perlukan bantuan.
outreach-body-winback_no_item =
    Kami rindu anda di { $brand }! Sudah agak lama kita tidak berhubung, dan kami ada banyak barangan baharu yang pasti anda suka.
    { $points_line }
    { $offer }
    ~Kami harap dapat berjumpa anda lagi.
outreach-body-review_request_no_item =
    Boleh luangkan seminit untuk berkongsi pengalaman anda dengan kami? Maklum balas anda sangat membantu kami dan pembeli lain.
    ~Terima kasih atas sokongan anda!
    { $offer }
outreach-body-service_recovery_no_item =
    Kami memohon maaf atas masalah yang anda alami. Itu bukan pengalaman yang kami mahukan untuk anda.
    ~Sila balas mesej ini dan kami akan membetulkannya secepat mungkin.
    { $offer }
outreach-body-custom_brief =
    { $brief }
    { $offer }
