"""Small loopback HTTP servers for end-to-end tests: a Boeing-like image host and the API in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi import FastAPI

from emulators.boeing.images import part_image


class _ImageServer(ThreadingHTTPServer):
    """The image host's server, counting the requests per path."""

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.hits: dict[str, int] = {}


class _ImageHandler(BaseHTTPRequestHandler):
    """``/products/<code>.png`` and ``/thumbnails/<code>.png``; codes ending in 0 have no product image."""

    server: _ImageServer

    def do_GET(self) -> None:
        kind, _, filename = self.path.strip("/").partition("/")
        code = filename.removesuffix(".png")
        self.server.hits[self.path] = self.server.hits.get(self.path, 0) + 1
        if kind not in ("products", "thumbnails") or not code or (kind == "products" and code.endswith("0")):
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"no image")
            return
        body = part_image(code, kind == "thumbnails")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@contextmanager
def image_host() -> Iterator[tuple[str, dict[str, int]]]:
    """Serve part images on a free loopback port; yields (base URL, hits per path)."""
    server = _ImageServer(("127.0.0.1", 0), _ImageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.hits
    finally:
        server.shutdown()
        server.server_close()


def bind_loopback() -> socket.socket:
    """A socket bound to a free loopback port (so its URL is known before the server starts)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve_app(app: FastAPI, sock: socket.socket) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on ``sock``; yields its base URL; stops it on exit."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
