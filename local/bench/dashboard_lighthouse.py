#!/usr/bin/env python3
"""Lighthouse, weight and server time of the merchants' dashboard on the running local stack.

Signs up a merchant through the edge's API, creates a store, waits for its launch run to bring
products in, then, with the merchant's session in the dashboard's cookies (sent as a Cookie
header: the dashboard keeps the edge's own tokens there), audits each dashboard page with
Lighthouse (Accessibility and Best Practices, mobile preset), and for each page prints the
gzipped bytes of its HTML, stylesheet and script, and the median (p50) of the wall time of
N requests of it. Exits non-zero when a page scores under 100 in either category or weighs 100 KB
gzipped or more with its stylesheet and script.

Usage (local/bench/lighthouse.sh --dashboard runs it with Lighthouse and Chromium installed):
  dashboard_lighthouse.py --lighthouse PATH --chrome PATH [--requests 20] [--dashboard URL] [--edge URL]
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

CATEGORIES = ["accessibility", "best-practices"]
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def log(message):
    print(f"\033[1;36m[dashboard]\033[0m {message}", file=sys.stderr, flush=True)


def api(edge, method, path, body=None, token=None):
    request = urllib.request.Request(edge + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read() or b"null")


def get(url, cookie):
    request = urllib.request.Request(url, headers={"cookie": cookie})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as r:
        body = r.read()
        return r.status, body, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lighthouse", required=True)
    parser.add_argument("--chrome", required=True)
    parser.add_argument("--edge", default="http://127.0.0.1:8787")
    parser.add_argument("--dashboard", default="http://localhost:8789")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--out", default=os.path.join(
        os.environ.get("DROPSHIP_HOME", os.path.expanduser("~/.cache/dropship")), "lighthouse-dashboard"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    email = f"lighthouse-{uuid.uuid4().hex[:10]}@example.com"
    password = "lighthouse password " + uuid.uuid4().hex[:8]
    tokens = api(args.edge, "POST", "/v1/auth/signup", {"email": email, "password": password, "company": "Lighthouse Ltd"})
    token = tokens["access_token"]
    slug = "lh-" + uuid.uuid4().hex[:8]
    store = api(args.edge, "POST", "/v1/stores", {"name": "Lighthouse Paws", "slug": slug, "niche": "pet grooming"}, token)
    store_id, run_id = store["id"], store.get("launch_run_id")
    log(f"store {slug}: waiting for its launch run's products")
    products = []
    for _ in range(240):
        products = api(args.edge, "GET", f"/v1/stores/{store_id}/products?limit=5", token=token)["products"]
        if products:
            break
        time.sleep(1)
    if not products:
        sys.exit("the launch run brought no products in 240 s")
    # A fresh pair for the audits: the refresh token of the sign-up stays unused.
    tokens = api(args.edge, "POST", "/v1/auth/login", {"email": email, "password": password})
    cookie = f"dash_access={tokens['access_token']}; dash_refresh={tokens['refresh_token']}"
    base = f"/stores/{store_id}"
    pages = [("login", "/login", False), ("signup", "/signup", False), ("forgot", "/forgot-password", False),
             ("reset", "/reset-password?token=x", False), ("accept", "/accept-invitation?token=x", False),
             ("onboarding", "/onboarding", True), ("home", base, True), ("products", base + "/products", True),
             ("product", f"{base}/products/{products[0]['id']}", True), ("research", base + "/research", True),
             ("run", f"{base}/research/{run_id}", True), ("watchlist", base + "/watchlist", True),
             ("team", "/team", True), ("sessions", "/sessions", True), ("api keys", "/api-keys", True),
             ("billing", "/billing", True), ("your data", "/data", True), ("domains", base + "/domains", True),
             ("blog", base + "/posts", True), ("new post", base + "/posts/new", True), ("pages", base + "/pages", True),
             ("about page", base + "/pages/about", True), ("email flows", base + "/email", True),
             ("contacts", base + "/contacts", True)]
    _, css, _ = get(args.dashboard + "/assets/dash.css", "")
    _, js, _ = get(args.dashboard + "/assets/dash.js", "")
    css_gz, js_gz = len(gzip.compress(css, 9)), len(gzip.compress(js, 9))

    rows, failed, details = [], False, []
    for name, path, signed_in in pages:
        url = args.dashboard + path
        page_cookie = cookie if signed_in else ""
        times, body = [], b""
        for _ in range(args.requests):
            status, body, seconds = get(url, page_cookie)
            if status != 200:
                sys.exit(f"{url}: {status}")
            times.append(seconds * 1000)
        html_gz = len(gzip.compress(body, 9))
        total = html_gz + css_gz + js_gz
        out = os.path.join(args.out, f"{name}.report.json")
        if os.path.exists(out):
            os.remove(out)
        command = [args.lighthouse, url, "--quiet", "--output=json", f"--output-path={out}",
                   "--only-categories=" + ",".join(CATEGORIES), "--chrome-flags=" + " ".join(CHROME_FLAGS)]
        if signed_in:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        log(f"lighthouse {url}")
        subprocess.run(command, timeout=300, env={**os.environ, "CHROME_PATH": args.chrome},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        scores = []
        try:
            with open(out) as f:
                report = json.load(f)
            for category in CATEGORIES:
                score = round(100 * (report["categories"][category]["score"] or 0))
                scores.append(score)
                for ref in report["categories"][category]["auditRefs"]:
                    audit = report["audits"][ref["id"]]
                    if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                        details.append(f"{name}: {category} {ref['id']} {audit['score']:.2f}")
            final = report.get("finalDisplayedUrl") or report.get("finalUrl")
            if final.split("?")[0] != url.split("?")[0]:
                details.append(f"{name}: Lighthouse ended at {final}")
                failed = True
        except (OSError, KeyError, ValueError) as e:
            scores = ["error", "error"]
            details.append(f"{name}: {e}")
        if any(s != 100 for s in scores) or total >= 100_000:
            failed = True
        rows.append([name, path.replace(store_id, "{id}").replace(str(run_id), "{run}").replace(products[0]["id"], "{product}"),
                     *map(str, scores), str(html_gz), str(css_gz), str(js_gz), str(total),
                     f"{statistics.median(times):.1f}"])

    header = ["page", "path", "a11y", "bp", "html gz", "css gz", "js gz", "total gz", f"p50 ms (n={args.requests})"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
    print(f"\nstylesheet {len(css)} B raw, script {len(js)} B raw; server time is the wall time of a GET from this machine,"
          " through the dashboard Worker and its calls to the edge")
    if details:
        print("\naudits that cost points:")
        for line in details:
            print("  " + line)
    print(f"\nreports: {args.out}/<page>.report.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
