"""`trellis`: serve, run background jobs, migrate, seed, print the schema (and Apollo's
possibleTypes), print the settings, create users, queue missing embeddings."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from typing import TYPE_CHECKING

from graphql import GraphQLInterfaceType, GraphQLSchema, GraphQLUnionType

from graph.admin.config import describe, markdown_table
from graph.observe import logs, prepare_directory
from graph.settings import InvalidSettings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from graph.database import Database

log = logging.getLogger("trellis")


def _database_url() -> str:
    """Trellis's database URL, starting the embedded server and creating the database."""
    return asyncio.run(_prepare_database()).render_as_string(hide_password=False)


async def _prepare_database() -> URL:
    from graph.database import database_url, ensure_database

    url = database_url(get_settings())
    await ensure_database(url)
    return url


async def _database() -> Database:
    from graph.database import Database

    return Database(await _prepare_database(), pool_size=2)


def _check_schema(url: URL, *, migrate: bool) -> None:
    """Start-up check of `serve` and `worker`: a database behind (or ahead of) the code's
    migrations stops the process with what to run, or is migrated first with --migrate."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from graph.admin import migrations
    from graph.database import normalise

    async def problem() -> str | None:
        engine = create_async_engine(normalise(url), pool_size=1)
        try:
            return await migrations.revision_problem(engine)
        finally:
            await engine.dispose()

    found = asyncio.run(problem())
    if found is None:
        return
    if not migrate:
        print(f"trellis: {found}", file=sys.stderr)
        raise SystemExit(1)
    migrations.upgrade(url)
    print("database migrated to head", flush=True)


def cmd_migrate(args: argparse.Namespace) -> None:
    from sqlalchemy import make_url

    from graph.admin import migrations

    url = make_url(_database_url())
    if args.downgrade:
        migrations.downgrade(url, args.revision)
    else:
        migrations.upgrade(url, args.revision)
    print(f"database migrated to {args.revision}")


def cmd_seed(args: argparse.Namespace) -> None:
    from graph.admin.seed import DEMO_USERS, seed

    async def run() -> bool:
        db = await _database()
        try:
            async with db.sessions() as session, session.begin():
                return await seed(session)
        finally:
            await db.dispose()

    loaded = asyncio.run(run())
    print("demo data loaded" if loaded else "database not empty: demo data left as it is")
    print("demo accounts (organization 'acme-demo'):")
    for user in DEMO_USERS:
        print(f"  {user.role:<7} {user.email:<28} password: {user.password}")


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn
    from sqlalchemy import make_url

    # Workers inherit the resolved URL, so only this process talks to the embedded server.
    os.environ["DATABASE_URL"] = _database_url()
    _check_schema(make_url(os.environ["DATABASE_URL"]), migrate=args.migrate)
    settings = get_settings()
    # Every worker's metrics in one directory, read by whichever answers a scrape; emptied
    # at start (one per port: several servers may share the data directory).
    prepare_directory(settings.data_dir / "metrics" / str(args.port))
    log.info("Trellis on http://%s:%s/graphql (GraphiQL in a browser)", args.host, args.port)
    uvicorn.run(
        "graph.server.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        # Each worker formats its own lines (graph/observe/logs.py) and logs each request
        # once (graph/server/observe.py) instead of uvicorn's access line.
        log_config=None,
        access_log=False,
        loop="uvloop" if _has("uvloop") else "asyncio",
        http="httptools" if _has("httptools") else "h11",
        # Change events are small JSON: compressing each costs more CPU than it saves on
        # the wire, and a deflate context per socket costs memory.
        ws_per_message_deflate=False,
        # X-Forwarded-For / -Proto from the trusted proxies only (none by default: uvicorn's
        # own default would believe any local peer).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
        # SIGTERM: in-flight requests get this long (graph/server/shutdown.py).
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,  # type: ignore[arg-type]  # a float works
    )


def cmd_worker(args: argparse.Namespace) -> None:
    from sqlalchemy import make_url

    from graph.jobs.worker import run_worker

    settings = get_settings()
    concurrency = args.concurrency or settings.worker_concurrency
    url = make_url(_database_url())
    _check_schema(url, migrate=args.migrate)
    log.info("Trellis worker: %s jobs at a time", concurrency)
    asyncio.run(run_worker(url, settings, concurrency=concurrency))


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def cmd_schema(args: argparse.Namespace) -> None:
    from graph.schema import schema

    sys.stdout.write(schema.as_str() + "\n")


def possible_types(schema: GraphQLSchema) -> dict[str, dict[str, list[str]]]:
    """Apollo Client's `possibleTypes`: each interface and union, with the object types that
    can stand for it, sorted (the shape graphql-codegen's fragment-matcher plugin writes)."""
    found = {
        name: sorted(t.name for t in schema.get_possible_types(named))
        for name, named in sorted(schema.type_map.items())
        if not name.startswith("__") and isinstance(named, GraphQLInterfaceType | GraphQLUnionType)
    }
    return {"possibleTypes": found}


def cmd_possible_types(args: argparse.Namespace) -> None:
    from graph.schema import schema

    json.dump(possible_types(schema._schema), sys.stdout, indent=2)
    sys.stdout.write("\n")


def cmd_create_user(args: argparse.Namespace) -> None:
    from graph.kernel.errors import ValidationFailed
    from models.viewer import Viewer
    from resolvers.accounts import register_user
    from resolvers.writes import Writer

    async def run() -> None:
        db = await _database()
        try:
            async with db.sessions() as session, session.begin():
                writer = Writer(session, Viewer(is_superuser=True))
                user = await register_user(
                    writer, email=args.email, password=args.password, full_name=args.full_name
                )
                if args.superuser:
                    await writer.update(user, {"is_superuser": True})
            print(f"created {user.email}{' (superuser)' if args.superuser else ''}")
        except ValidationFailed as exc:
            for p in exc.problems:
                print(f"error: {'.'.join(p.path)}: {p.message}", file=sys.stderr)
            raise SystemExit(1) from exc
        finally:
            await db.dispose()

    asyncio.run(run())


def cmd_config(args: argparse.Namespace) -> None:
    if args.markdown:
        sys.stdout.write(markdown_table() + "\n")
        return
    rows = describe(get_settings())
    width = max(len(variable) for variable, _, _ in rows)
    for variable, value, source in rows:
        sys.stdout.write(f"{variable:<{width}}  {value or '(unset)'}  [{source}]\n")


def cmd_embeddings_refresh(args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from graph.jobs.embeddings import queue_missing
    from models.accounts import Organization

    async def run() -> int:
        db = await _database()
        try:
            async with db.sessions() as session, session.begin():
                org_id = None
                if args.organization:
                    stmt = select(Organization.id).where(Organization.slug == args.organization)
                    org_id = await session.scalar(stmt)
                    if org_id is None:
                        print(f"error: no organization {args.organization!r}", file=sys.stderr)
                        raise SystemExit(1)
                return await queue_missing(session, org_id)
        finally:
            await db.dispose()

    print(f"queued {asyncio.run(run())} contents for embedding")


MIGRATE_FLAG = "--migrate"
MIGRATE_HELP = "apply pending migrations first (otherwise a database behind the code stops it)"


def main(argv: list[str] | None = None) -> None:
    try:
        get_settings()  # every command: invalid settings stop here, one line each
    except InvalidSettings as exc:
        for line in exc.lines:
            print(f"trellis: {line}", file=sys.stderr)
        raise SystemExit(2) from None
    parser = argparse.ArgumentParser(prog="trellis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.add_argument(MIGRATE_FLAG, action="store_true", help=MIGRATE_HELP)
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background jobs (any number of workers)")
    worker.add_argument(
        "--concurrency",
        type=int,
        default=0,
        help="jobs run at a time (default: TRELLIS_WORKER_CONCURRENCY, 4)",
    )
    worker.add_argument(MIGRATE_FLAG, action="store_true", help=MIGRATE_HELP)
    worker.set_defaults(func=cmd_worker)

    migrate = sub.add_parser("migrate", help="apply migrations (to head by default)")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.add_argument("--downgrade", action="store_true", help="downgrade to REVISION")
    migrate.set_defaults(func=cmd_migrate)

    seed = sub.add_parser("seed", help="load demo data into an empty database")
    seed.set_defaults(func=cmd_seed)

    schema = sub.add_parser("schema", help="print the GraphQL SDL")
    schema.set_defaults(func=cmd_schema)

    possible = sub.add_parser(
        "possible-types",
        help="print Apollo Client's possibleTypes (interfaces and unions) as JSON",
    )
    possible.set_defaults(func=cmd_possible_types)

    create_user = sub.add_parser("create-user", help="create an account")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--password", required=True)
    create_user.add_argument("--full-name", default="")
    create_user.add_argument("--superuser", action="store_true")
    create_user.set_defaults(func=cmd_create_user)

    config = sub.add_parser("config", help="print the effective settings (secrets masked)")
    config.add_argument(
        "--markdown", action="store_true", help="print the README's table of every setting"
    )
    config.set_defaults(func=cmd_config)
    refresh = sub.add_parser(
        "embeddings-refresh",
        help="queue the embedding of every content the default embedder has not embedded",
    )
    refresh.add_argument("--organization", help="only this organization's (its slug)")
    refresh.set_defaults(func=cmd_embeddings_refresh)

    args = parser.parse_args(argv)
    # Servers and workers log to stdout (JSON unless a terminal); the other commands to
    # stderr, so that what they print (`trellis schema > schema.graphql`) stays clean.
    running = args.command in ("serve", "worker")
    logs.configure(get_settings(), lambda: "-", stream=sys.stdout if running else sys.stderr)
    args.func(args)


if __name__ == "__main__":
    main()
