#!/usr/bin/env python3
"""Product listing latency with 10,000 products in one store, on the running local stack.

Signs up a merchant, creates a store, imports 10,000 products through the bulk import API
(10 requests of 1,000), then times N listing requests of each kind: the first page, pages deep
into the catalog by cursor, and a filtered search. Prints p50/p99 per kind. Loopback only,
bounded in requests. Usage: local/bench/products.py [N] (default 200 per kind).
"""
import json
import sys
import time
import urllib.request
import uuid

EDGE = "http://127.0.0.1:8787"
N = int(sys.argv[1]) if len(sys.argv) > 1 else 200


def call(method, path, body=None, token=None, content_type="application/json"):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(EDGE + path, data=data, method=method)
    request.add_header("content-type", content_type)
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"null")


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(path, token):
    started = time.perf_counter()
    answer = call("GET", path, token=token)
    return (time.perf_counter() - started) * 1000, answer


def main():
    tag = uuid.uuid4().hex[:8]
    merchant = call("POST", "/v1/auth/signup", {"email": f"bench-{tag}@example.com", "password": f"bench passphrase {tag}", "company": "Bench"})
    token = merchant["access_token"]
    # Starter holds 1,000 products per store: the tenant takes Pro the way a merchant does, by a
    # paid Stripe checkout, which the local Stripe stand-in reports to the edge's webhook.
    event = {"type": "checkout.session.completed", "object": {
        "id": f"cs_test_bench_{tag}", "object": "checkout.session", "client_reference_id": merchant["tenant_id"],
        "customer": f"cus_bench_{tag}", "subscription": f"sub_bench_{tag}",
        "metadata": {"tenant_id": merchant["tenant_id"], "plan": "pro"}}}
    request = urllib.request.Request("http://127.0.0.1:8420/_test/deliver", data=json.dumps(event).encode(), method="POST")
    request.add_header("content-type", "application/json")
    urllib.request.urlopen(request, timeout=30).read()
    for _ in range(60):
        if call("GET", "/v1/billing", token=token)["plan"] == "pro":
            break
        time.sleep(0.5)
    else:
        raise SystemExit("the Pro plan did not apply")
    store = call("POST", "/v1/stores", {"name": "Bench Store", "slug": f"bench-{tag}", "niche": "bench", "launch": False}, token)
    words = ["Lamp", "Brush", "Bowl", "Collar", "Mat", "Bottle", "Toy", "Bed", "Leash", "Comb"]
    started = time.perf_counter()
    for batch in range(10):
        rows = [
            {"title": f"{words[i % 10]} {batch * 1000 + i} Deluxe", "price_minor": 999 + i, "status": "published",
             "description": ["A benchmark product."], "images": [f"https://img.example/{i}.jpg"]}
            for i in range(1000)
        ]
        report = call("POST", f"/v1/stores/{store['id']}/products/import", {"products": rows}, token)
        assert report["imported"] == 1000, report
    print(f"imported 10,000 products in {time.perf_counter() - started:.1f} s")

    base = f"/v1/stores/{store['id']}/products"
    first, deep, search = [], [], []
    cursor = None
    for _ in range(N):
        ms, _ = timed(f"{base}?limit=50", token)
        first.append(ms)
        ms, page = timed(f"{base}?limit=50" + (f"&cursor={cursor}" if cursor else ""), token)
        deep.append(ms)
        cursor = page.get("next_cursor")
        ms, _ = timed(f"{base}?limit=50&status=published&q=Lamp", token)
        search.append(ms)
    for name, samples in (("first page", first), ("cursor pages", deep), ("filtered search", search)):
        print(f"{name:16} p50 {percentile(samples, 50):6.1f} ms   p99 {percentile(samples, 99):6.1f} ms   (n={len(samples)})")


if __name__ == "__main__":
    main()
