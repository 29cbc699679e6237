"""Every feature of the conversation, in one explicit list (aiogram's ``include_routers``): a handler answers only
if its feature's router is listed here."""

from __future__ import annotations

from core.conversation import (
    deadlines,
    guide,
    invites,
    outreach,
    overview,
    preferences,
    privacy,
    submit,
    tasks,
    undo,
)
from core.conversation.router import Registry

# For every registered person:
PEOPLE = (guide.router, tasks.router, deadlines.router, submit.router, undo.router, preferences.router, privacy.router)
# For Sở Nội vụ's admins:
ADMINS = (overview.router, outreach.router, invites.router)

REGISTRY = Registry.of(*PEOPLE, *ADMINS)
