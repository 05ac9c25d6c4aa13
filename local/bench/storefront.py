#!/usr/bin/env python3
"""Storefront throughput and latency on the running local stack (local/up.sh --detach).

Seeds its own store (60 products, one collection holding them), then measures the home, collection
and product pages through the store's host:

* uncached: requests that miss the edge cache and render from D1: each product page once, each
  (sort, page) of the collection once, and the home page after each of a few cache-version bumps
  (a product change; the storefront trusts a version for 5 s, so the script waits that out);
* cached: edge cache hits, from CONCURRENCY keep-alive clients for SECONDS per page.

Prints requests/s and p50/p99 latency per page and kind, and checks the `x-cache` header of every
sample (a miss counted as a hit would flatter the numbers). Bounded in requests and time,
loopback only. The client is Python (one thread per connection), so at high rates it may be the
bottleneck: the cached figures are a lower bound on what the Worker serves.

Usage: local/bench/storefront.py [--seconds 8] [--concurrency 8]
"""
import argparse
import http.client
import json
import sys
import threading
import time
import urllib.request
import uuid

EDGE = "http://127.0.0.1:8787"
STOREFRONT = ("127.0.0.1", 8788)
PRODUCTS = 60


def api(method, path, body=None, token=None):
    request = urllib.request.Request(EDGE + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"null")


def get(connection, host, path):
    """One GET on a keep-alive connection; wrangler dev closes idle ones, so a request that finds
    its connection closed is sent again on a fresh one (and only that attempt is timed)."""
    for attempt in range(2):
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"host": host})
            response = connection.getresponse()
            response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            connection.close()
            if attempt:
                raise
            continue
        elapsed = (time.perf_counter() - started) * 1000
        return response.status, response.getheader("x-cache"), elapsed


def pct(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def seed():
    tag = uuid.uuid4().hex[:8]
    token = api("POST", "/v1/auth/signup", {"email": f"bench-{tag}@example.com", "password": f"bench passphrase {tag}", "company": "Bench"})["access_token"]
    store = api("POST", "/v1/stores", {"name": "Bench Goods", "slug": f"bench-{tag}", "niche": "camping", "currency": "USD", "auto_publish": False, "launch": False}, token)
    rows = [{"title": f"Trail Product {i:03d}", "price_minor": 999 + 37 * i, "status": "published",
             "description": ["A sturdy piece of kit for long days outside."], "features": ["Light", "Tough"]} for i in range(PRODUCTS)]
    api("POST", f"/v1/stores/{store['id']}/products/import", {"products": rows}, token)
    listed = api("GET", f"/v1/stores/{store['id']}/products?limit=200", token=token)["products"]
    ids = [p["id"] for p in listed]
    collection = api("POST", f"/v1/stores/{store['id']}/collections", {"title": "Trail Kit", "featured": True, "product_ids": ids}, token)
    draft = api("POST", f"/v1/stores/{store['id']}/products", {"title": "Version bumper", "price_minor": 100}, token)
    return token, store, [p["slug"] for p in listed], collection["slug"], draft["id"]


def uncached(host, paths, before_each=None):
    connection = http.client.HTTPConnection(*STOREFRONT, timeout=30)
    samples, hits = [], 0
    started = time.perf_counter()
    for path in paths:
        if before_each:
            before_each()
        status, cache, ms = get(connection, host, path)
        if status != 200:
            sys.exit(f"{path}: {status}")
        if cache == "HIT":
            hits += 1
            continue
        samples.append(ms)
    return samples, hits, time.perf_counter() - started


def cached(host, path, seconds, concurrency):
    samples, misses, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection(*STOREFRONT, timeout=30)
        mine, missed = [], 0
        while time.perf_counter() < deadline:
            status, cache, ms = get(connection, host, path)
            if status != 200:
                sys.exit(f"{path}: {status}")
            if cache != "HIT":
                missed += 1
            mine.append(ms)
        with lock:
            samples.extend(mine)
            misses[0] += missed

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, misses[0], time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--home-rounds", type=int, default=5)
    args = parser.parse_args()
    token, store, slugs, collection, draft = seed()
    host = f"{store['slug']}.localhost:{STOREFRONT[1]}"
    time.sleep(6)  # the new store's routing and cache version settle in the isolate
    rows = []

    def bump():
        api("PATCH", f"/v1/stores/{store['id']}/products/{draft}", {"title": f"Version bumper {uuid.uuid4().hex[:6]}"}, token)
        time.sleep(5.5)

    home, hits, _ = uncached(host, ["/"] * args.home_rounds, bump)
    rows.append(("home", "uncached", home, len(home) / (sum(home) / 1000) if home else 0, hits))
    sorts = ["manual", "best_selling", "newest", "price_asc", "price_desc"]
    paths = [f"/collections/{collection}?sort={s}&page={p}" for s in sorts for p in (1, 2, 3)]
    samples, hits, _ = uncached(host, paths)
    rows.append(("collection", "uncached", samples, len(samples) / (sum(samples) / 1000), hits))
    samples, hits, _ = uncached(host, [f"/products/{s}" for s in slugs])
    rows.append(("product", "uncached", samples, len(samples) / (sum(samples) / 1000), hits))
    for name, path in [("home", "/"), ("collection", f"/collections/{collection}"), ("product", f"/products/{slugs[0]}")]:
        samples, misses, wall = cached(host, path, args.seconds, args.concurrency)
        rows.append((name, f"cached x{args.concurrency}", samples, len(samples) / wall, misses))

    print(f"\nstore {host}; {PRODUCTS} products, a 24-per-page collection; Python client on loopback")
    print(f"{'page':<11} {'kind':<12} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  cache")
    for name, kind, samples, rate, other in rows:
        note = f"{other} hit(s) skipped" if kind == "uncached" else f"{other} miss(es)"
        print(f"{name:<11} {kind:<12} {len(samples):>8} {rate:>8.1f} {pct(samples, 50):>8.1f} {pct(samples, 99):>8.1f}  {note}")
    print("uncached req/s is one client in sequence (1000 / mean latency); cached is the aggregate rate")


if __name__ == "__main__":
    main()
