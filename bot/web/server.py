"""Serving the WSGI app with waitress: blocking for `serve`, in a thread for the demo and the tests."""

from __future__ import annotations

import threading
from typing import Any

from waitress.server import create_server

from bot.web.wsgi import MAX_BODY

THREADS = 16


class HttpServer:
    """A waitress server on (host, port); port 0 picks a free one."""

    def __init__(self, wsgi: Any, host: str, port: int) -> None:
        self._server: Any = create_server(wsgi, host=host, port=port, threads=THREADS,
                                          max_request_body_size=MAX_BODY, ident="incident-bot",
                                          clear_untrusted_proxy_headers=True)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._close_lock = threading.Lock()
        self._closed = False

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        """Base URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    def run(self) -> None:
        """Serve in this thread until `stop_soon()` (e.g. from a SIGTERM handler) or `stop()`."""
        self._loop()

    def stop_soon(self) -> None:
        """Ask `run()` to return within a tenth of a second; safe from a signal handler (sets an event)."""
        self._stopping.set()

    def start(self) -> HttpServer:
        """Serve in a background thread until `stop()`."""
        self._thread = threading.Thread(target=self._loop, name="http", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        # waitress' own run() has no stop; closing its sockets from another thread races its select()
        server = self._server

        def pump() -> None:
            server.asyncore.loop(timeout=0.05, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1)

        while not self._stopping.is_set():
            pump()
        # Stop accepting; let requests in flight finish while the loop still sends their answers (a task
        # finishing after the sockets closed would write to a closed trigger), then close.
        server.accepting = False
        draining = threading.Thread(target=server.task_dispatcher.shutdown, kwargs={"timeout": 5},
                                    name="http-drain", daemon=True)
        draining.start()
        while draining.is_alive():
            pump()
        for _ in range(3):
            pump()
        self._close()

    def _close(self) -> None:
        with self._close_lock:
            if not self._closed:
                self._closed = True
                self._server.close()

    def stop(self) -> None:
        """Stop serving: no new connections, requests in flight finish and are answered, sockets close."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._close()
