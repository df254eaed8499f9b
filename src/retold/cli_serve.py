"""``retold serve``: run the web service (:mod:`retold.serve`) on uvicorn.

Parsing and printing only; the application is :func:`retold.serve.create_app`.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from typing import Any

from retold.errors import ConfigError, RetoldError

__all__ = ["add_serve_command"]

DEFAULT_DB = "retold.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

_DESCRIPTION = """\
Start the web service: an HTTP API and a web page over one index.

  GET  /                      the page: compare two articles side by side, or
                              find the indexed documents an article copies
  POST /report                the HTML report of `retold compare --html`
  POST /api/compare           {"source": TEXT, "copy": TEXT} (or source_id/copy_id
                              naming indexed documents) -> the compare JSON
  POST /api/search            {"text": TEXT, "top": N} -> the search JSON
  POST /api/documents         {"id", "text", "url"?, "title"?, "date"?, "site"?}
                              or a list of them (needs the token)
  GET|DELETE /api/documents/ID  one document (DELETE needs the token)
  GET  /health, /openapi.json

Adding and deleting documents needs "Authorization: Bearer TOKEN" with the
token given by --token or the RETOLD_TOKEN environment variable; without a
token configured they are refused. The server listens on 127.0.0.1 only
unless --host says otherwise. Stop it with Ctrl-C.
"""

_EPILOG = """\
examples:
  retold index ../shared/data/bbc --db bbc.db && retold serve --db bbc.db
  RETOLD_TOKEN=s3cret retold serve --db news.db --port 8080
  curl -s localhost:8000/api/search -H 'Content-Type: application/json' -d '{"text": "..."}'
  curl -s localhost:8000/api/documents -H 'Authorization: Bearer s3cret' \\
       -H 'Content-Type: application/json' -d '{"id": "a1", "text": "..."}'
"""


def add_serve_command(commands: Any, formatter: type[argparse.HelpFormatter]) -> None:
    """Register ``serve`` on the CLI's subparsers."""
    p = commands.add_parser(
        "serve", help="start the web service: HTTP API and web page over an index",
        description=_DESCRIPTION, epilog=_EPILOG, formatter_class=formatter,
    )
    p.add_argument("--db", default=DEFAULT_DB, metavar="FILE",
                   help=f"the index to serve (default {DEFAULT_DB}; created empty when missing)")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default {DEFAULT_HOST}: this machine only; "
                   "0.0.0.0 listens on every interface)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one and prints it)")
    p.add_argument("--token", metavar="T",
                   help="bearer token required to add and delete documents (default: $RETOLD_TOKEN; "
                   "with neither, adding and deleting are refused)")
    p.add_argument("--max-body", default="10MB", metavar="SIZE",
                   help="largest request body accepted (default 10MB; e.g. 500KB, 64MiB); 413 beyond")
    p.add_argument("--compare-workers", type=int, metavar="N",
                   help="worker processes for full comparisons (default: one per core but one, at least 1; "
                   "0 runs them in threads of the server process)")
    p.add_argument("--access-log", action="store_true", help="log every request on standard error")
    p.set_defaults(func=_cmd_serve)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (bound here so --port 0 can report the port it got)."""
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as e:
        raise ConfigError(f"--host {host}: {e.strerror or e}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        raise RetoldError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    sock.set_inheritable(True)
    return sock


def _cmd_serve(args: argparse.Namespace) -> int:
    from retold.io import parse_size

    try:
        max_body = parse_size(args.max_body)
    except ConfigError as e:
        raise ConfigError(f"--max-body: {e}") from None
    if args.compare_workers is not None and args.compare_workers < 0:
        raise ConfigError("--compare-workers must be 0 or more")
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, got {args.port}")
    token = args.token if args.token is not None else os.environ.get("RETOLD_TOKEN")
    token = token or None
    loopback = _is_loopback(args.host)

    import uvicorn

    from retold.serve import LOOPBACK_HOSTS, create_app

    app = create_app(
        args.db, token=token, max_body=max_body, allowed_hosts=LOOPBACK_HOSTS if loopback else None,
        compare_workers=args.compare_workers,
    )
    documents = app.state.service.store.count()
    sock = _listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    say = sys.stderr.write
    say(f"retold serve: listening on http://{shown}:{port} (index {args.db}, {documents:,} documents; "
        f"body limit {max_body:,} bytes)\n")
    if token:
        say("retold serve: adding and deleting documents need Authorization: Bearer TOKEN\n")
    else:
        say("retold serve: no token set, adding and deleting documents are refused "
            "(use --token or RETOLD_TOKEN to allow them)\n")
    if not loopback:
        say(f"retold serve: warning: listening on {args.host}, reachable from other machines\n")
    sys.stderr.flush()
    config = uvicorn.Config(
        app, log_level="info", access_log=args.access_log, server_header=False,
        timeout_graceful_shutdown=5, lifespan="on",
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
