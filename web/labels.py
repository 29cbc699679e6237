"""Words for the values the dashboard shows (agency kinds, message kinds and outcomes), marked for gettext."""

from __future__ import annotations

from core.i18n import N_

LABELS = {
    # agency kinds (the matrix's groups)
    "department": N_("Departments and agencies of the province"),
    "district": N_("District People's Committees"),
    "commune": N_("Commune People's Committees"),
    "other": N_("Other agencies"),
    # agency kinds in a plan draft's form
    "kind:department": N_("department or agency of the province"),
    "kind:district": N_("district People's Committee"),
    "kind:commune": N_("commune People's Committee"),
    "kind:other": N_("other agency"),
    # groups of agencies (invites for a whole group)
    "group:@departments": N_("Departments and agencies of the province"),
    "group:@communes": N_("Commune and ward People's Committees"),
    "group:@districts": N_("District People's Committees (before 1/7/2025)"),
    "group:@all": N_("All agencies"),
    # reporting regimes
    "recurrence:daily": N_("daily"),
    "recurrence:weekly": N_("weekly"),
    "recurrence:monthly": N_("monthly"),
    "recurrence:quarterly": N_("quarterly"),
    "recurrence:semi_annual": N_("6-month"),
    "recurrence:nine_months": N_("9-month"),
    "recurrence:annual": N_("annual"),
    "recurrence:ad_hoc": N_("ad hoc"),
    # message kinds
    "before": N_("reminder before the deadline"),
    "due": N_("reminder on the deadline day"),
    "overdue": N_("overdue reminder"),
    "nudge": N_("nudge from Sở Nội vụ"),
    "adhoc": N_("ad-hoc request"),
    "escalation": N_("escalation to the leaders"),
    "unseen": N_("alert to the leaders: nobody saw the reminders"),
    "update": N_("update of a reminder"),
    # audiences of a notice
    "audience:all": N_("every agency"),
    "audience:departments": N_("the departments"),
    "audience:communes": N_("the communes and wards"),
    "audience:districts": N_("the districts"),
    "audience:codes": N_("these agencies:"),
    # calendar days
    "day:off": N_("day off"),
    "day:workday": N_("make-up working day"),
    "day:normal": N_("ordinary day (a swap that did not happen)"),
    # roles
    "role:admin": N_("Sở Nội vụ admin"),
    "role:leader": N_("agency leader"),
    "role:focal": N_("focal person"),
    # how something was confirmed or sent
    "via:telegram": "Telegram",  # names, the same in every language
    "via:zalo": "Zalo",
    "via:console": N_("the server's command line"),
    "via:cli": N_("the server's command line"),
    "via:web": N_("the web dashboard"),
    # standings (core.types.Standing)
    "standing:on_time": N_("sent on time"),
    "standing:late": N_("sent late"),
    "standing:missing": N_("not sent, overdue"),
    "standing:not_due": N_("not yet sent"),
    # outcomes
    "pending": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "sent": N_("delivered"),
    "failed": N_("failed"),
    "blocked": N_("blocked the bot"),
    "withdrawn": N_("not sent: the report was confirmed first"),
}
