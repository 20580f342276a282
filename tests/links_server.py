"""A local stand-in for the repository hosts: one HTTPS server on 127.0.0.1.

Certificates come from a test certificate authority (trustme) for the hosts' real names;
a test resolver gives those names public-looking addresses and a test connector routes
those addresses, and only those, to the server. The fetcher's own checks therefore run on
the addresses they would see in production: a name the test maps to a private address is
refused before any connection is made.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme

# Public addresses (not reserved) that stand for the hosts inside the tests only.
PUBLIC = {
    "github.com": "140.82.121.3",
    "raw.githubusercontent.com": "185.199.108.133",
    "gist.github.com": "140.82.121.4",
    "gist.githubusercontent.com": "185.199.109.133",
    "gitlab.com": "172.65.251.78",
    "bitbucket.org": "104.192.141.1",
    "codeberg.org": "217.197.91.145",
    "files.example.org": "93.184.215.14",
}
PRIVATE = {
    "intranet.example.org": "10.1.2.3",
    "metadata.example.org": "169.254.169.254",
    "loopback.example.org": "127.0.0.1",
}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before the first byte
    chunked: bool = False  # no Content-Length: the size is learnt while streaming


Route = Reply | Callable[[BaseHTTPRequestHandler], Reply]


class HostsServer:
    def __init__(self):
        self.ca = trustme.CA()
        names = [*PUBLIC, *PRIVATE]
        certificate = self.ca.issue_cert(*names)
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.connections: list[tuple[str, int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0]
                server.requests.append((host, self.path, dict(self.headers)))
                route = server.routes.get((host, self.path), Reply(status=404, body=b"nope"))
                reply = route(self) if callable(route) else route
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(reply.body), 65536):
                        piece = reply.body[start : start + 65536]
                        try:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                        except OSError:
                            return
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def resolve(self, host: str, port: int) -> list[str]:
        if host in PUBLIC:
            return [PUBLIC[host]]
        if host in PRIVATE:
            return [PRIVATE[host]]
        raise socket.gaierror(f"unknown host {host}")

    def connect(self, address: str, port: int, timeout: float) -> socket.socket:
        # Only the stand-in public addresses reach the server; anything else is a bug in
        # the fetcher's checks, and the test must see it.
        assert address in PUBLIC.values(), f"connection to an unchecked address {address}"
        self.connections.append((address, port))
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
