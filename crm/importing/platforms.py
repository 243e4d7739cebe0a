"""Platform mappings: how each marketplace's real export columns become SellerMate orders, lines and buyers.

Each mapping documents which columns give the order value (docs/metrics.md, "Orders") and how statuses are
normalised to pending | paid | shipped | completed | cancelled | returned. Columns are matched by name,
case-insensitively, so extra or re-ordered columns and missing optional ones are fine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from crm.catalog import PLATFORM_IDS, VALID_STATUSES
from crm.importing.errors import ImportFileError
from crm.importing.limits import (
    AMOUNT_LIMIT,
    TEXT_FIELDS,
    clean_text,
    date_problem,
    fit,
    latest_date,
    shown,
    too_long,
)
from crm.importing.limits import SKU as SKU_LIMIT
from crm.importing.normalise import (
    AmountOutOfRange,
    ValueProblem,
    clean_email,
    clean_phone,
    country_code,
    country_timezone,
    currency_from_header,
    parse_datetime,
    parse_int,
    parse_money,
)
from crm.importing.reader import cell_text

STATUS_RANK = {"pending": 0, "paid": 1, "shipped": 2, "completed": 3}

COUNTRY_CURRENCY = {
    "SG": "SGD",
    "MY": "MYR",
    "TH": "THB",
    "PH": "PHP",
    "ID": "IDR",
    "VN": "VND",
    "TW": "TWD",
    "HK": "HKD",
    "CN": "CNY",
    "JP": "JPY",
    "KR": "KRW",
    "US": "USD",
    "GB": "GBP",
    "AU": "AUD",
    "CA": "CAD",
    "NZ": "NZD",
    "DE": "EUR",
    "FR": "EUR",
    "ES": "EUR",
    "IT": "EUR",
    "NL": "EUR",
    "IE": "EUR",
    "BR": "BRL",
    "MX": "MXN",
    "IN": "INR",
    "AE": "AED",
}
_SYMBOL_CURRENCY = (
    ("AU $", "AUD"),
    ("AU$", "AUD"),
    ("C $", "CAD"),
    ("C$", "CAD"),
    ("S$", "SGD"),
    ("RM", "MYR"),
    ("£", "GBP"),
    ("€", "EUR"),
    ("฿", "THB"),
    ("₱", "PHP"),
    ("₫", "VND"),
    ("Rp", "IDR"),
    ("¥", "CNY"),
    ("$", "USD"),
)


@dataclass(slots=True)
class Buyer:
    key: str
    username: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    accepts_marketing: bool | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None


@dataclass(slots=True)
class Line:
    """One export row, normalised. Order-level fields may be None on continuation rows (Shopify)."""

    line_no: int
    order_ref: str
    status: str | None
    raw_status: str | None
    created_at: datetime | None
    paid_at: datetime | None
    currency: str | None
    order_total: float | None  # the platform's order total, when the export has one
    line_value: float | None  # this row's share of the order value, when it has no order total
    country: str | None
    buyer: Buyer | None
    sku: str | None = None
    product_name: str | None = None
    variation: str | None = None
    quantity: int = 1
    unit_price: float | None = None
    line_discount: float | None = None
    line_total: float | None = None
    item_valid: bool = True  # per-item status (Lazada, Amazon): a cancelled item adds no value
    category: str | None = None  # the product's category, where the platform's export has one (TikTok Shop)


# Maps one row (its line number and cells) to what the mapping's kind imports: a Line (orders), a Buyer
# (customers) or an Activity (interactions, events); None skips the row. The importer picks the mapping at run
# time and hands its rows to the code for its kind, so the result is typed by kind there, not here.
RowMapper = Callable[[int, Sequence[object]], Any]


def canon(header: str) -> str:
    return re.sub(r"\s+", " ", header.strip().strip("\ufeff").strip()).lower()


class Columns:
    """Look up cells by any of a field's header names (first present wins)."""

    def __init__(self, header: list[str]) -> None:
        self.index: dict[str, int] = {}
        for i, h in enumerate(header):
            self.index.setdefault(canon(h), i)
        self.header = header

    def find(self, *names: str) -> int | None:
        for n in names:
            i = self.index.get(canon(n))
            if i is not None:
                return i
        return None

    def find_prefix(self, prefix: str) -> int | None:
        p = canon(prefix)
        for name, i in self.index.items():
            if name.startswith(p):
                return i
        return None

    def require(self, platform_label: str, /, **fields: tuple[str, ...]) -> dict[str, int]:
        out, missing = {}, []
        for f, names in fields.items():
            i = self.find(*names)
            if i is None:
                missing.append(names[0])
            else:
                out[f] = i
        if missing:
            raise ImportFileError(
                f"this looks like a {platform_label} export but the column(s) {', '.join(repr(m) for m in missing)} "
                "are missing; export again with all columns"
            )
        return out


def _get(cells: Sequence[object], i: int | None) -> str:
    if i is None or i >= len(cells):
        return ""
    v = cells[i]
    return v.strip() if type(v) is str else cell_text(v)


def _raw(cells: Sequence[object], i: int | None) -> object:
    if i is None or i >= len(cells):
        return None
    return cells[i]


def _money(cells: Sequence[object], i: int | None, what: str) -> float | None:
    try:
        return parse_money(_raw(cells, i))
    except AmountOutOfRange as exc:
        raise ValueProblem(f"{what}: {exc}") from None
    except ValueProblem:
        raise ValueProblem(f"{what}: not an amount: {shown(_get(cells, i))!r}") from None


def _when(
    cells: Sequence[object], i: int | None, tz: ZoneInfo, what: str, formats: tuple[str, ...] | None = None
) -> datetime | None:
    try:
        if formats:
            return parse_datetime(_raw(cells, i), tz, formats)
        return parse_datetime(_raw(cells, i), tz)
    except ValueProblem:
        raise ValueProblem(f"{what}: not a date: {shown(_get(cells, i))!r}") from None


def _picker(*indexes: int | None) -> Callable[[Sequence[object]], tuple[object, ...]]:
    """The raw cells at `indexes` in one call (None for an absent column or past the row's end), so the
    mappers' hot loops make one call per row instead of one per cell."""
    width = max((i for i in indexes if i is not None), default=-1) + 1
    # Rows get one None appended: index -1 is then that None for every absent column.
    get = itemgetter(*(i if i is not None else -1 for i in indexes), -1)

    def pick(r: Sequence[object]) -> tuple[object, ...]:
        if type(r) is not list:
            r = list(r)
        if len(r) < width:
            r = r + [None] * (width - len(r))
        cells: tuple[object, ...] = get(r + _PAD)
        return cells

    return pick


_PAD: list[object] = [None]


def _text(v: object) -> str:
    """`_get` for a picked cell."""
    if type(v) is str:
        return v.strip()
    return "" if v is None else cell_text(v)


def _amount(v: object, what: str) -> float | None:
    """`_money` for a picked cell; plain numbers take the short way."""
    if type(v) is str:
        try:
            f = float(v)
        except ValueError:
            if not v.strip():
                return None
        else:
            if -_AMOUNT_BOUND < f < _AMOUNT_BOUND:  # finite, and within bounds
                return f
    try:
        return parse_money(v)
    except AmountOutOfRange as exc:
        raise ValueProblem(f"{what}: {exc}") from None
    except ValueProblem:
        raise ValueProblem(f"{what}: not an amount: {shown(_text(v))!r}") from None


_AMOUNT_BOUND = float(AMOUNT_LIMIT)  # (a float compares with a float faster than with an int)


def _quantity(v: object) -> int:
    """`parse_int(cell)` for a picked cell."""
    if type(v) is str and v.isdigit() and v.isascii():
        return int(v)
    return parse_int(v)


def _moment(v: object, tz: ZoneInfo, what: str, formats: tuple[str, ...] | None = None) -> datetime | None:
    """`_when` for a picked cell."""
    try:
        if formats:
            return parse_datetime(v, tz, formats)
        return parse_datetime(v, tz)
    except ValueProblem:
        raise ValueProblem(f"{what}: not a date: {shown(_text(v))!r}") from None


def _currency_of_money(text: str) -> str | None:
    t = text.strip()
    for sym, cur in _SYMBOL_CURRENCY:
        if t.startswith((sym, "-" + sym)):
            return cur
    m = re.match(r"^([A-Z]{3})\s?[\d.,-]", t)
    return m.group(1) if m else None


@dataclass
class Context:
    """What a mapping needs besides the file: the store's country/currency and the workspace zone."""

    store_country: str | None
    store_currency: str | None
    default_tz: str
    generic_columns: dict[str, str] = field(default_factory=dict)

    def tz_for(self, country: str | None) -> ZoneInfo:
        return country_timezone(self.store_country or country, self.default_tz)


def _first_found(
    cols: Columns, rows: Sequence[Sequence[object]], names: tuple[str, ...], read: Callable[[str], str | None]
) -> str | None:
    """The first value `read` understands in the first of `names` present, over the first rows."""
    if not names:
        return None
    i = cols.find(*names)
    for r in rows:
        found = read(_get(r, i))
        if found:
            return found
    return None


class Platform:
    name: str = ""
    label: str = ""
    # Headers whose presence identifies the platform; detection scores the share present.
    signature: tuple[str, ...] = ()
    kind: str = "orders"  # orders | customers

    def score(self, cols: Columns) -> float:
        if not self.signature:
            return 0.0
        return sum(1 for h in self.signature if cols.find(h) is not None) / len(self.signature)

    # Columns that tell the store's country (a country name or code) and currency (money like "$25.00").
    country_columns: tuple[str, ...] = ()
    money_columns: tuple[str, ...] = ()

    def guess_country(self, cols: Columns, first_rows: Sequence[Sequence[object]]) -> str | None:
        return _first_found(cols, first_rows, self.country_columns, country_code)

    def guess_currency(self, cols: Columns, first_rows: Sequence[Sequence[object]]) -> str | None:
        return _first_found(cols, first_rows, self.money_columns, _currency_of_money)

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        raise NotImplementedError


def _status(table: dict[str, str], raw: str, what: str = "status") -> str:
    key = raw.strip().lower()
    if key in table:
        return table[key]
    for k, v in table.items():
        if k.endswith("*") and key.startswith(k[:-1]):
            return v
    raise ValueProblem(f"unknown {what} {shown(raw)!r}")


# ---------------------------------------------------------------- Shopee
SHOPEE_STATUS = {
    "unpaid": "pending",
    "to ship": "paid",
    "ready to ship": "paid",
    "processed": "paid",
    "shipping": "shipped",
    "shipped": "shipped",
    "to receive": "shipped",
    "delivered": "completed",
    "completed": "completed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "cancellation pending": "paid",
    "return/refund": "returned",
    "refunded": "returned",
    # Chinese (TW)
    "待付款": "pending",
    "尚未付款": "pending",
    "待出貨": "paid",
    "運送中": "shipped",
    "待收貨": "shipped",
    "已完成": "completed",
    "完成": "completed",
    "已取消": "cancelled",
    "不成立": "cancelled",
    "退貨/退款": "returned",
    "退款/退貨": "returned",
    # Indonesian
    "belum bayar": "pending",
    "perlu dikirim": "paid",
    "dikirim": "shipped",
    "sedang dikirim": "shipped",
    "selesai": "completed",
    "batal": "cancelled",
    "dibatalkan": "cancelled",
    "pengembalian": "returned",
    "pengembalian barang/dana": "returned",
    # Vietnamese
    "chờ thanh toán": "pending",
    "chờ xác nhận": "paid",
    "chờ lấy hàng": "paid",
    "đang giao": "shipped",
    "đã giao": "completed",
    "hoàn thành": "completed",
    "đã hủy": "cancelled",
    "trả hàng/hoàn tiền": "returned",
    # Thai
    "ที่ต้องชำระ": "pending",
    "ยังไม่ชำระเงิน": "pending",
    "ที่ต้องจัดส่ง": "paid",
    "กำลังจัดส่ง": "shipped",
    "ที่ต้องได้รับ": "shipped",
    "สำเร็จแล้ว": "completed",
    "สำเร็จ": "completed",
    "ยกเลิกแล้ว": "cancelled",
    "ยกเลิก": "cancelled",
    "คืนเงิน/คืนสินค้า": "returned",
}
_REFUND_DONE = re.compile(
    r"(approved|accepted|completed|refunded|成功|已退款|disetujui|selesai|hoàn tất|สำเร็จ)", re.IGNORECASE
)


class Shopee(Platform):
    """Shopee Seller Centre `Order.all.*.xlsx`. Value: `Grand Total` (order level; else order subtotal +
    buyer-paid shipping). Returned: a `Return / Refund Status` that says approved/completed/refunded."""

    name, label = "shopee", "Shopee"
    signature = (
        "Order ID",
        "Order Status",
        "Username (Buyer)",
        "Order Creation Date",
        "Grand Total",
        "Product Name",
        "SKU Reference No.",
    )
    ALIASES = {  # noqa: RUF012
        "order": ("Order ID", "訂單編號 (單)", "訂單編號", "No. Pesanan", "Mã đơn hàng", "หมายเลขคำสั่งซื้อ"),
        "status": (
            "Order Status",
            "訂單狀態 (單)",
            "訂單狀態",
            "Status Pesanan",
            "Trạng thái đơn hàng",
            "สถานะการสั่งซื้อ",
        ),
        "buyer": (
            "Username (Buyer)",
            "買家帳號 (單)",
            "買家帳號",
            "Username (Pembeli)",
            "Người Mua",
            "ชื่อผู้ใช้ (ผู้ซื้อ)",
        ),
        "created": (
            "Order Creation Date",
            "訂單成立時間 (單)",
            "訂單成立時間",
            "Waktu Pesanan Dibuat",
            "Ngày đặt hàng",
            "วันที่ทำการสั่งซื้อ",
        ),
    }

    def score(self, cols: Columns) -> float:
        base = super().score(cols)
        localized = sum(1 for names in self.ALIASES.values() if cols.find(*names) is not None) / len(
            self.ALIASES
        )
        return max(base, localized * 0.9)

    country_columns = ("Country", "國家", "Negara", "Quốc gia", "ประเทศ")

    def guess_currency(self, cols: Columns, first_rows: Sequence[Sequence[object]]) -> str | None:
        for h in cols.header:
            c = currency_from_header(h)
            if c:
                return c
        return None

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(self.label, **self.ALIASES)
        refund = cols.find(
            "Return / Refund Status",
            "退貨 / 退款狀態",
            "Status Pengembalian",
            "Trạng Thái Trả Hàng/Hoàn Tiền",
        )
        req_order = req.get("order")
        paid = cols.find(
            "Order Paid Time",
            "訂單付款時間 (單)",
            "Waktu Pembayaran Dilakukan",
            "Thời gian đơn hàng được thanh toán",
        )
        total = cols.find(
            "Grand Total", "訂單總金額 (單)", "訂單總金額", "Total Pembayaran", "ยอดชำระเงินทั้งหมด"
        )
        if total is None:
            total = cols.find_prefix("Tổng giá trị đơn hàng")
        subtotal = cols.find("Order Subtotal", "訂單小計 (單)", "訂單小計")
        shipping = cols.find(
            "Buyer Paid Shipping Fee",
            "買家支付的運費 (單)",
            "買家支付的運費",
            "Ongkos Kirim Dibayar oleh Pembeli",
        )
        if total is None and subtotal is None:
            raise ImportFileError("this Shopee export has neither 'Grand Total' nor an order subtotal column")
        name = cols.find(
            "Receiver Name", "收件者姓名 (單)", "收件者姓名", "Nama Penerima", "Tên Người nhận", "ชื่อผู้รับ"
        )
        phone = cols.find(
            "Phone Number", "收件者電話 (單)", "收件者電話", "No. Telepon", "Số điện thoại", "หมายเลขโทรศัพท์"
        )
        country = cols.find("Country", "國家", "Negara", "Quốc gia", "ประเทศ")
        product = cols.find(
            "Product Name", "商品名稱 (品)", "商品名稱", "Nama Produk", "Tên sản phẩm", "ชื่อสินค้า"
        )
        sku = cols.find(
            "SKU Reference No.",
            "商品選項貨號",
            "Nomor Referensi SKU",
            "SKU phân loại hàng",
            "Parent SKU Reference No.",
            "主商品貨號",
        )
        variation = cols.find(
            "Variation Name", "商品選項名稱", "Nama Variasi", "Tên phân loại hàng", "ชื่อตัวเลือก"
        )
        qty = cols.find("Quantity", "數量", "Jumlah", "Số lượng", "จำนวน")
        unit = cols.find(
            "Deal Price",
            "商品活動價格",
            "Harga Setelah Diskon",
            "Giá ưu đãi",
            "ราคาขาย",
            "Original Price",
            "商品原價 (品)",
            "商品原價",
            "Harga Awal",
            "Giá gốc",
        )
        line_total = cols.find("Product Subtotal", "商品小計", "Subtotal Produk")
        currency = ctx.store_currency

        def row(line_no: int, r: Sequence[object]) -> Line:
            ref = _get(r, req["order"])
            c = country_code(_get(r, country)) or ctx.store_country
            tz = ctx.tz_for(c)
            raw_status = _get(r, req["status"])
            status = _status(SHOPEE_STATUS, raw_status)
            rf = _get(r, refund)
            if rf and _REFUND_DONE.search(rf) and status != "cancelled":
                status = "returned"
            value = _money(r, total, "Grand Total") if total is not None else None
            if value is None and subtotal is not None:
                sub = _money(r, subtotal, "order subtotal")
                value = None if sub is None else sub + (_money(r, shipping, "shipping fee") or 0.0)
            username = _get(r, req["buyer"])
            return Line(
                line_no=line_no,
                order_ref=ref,
                status=status,
                raw_status=raw_status,
                created_at=_when(r, req["created"], tz, "Order Creation Date"),
                paid_at=_when(r, paid, tz, "Order Paid Time"),
                currency=currency,
                order_total=value,
                line_value=None,
                country=c,
                buyer=Buyer(
                    key=username,
                    username=username,
                    name=_get(r, name) or None,
                    phone=clean_phone(_get(r, phone)),
                    country=c,
                )
                if username
                else None,
                sku=_get(r, sku) or None,
                product_name=_get(r, product) or None,
                variation=_get(r, variation) or None,
                quantity=parse_int(_raw(r, qty)),
                unit_price=_money(r, unit, "price"),
                line_total=_money(r, line_total, "Product Subtotal"),
            )

        row.order_col = req_order  # type: ignore[attr-defined]
        return row


# ---------------------------------------------------------------- Lazada
LAZADA_STATUS = {
    "unpaid": "pending",
    "pending": "paid",
    "topack": "paid",
    "packed": "paid",
    "repacked": "paid",
    "ready_to_ship": "paid",
    "ready_to_ship_pending": "paid",
    "confirmed": "paid",
    "shipped": "shipped",
    "delivered": "completed",
    "completed": "completed",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "failed": "cancelled",
    "failed_delivery": "cancelled",
    "lost": "cancelled",
    "lost_by_3pl": "cancelled",
    "damaged_by_3pl": "cancelled",
    "returned": "returned",
    "shipped_back": "returned",
    "shipped_back_success": "returned",
    "back_to_shipper": "returned",
    "package_scrapped": "cancelled",
}


class Lazada(Platform):
    """Lazada orders export (one row per item unit). Value: Σ paidPrice + Σ shippingFee over the order's
    items whose own status is valid (all items when none is). Item statuses decide the order status."""

    name, label = "lazada", "Lazada"
    signature = (
        "orderItemId",
        "orderNumber",
        "customerName",
        "createTime",
        "paidPrice",
        "unitPrice",
        "shippingFee",
        "status",
        "lazadaSku",
    )
    country_columns = ("shippingCountry", "billingCountry")

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label,
            order=("orderNumber",),
            status=("status",),
            created=("createTime",),
            buyer=("customerName",),
            paid=("paidPrice",),
        )
        req_order = req.get("order")
        ship_fee, email = cols.find("shippingFee"), cols.find("customerEmail")
        name = cols.find("shippingName", "billingName")
        phone, phone2 = cols.find("shippingPhone"), cols.find("billingPhone")
        country = cols.find("shippingCountry", "billingCountry")
        sku = cols.find("sellerSku", "lazadaSku")
        product, variation = cols.find("itemName"), cols.find("variation")
        unit, discount = cols.find("unitPrice"), cols.find("sellerDiscountTotal")
        fmts = (
            "%d %b %Y %H:%M",
            "%d %b %Y %H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%d/%m/%Y %H:%M",
        )

        def row(line_no: int, r: Sequence[object]) -> Line:
            c = country_code(_get(r, country)) or ctx.store_country
            tz = ctx.tz_for(c)
            raw_status = _get(r, req["status"])
            status = _status(LAZADA_STATUS, raw_status.replace(" ", "_"))
            paid_price = _money(r, req["paid"], "paidPrice") or 0.0
            fee = _money(r, ship_fee, "shippingFee") or 0.0
            username = _get(r, req["buyer"])
            return Line(
                line_no=line_no,
                order_ref=_get(r, req["order"]),
                status=status,
                raw_status=raw_status,
                created_at=_when(r, req["created"], tz, "createTime", fmts),
                paid_at=None,
                currency=ctx.store_currency or COUNTRY_CURRENCY.get(c or ""),
                order_total=None,
                line_value=paid_price + fee,
                country=c,
                buyer=Buyer(
                    key=username,
                    username=username,
                    name=_get(r, name) or None,
                    email=clean_email(_get(r, email)),
                    phone=clean_phone(_raw(r, phone)) or clean_phone(_raw(r, phone2)),
                    country=c,
                )
                if username
                else None,
                sku=_get(r, sku) or None,
                product_name=_get(r, product) or None,
                variation=_get(r, variation) or None,
                quantity=1,
                unit_price=_money(r, unit, "unitPrice"),
                line_discount=abs(_money(r, discount, "sellerDiscountTotal") or 0.0),
                line_total=paid_price,
                item_valid=status in VALID_STATUSES,
            )

        row.order_col = req_order  # type: ignore[attr-defined]
        return row


# ---------------------------------------------------------------- TikTok Shop
TIKTOK_STATUS = {
    "unpaid": "pending",
    "awaiting payment": "pending",
    "on hold": "pending",
    "awaiting shipment": "paid",
    "to ship": "paid",
    "awaiting collection": "paid",
    "ready to ship": "paid",
    "processing": "paid",
    "partially shipping": "shipped",
    "in transit": "shipped",
    "shipped": "shipped",
    "shipping": "shipped",
    "delivered": "completed",
    "completed": "completed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    # Localised exports
    "未付款": "pending",
    "待发货": "paid",
    "已发货": "shipped",
    "运输中": "shipped",
    "已送达": "completed",
    "已完成": "completed",
    "已取消": "cancelled",
    "chưa thanh toán": "pending",
    "chờ giao hàng": "paid",
    "đang giao": "shipped",
    "đã giao": "completed",
    "hoàn thành": "completed",
    "đã hủy": "cancelled",
    "ยังไม่ได้ชำระเงิน": "pending",
    "รอจัดส่ง": "paid",
    "จัดส่งแล้ว": "shipped",
    "สำเร็จ": "completed",
    "ยกเลิกแล้ว": "cancelled",
    "belum dibayar": "pending",
    "menunggu pengiriman": "paid",
    "dikirim": "shipped",
    "selesai": "completed",
    "dibatalkan": "cancelled",
}


# A TikTok order's fields in Line's order from status to buyer: status, raw status, created, paid, currency,
# order total, line value, country, buyer.
_TikTokOrder = tuple[
    str, str, datetime | None, datetime | None, str | None, float | None, None, str | None, Buyer | None
]


class TikTok(Platform):
    """TikTok Shop orders export (one row per SKU). Value: `Order Amount` (order level). A full refund
    (`Order Refund Amount` ≥ `Order Amount`) or a Return/Refund type on a finished order makes it returned."""

    name, label = "tiktok", "TikTok Shop"
    signature = (
        "Order ID",
        "Order Status",
        "Order Substatus",
        "SKU ID",
        "Order Amount",
        "Created Time",
        "Buyer Username",
        "Cancelation/Return Type",
    )
    country_columns = ("Country",)
    money_columns = ("Order Amount",)

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label,
            order=("Order ID",),
            status=("Order Status",),
            created=("Created Time",),
            buyer=("Buyer Username",),
            amount=("Order Amount",),
        )
        req_order = req.get("order")
        refund, paid = cols.find("Order Refund Amount"), cols.find("Paid Time")
        nick, recipient = cols.find("Buyer Nickname"), cols.find("Recipient")
        phone, country = cols.find("Phone #", "Phone"), cols.find("Country")
        sku, product = cols.find("Seller SKU", "SKU ID"), cols.find("Product Name")
        variation, qty = cols.find("Variation"), cols.find("Quantity")
        unit, after = cols.find("SKU Unit Original Price"), cols.find("SKU Subtotal After Discount")
        seller_disc = cols.find("SKU Seller Discount")
        category = cols.find("Product Category")
        us_fmts = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")
        sea_fmts = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")

        # The last row's signature and order-level values.
        previous_signature: tuple[object, ...] | None = None
        previous_values: _TikTokOrder | None = None
        pick = _picker(
            req["order"],
            req["created"],
            req["status"],
            req["amount"],
            refund,
            req["buyer"],
            country,
            paid,
            recipient,
            nick,
            phone,
            sku,
            product,
            variation,
            qty,
            unit,
            seller_disc,
            after,
            category,
        )
        us_tz = country_timezone("US", ctx.default_tz)
        store_country, store_currency = ctx.store_country, ctx.store_currency

        def order_level(cells: tuple[object, ...], ref: str) -> _TikTokOrder:
            """What every line of an order repeats, in Line's field order from status to buyer: parsed once per
            order, not once per line (the next row of the same order has the same raw cells)."""
            nonlocal previous_signature, previous_values
            signature = cells[:6]
            if previous_values is not None and previous_signature == signature:
                return previous_values
            created_raw = _text(cells[1])
            raw_status = _text(cells[2])
            amount_text = _text(cells[3])
            c = country_code(_text(cells[6])) or store_country
            us = created_raw.upper().endswith(("AM", "PM"))
            tz = us_tz if us and not store_country else ctx.tz_for(c)
            fmts = us_fmts if us else sea_fmts
            status = _status(TIKTOK_STATUS, raw_status)
            amount = _amount(cells[3], "Order Amount")
            refunded = _amount(cells[4], "Order Refund Amount") or 0.0
            if status != "cancelled" and amount and refunded >= amount - 0.005:
                status = "returned"  # fully refunded
            username = _text(cells[5])
            values = (
                status,
                raw_status,
                _moment(cells[1], tz, "Created Time", fmts),
                _moment(cells[7], tz, "Paid Time", fmts),
                store_currency or _currency_of_money(amount_text) or COUNTRY_CURRENCY.get(c or ""),
                amount,
                None,
                c,  # order_total, line_value (none: the order has a total), country
                Buyer(
                    key=username,
                    username=username,
                    name=_text(cells[8]) or _text(cells[9]) or None,
                    phone=clean_phone(_text(cells[10])),
                    country=c,
                )
                if username
                else None,
            )
            previous_signature, previous_values = signature, values
            return values

        def row(line_no: int, r: Sequence[object]) -> Line | None:
            cells = pick(r)
            v = cells[0]
            ref = v.strip() if type(v) is str else _text(v)
            if ref and not (ref[0].isdigit() or any(ch.isdigit() for ch in ref)):
                return None  # the localized description row under the header (XLSX)
            return Line(
                line_no,
                ref,
                *order_level(cells, ref),
                sku=_text(cells[11]) or None,
                product_name=_text(cells[12]) or None,
                variation=_text(cells[13]) or None,
                quantity=_quantity(cells[14]),
                unit_price=_amount(cells[15], "SKU Unit Original Price"),
                line_discount=abs(_amount(cells[16], "SKU Seller Discount") or 0.0),
                line_total=_amount(cells[17], "SKU Subtotal After Discount"),
                category=_text(cells[18]) or None,
            )

        row.order_col = req_order  # type: ignore[attr-defined]
        return row


# ---------------------------------------------------------------- Amazon
AMAZON_STATUS = {
    "pending": "pending",
    "pending - waiting for pick up": "paid",
    "unshipped": "paid",
    "shipping": "shipped",
    "partiallyshipped": "shipped",
    "shipped": "shipped",
    "shipped - delivered to buyer": "completed",
    "shipped - out for delivery": "shipped",
    "shipped - picked up": "shipped",
    "shipped - returning to seller": "returned",
    "shipped - returned to seller": "returned",
    "shipped - rejected by buyer": "returned",
    "shipped - lost in transit": "cancelled",
    "shipped - damaged": "cancelled",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "invoiceunconfirmed": "paid",
    "unfulfillable": "cancelled",
    "complete": "completed",
    "completed": "completed",
}


class Amazon(Platform):
    """Amazon Seller Central flat files (tab-separated). Value: Σ over items of item-price (a line total) +
    item-tax + shipping-price + shipping-tax − item/ship promotion discounts. The order report with buyer
    fields has no status column: paid when `payments-date` is set, else pending. The All Orders report
    uses `order-status`/`item-status` and has no buyer identity: its orders count in orders and revenue
    but belong to no customer."""

    name, label = "amazon", "Amazon"
    signature = (
        "order-id",
        "order-item-id",
        "purchase-date",
        "buyer-email",
        "sku",
        "quantity-purchased",
        "item-price",
        "currency",
    )
    ALL_ORDERS = ("amazon-order-id", "purchase-date", "order-status", "item-status", "quantity", "item-price")

    def score(self, cols: Columns) -> float:
        return max(
            super().score(cols),
            sum(1 for h in self.ALL_ORDERS if cols.find(h) is not None) / len(self.ALL_ORDERS),
        )

    def guess_country(self, cols: Columns, first_rows: Sequence[Sequence[object]]) -> str | None:
        i = cols.find("sales-channel")
        for r in first_rows:
            ch = _get(r, i).lower()
            for suffix, c in (
                (".co.uk", "GB"),
                (".com.au", "AU"),
                (".sg", "SG"),
                (".de", "DE"),
                (".fr", "FR"),
                (".ca", "CA"),
                (".co.jp", "JP"),
                (".com.mx", "MX"),
                (".ae", "AE"),
                (".com", "US"),
            ):
                if ch.endswith(suffix):
                    return c
        i = cols.find("ship-country")
        for r in first_rows:
            code = country_code(_get(r, i))
            if code:
                return code
        return None

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label,
            order=("order-id", "amazon-order-id"),
            created=("purchase-date",),
            price=("item-price",),
        )
        req_order = req.get("order")
        payments = cols.find("payments-date")
        order_status, item_status = cols.find("order-status"), cols.find("item-status")
        if payments is None and order_status is None:
            raise ImportFileError("this Amazon report has neither 'payments-date' nor 'order-status'")
        email, bname = cols.find("buyer-email"), cols.find("buyer-name", "recipient-name")
        phone, sphone = cols.find("buyer-phone-number"), cols.find("ship-phone-number")
        country, currency = cols.find("ship-country"), cols.find("currency")
        sku, product = cols.find("sku"), cols.find("product-name")
        qty = cols.find("quantity-purchased", "quantity")
        parts = [
            cols.find(h)
            for h in ("item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax")
        ]
        promos = [cols.find(h) for h in ("item-promotion-discount", "ship-promotion-discount")]
        item_promo = promos[0]

        def row(line_no: int, r: Sequence[object]) -> Line:
            c = country_code(_get(r, country)) or ctx.store_country
            tz = ctx.tz_for(c)
            if order_status is not None:
                raw_status = _get(r, order_status)
                status = _status(AMAZON_STATUS, raw_status)
                item_raw = _get(r, item_status)
                item_ok = not item_raw or _status(AMAZON_STATUS, item_raw) not in {"cancelled", "returned"}
            else:
                raw_status = "payments-date" if _get(r, payments) else "no payment"
                status = "paid" if _get(r, payments) else "pending"
                item_ok = True
            price = _money(r, req["price"], "item-price") or 0.0
            extra = sum(_money(r, i, "amount") or 0.0 for i in parts)
            discount = sum(abs(_money(r, i, "promotion discount") or 0.0) for i in promos)
            q = parse_int(_raw(r, qty))
            key = _get(r, email)
            return Line(
                line_no=line_no,
                order_ref=_get(r, req["order"]),
                status=status,
                raw_status=raw_status,
                created_at=_when(r, req["created"], tz, "purchase-date"),
                paid_at=_when(r, payments, tz, "payments-date"),
                currency=_get(r, currency) or ctx.store_currency,
                order_total=None,
                line_value=price + extra - discount,
                country=c,
                buyer=Buyer(
                    key=key,
                    name=_get(r, bname) or None,
                    email=key,
                    phone=clean_phone(_get(r, phone)) or clean_phone(_get(r, sphone)),
                    country=c,
                )
                if key
                else None,
                sku=_get(r, sku) or None,
                product_name=_get(r, product) or None,
                quantity=q,
                unit_price=price / q if q else None,
                line_discount=abs(_money(r, item_promo, "item-promotion-discount") or 0.0),
                line_total=price,
                item_valid=item_ok,
            )

        row.order_col = req_order  # type: ignore[attr-defined]
        return row


# ---------------------------------------------------------------- eBay
class EBay(Platform):
    """eBay Seller Hub orders report. Value: Σ `Total Price` over the order's rows (it includes shipping
    and tax). No status column: pending without `Paid On Date`, shipped with `Shipped On Date`, else paid.
    Dates are date-only, read as midnight in the store's time zone."""

    name, label = "ebay", "eBay"
    signature = (
        "Sales Record Number",
        "Order Number",
        "Buyer Username",
        "Item Number",
        "Sold For",
        "Total Price",
        "Sale Date",
    )
    country_columns = ("Item Country", "Buyer Country")
    money_columns = ("Total Price", "Sold For")

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label,
            order=("Order Number",),
            buyer=("Buyer Username",),
            date=("Sale Date",),
            total=("Total Price",),
        )
        req_order = req.get("order")
        paid, shipped = cols.find("Paid On Date"), cols.find("Shipped On Date")
        name, email = cols.find("Buyer Name"), cols.find("Buyer Email")
        phone = cols.find("Ship To Phone", "Post to phone", "Buyer Phone")
        country = cols.find("Buyer Country", "Ship To Country", "Post to country")
        sku, product = cols.find("Custom Label"), cols.find("Item Title")
        qty, unit = cols.find("Quantity"), cols.find("Sold For")
        variation = cols.find("Variation Details")
        fmts = (
            "%b-%d-%y",
            "%b-%d-%Y",
            "%d-%b-%y",
            "%d-%b-%Y",
            "%d %b %Y",
            "%Y-%m-%d",
            "%m/%d/%Y",
            "%d/%m/%Y",
        )

        def row(line_no: int, r: Sequence[object]) -> Line | None:
            ref = _get(r, req["order"])
            first = _get(r, 0).lower()
            if not ref and ("record(s) downloaded" in first or first.startswith("seller id")):
                return None  # report trailer lines
            c = country_code(_get(r, country)) or ctx.store_country
            tz = ctx.tz_for(ctx.store_country or c)
            status = "shipped" if _get(r, shipped) else "paid" if _get(r, paid) else "pending"
            total_text = _get(r, req["total"])
            username = _get(r, req["buyer"])
            return Line(
                line_no=line_no,
                order_ref=ref,
                status=status,
                raw_status=status,
                created_at=_when(r, req["date"], tz, "Sale Date", fmts),
                paid_at=_when(r, paid, tz, "Paid On Date", fmts),
                currency=ctx.store_currency
                or _currency_of_money(total_text)
                or COUNTRY_CURRENCY.get(c or ""),
                order_total=None,
                line_value=_money(r, req["total"], "Total Price"),
                country=c,
                buyer=Buyer(
                    key=username,
                    username=username,
                    name=_get(r, name) or None,
                    email=clean_email(_get(r, email)),
                    phone=clean_phone(_get(r, phone)),
                    country=c,
                )
                if username
                else None,
                sku=_get(r, sku) or None,
                product_name=_get(r, product) or None,
                variation=_get(r, variation) or None,
                quantity=parse_int(_raw(r, qty)),
                unit_price=_money(r, unit, "Sold For"),
                line_total=_money(r, req["total"], "Total Price"),
            )

        row.order_col = req_order  # type: ignore[attr-defined]
        return row


# ---------------------------------------------------------------- Shopify
class Shopify(Platform):
    """Shopify `orders_export.csv`. Value: `Total` (order level, on the first row of an order).
    Status from Financial Status: pending/authorized → pending; paid/partially_paid/partially_refunded →
    paid (shipped when fulfilled); refunded → returned; voided or `Cancelled at` set → cancelled.
    The buyer is keyed by the order `Email` (else the phone); orders with neither belong to no customer."""

    name, label = "shopify", "Shopify"
    signature = (
        "Name",
        "Email",
        "Financial Status",
        "Fulfillment Status",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Total",
        "Created at",
    )

    def guess_currency(self, cols: Columns, first_rows: Sequence[Sequence[object]]) -> str | None:
        i = cols.find("Currency")
        for r in first_rows:
            v = _get(r, i)
            if v:
                return v.upper()
        return None

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label,
            order=("Name",),
            email=("Email",),
            financial=("Financial Status",),
            created=("Created at",),
            total=("Total",),
            qty=("Lineitem quantity",),
        )
        req_order = req.get("order")
        fulfil, cancelled = cols.find("Fulfillment Status"), cols.find("Cancelled at")
        paid, currency = cols.find("Paid at"), cols.find("Currency")
        marketing = cols.find("Accepts Marketing", "Accepts Email Marketing")
        bname, sname = cols.find("Billing Name"), cols.find("Shipping Name")
        phones = [cols.find(h) for h in ("Phone", "Billing Phone", "Shipping Phone")]
        country = [cols.find(h) for h in ("Shipping Country", "Billing Country")]
        product, price = cols.find("Lineitem name"), cols.find("Lineitem price")
        sku, ldisc = cols.find("Lineitem sku"), cols.find("Lineitem discount")

        pick = _picker(
            req["order"],
            req["financial"],
            cancelled,
            fulfil,
            *country,
            req["email"],
            *phones,
            marketing,
            bname,
            sname,
            req["qty"],
            price,
            ldisc,
            req["created"],
            paid,
            currency,
            req["total"],
            sku,
            product,
        )
        n_country, n_phones = len(country), len(phones)
        store_country, store_currency = ctx.store_country, ctx.store_currency
        tz_for = ctx.tz_for

        def row(line_no: int, r: Sequence[object]) -> Line:
            cells = pick(r)
            texts = [v.strip() if type(v) is str else _text(v) for v in cells]
            ref = texts[0]
            k = 4 + n_country
            countries = texts[4:k]
            email_raw = texts[k]
            phone_texts = texts[k + 1 : k + 1 + n_phones]
            k += 1 + n_phones
            (marketing_t, bname_t, sname_t, _, _, _, _, _, currency_t, _, sku_t, product_t, _) = texts[k:]
            (_, _, _, qty_v, price_v, ldisc_v, created_v, paid_v, _, total_v, _, _, _) = cells[k:]
            fin = texts[1].lower()
            status: str | None
            if not fin:
                status = None  # continuation row of a multi-line order
            elif fin == "voided":
                status = "cancelled"
            elif fin == "refunded":
                status = "returned"
            elif texts[2]:
                status = "cancelled"
            elif fin in {"pending", "authorized", "expired"}:
                status = "pending"
            elif fin in {"paid", "partially_paid", "partially_refunded"}:
                status = "shipped" if texts[3].lower() in {"fulfilled", "partial"} else "paid"
            else:
                raise ValueProblem(f"unknown Financial Status {shown(fin)!r}")
            c = None
            for t in countries:
                if t:
                    c = country_code(t)
                    if c:
                        break
            tz = tz_for(store_country or c)
            buyer = None
            if status is not None:
                phone = next((p for p in (clean_phone(t) for t in phone_texts) if p), None)
                key = email_raw.lower() if email_raw else (f"phone:{phone}" if phone else "")
                acc = marketing_t.lower()
                if key:
                    buyer = Buyer(
                        key=key,
                        name=bname_t or sname_t or None,
                        email=email_raw or None,
                        phone=phone,
                        country=c,
                        accepts_marketing=True if acc == "yes" else False if acc == "no" else None,
                    )
            q = _quantity(qty_v)
            unit = _amount(price_v, "Lineitem price")
            disc = _amount(ldisc_v, "Lineitem discount") or 0.0
            return Line(
                line_no=line_no,
                order_ref=ref,
                status=status,
                raw_status=fin or None,
                created_at=_moment(created_v, tz, "Created at") if status is not None else None,
                paid_at=_moment(paid_v, tz, "Paid at") if paid_v != "" and paid_v is not None else None,
                currency=(currency_t.upper() or store_currency) if status is not None else None,
                order_total=_amount(total_v, "Total") if status is not None else None,
                line_value=None,
                country=c,
                buyer=buyer,
                sku=sku_t or None,
                product_name=product_t or None,
                quantity=q,
                unit_price=unit,
                line_discount=disc,
                line_total=None if unit is None else unit * q - disc,
            )

        row.order_col = req_order  # type: ignore[attr-defined]
        return row


class ShopifyCustomers(Platform):
    """Shopify `customers_export.csv` (current and older generations): buyers, consent and tags, no orders.
    Keyed by `Customer ID` (by email in the oldest layout, which has none)."""

    name, label, kind = "shopify", "Shopify customers", "customers"
    signature = (
        "Customer ID",
        "First Name",
        "Last Name",
        "Email",
        "Accepts Email Marketing",
        "Total Spent",
        "Total Orders",
        "Tags",
    )

    def score(self, cols: Columns) -> float:
        old = ("First Name", "Last Name", "Email", "Accepts Marketing", "Total Spent", "Total Orders", "Tags")
        return max(super().score(cols), sum(1 for h in old if cols.find(h) is not None) / len(old) * 0.95)

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(self.label, first=("First Name",), email=("Email",))
        cid, last = cols.find("Customer ID"), cols.find("Last Name")
        req_order = req.get("order")
        marketing = cols.find("Accepts Email Marketing", "Accepts Marketing")
        phones = [cols.find(h) for h in ("Phone", "Default Address Phone")]
        country = cols.find("Default Address Country Code", "Country Code", "Country")
        tags, note = cols.find("Tags"), cols.find("Note")

        def row(line_no: int, r: Sequence[object]) -> Buyer | None:
            ident = _get(r, cid).lstrip("'")
            email = _get(r, req["email"])
            key = f"id:{ident}" if ident else email.lower()
            if not key:
                raise ValueProblem("neither Customer ID nor Email")
            acc = _get(r, marketing).lower()
            name = " ".join(p for p in (_get(r, req["first"]), _get(r, last)) if p) or None
            return Buyer(
                key=key,
                name=name,
                email=email or None,
                phone=next((p for p in (clean_phone(_get(r, i)) for i in phones) if p), None),
                country=country_code(_get(r, country).lstrip("'")) or ctx.store_country,
                accepts_marketing=True if acc == "yes" else False if acc == "no" else None,
                tags=tuple(dict.fromkeys(t for t in (fit(t, "tag") for t in _get(r, tags).split(",")) if t)),
                note=_get(r, note) or None,
            )

        row.order_col = req_order  # type: ignore[attr-defined]
        return row


# ---------------------------------------------------------------- WooCommerce
WOO_STATUS = {
    "pending": "pending",
    "pending payment": "pending",
    "on-hold": "pending",
    "on hold": "pending",
    "processing": "paid",
    "completed": "completed",
    "cancelled": "cancelled",
    "refunded": "returned",
    "failed": "cancelled",
    "draft": "pending",
    "checkout-draft": "pending",
    "trash": "cancelled",
    "wc-pending": "pending",
    "wc-processing": "paid",
    "wc-on-hold": "pending",
    "wc-completed": "completed",
    "wc-cancelled": "cancelled",
    "wc-refunded": "returned",
    "wc-failed": "cancelled",
}


class WooCommerce(Platform):
    """WooCommerce orders exported with "Advanced Order Export For WooCommerce" (default field labels,
    one row per product). Value: `Order Total Amount` (order level). Buyer keyed by billing email."""

    name, label = "woocommerce", "WooCommerce"
    signature = (
        "Order Number",
        "Order Status",
        "Order Date",
        "Email (Billing)",
        "Order Total Amount",
        "Item Name",
        "Quantity",
    )

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label,
            order=("Order Number", "Order ID"),
            status=("Order Status",),
            created=("Order Date",),
            total=("Order Total Amount", "Order Total"),
        )
        req_order = req.get("order")
        email, phone = (
            cols.find("Email (Billing)", "Billing Email"),
            cols.find("Phone (Billing)", "Billing Phone"),
        )
        first, last = cols.find("First Name (Billing)"), cols.find("Last Name (Billing)")
        country = cols.find("Country Code (Billing)", "Country Code (Shipping)", "Billing Country")
        currency = cols.find("Currency", "Order Currency")
        sku, product = cols.find("SKU"), cols.find("Item Name", "Product Name")
        qty, cost = cols.find("Quantity", "Quantity (- Refund)", "Qty"), cols.find("Item Cost", "Item Price")

        def row(line_no: int, r: Sequence[object]) -> Line:
            c = country_code(_get(r, country)) or ctx.store_country
            raw_status = _get(r, req["status"])
            key = _get(r, email).lower() or (f"phone:{_get(r, phone)}" if _get(r, phone) else "")
            name = " ".join(p for p in (_get(r, first), _get(r, last)) if p) or None
            q = parse_int(_raw(r, qty))
            return Line(
                line_no=line_no,
                order_ref=_get(r, req["order"]),
                status=_status(WOO_STATUS, raw_status),
                raw_status=raw_status,
                created_at=_when(r, req["created"], ctx.tz_for(c), "Order Date"),
                paid_at=None,
                currency=(_get(r, currency).upper() or ctx.store_currency),
                order_total=_money(r, req["total"], "Order Total Amount"),
                line_value=None,
                country=c,
                buyer=Buyer(
                    key=key,
                    name=name,
                    email=_get(r, email) or None,
                    phone=clean_phone(_get(r, phone)),
                    country=c,
                )
                if key
                else None,
                sku=_get(r, sku) or None,
                product_name=_get(r, product) or None,
                quantity=q,
                unit_price=_money(r, cost, "Item Cost"),
            )

        row.order_col = req_order  # type: ignore[attr-defined]
        return row


# ---------------------------------------------------------------- Generic CSV
GENERIC_FIELDS = (
    "order_id",
    "created_at",
    "status",
    "buyer_key",
    "email",
    "phone",
    "name",
    "country",
    "currency",
    "order_total",
    "line_total",
    "sku",
    "product_name",
    "quantity",
    "unit_price",
)
GENERIC_STATUS = {
    **{s: s for s in ("pending", "paid", "shipped", "completed", "cancelled", "returned")},
    "canceled": "cancelled",
    "refunded": "returned",
    "delivered": "completed",
    "unpaid": "pending",
    "processing": "paid",
}


class Generic(Platform):
    """Any CSV, with a column mapping in settings (`workspace.generic_columns`: field -> header). Required:
    order_id, created_at; a buyer_key or an email. Value: order_total when mapped, else Σ line_total.
    Status defaults to completed when unmapped."""

    name, label = "generic", "generic CSV"

    def score(self, cols: Columns) -> float:
        return 0.0  # only chosen explicitly with --platform generic

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        mapping = {k: v for k, v in ctx.generic_columns.items() if k in GENERIC_FIELDS}
        if "order_id" not in mapping or "created_at" not in mapping:
            raise ImportFileError(
                "the generic importer needs a column mapping: set workspace.generic_columns in config.yaml "
                "with at least order_id and created_at (see config.example.yaml)"
            )
        ix = {}
        for f, header in mapping.items():
            i = cols.find(header)
            if i is None:
                raise ImportFileError(f"column {header!r} (mapped to {f}) is not in the file")
            ix[f] = i

        req_order = ix.get("order_id")

        def g(r: Sequence[object], f: str) -> str:
            return _get(r, ix.get(f))

        def row(line_no: int, r: Sequence[object]) -> Line:
            c = country_code(g(r, "country")) or ctx.store_country
            key = g(r, "buyer_key") or g(r, "email").lower()
            raw_status = g(r, "status")
            total = _money(r, ix.get("order_total"), "order_total") if "order_total" in ix else None
            lt = _money(r, ix.get("line_total"), "line_total")
            return Line(
                line_no=line_no,
                order_ref=g(r, "order_id"),
                status=_status(GENERIC_STATUS, raw_status) if raw_status else "completed",
                raw_status=raw_status,
                created_at=_when(r, ix["created_at"], ctx.tz_for(c), "created_at"),
                paid_at=None,
                currency=(g(r, "currency").upper() or ctx.store_currency),
                order_total=total,
                line_value=None if total is not None else lt,
                country=c,
                buyer=Buyer(
                    key=key,
                    name=g(r, "name") or None,
                    email=g(r, "email") or None,
                    phone=clean_phone(g(r, "phone")),
                    country=c,
                )
                if key
                else None,
                sku=g(r, "sku") or None,
                product_name=g(r, "product_name") or None,
                quantity=parse_int(_raw(r, ix.get("quantity"))),
                unit_price=_money(r, ix.get("unit_price"), "unit_price"),
                line_total=lt,
            )

        row.order_col = req_order  # type: ignore[attr-defined]
        return row


# ---------------------------------------------------------------- SellerMate activity files
INTERACTION_KINDS = ("chat", "review", "nps", "complaint", "return", "outreach", "note")
# The score a row may carry, by kind (docs/service.md): a review's stars 1-5, an NPS answer 0-10 ("how likely
# are you to recommend us"); other kinds carry none.
RATING_RANGES = {"review": (1, 5), "nps": (0, 10)}
EVENT_KINDS = ("view", "add_to_cart", "abandoned_cart")


@dataclass(slots=True)
class Activity:
    """A chat, review, complaint, return, note or outreach (interactions.csv), or a browsing event."""

    platform: str
    buyer_key: str
    kind: str
    occurred_at: datetime
    rating: int | None = None
    body: str | None = None
    language: str | None = None
    sku: str | None = None
    product_name: str | None = None
    value: float | None = None
    currency: str | None = None
    reason: str | None = None  # a return's or complaint's reason
    order_ref: str | None = None  # the platform's order number it is about


def _activity_time(r: Sequence[object], i: int, tz: ZoneInfo, latest: datetime) -> datetime:
    """An interaction's or event's time: present and within the dates an import accepts."""
    when = _when(r, i, tz, "occurred_at")
    if when is None:
        raise ValueProblem("no occurred_at")
    problem = date_problem(when, "occurred_at", latest)
    if problem:
        raise ValueProblem(problem)
    return when


def _score(text: str) -> int | None:
    """A rating as written: a whole number ("4", "4.0"), or None when the cell is empty."""
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = float("nan")
    if value != value or abs(value) > 1e6 or value != int(value):
        raise ValueProblem(f"rating must be a whole number, got {shown(text)!r}")
    return int(value)


class Interactions(Platform):
    """`interactions.csv` (SellerMate layout; no platform exports chats): platform, buyer_key, kind
    (chat | review | nps | complaint | return | outreach | note), occurred_at (ISO 8601), rating (a review's
    stars 1–5; an nps answer's score 0–10; none on other kinds), body, language, and optionally order_id (the
    platform's order number the row is about) and reason (why a return or complaint). The buyer, and the order
    when one is named, must already be known from an order import (docs/service.md)."""

    name, label, kind = "sellermate", "SellerMate interactions", "interactions"
    signature = ("platform", "buyer_key", "kind", "occurred_at", "rating", "body")

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label, platform=("platform",), buyer=("buyer_key",), kind=("kind",), when=("occurred_at",)
        )
        rating, body, lang = cols.find("rating", "score"), cols.find("body"), cols.find("language")
        reason, order = (
            cols.find("reason", "return_reason"),
            cols.find("order_id", "order_ref", "order_number"),
        )
        tz = country_timezone(None, ctx.default_tz)
        latest = latest_date()

        def row(line_no: int, r: Sequence[object]) -> Activity:
            kind = _get(r, req["kind"]).lower()
            if kind not in INTERACTION_KINDS:
                raise ValueProblem(f"unknown kind {shown(kind)!r} (one of {', '.join(INTERACTION_KINDS)})")
            when = _activity_time(r, req["when"], tz, latest)
            stars = _get(r, rating)
            score = _score(stars)
            low, high = RATING_RANGES.get(kind, (1, 5))
            if score is not None and not low <= score <= high:
                raise ValueProblem(f"rating of a {kind} must be {low} to {high}, got {shown(stars)!r}")
            if kind == "nps" and score is None:
                raise ValueProblem("an nps answer needs its score (0 to 10) in rating")
            ref = _get(r, order)
            if len(ref) > TEXT_FIELDS["order id"].limit:
                raise ValueProblem(too_long("order id", ref))
            return Activity(
                platform=clean_text(_get(r, req["platform"])).lower(),
                buyer_key=clean_text(_get(r, req["buyer"])),
                kind=kind,
                occurred_at=when,
                rating=score,
                body=fit(_get(r, body), "message"),
                language=fit(_get(r, lang), "language"),
                reason=fit(_get(r, reason), "reason"),
                order_ref=clean_text(ref) or None,
            )

        return row


# ---------------------------------------------------------------- platform review exports
# A review's state in Shopify's Product Reviews export; spam is not a buyer's review, so it is left out
# (docs/service.md). Judge.me's `hidden` only hides a review from the shop's pages: it is kept.
REVIEW_STATES = ("published", "unpublished", "spam")
_EMAIL_IN_TEXT = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[A-Za-z]{2,}")


@dataclass(slots=True)
class Review:
    """One row of a platform's review export: who wrote it (their e-mail, the Shopify buyer key), about which
    product (its handle), when, and the stars. `left_out` says why a row is not a buyer's review (spam)."""

    platform: str
    email: str | None
    product_handle: str | None
    occurred_at: datetime
    rating: int
    body: str | None
    left_out: str | None = None


def handle_of(title: str) -> str:
    """A product title as Shopify makes its handle: lower case, every run of characters other than letters and
    digits one hyphen ("Sheet Mask Set (10 pcs)" -> "sheet-mask-set-10-pcs")."""
    return re.sub(r"[\W_]+", "-", title.lower()).strip("-")


def review_text(title: str, body: str) -> str | None:
    """A review's title and words as kept: "title — body", with any e-mail address a reviewer typed replaced
    (customers' e-mails are never kept in what they wrote, which outreach drafts may read)."""
    text = " — ".join(t for t in (title.strip(), body.strip()) if t)
    return fit(_EMAIL_IN_TEXT.sub("[e-mail]", text), "message")


def _review_time(v: object, tz: ZoneInfo, what: str, latest: datetime) -> datetime:
    """A review's time: ISO, Shopify's "2026-10-05 10:00:00 +0800" or "… UTC", or a date (midnight in `tz`)."""
    text = _text(v)
    if text.upper().endswith(" UTC"):
        text = text[:-4].strip() + "+00:00"
    when = _moment(text, tz, what)
    if when is None:
        raise ValueProblem(f"no {what}")
    problem = date_problem(when, what, latest)
    if problem:
        raise ValueProblem(problem)
    return when


def _stars(text: str) -> int:
    score = _score(text)
    if score is None:
        raise ValueProblem("no rating")
    if not 1 <= score <= 5:
        raise ValueProblem(f"rating of a review must be 1 to 5, got {shown(text)!r}")
    return score


class ShopifyProductReviews(Platform):
    """Shopify's Product Reviews app export (the same layout its CSV import takes): product_handle, state
    (published | unpublished | spam), rating (1-5), title, author, email, location, body, reply, created_at,
    replied_at. Each row is a review of the Shopify buyer with that e-mail; spam rows are left out."""

    name, label, kind = "shopify", "Shopify Product Reviews", "reviews"
    signature = (
        "product_handle",
        "state",
        "rating",
        "title",
        "author",
        "email",
        "location",
        "body",
        "reply",
        "created_at",
        "replied_at",
    )

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label, handle=("product_handle",), rating=("rating",), email=("email",), when=("created_at",)
        )
        state, title, body = cols.find("state"), cols.find("title"), cols.find("body")
        tz = country_timezone(None, ctx.default_tz)
        latest = latest_date()

        def row(line_no: int, r: Sequence[object]) -> Review:
            status = _get(r, state).lower() or "published"
            if status not in REVIEW_STATES:
                raise ValueProblem(f"unknown state {shown(status)!r} (one of {', '.join(REVIEW_STATES)})")
            return Review(
                platform="shopify",
                email=_get(r, req["email"]).lower() or None,
                product_handle=_get(r, req["handle"]) or None,
                occurred_at=_review_time(_raw(r, req["when"]), tz, "created_at", latest),
                rating=_stars(_get(r, req["rating"])),
                body=review_text(_get(r, title), _get(r, body)),
                left_out="spam" if status == "spam" else None,
            )

        return row


class JudgeMeReviews(Platform):
    """Judge.me's review export (the layout its CSV import takes): product_handle, review_title, body,
    reviewer_name, reviewer_email, rating (1-5), review_date, reply, reply_date, featured, verified, hidden.
    Each row is a review of the Shopify buyer with that e-mail; hidden reviews are kept (hiding one from the
    shop's pages does not change what the buyer said)."""

    name, label, kind = "shopify", "Judge.me reviews", "reviews"
    signature = (
        "product_handle",
        "review_title",
        "body",
        "reviewer_name",
        "reviewer_email",
        "rating",
        "review_date",
        "reply",
        "reply_date",
        "featured",
        "verified",
        "hidden",
    )

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label,
            handle=("product_handle",),
            rating=("rating",),
            email=("reviewer_email",),
            when=("review_date",),
        )
        title, body = cols.find("review_title"), cols.find("body")
        tz = country_timezone(None, ctx.default_tz)
        latest = latest_date()

        def row(line_no: int, r: Sequence[object]) -> Review:
            return Review(
                platform="shopify",
                email=_get(r, req["email"]).lower() or None,
                product_handle=_get(r, req["handle"]) or None,
                occurred_at=_review_time(_raw(r, req["when"]), tz, "review_date", latest),
                rating=_stars(_get(r, req["rating"])),
                body=review_text(_get(r, title), _get(r, body)),
            )

        return row


class BehaviourEvents(Platform):
    """`behaviour_events.csv` (SellerMate layout): platform, buyer_key, kind (view | add_to_cart |
    abandoned_cart), sku, product_name, value, currency, occurred_at (ISO 8601)."""

    name, label, kind = "sellermate", "SellerMate behaviour events", "events"
    signature = ("platform", "buyer_key", "kind", "sku", "product_name", "value", "currency", "occurred_at")

    def mapper(self, cols: Columns, ctx: Context) -> RowMapper:
        req = cols.require(
            self.label, platform=("platform",), buyer=("buyer_key",), kind=("kind",), when=("occurred_at",)
        )
        sku, product, value, currency = (
            cols.find("sku"),
            cols.find("product_name"),
            cols.find("value"),
            cols.find("currency"),
        )
        tz = country_timezone(None, ctx.default_tz)
        latest = latest_date()

        def row(line_no: int, r: Sequence[object]) -> Activity:
            kind = _get(r, req["kind"]).lower()
            if kind not in EVENT_KINDS:
                raise ValueProblem(f"unknown kind {shown(kind)!r} (one of {', '.join(EVENT_KINDS)})")
            when = _activity_time(r, req["when"], tz, latest)
            code = _get(r, currency).upper() or None
            if code is not None and not (len(code) == 3 and code.isalpha() and code.isascii()):
                raise ValueProblem(
                    f"unknown currency code {shown(code)!r} (expected an ISO 4217 code such as USD)"
                )
            item = _get(r, sku)
            if len(item) > SKU_LIMIT:
                raise ValueProblem(too_long("SKU", item))
            return Activity(
                platform=clean_text(_get(r, req["platform"])).lower(),
                buyer_key=clean_text(_get(r, req["buyer"])),
                kind=kind,
                occurred_at=when,
                sku=fit(item, "SKU"),
                product_name=fit(_get(r, product), "product name"),
                value=_money(r, value, "value"),
                currency=code,
            )

        return row


PLATFORMS: tuple[Platform, ...] = (
    Shopee(),
    Lazada(),
    TikTok(),
    Amazon(),
    EBay(),
    Shopify(),
    ShopifyCustomers(),
    WooCommerce(),
    Generic(),
    BehaviourEvents(),
    Interactions(),
    ShopifyProductReviews(),
    JudgeMeReviews(),
)
PLATFORM_NAMES = PLATFORM_IDS  # the catalogue's; each has its mappings above
ALL_SIGNATURE_HEADERS = {h for p in PLATFORMS for h in p.signature}


def detect(header: list[str], platform: str = "auto") -> Platform:
    """The mapping for a header row; `platform` forces one (with its customers/orders variant chosen)."""
    cols = Columns(header)
    candidates = [p for p in PLATFORMS if platform in ("auto", p.name)]  # activity files: auto only
    if not candidates:
        raise ImportFileError(
            f"unknown platform {platform!r}; choose one of: auto, {', '.join(PLATFORM_NAMES)}"
        )
    if platform == "generic":
        return candidates[0]
    scored = sorted(((p.score(cols), i, p) for i, p in enumerate(candidates)), key=lambda t: (-t[0], t[1]))
    best_score, _, best = scored[0]
    threshold = 0.6 if platform == "auto" else 0.3
    if platform != "auto":
        # A forced platform that another layout fits clearly better is a mistake: say which file it is.
        other_score, _, other = max(
            ((p.score(cols), -i, p) for i, p in enumerate(PLATFORMS)), key=lambda t: (t[0], t[1])
        )
        if other.name != platform and other_score >= 0.6 and other_score > best_score:
            raise ImportFileError(
                f"this file does not look like a {best.label} export: it looks like a "
                f"{other.label} one; import it without --platform"
            )
    if best_score < threshold:
        shown = ", ".join(header[:6]) + (" …" if len(header) > 6 else "")
        if platform == "auto":
            problem = (
                f"unknown file layout (columns: {shown}); SellerMate reads Shopee, Lazada, TikTok "
                "Shop, Amazon, eBay, Shopify and WooCommerce exports"
            )
            raise ImportFileError(
                f"{problem}; use --platform generic with a column mapping for others",
                problem=problem,
                fix="unknown_layout",
            )
        raise ImportFileError(f"this file does not look like a {best.label} export (columns: {shown})")
    return best
