"""The `tsunagu` command: serve, db upgrade, site load, consultant add, link create."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from bot.settings import Settings
from handoff.consultants import add_consultant, count_agencies
from handoff.db import make_engine, make_sessionmaker, upgrade
from handoff.errors import HandoffError
from handoff.models import utcnow
from handoff.site import SiteFileError, load_site_file

log = logging.getLogger("tsunagu")


def _prepare_database(settings: Settings) -> None:
    """Apply pending migrations; load the site file into a database without agencies."""
    engine = make_engine(settings.database_url)
    try:
        before, after = upgrade(engine)
        log.info(
            "database at revision %s%s",
            after,
            "" if before == after else f" (migrated from {before or 'empty'})",
        )
        with make_sessionmaker(engine).begin() as session:
            if count_agencies(session=session):
                return
            report = load_site_file(
                session=session,
                path=settings.site,
                now=utcnow(),
                allow_dev_password=settings.development,
            )
        log.info("database had no agencies: loaded site file %s (%s)", settings.site, report)
        if report.dev_passwords_set:
            log.info("development: sample consultants can log in with the file's demo password")
    finally:
        engine.dispose()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from bot.app import create_app

    _prepare_database(settings)
    host = args.host or settings.host
    port = args.port or settings.port
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    return 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    print(f"database at revision {after}" + ("" if before == after else f" (was {before})"))
    return 0


def _site_load(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine).begin() as session:
            report = load_site_file(
                session=session,
                path=Path(args.file),
                now=utcnow(),
                allow_dev_password=settings.development,
            )
    except SiteFileError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"loaded {args.file}: {report}")
    return 0


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _consultant_add(args: argparse.Namespace, settings: Settings) -> int:
    if not args.password_stdin:
        print("give the password on standard input with --password-stdin", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine).begin() as session:
            consultant = add_consultant(
                session=session,
                name=args.name,
                reading=args.reading,
                email=args.email,
                password=password,
                agency_code=args.agency,
                languages=_split(args.languages),
                domains=_split(args.domains),
                role=args.role,
                max_open_tickets=args.max_open_tickets,
                now=utcnow(),
            )
            summary = f"consultant {consultant.id} ({consultant.email}, {consultant.role.value})"
    except HandoffError as error:
        print(f"cannot add consultant: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"added {summary}")
    return 0


def _link_create(args: argparse.Namespace, settings: Settings) -> int:
    from bot.webchat import links

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine).begin() as session:
            link = links.create_link(
                session=session, label=args.label, language=args.lang, now=utcnow()
            )
            code = link.code
    except HandoffError as error:
        print(f"cannot create the link: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(links.link_url(settings.public_base_url, code))
    return 0


def _link_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.webchat import links

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine).begin() as session:
            rows = [
                (links.link_url(settings.public_base_url, link.code), link)
                for link in links.list_links(session=session)
            ]
            lines = [
                f"{url}\t{link.language}\t{'active' if link.active else 'off'}\t{link.label}"
                for url, link in rows
            ]
    finally:
        engine.dispose()
    print("\n".join(lines) if lines else "no links yet")
    return 0


def _link_deactivate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.webchat import links

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine).begin() as session:
            links.deactivate_link(session=session, code=args.code)
    except HandoffError as error:
        print(f"cannot turn off the link: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"link {args.code} no longer opens new chats (chats begun on it go on)")
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import create_app

    if not settings.line_enabled:
        print("tsunagu worker needs LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN")
        return 2
    _prepare_database(settings)
    app = create_app(settings.model_copy(update={"process_role": "worker"}))

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signal_number, stop.set)
        async with app.router.lifespan_context(app):
            log.info("worker ready: answering stored LINE events")
            await stop.wait()

    asyncio.run(run())
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsunagu")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="migrate, load the site file into an empty database, run the web service"
    )
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker",
        help="answer LINE events that `serve` stored (with TSUNAGU_LINE_HANDLING=worker)",
    )
    worker.set_defaults(run=_worker)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply pending migrations").set_defaults(run=_db_upgrade)

    site = commands.add_parser("site", help="the municipality file")
    site_commands = site.add_subparsers(dest="site_command", required=True)
    load = site_commands.add_parser("load", help="validate a site file and upsert it")
    load.add_argument("file")
    load.set_defaults(run=_site_load)

    consultant = commands.add_parser("consultant", help="consultant accounts")
    consultant_commands = consultant.add_subparsers(dest="consultant_command", required=True)
    add = consultant_commands.add_parser("add", help="create a consultant")
    add.add_argument("--name", required=True, help="display name, e.g. 佐藤 美咲")
    add.add_argument("--reading", help="romanised name for residents (default: the name)")
    add.add_argument("--email", required=True)
    add.add_argument("--agency", help="agency code from the site file")
    add.add_argument("--languages", required=True, help="comma-separated, e.g. ja,pt")
    add.add_argument("--domains", help="comma-separated domain ids")
    add.add_argument("--role", choices=("consultant", "supervisor"), default="consultant")
    add.add_argument("--max-open-tickets", type=int, default=20)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(run=_consultant_add)

    link = commands.add_parser("link", help="school-mail links to the web chat")
    link_commands = link.add_subparsers(dest="link_command", required=True)
    create = link_commands.add_parser("create", help="make a link and print its URL")
    create.add_argument("--label", required=True, help="for staff, e.g. さくら小学校 学校メール")
    create.add_argument("--lang", default="ja", help="the chat's first language: ja, en or pt")
    create.set_defaults(run=_link_create)
    link_commands.add_parser("list", help="every link").set_defaults(run=_link_list)
    deactivate = link_commands.add_parser("deactivate", help="stop a link opening new chats")
    deactivate.add_argument("code")
    deactivate.set_defaults(run=_link_deactivate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `tsunagu`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = _parser().parse_args(argv)
    settings = Settings()
    code: int = args.run(args, settings)
    return code


if __name__ == "__main__":
    sys.exit(main())
