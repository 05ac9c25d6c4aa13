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
import sys

from devtools import chromium


async def buy(origin, product_path, email):
    async with chromium() as tab:
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
    asyncio.run(asyncio.wait_for(buy(origin, product_path, email), 150))


if __name__ == "__main__":
    main()
