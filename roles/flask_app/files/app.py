"""The sample web app that winflask.iis puts behind IIS.

A Flask app mounted under a URL prefix (default ``/myApp``) with werkzeug's
``DispatcherMiddleware``; every path outside the prefix answers 404. Served by waitress
(see ``run_server.py``), never by ``app.run()``.

Routes, relative to the prefix:

- ``/``        -> ``Hello World!!!``
- ``/help``    -> ``This is the Help Page``
- ``/health``  -> ``{"status": "ok"}`` (for load balancers, ARR health tests, the deploy check)
- ``/whoami``  -> the client address, scheme, host and URL root the app sees, as JSON; shows at
  a glance whether the proxy headers set by IIS are honoured (docs/flask-app.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

DEFAULT_PREFIX = "/myApp"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def normalise_prefix(prefix: str) -> str:
    """``myApp``, ``/myApp/`` and ``/myApp`` all mean ``/myApp``; ``""`` and ``/`` mean the root."""
    stripped = prefix.strip().strip("/")
    if not stripped:
        return ""
    if any(segment in {"", ".", ".."} for segment in stripped.split("/")):
        raise ValueError(f"invalid URL prefix {prefix!r}: empty, '.' or '..' path segment")
    if any(char in stripped for char in "?#%\\ "):
        raise ValueError(f"invalid URL prefix {prefix!r}: only plain path characters are allowed")
    return f"/{stripped}"


def create_flask_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello() -> ResponseReturnValue:
        return "Hello World!!!"

    @app.get("/help")
    def help_page() -> ResponseReturnValue:
        return "This is the Help Page"

    @app.get("/health")
    def health() -> ResponseReturnValue:
        return jsonify(status="ok")

    @app.get("/whoami")
    def whoami() -> ResponseReturnValue:
        return jsonify(
            remote_addr=request.remote_addr,
            scheme=request.scheme,
            host=request.host,
            url_root=request.url_root,
        )

    return app


def create_app(prefix: str = DEFAULT_PREFIX) -> WSGIApp:
    """The WSGI application: the Flask app under ``prefix``, 404 everywhere else."""
    mount = normalise_prefix(prefix)
    flask_app = create_flask_app()
    if not mount:
        return flask_app
    return DispatcherMiddleware(NotFound(), {mount: flask_app})
