"""A headless Chromium driven over the DevTools protocol on a pipe — standard library only.

``--remote-debugging-pipe`` makes Chromium read protocol commands from fd 3 and write
replies and events to fd 4, each a JSON message ended by a NUL byte: no port, no
websocket client, no driver binary. :func:`load` opens a page, records every console
message, uncaught exception, log entry and network request, and takes a full-page
screenshot (and optionally a PDF, as printing would).

Launch flags for this closed network (/work/.library/env/machines/python.md): without
the background-networking flags Chromium's own connections are refused many at a
time; none of them is the page's, and the page's requests are what the tests check.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
         "--remote-debugging-pipe"]


def find_chromium() -> Optional[str]:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageResult:
    console: List[Dict[str, Any]] = field(default_factory=list)  # Runtime.consoleAPICalled
    exceptions: List[Dict[str, Any]] = field(default_factory=list)  # Runtime.exceptionThrown
    log: List[Dict[str, Any]] = field(default_factory=list)  # Log.entryAdded
    requests: List[str] = field(default_factory=list)  # Network.requestWillBeSent URLs
    failed: List[Dict[str, Any]] = field(default_factory=list)  # Network.loadingFailed
    png: bytes = b""
    print_png: bytes = b""
    pdf: bytes = b""
    height: int = 0

    @property
    def errors(self) -> List[str]:
        out = [f"console.{c.get('type')}: {c.get('args')}" for c in self.console if c.get("type") in ("error", "assert")]
        out += [f"exception: {e.get('exceptionDetails', {}).get('text')}" for e in self.exceptions]
        out += [f"log {e['entry'].get('level')}: {e['entry'].get('text')} ({e['entry'].get('url')})"
                for e in self.log if e.get("entry", {}).get("level") == "error"]
        return out


class Browser:
    def __init__(self, binary: str, timeout_s: float = 60.0) -> None:
        self.profile = tempfile.mkdtemp(prefix="envcheck-chromium-")
        to_child_r, self._to_child_w = os.pipe()
        self._from_child_r, from_child_w = os.pipe()

        def fds() -> None:  # in the child: the protocol's fixed descriptors 3 (in) and 4 (out)
            # Copied above 10 first: one of the pipe's own numbers may be 3 or 4.
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)  # dup2 makes them inheritable; os.pipe's own ends are not
            os.dup2(b, 4)

        # close_fds=False: it would run after preexec_fn and close 3 and 4 again.
        self.proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=fds, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self.timeout_s = timeout_s
        self._buf = b""
        self._next = 0
        self.events: List[Dict[str, Any]] = []

    def _read_message(self, deadline: float) -> Dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_child_r], [], [], left)
            if ready:
                chunk = os.read(self._from_child_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the protocol pipe: " + self._stderr())
                self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        return json.loads(raw)

    def _stderr(self) -> str:
        return f"exit status {self.proc.poll()}"

    def send(self, method: str, params: Optional[Dict[str, Any]] = None, session: Optional[str] = None) -> Dict[str, Any]:
        self._next += 1
        msg: Dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout_s
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout_s: float = 30.0) -> Dict[str, Any]:
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout_s
        while True:
            e = self._read_message(deadline)
            if e.get("method") == method:
                return e
            self.events.append(e)

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while True:
            try:
                self.events.append(self._read_message(end))
            except TimeoutError:
                return

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            for fd in (self._to_child_w, self._from_child_r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)


def load(binary: str, html_file: Path, width: int = 1200, pdf: bool = False) -> PageResult:
    """Open ``html_file``, record what the page did, and take a full-page screenshot."""
    url = Path(html_file).resolve().as_uri()
    b = Browser(binary)
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.send(f"{domain}.enable", session=session)
        b.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1,
                                                       "mobile": False}, session=session)
        b.send("Page.navigate", {"url": url}, session=session)
        b.wait_for("Page.loadEventFired")
        b.drain(0.5)  # late console messages or requests
        out = PageResult()
        for e in b.events:
            if e.get("sessionId") != session:
                continue
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled":
                out.console.append({"type": p.get("type"), "args": [a.get("value") for a in p.get("args", [])]})
            elif m == "Runtime.exceptionThrown":
                out.exceptions.append(p)
            elif m == "Log.entryAdded":
                out.log.append(p)
            elif m == "Network.requestWillBeSent":
                out.requests.append(p["request"]["url"])
            elif m == "Network.loadingFailed":
                out.failed.append(p)
        metrics = b.send("Page.getLayoutMetrics", session=session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        out.height = int(size["height"])
        clip = {"x": 0, "y": 0, "width": width, "height": min(out.height, 16000), "scale": 1}
        shot = b.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True},
                      session=session)
        out.png = base64.b64decode(shot["data"])
        if pdf:
            b.send("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
            shot = b.send("Page.captureScreenshot", {"format": "png", "clip": dict(clip, height=min(out.height, 3000)),
                                                     "captureBeyondViewport": True}, session=session)
            out.print_png = base64.b64decode(shot["data"])
            out.pdf = base64.b64decode(b.send("Page.printToPDF", {"printBackground": True}, session=session)["data"])
        return out
    finally:
        b.close()


def not_blank(png: bytes) -> Dict[str, float]:
    """How much of a screenshot is drawn: distinct colours and the share of pixels that
    differ from the most common one (the background)."""
    import io

    import matplotlib.image
    import numpy as np

    img = matplotlib.image.imread(io.BytesIO(png), format="png")
    rgb = (img[..., :3] * 255).round().astype(np.uint32)
    # one integer per pixel: np.unique over rows (axis=0) sorts tuples and took ~25 s on a
    # full-page screenshot; over packed integers it is the same count in a fraction of a second
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    colours, counts = np.unique(packed.ravel(), return_counts=True)
    return {"colours": float(len(colours)), "drawn": float(1 - counts.max() / counts.sum()),
            "width": float(img.shape[1]), "height": float(img.shape[0])}
