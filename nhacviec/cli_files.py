"""`nhacviec files`: report files (issue 32). `fetch-telegram` rescues the files of confirmations made before files
were kept: Telegram's reference was all the service had, and Telegram keeps a file for bots only for a while."""

from __future__ import annotations

import typer

from bot.telegram.files import TelegramFiles, file_base_url
from core.deadlines import utcnow
from core.errors import FileRefused
from core.ports import FileTooLarge
from core.types import OPERATOR
from core.usecases import report_files
from nhacviec.clikit import CliError, context, out, run

files_app = typer.Typer(help="Tệp báo cáo (report files).", no_args_is_help=True)


@files_app.command("fetch-telegram")
def fetch_telegram_cmd() -> None:
    """Tải về và lưu tệp của các báo cáo xác nhận qua Telegram trước khi hệ thống lưu tệp (fetch the files of
    confirmations made before files were kept)."""

    async def go() -> None:
        from telegram import Bot

        async with context() as w:
            token = w.settings.telegram_bot_token
            if token is None:
                raise CliError("Chưa đặt TELEGRAM_BOT_TOKEN (the Telegram bot's token is needed)", 2)
            async with w.uows() as uow:
                waiting = [u for u in await report_files.unfetched(uow, OPERATOR) if u.platform == "telegram"]
            if not waiting:
                out.print("Không có tệp nào phải tải (nothing to fetch).")
                return
            base = w.settings.telegram_api_base_url or "https://api.telegram.org/bot"
            rules = w.rules()
            done, refused, failed = 0, 0, 0
            async with Bot(token.get_secret_value(), base_url=base, base_file_url=file_base_url(base)) as bot:
                source = TelegramFiles(bot)
                for u in waiting:
                    try:
                        data = await source.fetch(u.ref, rules.file_limit)
                    except FileTooLarge:
                        refused += 1
                        out.print(f"#{u.submission_id}: tệp quá {rules.file_limit_mb} MB, không lưu (too large)")
                        continue
                    except Exception as exc:  # Telegram no longer has it, or is away: said, and the rest go on
                        failed += 1
                        out.print(f"#{u.submission_id}: không tải được (not fetched): {type(exc).__name__}")
                        continue
                    try:
                        async with w.uows() as uow:
                            await report_files.adopt(uow, OPERATOR, u, data, utcnow(), rules)
                            await uow.commit()
                        done += 1
                    except FileRefused as exc:
                        refused += 1
                        out.print(f"#{u.submission_id}: không lưu (refused): {exc.reason}")
            out.print(f"Đã lưu {done} tệp; không lưu {refused}; không tải được {failed}.")

    run(go())
