"""moto's AWS server on 127.0.0.1 (real HTTP), and a faulty proxy that fails on demand."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moto.server import ThreadedMotoServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def moto_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def reset(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=5).read()


class FaultyProxy:
    """Forwards to ``target``, but answers the first ``fail_first`` requests (or every one,
    with ``always``) with ``status`` — 503, or 400 with a throttling error."""

    def __init__(self, target: str, *, fail_first: int = 0, always: bool = False, status: int = 503) -> None:
        self.target = target.removeprefix("http://")
        self.fail_first, self.always, self.status = fail_first, always, status
        self.failed = 0
        self.forwarded = 0
        self._lock = threading.Lock()

    def should_fail(self) -> bool:
        with self._lock:
            if self.always or self.failed < self.fail_first:
                self.failed += 1
                return True
            self.forwarded += 1
            return False

    @contextmanager
    def running(self) -> Iterator[str]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.should_fail():
                    self._fail(json_protocol="X-Amz-Target" in self.headers)
                    return
                connection = http.client.HTTPConnection(proxy.target, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                connection.request(self.command, self.path, body=body or None, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _fail(self, *, json_protocol: bool) -> None:
                if proxy.status == 400 and json_protocol:
                    data, kind = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}', "application/json"
                elif proxy.status == 400:
                    data = (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                            b"<Message>Rate exceeded</Message></Error></ErrorResponse>")  # fmt: skip
                    kind = "text/xml"
                else:
                    data, kind = (
                        b"<Error><Code>ServiceUnavailable</Code><Message>Slow down</Message></Error>",
                        "text/xml",
                    )
                self.send_response(proxy.status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, *_: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
