"""aiogram routers, one module per conversation area."""
