"""wsclient.py -- a minimal RFC 6455 WebSocket client for the tests (Python's
standard library has none): handshake with a subprotocol and an Origin, masked
text/binary/ping frames out, text/ping/pong/close frames in, fragmentation."""
import base64
import hashlib
import json
import os
import socket
import time
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeError(Exception):
    pass


class WS:
    def __init__(self, port, path="/ws/chat", protocol="dvcbot.chat.v1", origin=None,
                 timeout=10.0, auto_pong=True, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.auto_pong = auto_pong
        self.pings = 0
        self.closed = None
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if protocol:
            lines.append(f"Sec-WebSocket-Protocol: {protocol}")
        if origin:
            lines.append(f"Origin: {origin}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise HandshakeError("connection closed during handshake")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status + b" ":
            raise HandshakeError(status.decode(errors="replace"))
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if want.encode() not in head:
            raise HandshakeError("bad Sec-WebSocket-Accept")

    def send_frame(self, opcode, data, fin=True):
        head = bytes([(0x80 if fin else 0) | opcode])
        n = len(data)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + body)

    def send_text(self, text):
        self.send_frame(0x1, text.encode() if isinstance(text, str) else text)

    def send_json(self, obj):
        self.send_text(json.dumps(obj, ensure_ascii=False))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self):
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read(8))[0]
        return b0 & 0x0F, self._read(n)

    def recv(self, timeout=None):
        """Next text message (str); answers pings; None when the server closed."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        while True:
            try:
                op, data = self.recv_frame()
            except ConnectionError:
                self.closed = self.closed or -1
                return None
            if op == 0x9:
                self.pings += 1
                if self.auto_pong:
                    self.send_frame(0xA, data)
            elif op == 0x8:
                self.closed = struct.unpack(">H", data[:2])[0] if len(data) >= 2 else 1005
                return None
            elif op in (0x1, 0x2):
                return data.decode(errors="replace")

    def recv_json(self, timeout=None):
        t = self.recv(timeout)
        return None if t is None else json.loads(t)

    def close(self):
        try:
            self.send_frame(0x8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()


def frames(ws, n=None, timeout=3.0, until=None):
    """Collect frames until n were read, a predicate matched, or timeout."""
    out = []
    end = time.time() + timeout
    while time.time() < end and (n is None or len(out) < n):
        try:
            f = ws.recv_json(timeout=max(0.05, end - time.time()))
        except (socket.timeout, TimeoutError):
            break
        if f is None:
            break
        out.append(f)
        if until and until(f):
            break
    return out
