"""The conversation core: platform-neutral events in, replies (plain data) out."""
