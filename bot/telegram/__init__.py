"""The Telegram channel (python-telegram-bot 22): updates in, the core's replies out."""
