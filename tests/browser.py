"""Headless Chromium for checking what Persona writes as a person would see it: the page as the
browser parsed it, a screenshot, and every network request it tried (through a counting proxy)."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Rendered:
    dom: str
    screenshot: Path
    requests: list[str] = field(default_factory=list)


class _CountingProxy:
    """A proxy that answers nothing and remembers every request line the browser sent it."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    line = connection.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
                except OSError:
                    line = "(unreadable)"
                self.requests.append(line)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.server.close()


def render(page: Path, screenshot: Path, width: int = 1280, height: int = 2000) -> Rendered:
    """Open ``page`` in headless Chromium, as the workplace's browser probe does."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    proxy = _CountingProxy()
    profile = tempfile.mkdtemp(prefix="persona-chromium-")
    base = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--proxy-server=http://127.0.0.1:{proxy.port}",
        "--proxy-bypass-list=<-loopback>",
        f"--window-size={width},{height}",
    ]
    env = {**os.environ, "HOME": profile}
    try:
        dom = subprocess.run(
            [*base, "--dump-dom", page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=90,
            env=env,
        ).stdout
        subprocess.run(
            [*base, f"--screenshot={screenshot}", "--hide-scrollbars", page.resolve().as_uri()],
            capture_output=True,
            timeout=90,
            env=env,
        )
    finally:
        proxy.close()
        shutil.rmtree(profile, ignore_errors=True)
    # Chromium's own services (time, updates) call home from any page; count what the page asked for.
    own = ("google.com", "googleapis.com", "gstatic.com", "gvt1.com")
    asked = []
    for line in proxy.requests:
        if " HTTP/" not in line:  # a connection that asked nothing (Chromium preconnects)
            continue
        target = line.split(" ")[1] if line.count(" ") >= 1 else line
        if not any(host in target.split("/")[2 if "://" in target else 0] for host in own):
            asked.append(line)
    return Rendered(dom, screenshot, asked)


def distinct_colours(png: Path) -> int:
    """How many distinct RGB colours a PNG screenshot holds (a blank page has one)."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, width, height, channels = 8, b"", 0, 0, 4
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, _depth, colour = struct.unpack(">IIBB", body[:10])
            channels = {2: 3, 6: 4, 0: 1, 4: 2}.get(colour, 4)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    colours: set[bytes] = set()
    previous = bytearray(stride - 1)
    for row in range(0, min(height, 1200), 1):  # unfilter rows (PNG filters 0-4)
        line = raw[row * stride : (row + 1) * stride]
        kind, pixels = line[0], bytearray(line[1:])
        for i in range(len(pixels)):
            left = pixels[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                pixels[i] = (pixels[i] + left) & 255
            elif kind == 2:
                pixels[i] = (pixels[i] + up) & 255
            elif kind == 3:
                pixels[i] = (pixels[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                pixels[i] = (pixels[i] + predictor) & 255
        previous = pixels
        if row % 40 == 0:
            for x in range(0, width * channels, channels * 16):
                colours.add(bytes(pixels[x : x + 3]))
    return len(colours)
