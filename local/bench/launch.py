#!/usr/bin/env python3
"""Wall time from sign-up to a sellable store, on the running local stack (local/up.sh --detach).

For each niche, signs up a new merchant (Starter plan), creates a store with that niche and does
nothing else: the store's launch must fill it. The store counts as sellable when it has

* at least MIN_PRODUCTS published products (or every product its launch run chose, when the
  run chose fewer: then the store is reported as short),
* at least one collection,
* 3 published blog posts,
* and its owner has the "is ready" mail in the local mail catcher.

Prints, per niche, the seconds to each milestone (run reported, products in, posts in, mail) and
what the store holds, with the share of published titles that name a word of the niche (a rough
check that research listened to the niche). The stores are created at once, so they share the
stack as real sign-ups would. Bounded: gives up on a store after --timeout seconds. Loopback only.

Usage: local/bench/launch.py [--niches "camping,pet grooming,..."] [--timeout 600]
"""
import argparse
import json
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request

EDGE = "http://127.0.0.1:8787"
MAIL = "http://127.0.0.1:1080/api/email"
MIN_PRODUCTS = 20
POSTS = 3
DEFAULT_NICHES = "camping,pet grooming,home fitness,kitchen,gardening"


def api(method, path, body=None, token=None, ip=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(EDGE + path, method=method, data=data)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    if ip:
        request.add_header("cf-connecting-ip", ip)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def mail_for(address):
    with urllib.request.urlopen(MAIL, timeout=30) as response:
        inbox = json.load(response)
    for mail in inbox:
        if any(t.get("address") == address for t in mail.get("to", [])) and "is ready" in (mail.get("subject") or ""):
            return mail
    return None


def launch(niche, timeout, results, index):
    tag = secrets.token_hex(5)
    email = f"launch-{tag}@example.com"
    started = time.monotonic()
    account = api("POST", "/v1/auth/signup",
                  {"email": email, "password": f"pw-{secrets.token_urlsafe(18)}", "company": f"{niche.title()} Co"},
                  ip=f"198.51.100.{1 + index}")
    token = account["access_token"]
    store = api("POST", "/v1/stores", {"name": f"{niche.title()} Shop", "slug": f"launch-{tag}", "niche": niche}, token)
    store_id, run_id = store["id"], store.get("launch_run_id")
    marks = {}
    held = {}
    while time.monotonic() - started < timeout:
        elapsed = round(time.monotonic() - started, 1)
        if run_id and "run" not in marks:
            run = api("GET", f"/v1/stores/{store_id}/research-runs/{run_id}", token=token)
            if run["status"] in ("completed", "failed"):
                marks["run"] = elapsed
                held["chosen"] = run.get("selected") or 0
                held["candidates"] = run.get("candidates") or 0
        products = api("GET", f"/v1/stores/{store_id}/products?limit=200", token=token)["products"]
        published = [p for p in products if p["status"] == "published"]
        want = min(MIN_PRODUCTS, held.get("chosen", MIN_PRODUCTS))
        if "run" in marks and "products" not in marks and len(published) >= want:
            marks["products"] = elapsed
        posts = api("GET", f"/v1/stores/{store_id}/posts", token=token)["posts"]
        if "posts" not in marks and len([p for p in posts if p.get("status") == "published"]) >= POSTS:
            marks["posts"] = elapsed
        if "mail" not in marks and mail_for(email):
            marks["mail"] = elapsed
        collections = api("GET", f"/v1/stores/{store_id}/collections", token=token)["collections"]
        held.update(published=len(published), collections=len(collections), posts=len(posts))
        words = set(niche.lower().split())
        held["on_niche"] = sum(1 for p in published if words & set(p["title"].lower().replace("-", " ").split()))
        if {"run", "products", "posts", "mail"} <= marks.keys() and collections:
            break
        time.sleep(1)
    sellable = {"run", "products", "posts", "mail"} <= marks.keys() and held.get("collections", 0) > 0 \
        and held.get("published", 0) >= MIN_PRODUCTS
    results[index] = {"niche": niche, "sellable": sellable, "seconds": marks, **held}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--niches", default=DEFAULT_NICHES)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    niches = [n.strip() for n in args.niches.split(",") if n.strip()]
    results = [None] * len(niches)
    started = time.monotonic()
    threads = [threading.Thread(target=launch, args=(n, args.timeout, results, i)) for i, n in enumerate(niches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{'niche':<16} {'sellable':<8} {'run s':>6} {'prod s':>6} {'posts s':>7} {'mail s':>6} "
          f"{'cands':>5} {'chosen':>6} {'publ':>4} {'niche%':>6} {'colls':>5} {'posts':>5}")
    for r in results:
        s = r["seconds"]
        share = round(100 * r.get("on_niche", 0) / r["published"]) if r.get("published") else 0
        print(f"{r['niche']:<16} {str(r['sellable']):<8} {s.get('run', '-'):>6} {s.get('products', '-'):>6} "
              f"{s.get('posts', '-'):>7} {s.get('mail', '-'):>6} {r.get('candidates', 0):>5} {r.get('chosen', 0):>6} "
              f"{r.get('published', 0):>4} {share:>5}% {r.get('collections', 0):>5} {r.get('posts', 0):>5}")
    print(f"all {len(niches)} stores in {time.monotonic() - started:.1f} s")
    sys.exit(0 if all(r["sellable"] for r in results) else 1)


if __name__ == "__main__":
    main()
