"""SellerMate Telegram bot: composition root, settings, rendering and the CLI."""
