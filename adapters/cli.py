"""The `mlprep` command: run, console, content check, discord sync, db upgrade, db backup."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from adapters.serve import PlatformStopped
from bot import __version__
from bot.app import open_service
from bot.bank import ContentInvalid, builtin_content_dir
from bot.bank.loader import load_directories
from bot.bank.quality import review
from bot.bank.syllabus import SyllabusInvalid, load_syllabus
from bot.config import ConfigurationError, Settings, describe_error
from bot.store import Database, StoreError

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
log = logging.getLogger("mlprep")


class _Fail(Exception):
    def __init__(self, message: str, code: int = EXIT_CONFIG) -> None:
        super().__init__(message)
        self.code = code


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        raise _Fail(describe_error(exc)) from None
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if settings.log_level != "DEBUG":
        # APScheduler logs every job run and scheduler start at INFO: noise in a terminal.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mlprep", description="ML interview practice bot.")
    p.add_argument("--version", action="version", version=f"mlprep {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every platform whose tokens are set (the console if none)")
    sub.add_parser("console", help="practise in this terminal")
    content = sub.add_parser("content", help="question bank tools")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    check = content_sub.add_parser("check", help="validate question files")
    check.add_argument(
        "paths", nargs="*", type=Path, help="files or directories (default: the built-in bank)"
    )
    check.add_argument("--strict", action="store_true", help="treat quality warnings as failures")
    discord = sub.add_parser("discord", help="Discord tools")
    discord_sub = discord.add_subparsers(dest="discord_command", required=True)
    sync = discord_sub.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument(
        "--guild", type=int, metavar="ID", help="one server only (instant; for development)"
    )
    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending migrations")
    backup = db_sub.add_parser("backup", help="copy the live database to PATH")
    backup.add_argument("path", type=Path)
    return p


def _inside(path: Path, directory: Path) -> bool:
    return path.resolve().is_relative_to(directory.resolve())


def _content_check(paths: list[Path], strict: bool) -> int:
    """Schema errors always fail; quality findings are warnings unless --strict."""
    syllabus = load_syllabus()
    files, errors = load_directories(paths, syllabus)
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} problem(s) found in {len(files)} file(s).")
        return EXIT_FAILED
    builtin = builtin_content_dir()
    reference = None
    if not all(p.resolve() == builtin.resolve() for p in paths):
        reference, _ = load_directories([builtin])
    # Only the built-in bank promises to cover the syllabus; team packs may be small.
    topics = {f.topic for f in files if _inside(f.path, builtin)}
    warnings = review(files, reference=reference, syllabus=syllabus, coverage_topics=topics)
    for w in warnings:
        print(f"warning: {w}")
    count = sum(len(f.questions) for f in files)
    summary = f"{count} questions in {len(files)} file(s), topics: " + ", ".join(
        sorted({f.topic for f in files})
    )
    if warnings:
        print(f"{len(warnings)} warning(s); {summary}.")
        return EXIT_FAILED if strict else EXIT_OK
    print(f"OK: {summary}.")
    return EXIT_OK


async def _console(settings: Settings) -> None:
    from adapters.console import run_console

    async with open_service(settings) as service:
        # Charts and exports go beside the database, which the person already knows about.
        await run_console(service, files_dir=settings.database_path.parent / "files")


async def _run(settings: Settings) -> None:
    """Every platform whose token is set, in one process; the console when none is."""
    if settings.discord_token is None and settings.slack_bot_token is None:
        print(
            "No DISCORD_TOKEN or SLACK_BOT_TOKEN set: starting the local console on "
            f"{settings.database_path}.",
            file=sys.stderr,
            flush=True,
        )
        await _console(settings)
        return
    from adapters.serve import Platform, serve

    async with open_service(settings, command_prefix="/prep ") as service:
        platforms: list[Platform] = []
        if settings.discord_token is not None:
            from adapters.discord.run import DiscordPlatform

            platforms.append(DiscordPlatform(settings, service))
        if settings.slack_bot_token is not None:
            from adapters.slack.run import SlackPlatform

            platforms.append(SlackPlatform(settings, service))
        await serve(service, platforms)


async def _discord_sync(settings: Settings, guild: int | None) -> None:
    from adapters.discord.run import sync_commands

    if settings.discord_token is None:
        raise _Fail("Set DISCORD_TOKEN (the bot token from the Developer Portal) to sync commands.")
    async with open_service(settings) as service:
        count = await sync_commands(settings, service, guild)
    where = f"guild {guild} (available now)" if guild else "every server (can take a few minutes)"
    print(f"Synced {count} slash commands (/prep, /prep-schedule) to {where}.")


async def _db(settings: Settings, args: argparse.Namespace) -> None:
    db = await Database.open(settings.database_path)
    try:
        if args.db_command == "backup":
            dest = await db.backup(args.path)
            print(f"Backed up {settings.database_path} to {dest}.")
        elif db.applied:
            versions = ", ".join(f"{v:04d}" for v in db.applied)
            print(f"Upgraded {settings.database_path}: applied migration(s) {versions}.")
        else:
            print(f"{settings.database_path} is already up to date.")
    finally:
        await db.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        if args.command == "content":
            return _content_check(args.paths or [builtin_content_dir()], args.strict)
        settings = _settings()
        if args.command == "run":
            asyncio.run(_run(settings))
        elif args.command == "console":
            asyncio.run(_console(settings))
        elif args.command == "discord":
            asyncio.run(_discord_sync(settings, args.guild))
        else:
            asyncio.run(_db(settings, args))
    except _Fail as exc:
        print(exc, file=sys.stderr)
        return exc.code
    except ContentInvalid as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    except (ConfigurationError, SyllabusInvalid) as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    except StoreError as exc:
        print(f"Database error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except PlatformStopped as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
