#!/usr/bin/env python3
"""A real SMTP server for tests (aiosmtpd), on 127.0.0.1 only.

    python3 tests/support/smtp_server.py --port 0 --out received.jsonl \
        [--starttls CERT KEY | --smtps CERT KEY] [--auth USER:PASS [--allow-plain-auth]]

Prints `READY <port>` on stdout once it listens. Each message it accepts is appended to --out
as one JSON line: mail_from, rcpt_tos, data (the raw message), tls (whether the session was
encrypted), auth_user (the user who logged in, or null), peer (the client's port, to tell
sessions apart).

Install aiosmtpd with scripts/install-deps.sh (or `pip install aiosmtpd`).
"""

import argparse
import asyncio
import json
import ssl
import sys

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.stderr.write(
        "smtp_server.py: the Python package aiosmtpd is missing: run scripts/install-deps.sh\n"
    )
    sys.exit(3)


class Recorder:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        auth = session.auth_data
        if isinstance(auth, LoginPassword):
            auth = auth.login
        if isinstance(auth, bytes):
            auth = auth.decode("utf-8", "replace")
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": envelope.original_content.decode("utf-8", "replace"),
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": auth if session.authenticated else None,
            "peer": session.peer[1] if session.peer else None,
        }
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK queued"


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return check


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0, help="0: a free port")
    p.add_argument("--out", required=True, help="append received messages here (JSON lines)")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"), help="offer STARTTLS")
    tls.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"), help="implicit TLS")
    p.add_argument("--auth", metavar="USER:PASS", help="require AUTH PLAIN/LOGIN")
    p.add_argument(
        "--allow-plain-auth",
        action="store_true",
        help="accept AUTH on an unencrypted session (refused by default)",
    )
    args = p.parse_args()

    starttls_ctx = tls_context(*args.starttls) if args.starttls else None
    smtps_ctx = tls_context(*args.smtps) if args.smtps else None
    auth = None
    if args.auth:
        user, _, password = args.auth.partition(":")
        auth = authenticator(user, password)
    handler = Recorder(args.out)

    def factory():
        return SMTP(
            handler,
            hostname="localhost",
            tls_context=starttls_ctx,
            require_starttls=starttls_ctx is not None,
            authenticator=auth,
            auth_required=auth is not None,
            # Implicit TLS encrypts the whole session, which aiosmtpd does not see by itself.
            auth_require_tls=not (args.allow_plain_auth or smtps_ctx is not None),
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host="127.0.0.1", port=args.port, ssl=smtps_ctx)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
