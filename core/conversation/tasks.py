"""/nhiemvu: the tasks the plans give the person's agency, by plan and role, and each one's full text."""

from __future__ import annotations

from typing import Any

from core import messages
from core.conversation.commands import Access
from core.conversation.context import Act, Ctx
from core.conversation.events import Reply
from core.conversation.router import Router
from core.i18n import N_
from core.messages import subject
from core.types import AssignedTask, TaskRole
from core.usecases import plan

router = Router("tasks")


ROLE_HEADINGS = (
    (TaskRole.LEAD, N_("Lead (chủ trì):")),
    (TaskRole.COORDINATE, N_("Coordinating (phối hợp):")),
    (TaskRole.CARRY_OUT, N_("To carry out (thực hiện):")),
)


@router.command("nhiemvu")
async def cmd_tasks(ctx: Ctx, args: str) -> list[Reply]:
    """/nhiemvu [REF]: the agency's tasks by plan and role (lead, coordinating, carry out); a choice shows the text."""
    tasks = await plan.tasks_of(ctx.uow, ctx.me.agency_id)
    if not tasks:
        return ctx.reply(ctx.t("No plan assigns a task to %(agency)s yet.", agency=ctx.me.agency_name))
    wanted = args.strip().upper().removeprefix("MỤC ").strip()
    if wanted:
        match = [x for x in tasks if x.ref.upper() == wanted]
        if not match:
            return ctx.reply(
                ctx.t("There is no task %(ref)s for your agency. Send /nhiemvu to see the list.", ref=args)
            )
        return [_full_text(ctx, x) for x in match]
    ended = await plan.ended_plans(ctx.uow, ctx.now)
    titles = {p.number: p.title for p in await ctx.uow.agencies.plans()}
    numbers = sorted(dict.fromkeys(x.plan_number for x in tasks), key=lambda n: n in ended)  # plans in force first
    lines = [ctx.t("Tasks of %(agency)s:", agency=ctx.me.agency_name)]
    closed = False
    for number in numbers:
        if number in ended and not closed:
            lines.append(ctx.t("Plans that have ended:"))
            closed = True
        if titles.get(number):
            lines.append(ctx.t("Plan No. %(plan)s on %(subject)s:", plan=number, subject=subject(titles[number])))
        else:
            lines.append(ctx.t("Plan No. %(plan)s:", plan=number))
        for role, heading in ROLE_HEADINGS:
            mine = [x for x in tasks if x.plan_number == number and x.role is role]
            if mine:
                lines.append(ctx.t(heading))
                lines += [f"  {messages.ref_label(ctx.lang, x.ref, x.paragraph)} — {x.title}" for x in mine]
    lines.append(ctx.t("Choose a task to read its full text."))
    tasks = sorted(tasks, key=lambda x: numbers.index(x.plan_number))
    choices = await ctx.choices(
        [(messages.ref_label(ctx.lang, x.ref, x.paragraph), Act.TASK, _task_payload(x)) for x in tasks]
    )
    return ctx.reply("\n".join(lines), choices)


def _task_payload(x: AssignedTask) -> dict[str, Any]:
    return {"ref": x.ref, "paragraph": x.paragraph, "plan": x.plan_number}


def _full_text(ctx: Ctx, x: AssignedTask) -> Reply:
    role_text = ctx.t(messages.ROLE_NAMES[x.role])
    head = ctx.t(
        "Plan No. %(plan)s, item %(ref)s (%(role)s):",
        plan=x.plan_number,
        ref=messages.ref_label(ctx.lang, x.ref, x.paragraph),
        role=role_text,
    )
    return Reply(f"{head}\n{x.title}\n\n{x.text}", language=ctx.lang)


@router.choice(Act.TASK, Access.MEMBER)
async def act_task(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    tasks = await plan.tasks_of(ctx.uow, ctx.me.agency_id)
    match = [x for x in tasks if _task_payload(x) == {"paragraph": 0, **payload}]
    if not match:
        return ctx.reply(ctx.t("This task is no longer assigned to your agency."))
    return [_full_text(ctx, match[0])]
