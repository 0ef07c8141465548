"""A TCP proxy in front of a real server that a test can break: refuse connections, or accept
them and never pass a byte (a hanging database or network), and then heal."""

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Literal, NoReturn

from sqlalchemy.exc import OperationalError

Mode = Literal["forward", "refuse", "hang"]


class BreakableProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "forward"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def set(self, mode: Mode) -> None:
        """Breaks or heals; open connections are cut either way, as a restarting server would."""
        self.mode = mode
        with self._lock:
            for connection in self._open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                    connection.close()
            self._open.clear()

    def close(self) -> None:
        self._closed = True
        self.set("refuse")
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "refuse":
                # Reset at once: what a client sees from a port nobody listens on.
                client.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                client.close()
                continue
            with self._lock:
                self._open.append(client)
            if self.mode == "hang":
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.append(server)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for end in (source, sink):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def breakable_postgres() -> Iterator[BreakableProxy]:
    proxy = BreakableProxy(5432)
    try:
        yield proxy
    finally:
        proxy.close()


def database_error(statement: str, reason: str = "database is locked") -> Callable[..., NoReturn]:
    """A stand-in for a service method whose database fails the way SQLAlchemy reports it."""

    def fail(*args: object, **kwargs: object) -> NoReturn:
        raise OperationalError(statement, {}, Exception(reason))

    return fail
