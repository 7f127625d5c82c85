"""Run the explorer with uvicorn: ``chainrule serve`` and ``python -m chainrule.web``.

The socket is bound here, before uvicorn starts, so a port in use is one clear error (and
``port=0`` picks a free port whose address is then printed). The default host is the
loopback interface: nothing outside this machine can reach the server.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
import webbrowser
from collections.abc import Callable

from chainrule.errors import ChainruleError
from chainrule.web.app import LOOPBACK_HOSTS, create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def bind(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> socket.socket:
    """A listening TCP socket on ``host:port``, or a ChainruleError saying why not."""
    if not 0 <= port <= 65535:
        raise ChainruleError(f"--port must be between 0 and 65535, got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise ChainruleError(f"cannot use host {host!r}: {err.strerror}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise ChainruleError(f"port {port} on {host} is already in use; choose another "
                                 f"with --port (0 picks a free one)") from None
        raise ChainruleError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    sock.set_inheritable(True)
    return sock


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False,
          announce: Callable[[str], None] = print, time_limit: float | None = None,
          workers: int | None = None) -> None:
    """Serve the explorer until interrupted (Ctrl-C); ``workers`` engine processes (default:
    the CPU count)."""
    import uvicorn

    sock = bind(host, port)
    url = url_of(sock)
    hosts = None if not is_loopback(host) else (*LOOPBACK_HOSTS, host)
    kwargs = {} if time_limit is None else {"time_limit": time_limit}
    app = create_app(allowed_hosts=hosts, workers=workers, **kwargs)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    announce(f"chainrule explorer at {url}  (Ctrl-C stops it)")
    if not is_loopback(host):
        announce(f"warning: listening on {host}, reachable from other machines")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
