"""The workspace set-up's rules (crm.setup), without Telegram: currency codes, time zones, skip words, stores."""

from __future__ import annotations

from crm import setup


def test_currency_codes() -> None:
    assert setup.looks_like_currency(" myr ") and not setup.looks_like_currency("ringgit")
    assert setup.currency_code(" myr ") == "MYR"
    assert setup.currency_code("RM") is None and setup.currency_code("ringgit") is None


def test_time_zones() -> None:
    assert setup.is_timezone(" Asia/Kuala_Lumpur ")
    assert not setup.is_timezone("Mars/Olympus") and not setup.is_timezone("")


def test_store_names_and_skip_words() -> None:
    assert setup.is_skip(" Skip ") and setup.is_skip("跳过") and not setup.is_skip("shopee-my")
    assert setup.store_names("skip") == []
    assert setup.store_names("shopee-my, lazada-sg\ntiktok-th，淘宝、 ") == [
        "shopee-my",
        "lazada-sg",
        "tiktok-th",
        "淘宝",
    ]
    assert len(setup.store_names(",".join(f"s{i}" for i in range(30)))) == setup.MAX_STORES
