"""Who may use ``newsdesk serve``: a secret token, the bound Host, the served Origin.

Binding to loopback does not protect the reader from the user's own browser: any
page it visits can open a websocket to 127.0.0.1, and a DNS-rebinding name can
make the browser treat the server as that page's own origin. So, as Jupyter does:

- every request needs the token, given once in the URL (``/?token=T``) and then
  carried by an HttpOnly, SameSite=Strict cookie, so it leaves the address bar
  (and every later ``Referer``) at once;
- every request must name the bound address in its ``Host`` header (a rebinding
  name never does);
- a websocket upgrade must come from the served origin itself.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
import re
import resource
import secrets
import socket
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import hdrs, web
from aiohttp.web_protocol import RequestHandler
from newsdesk.index import UsageError, expand_user
from yarl import URL

TOKEN_BYTES = 16
"""128 random bits, as Jupyter's tokens."""

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._~-]{32,}")
"""What a token file may hold: long enough to guess no better than 128 random bits
would allow in practice, and safe to paste into a URL as it is."""

REFUSED = (
    "403: newsdesk serve refused this request. Open the URL that `newsdesk serve` printed "
    "(it ends in ?token=...), on the address it printed."
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    """A fresh random token: 128 bits from :mod:`secrets`, as 32 hex digits."""
    return secrets.token_hex(TOKEN_BYTES)


def load_or_create_token(path: Path) -> str:
    """The token kept in ``path``: read it if the file exists, else create it (mode 0600).

    Raises :class:`UsageError` (one line) when the file is a symlink, is not a regular
    file, is owned by another account, can be read by its group or others, or does not
    hold a usable token.
    """
    path = expand_user(path)  # `~nosuchuser/t` as written, as everywhere else (pathlib raises)
    try:
        # O_NOFOLLOW + O_EXCL: never write through a link planted where the file will be.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return _read_token(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot create the token file: {exc.strerror or exc}") from None
    token = new_token()
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(token + "\n")
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:  # a full disk: no empty file left for every later start to refuse
        path.unlink(missing_ok=True)
        raise UsageError(f"{path}: cannot create the token file: {exc.strerror or exc}") from None
    return token


def _read_token(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if path.is_symlink():
            raise UsageError(f"{path}: the token file is a symlink; give the file itself") from None
        raise UsageError(f"{path}: cannot read the token file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{path}: the token file is not a regular file")
        if info.st_uid != os.geteuid():  # planted (root reads any account's private file)
            raise UsageError(f"{path}: the token file is owned by another account; give a file of your own")
        if info.st_mode & 0o077:
            raise UsageError(
                f"{path}: the token file can be read by others (mode {stat.S_IMODE(info.st_mode):04o}); "
                f"run `chmod 600 {path}`"
            )
        raw = os.read(fd, 4097)
    finally:
        os.close(fd)
    token = raw.decode("ascii", "replace").strip()
    if len(raw) > 4096 or not TOKEN_PATTERN.fullmatch(token):
        raise UsageError(
            f"{path}: the token file must hold one token of 32 or more letters, digits, '-', '_', '.' or '~'"
        )
    return token


_IPV4_SHORTHAND = re.compile(r"(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}", re.IGNORECASE)


def canonical_host(host: str) -> str:
    """``--host`` as a browser writes it in ``Host`` and ``Origin``: an address in its one
    standard form, a name in lower case.

    A browser rewrites ``http://[0:0:0:0:0:0:0:1]:8000/`` to ``[::1]`` and
    ``http://127.1:8000/`` to ``127.0.0.1`` before sending a request, so a server that
    compared against the address as typed would refuse its own page. Brackets around
    an IPv6 address are accepted too.
    """
    name = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(name).compressed
    except ValueError:
        pass
    if _IPV4_SHORTHAND.fullmatch(name):
        try:
            return socket.inet_ntoa(socket.inet_aton(name))  # 127.1, 0x7f.0.0.1: as browsers read them
        except OSError:
            pass
    return name.lower()


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only ever reaches this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """Whether ``host`` means every address of this machine (0.0.0.0, ::)."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return host == ""


def host_header(host: str, port: int) -> str:
    """``host:port`` as a browser writes it in a Host header (IPv6 in brackets, lower case)."""
    host = host.lower()
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class AccessGuard:
    """The aiohttp middleware that lets a request through only with the token, the bound
    Host and, for a websocket, the served Origin; everything else gets 403.
    """

    def __init__(self, token: str, host: str, port: int) -> None:
        self._token = token.encode()
        self.port = port
        self.cookie_name = f"newsdesk-token-{port}"  # cookies ignore ports: one name per server
        self._wildcard = is_wildcard(host)
        names = {host} | ({"localhost", socket.gethostname(), socket.getfqdn()} if self._wildcard else set())
        self._hosts = {host_header(name, port) for name in names if name}
        if port == 80:  # browsers leave the default port out
            self._hosts |= {header.rsplit(":", 1)[0] for header in self._hosts}

    def token_matches(self, offered: str | None) -> bool:
        """Whether ``offered`` is the token (compared in constant time)."""
        if offered is None:
            return False
        return hmac.compare_digest(offered.encode("utf-8", "surrogatepass"), self._token)

    def host_allowed(self, header: str | None) -> bool:
        """Whether a Host header names the address this server is bound to.

        A DNS-rebinding page reaches the server under a name of its own, so any name
        but the bound one is refused. Bound to every address (0.0.0.0), the server
        accepts this machine's own names and any IP literal: rebinding needs a name.
        """
        if not header:
            return False
        header = header.lower()
        if header in self._hosts:
            return True
        if not self._wildcard:
            return False
        name, _, port = header.rpartition(":")
        if port != str(self.port):
            return False
        try:
            ipaddress.ip_address(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
        except ValueError:
            return False
        return True

    def origin_allowed(self, request: web.Request) -> bool:
        """Whether a websocket upgrade comes from the page this server served (one Origin
        header, naming it: a browser never sends two, so a second one is a smuggling try)."""
        origins = request.headers.getall(hdrs.ORIGIN, [])
        return len(origins) == 1 and origins[0].lower() == f"http://{request.host.lower()}"

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse, redirect (dropping the token from the URL) or pass ``request`` on."""
        hosts = request.headers.getall(hdrs.HOST, [])
        if len(hosts) != 1 or not self.host_allowed(hosts[0]):
            return refused()
        is_websocket = request.headers.get(hdrs.UPGRADE, "").lower() == "websocket"
        if is_websocket and not self.origin_allowed(request):
            return refused()
        if "token" in request.query:
            if not self.token_matches(request.query.get("token")):
                return refused()
            if not is_websocket:
                return self._redirect_without_token(request)
        elif not self.token_matches(request.cookies.get(self.cookie_name)):
            return refused()
        return await handler(request)

    def _redirect_without_token(self, request: web.Request) -> web.StreamResponse:
        """Set the cookie and send the browser to the page without the token in its URL.

        Always to ``/`` (keeping other parameters such as ``fontsize``): a path taken from
        the request could be ``//elsewhere``, which a browser reads as another host.
        """
        query = request.rel_url.query.copy()
        query.popall("token")
        response = web.HTTPSeeOther(location=str(URL("/").with_query(query)))
        response.set_cookie(self.cookie_name, self._token.decode(), path="/", httponly=True, samesite="Strict")
        return response


MAX_CONNECTIONS = 1024
"""TCP connections open at once, at most (fewer under a small file limit: see :class:`ConnectionCap`)."""


def raise_file_limit() -> int:
    """Raise this process's limit on open files to its hard limit; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or hard > soft):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (OSError, ValueError):
            pass
    return soft


class ConnectionCap:
    """A cap on the server's open connections that the token's holders never lose to others.

    Anyone on the machine may connect to the port without the token: another account
    opening connections and never finishing a request on them used to take every file
    descriptor the server had, so the user's own tab could not connect and asyncio
    logged a traceback for each refused accept. Here, at most ``limit`` connections stay
    open (a quarter of the file limit: asyncio accepts up to 100 at once before any is
    counted, and readers' pipes need descriptors too): a new connection beyond it closes
    the oldest one that has not yet shown the token.
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(limit, 8)
        self._open: dict[RequestHandler, None] = {}  # in the order they connected
        self._trusted: set[RequestHandler] = set()

    @classmethod
    def for_file_limit(cls, file_limit: int) -> ConnectionCap:
        """The cap for a process that may open ``file_limit`` files."""
        return cls(min(MAX_CONNECTIONS, file_limit // 4))

    def watch(self, server: web.Server) -> None:
        """Count ``server``'s connections as they open and close."""
        made, lost = server.connection_made, server.connection_lost

        def connection_made(handler: RequestHandler, transport: asyncio.Transport) -> None:
            made(handler, transport)
            self._admit(handler)

        def connection_lost(handler: RequestHandler, exc: BaseException | None = None) -> None:
            self._open.pop(handler, None)
            self._trusted.discard(handler)
            lost(handler, exc)

        server.connection_made = connection_made  # type: ignore[method-assign]
        server.connection_lost = connection_lost  # type: ignore[method-assign]

    def _admit(self, handler: RequestHandler) -> None:
        self._open[handler] = None
        while len(self._open) > self.limit:
            oldest = next((other for other in self._open if other not in self._trusted), None)
            if oldest is None:
                return  # every connection is the user's own
            del self._open[oldest]
            oldest.force_close()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """After the guard: a connection that has shown the token is never closed for the cap."""
        if isinstance(request.protocol, RequestHandler) and request.protocol in self._open:
            self._trusted.add(request.protocol)
        return await handler(request)


CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "connect-src 'self'",  # the reader's websocket: same host and port
        "style-src 'self' 'unsafe-inline'",  # xterm.js positions its layers with inline styles
        "img-src 'self' data:",
        "font-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    )
)


async def secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Headers every response carries (an ``on_response_prepare`` signal handler): nothing
    leaves the page, nothing frames it, nothing is cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Cache-Control", "no-store")


def refused() -> web.Response:
    """The one answer to every request without the token, the bound Host or the served Origin."""
    return web.Response(status=403, text=REFUSED)
