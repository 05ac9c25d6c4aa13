#!/usr/bin/env python3
"""A shopper buys in a real browser: headless Chromium, driven over the DevTools protocol.

Opens the product page on the store's host (`http://<slug>.localhost:8788`, which Chromium
resolves to loopback), adds the product to the cart with the page's own form (the script
enhancement answers in place), opens the cart, checks out with an email address, pays on the
Stripe stand-in's page (with a shipping address) and waits for the order page to show the order
number. Prints the order page's heading and exits 0, or exits 1 with the step that failed.

Usage: purchase.py STOREFRONT_ORIGIN PRODUCT_PATH EMAIL   (e.g. http://shop.localhost:8788 /products/x a@b.c)
Needs aiohttp (the tools venv has it) and Chromium (/usr/bin/chromium or CHROME_PATH).
"""
import asyncio
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


class Tab:
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
        sys.exit(f"timed out waiting for {what} (at {url})")


async def buy(origin, product_path, email, port):
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
            sys.exit("Chromium did not open its DevTools port")
        async with http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            tab = Tab(ws)
            await tab.call("Page.enable")
            await tab.call("Page.navigate", url=origin + product_path)
            await tab.wait_for("the product page", "document.readyState === 'complete' && !!document.querySelector('form[data-add] button')")
            await tab.js("document.querySelector('form[data-add] button[type=submit]').click()")
            await tab.wait_for("the cart count to update", "(document.querySelector('[data-cart-count]')||{}).textContent === ' (1)'")
            status = await tab.js("document.querySelector('form[data-add] [role=status]').textContent")
            print(f"product page: {status}")
            await tab.call("Page.navigate", url=origin + "/cart")
            await tab.wait_for("the cart", "document.readyState === 'complete' && !!document.querySelector('#email')")
            await tab.js(f"document.querySelector('#email').value = {json.dumps(email)}; "
                         "document.querySelector('form[action=\"/checkout\"] button').click()")
            await tab.wait_for("the payment page", "location.pathname.startsWith('/pay/') && !!document.querySelector('#pay')")
            print("payment page:", await tab.js("document.querySelector('#due').textContent"))
            # The shipping address and phone, as a shopper types them (the country list starts
            # with the store's first country).
            await tab.js("for (const [id, v] of Object.entries({name: 'Ada Lovelace', line1: '1 Main Street', "
                         "city: 'Springfield', postal_code: '62701', phone: '+1 555 010 0199'})) "
                         "{ const f = document.getElementById(id); if (f) f.value = v; }")
            await tab.js("document.querySelector('#pay').click()")
            heading = await tab.wait_for("the order page with its number", "location.pathname.startsWith('/orders/') && "
                                         "/^Order #\\d+$/.test((document.querySelector('h1')||{}).textContent||'') && "
                                         "document.querySelector('h1').textContent", seconds=60)
            print("order page:", heading)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    origin, product_path, email = sys.argv[1:]
    profile = tempfile.mkdtemp(prefix="purchase-chromium-")
    port = 9300 + os.getpid() % 500
    chrome = subprocess.Popen([CHROME, *FLAGS, f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1",
                               f"--user-data-dir={profile}", "about:blank"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        asyncio.run(asyncio.wait_for(buy(origin, product_path, email, port), 150))
    finally:
        chrome.terminate()
        try:
            chrome.wait(10)
        except subprocess.TimeoutExpired:
            chrome.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
