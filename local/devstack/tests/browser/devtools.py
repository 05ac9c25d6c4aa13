"""Headless Chromium driven over the DevTools protocol: what the browser journeys
(purchase.py, dashboard.py) and the shop's screenshot check (local/checks/storefront_looks.py)
share.

    async with chromium() as tab:
        await tab.open("http://shop.localhost:8788/", "the home page")
        await tab.screenshot("home.png", fonts=True)

Needs aiohttp (the tools venv has it) and Chromium (/usr/bin/chromium or CHROME_PATH).
"""
import asyncio
import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import aiohttp

CHROME = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Resolves once every image that is in the viewport (lazy ones below it never load) has loaded or
# failed, the page's web fonts have loaded (or failed: `document.fonts.ready` settles either way),
# and two frames have been painted since.
SETTLED = """(async () => {
  const visible = [...document.images].filter(i => i.getBoundingClientRect().top < innerHeight);
  await Promise.all(visible.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return true;
})()"""


class Tab:
    """One page target: commands in, their results out (events are read and dropped)."""

    def __init__(self, ws):
        self.ws, self.next_id = ws, 0

    async def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        await self.ws.send_str(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            message = json.loads((await self.ws.receive()).data)
            if message.get("id") == my_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def js(self, expression):
        result = await self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        return result.get("result", {}).get("value")

    async def wait_for(self, what, expression, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                value = await self.js(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            await asyncio.sleep(0.25)
        url = await self.js("location.href")
        body = await self.js("document.body && document.body.innerText.slice(0, 600)")
        sys.exit(f"timed out waiting for {what} (at {url}):\n{body}")

    async def open(self, url, what, ready="true"):
        """Navigates to `url` and waits until it has loaded there and `ready` holds."""
        await self.call("Page.navigate", url=url)
        await self.wait_for(what, f"document.readyState === 'complete' && location.href.startsWith({json.dumps(url.split('?')[0])}) && ({ready})")

    async def screenshot(self, path):
        """A PNG of the viewport once its images and fonts are in (see SETTLED)."""
        await self.wait_for("the page's images and fonts", SETTLED)
        shot = await self.call("Page.captureScreenshot", format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))


@contextlib.asynccontextmanager
async def chromium(chrome=CHROME, flags=(), tab_class=Tab):
    """A fresh Chromium (its own profile, a DevTools port of its own choosing) and its first tab
    (a `tab_class`), with the Page domain enabled; closed and its profile removed on the way out."""
    profile = tempfile.mkdtemp(prefix="devtools-chromium-")
    process = subprocess.Popen([chrome, *FLAGS, *flags, "--remote-debugging-port=0",
                                "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Chromium writes the port it listens on as the first line of this file.
        port_file = os.path.join(profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file):
                with open(port_file) as f:
                    port = f.readline().strip()
                if port:
                    break
            await asyncio.sleep(0.1)
        else:
            sys.exit("Chromium did not open its DevTools port")
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/json/list") as r:
                        targets = [t for t in await r.json() if t["type"] == "page"]
                        if targets:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                sys.exit("Chromium opened no page")
            async with http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                tab = tab_class(ws)
                await tab.call("Page.enable")
                yield tab
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)
