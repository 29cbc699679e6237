"""Chat channels: each translates platform events into the core and the core's replies back out."""
