"""``emergesim view``: a model watched live in the browser, a Mesa SolaraViz page.

The page module (``emergesim.view.app``) is served as ``solara run`` serves one: Solara's
starlette app under uvicorn, the module named in ``SOLARA_APP``. Started here, rather than by
``solara run``, the command keeps the CLI's checks and messages, binds the port itself (a busy
port is one line, not a traceback) and serves only what it is told to. Solara, uvicorn and Mesa's
visualization come with the ``viz`` extra and are imported only by this command.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import warnings
from collections.abc import Callable
from typing import Any

from emergesim.errors import EmergesimError

INSTALL = "pip install 'emergesim[viz]'"
SETTINGS = "EMERGESIM_VIEW"  # what the page module serves: {"model": name or None, "params": {}}


def serve(
    model: str | None,
    params: dict[str, Any],
    *,
    host: str,
    port: int,
    report: Callable[[str], object],
) -> None:
    """Serve ``model`` started with ``params`` (checked values), or the index of every model,
    on ``host``:``port`` (0: a free port) until Ctrl-C; ``report`` gets the address."""
    os.environ["SOLARA_APP"] = "emergesim.view.app"  # read when Solara's server is imported
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"  # no calls home: it serves offline
    os.environ[SETTINGS] = json.dumps({"model": model, "params": params})
    # harmless and not the user's to act on: Mesa 3.3's ComponentsView trips Solara's check of
    # hooks as it is imported; Solara says it falls back to a plain cookie, which suits plain http
    warnings.filterwarnings("ignore", ".*ComponentsView: `use_state` found", UserWarning)
    warnings.filterwarnings("ignore", "Cookies with samesite=none require https", UserWarning)
    try:
        import mesa.visualization  # noqa: F401
        import solara.server.starlette  # noqa: F401
        import uvicorn
    except ImportError as missing:
        raise EmergesimError(f"the live view needs the viz extra ({missing}): {INSTALL}") from None
    sock = _bind(host, port)
    host, port = sock.getsockname()[:2]
    where = f"[{host}]" if ":" in host else host
    report(f"serving {model or 'every model'} at http://{where}:{port}/ (Ctrl-C stops)")
    if not ipaddress.ip_address(host).is_loopback:
        report(f"{host} is reachable from other machines: anyone there can run models here")
    config = uvicorn.Config(
        "solara.server.starlette:app", log_level="warning", timeout_graceful_shutdown=1
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        from emergesim.view.live import stop_all

        stop_all()


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen()  # connections wait for the server from now on, rather than being refused
    except OSError as error:
        raise EmergesimError(
            f"cannot serve on {host} port {port}: {error.strerror}; give another --port or --host"
        ) from None
    return sock
