#!/usr/bin/env python3
"""Drives a headless Chromium over the DevTools protocol, with nothing but
the Python standard library (a minimal WebSocket client), for the status
page test: load a page, evaluate JavaScript, type into the focused element
key by key, take screenshots.

usage: cdp.py CHROMIUM PROFILE-DIR URL SCRIPT
SCRIPT holds one command per line:
  eval JS            print the JSON value of JS
  focus SELECTOR     focus the element
  type TEXT          one key event per character, as a user types
  shot FILE          a PNG screenshot of the page
"""
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request


class WebSocket:
    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        self.s = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((
            f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(1)
            if not chunk:
                raise RuntimeError("websocket handshake failed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("websocket handshake refused: %r" % head)

    def _recv(self, n):
        b = b""
        while len(b) < n:
            chunk = self.s.recv(n - len(b))
            if not chunk:
                raise RuntimeError("websocket closed")
            b += chunk
        return b

    def send(self, text):
        data = text.encode()
        head = bytes([0x81])
        n = len(data)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._recv(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._recv(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._recv(8))[0]
            payload = self._recv(n)
            if b0 & 0x0F == 0x9:  # ping
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Page:
    def __init__(self, ws):
        self.ws = ws
        self.n = 0

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.n:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]

    def eval(self, js):
        r = self.call("Runtime.evaluate", expression=js, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{js}: {r['exceptionDetails']}")
        return r["result"].get("value")


def main():
    chromium, profile, url, script = sys.argv[1:5]
    proc = subprocess.Popen([
        chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--no-default-browser-check",
        f"--user-data-dir={profile}", "--remote-debugging-port=0",
        "--remote-debugging-address=127.0.0.1", "--window-size=1200,900",
        "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        portfile = os.path.join(profile, "DevToolsActivePort")
        for _ in range(600):
            if os.path.exists(portfile) and open(portfile).read().count("\n") >= 1:
                break
            if proc.poll() is not None:
                raise RuntimeError("chromium exited")
            time.sleep(0.1)
        port = open(portfile).read().split("\n")[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        ws = [t for t in targets if t["type"] == "page"][0]["webSocketDebuggerUrl"]
        page = Page(WebSocket(ws))
        page.call("Page.enable")
        page.call("Page.navigate", url=url)
        for _ in range(300):
            if page.eval("document.readyState") == "complete":
                break
            time.sleep(0.1)
        for line in open(script):
            line = line.rstrip("\n")
            if not line:
                continue
            cmd, _, arg = line.partition(" ")
            if cmd == "eval":
                print(json.dumps(page.eval(arg)), flush=True)
            elif cmd == "focus":
                page.eval(f"document.querySelector({json.dumps(arg)}).focus()")
            elif cmd == "type":
                for ch in arg:
                    page.call("Input.dispatchKeyEvent", type="keyDown", key=ch, text=ch)
                    page.call("Input.dispatchKeyEvent", type="keyUp", key=ch)
            elif cmd == "shot":
                png = page.call("Page.captureScreenshot", format="png",
                                captureBeyondViewport=True)["data"]
                with open(arg, "wb") as f:
                    f.write(base64.b64decode(png))
            else:
                raise RuntimeError(f"unknown command {cmd}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
