"""The `incubator` command: serve, migrate, demo, import and users."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from incubator import db
from incubator.access_log import configure_logging
from incubator.settings import get_settings


async def _with_database(work: Callable[[], Awaitable[Any]], migrate: bool = True) -> Any:
    os.environ.setdefault("PICCOLO_CONF", db.PICCOLO_CONF)
    url = get_settings().database_url
    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.wait_until_reachable(engine, _redacted(url), say=_say)
    await db.prepare_engine(engine)
    if migrate:
        await db.migrate()
    return await work()


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _run(work: Callable[[], Awaitable[Any]], migrate: bool = True) -> Any:
    return asyncio.run(_with_database(work, migrate))


def _progress_bar(done: int, total: int, width: int = 30) -> None:
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _print_logins(logins: list) -> None:
    from incubator.demo.park import DEMO_PASSWORD

    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    shown: set[str] = set()
    for login in logins:
        # One of each kind keeps the list readable; every manager is listed.
        key = login.role if login.role in ("member", "partner") else login.email
        if key in shown:
            continue
        shown.add(key)
        print(f"  {login.role:<8} {login.email:<50} {login.note}")


async def _seed_demo(startups: int, seed: int) -> list | None:
    from incubator.demo.park import build_demo_park, database_is_empty

    if not await database_is_empty():
        return None
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  {time.perf_counter() - started:6.1f} s  {message}", flush=True)

    return await build_demo_park(startups=startups, seed=seed, progress=progress)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from incubator import pdf

    if args.no_scheduler:  # read by this process and by every worker it starts
        os.environ["INCUBATOR_SCHEDULER"] = "0"
        get_settings.cache_clear()
    if not os.environ.get("INCUBATOR_BASE_URL"):
        # Links in emails and feeds name the address this serves on, not port 8000 whatever
        # the port; behind a proxy, set INCUBATOR_BASE_URL to the public address.
        everywhere = ("0.0.0.0", "::", "")  # noqa: S104 (naming them, not binding)
        host = "127.0.0.1" if args.host in everywhere else args.host
        os.environ["INCUBATOR_BASE_URL"] = f"http://{host}:{args.port}"
        get_settings.cache_clear()
    settings = get_settings()

    async def prepare() -> list | None:
        return await _seed_demo(args.startups, 2023) if args.demo else None

    logins = _run(prepare)
    configure_logging()
    url = f"http://{args.host}:{args.port}"
    print(f"Database: {settings.engine_name} ({_redacted(settings.database_url)})")
    print(_mail_line(settings))
    print(pdf.font_line())
    if args.demo:
        if logins is None:
            print("Demo data: the database already holds data; left as it is.")
            from incubator.demo.park import DEMO_PASSWORD

            print(f"Demo logins, if it is the demo park: admin@cyberport.example / {DEMO_PASSWORD}")
        else:
            _print_logins(logins)
    print(f"Serving on {url}  (Ctrl+C stops)")
    if args.workers > 1:
        _share_metrics(settings.var_dir)
        uvicorn.run(
            "incubator.asgi:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="warning",
            proxy_headers=True,
            server_header=False,
        )
    else:
        from incubator.app import create_app

        uvicorn.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            log_level="warning",
            proxy_headers=True,
            server_header=False,
        )
    return 0


def _share_metrics(var_dir: Path) -> None:
    """Several workers keep their request counts in one folder, which a scrape of any of them
    adds up (prometheus-client's multiprocess mode); emptied at each start."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    folder = var_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _mail_line(settings: Any) -> str:
    if settings.smtp_configured:
        return f"Mail: SMTP via {settings.smtp_host}:{settings.smtp_port}"
    return (
        "Mail: no SMTP server is configured (INCUBATOR_SMTP_HOST): email is kept in the "
        "outbox, read it at /admin/outbox"
    )


def cmd_scheduler(_args: argparse.Namespace) -> int:
    """The scheduled jobs alone (reminders, webhook deliveries), for when the web workers run
    with --no-scheduler. Several may run at once: each job claims its work in the database."""
    from incubator import jobs
    from incubator.app import create_app

    settings = get_settings()
    configure_logging()
    create_app(settings)  # registers every domain's jobs and reminder sources
    print(_mail_line(settings))

    async def forever() -> None:
        await db.start_pool(db.current_engine(), settings.pool_min, settings.pool_max)
        async with jobs.running_jobs(settings):
            print(f"Scheduler running: {', '.join(j.name for j in jobs.registered_jobs())}")
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        _run(forever)
    return 0


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def cmd_migrate(_args: argparse.Namespace) -> int:
    async def work() -> list[str]:
        return await db.pending_migrations()

    pending = _run(work)
    print("migrations applied" if not pending else f"still pending: {pending}")
    return 0 if not pending else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from incubator import backup

    settings = get_settings()
    try:
        manifest = asyncio.run(backup.make_backup(settings.database_url, Path(args.file)))
    except backup.BackupRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"Backed up {manifest['rows']:,} rows in {len(manifest['tables'])} tables "
        f"({manifest['engine']}, {len(manifest['schema'])} migrations applied) to {args.file}"
    )
    print(f"SHA-256 of the database copy: {manifest['data']['sha256']}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from incubator import backup

    os.environ.setdefault("PICCOLO_CONF", db.PICCOLO_CONF)
    url = get_settings().database_url
    try:
        manifest = asyncio.run(backup.restore_backup(Path(args.file), url))
    except backup.BackupRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"Restored {manifest['rows']:,} rows in {len(manifest['tables'])} tables, "
        f"as they were at {manifest['made_at']}, into {_redacted(url)}"
    )
    newer = len(backup.known_migrations() - set(manifest["schema"]))
    _run(db.pending_migrations)  # applies the migrations made since the backup
    print(f"Applied the {newer} migrations made since the backup" if newer else "Schema current")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    logins = _run(lambda: _seed_demo(args.startups, args.seed))
    if logins is None:
        print(
            "The database already holds data; the demo park goes into an empty database only.",
            file=sys.stderr,
        )
        return 1
    print(f"Demo park of {args.startups} start-ups built in {time.perf_counter() - started:.1f} s")
    _print_logins(logins)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from incubator.startups.services.importer import import_startups

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    report = _run(lambda: import_startups(text, apply=not args.dry_run, progress=_progress_bar))
    for error in report.errors:
        print(str(error), file=sys.stderr)
    if report.errors:
        print(
            f"{len(report.errors)} problems in {report.rows} rows; nothing was applied.",
            file=sys.stderr,
        )
        return 1
    verb = "dry run, nothing applied"
    if report.applied:
        verb = f"applied in one write transaction of {report.writer_seconds:.1f} s"
    print(
        f"{report.rows} rows ({verb}): {report.created} new, {report.updated} changed, "
        f"{report.unchanged} unchanged"
    )
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password:
        return args.password
    env = os.environ.get("INCUBATOR_NEW_PASSWORD")
    if env:
        return env
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("the two passwords differ")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from incubator.auth.services import accounts as services
    from incubator.auth.tables import Role
    from incubator.errors import DomainError

    try:
        if args.action == "create-admin":
            password = _password(args)
            _run(lambda: services.create_user(args.email, args.name, password, Role.admin))
            print(f"administrator {args.email} created")
        elif args.action == "reset-password":
            password = _password(args)
            _run(lambda: services.set_password(args.email, password))
            print(f"password of {args.email} reset; its sessions were ended")
        else:
            for user in _run(lambda: services.list_users()):
                state = "" if user.is_active else " (inactive)"
                print(f"{user.role:<8} {user.email}{state}")
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


IMPORT_HELP = """A UTF-8 CSV file with a header row. Required columns: slug (lower-case
letters, digits and hyphens; the key that matches a row to a start-up, so importing a file
again changes nothing), name_en and centres. Optional: name_zh, description_en,
description_zh, website, founded_year, stage (idea, pre_seed, seed, series_a, series_b_plus,
growth), team_size, contact_name, contact_email, contact_phone, tags, clusters, programmes.
Lists are separated by ';'; a programme is slug:status:start[:end]. Every row is checked
first; the file is applied whole, or not at all with every bad row reported
(docs/operations.md)."""


def build_parser() -> argparse.ArgumentParser:
    shown = argparse.ArgumentDefaultsHelpFormatter
    parser = argparse.ArgumentParser(prog="incubator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app (migrates first)", formatter_class=shown)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument(
        "--demo", action="store_true", help="fill an empty database with the demo park"
    )
    serve.add_argument("--startups", type=int, default=2000, help="demo size with --demo")
    serve.add_argument("--workers", type=int, default=1, help="web worker processes")
    serve.add_argument(
        "--no-scheduler",
        action="store_true",
        help="run no scheduled jobs here (another process runs them)",
    )
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply pending migrations")
    migrate.set_defaults(func=cmd_migrate)

    backup = sub.add_parser(
        "backup",
        help="copy the database into a backup file, while the app serves",
        description="A consistent copy of the database (SQLite's online backup, or pg_dump "
        "from one snapshot on PostgreSQL) and a manifest (time, schema, rows, SHA-256) in one "
        "tar file (docs/operations.md).",
    )
    backup.add_argument("file", help="the backup file to write, e.g. backup-2026-12-04.tar")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore",
        help="restore a backup into an empty database, then migrate it forward",
        description="Into the empty database INCUBATOR_DATABASE_URL names. Refuses a backup "
        "made by a newer release, a damaged one, and a database that holds tables.",
    )
    restore.add_argument("file", help="a file `incubator backup` wrote")
    restore.set_defaults(func=cmd_restore)

    scheduler = sub.add_parser(
        "scheduler", help="run the scheduled jobs (reminders, webhook deliveries) alone"
    )
    scheduler.set_defaults(func=cmd_scheduler)
    demo = sub.add_parser(
        "demo", help="fill an empty database with the demo park", formatter_class=shown
    )
    demo.add_argument("--startups", type=int, default=2000, help="how many start-ups")
    demo.add_argument("--seed", type=int, default=2023, help="the same seed, the same park")
    demo.set_defaults(func=cmd_demo)

    importer = sub.add_parser(
        "import",
        help="import start-ups from a CSV file",
        description=IMPORT_HELP,
        formatter_class=shown,
    )
    importer.add_argument("kind", choices=["startups"], help="what the file holds")
    importer.add_argument("file", help="the CSV file")
    importer.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    importer.set_defaults(func=cmd_import)

    users = sub.add_parser("users", help="create an administrator, reset a password, list users")
    actions = users.add_subparsers(dest="action", required=True)
    where_from = "else INCUBATOR_NEW_PASSWORD, else asked twice"
    create = actions.add_parser("create-admin", help="add an administrator", formatter_class=shown)
    create.add_argument("--email", required=True, help="their log-in")
    create.add_argument("--name", default="Administrator", help="the name pages show")
    create.add_argument("--password", help=where_from)
    reset = actions.add_parser(
        "reset-password", help="set a new password; ends the person's sessions"
    )
    reset.add_argument("--email", required=True, help="whose password")
    reset.add_argument("--password", help=where_from)
    actions.add_parser("list", help="every account with its role")
    users.set_defaults(func=cmd_users)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "startups", 1) < 1:
        print("--startups must be at least 1", file=sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
