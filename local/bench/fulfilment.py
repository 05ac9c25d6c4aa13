#!/usr/bin/env python3
"""Fulfilment on the running local stack (local/up.sh --detach): payment to supplier order, and
supplier orders placed per second by the one fulfilment function.

Signs up a merchant, creates a store (no launch), publishes one AliExpress product in it through
the signed internal API (as an import would), then buys it N times through the storefront's plain
forms and the Stripe stand-in's pay page (with a shipping address), as fast as one shopper can.
Each payment's webhook enqueues the order on the fulfilment queue; devstack's pump hands batches
to the fulfilment function, which places each order at the AliExpress stand-in. Reads the
stand-in's orders (each with its creation time) and prints

* payment to supplier order placed, per order: p50 and max (from the pay page's redirect to the
  stand-in's record of the order),
* supplier orders placed per second: N over the time from the first to the last placement.

Bounded: N orders (default 20), gives up after --timeout seconds. Loopback only.
Needs INTERNAL_HMAC_SECRET (source ~/.cache/dropship/local-secrets.env).

Usage: local/bench/fulfilment.py [--orders 20] [--timeout 300]
"""
import argparse
import hashlib
import hmac
import http.client
import json
import random
import os
import secrets
import statistics
import sys
import time
import urllib.parse
import urllib.request

EDGE = ("127.0.0.1", 8787)
STOREFRONT = ("127.0.0.1", 8788)
STRIPE = ("127.0.0.1", 8420)
ALIEXPRESS = "http://127.0.0.1:9100"
PRODUCT = "1005006100015838"
PAYMENT = {"card": "4242424242424242", "name": "Bench Shopper", "line1": "1 Main Street", "city": "Springfield",
           "postal_code": "62701", "country": "US", "phone": "+1 555 010 0199"}


def request(target, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(*target, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def api(method, path, body=None, token=None, extra=None):
    headers = {"content-type": "application/json", **(extra or {})}
    if token:
        headers["authorization"] = f"Bearer {token}"
    status, _, data = request(EDGE, method, path, json.dumps(body) if body is not None else None, headers)
    if status >= 300:
        sys.exit(f"{method} {path}: {status} {data[:300]!r}")
    return json.loads(data or b"null")


def internal(path, body, secret):
    raw = json.dumps(body).encode()
    timestamp, nonce = str(int(time.time())), secrets.token_hex(12)
    canonical = "\n".join(["POST", path, timestamp, nonce, hashlib.sha256(raw).hexdigest()])
    signature = hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    status, _, data = request(EDGE, "POST", path, raw, {"content-type": "application/json", "x-dropship-timestamp": timestamp,
                                                         "x-dropship-nonce": nonce, "x-dropship-signature": signature})
    if status >= 300:
        sys.exit(f"POST {path}: {status} {data[:300]!r}")
    return json.loads(data)


def form(fields):
    return urllib.parse.urlencode(fields)


def buy(host, product_id, email):
    """Cart, checkout and payment; answers the time the pay page redirected to the order."""
    # Each order from a shopper address of its own, as on the internet: checkout is rate limited
    # per shopper IP (Cloudflare sets this header in production).
    shopper_ip = f"198.51.{random.randrange(256)}.{random.randrange(1, 255)}"
    f = {"content-type": "application/x-www-form-urlencoded", "host": host, "cf-connecting-ip": shopper_ip}
    status, headers, _ = request(STOREFRONT, "POST", "/cart/add", form({"product_id": product_id, "variant_id": "", "quantity": "1"}), f)
    cookie = "; ".join(v.split(";")[0] for k, v in [(k, v) for k, v in headers.items() if k.lower() == "set-cookie"])
    status, headers, data = request(STOREFRONT, "POST", "/checkout", form({"email": email}), {**f, "cookie": cookie})
    if status != 303:
        sys.exit(f"checkout: {status} {data[:300]!r}")
    pay = urllib.parse.urlsplit(headers.get("Location") or headers.get("location"))
    status, _, data = request(STRIPE, "POST", pay.path, form(PAYMENT), {"content-type": "application/x-www-form-urlencoded"})
    if status != 303:
        sys.exit(f"pay: {status} {data[:300]!r}")
    return time.time()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()
    secret = os.environ.get("INTERNAL_HMAC_SECRET") or sys.exit("INTERNAL_HMAC_SECRET is not set")
    tag = secrets.token_hex(4)
    account = api("POST", "/v1/auth/signup", {"email": f"bench-{tag}@example.com", "password": f"pw-{secrets.token_urlsafe(18)}",
                                              "company": "Bench Co"}, extra={"cf-connecting-ip": "198.51.100.77"})
    token, tenant = account["access_token"], account["tenant_id"]
    store = api("POST", "/v1/stores", {"name": "Bench Shop", "slug": f"bench-{tag}", "niche": "pet grooming", "launch": False}, token)
    title = "Bench Slicker Brush"
    product = internal(f"/internal/stores/{store['id']}/products", {
        "tenant_id": tenant, "source": "aliexpress", "source_product_id": PRODUCT,
        "content": {"title": title, "description": ["A brush.", "It cleans itself.", "Its grip stays dry."],
                    "features": ["Self-cleaning", "Retracting pins", "Soft grip", "Light", "Washable"], "meta_title": title,
                    "meta_description": "A brush.",
                    "keywords": ["brush", "slicker", "dog", "cat", "grooming", "pet", "fur", "shedding", "coat", "comb"]},
        "price": {"minor": 2499, "currency": "USD"}, "compare_at": None, "cost": {"minor": 849, "currency": "USD"},
        "images": ["https://img.example/brush.jpg"], "status": "published", "research_run_id": None, "score": None}, secret)
    host = store["host"]
    paid = {}
    for n in range(args.orders):
        paid[n] = buy(host, product["product_id"], f"bench-{tag}-{n}@example.com")
    print(f"{args.orders} orders paid in {paid[args.orders - 1] - paid[0]:.1f} s")
    orders = api("GET", f"/v1/stores/{store['id']}/orders?limit=200", token=token)["orders"]
    by_out = {f"{o['id']}-aliexpress": o["number"] for o in orders}
    deadline = time.time() + args.timeout
    while True:
        placed = json.load(urllib.request.urlopen(ALIEXPRESS + "/_test/ds/orders", timeout=10))["orders"]
        mine = [o for o in placed if o["out_order_id"] in by_out]
        if len(mine) >= args.orders or time.time() > deadline:
            break
        time.sleep(0.5)
    if len(mine) < args.orders:
        sys.exit(f"only {len(mine)} of {args.orders} supplier orders placed within {args.timeout} s")
    # Order numbers run from 1001 in payment order.
    latency = sorted(o["created_ms"] / 1000 - paid[by_out[o["out_order_id"]] - 1001] for o in mine)
    times = sorted(o["created_ms"] / 1000 for o in mine)
    window = max(times[-1] - times[0], 0.001)
    print(f"payment to supplier order placed: p50 {statistics.median(latency) * 1000:.0f} ms, max {latency[-1] * 1000:.0f} ms")
    print(f"supplier orders placed per second (one function, first to last placement): {(len(mine) - 1) / window:.1f}")


if __name__ == "__main__":
    main()
