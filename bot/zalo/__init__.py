"""The Zalo channel (Zalo Bot API): the same conversations and reminders, as text and numbered lists."""
