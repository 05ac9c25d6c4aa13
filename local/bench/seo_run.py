#!/usr/bin/env python3
"""One SEO engine run on the demo store, on the running local stack: logs in as the demo
merchant, starts a run, waits for its report (bounded: 4 minutes) and prints what it found and
published: keywords, gaps, posts with their word counts, product fields improved, links, IndexNow.
Loopback only. Usage: DEMO_PASSWORD=... local/bench/seo_run.py (local/test.sh's env has it).
"""
import json
import os
import re
import time
import urllib.request

EDGE = "http://127.0.0.1:8787"


def call(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(EDGE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def main():
    password = os.environ["DEMO_PASSWORD"]
    token = call("POST", "/v1/auth/login", {"email": "demo@example.com", "password": password})["access_token"]
    # The demo store is the tenant's first store; its id is in the audit of its creation.
    store = None
    for entry in call("GET", "/v1/audit-log?limit=100", token=token).get("entries", []):
        if entry.get("action") == "store.create":
            store = entry.get("target")
    if not store:
        raise SystemExit("no demo store found in the audit log")
    started = time.monotonic()
    run = call("POST", f"/v1/stores/{store}/seo/runs", token=token)
    while time.monotonic() - started < 240:
        runs = call("GET", f"/v1/stores/{store}/seo/runs", token=token)["runs"]
        done = [r for r in runs if r["id"] == run["id"] and r["status"] == "completed"]
        if done:
            break
        time.sleep(2)
    else:
        raise SystemExit("the run did not complete within 4 minutes")
    report = done[0]["report"]
    elapsed = time.monotonic() - started
    print(f"SEO run on the demo store ({store}) completed in {elapsed:.1f} s")
    print(f"sources: {report['sources']}")
    print(f"keywords found: {len(report['keywords'])}; content gaps: {len(report['gaps'])} (top: {report['gaps'][:3]})")
    print(f"posts published: {len(report['posts'])}")
    for post in report["posts"]:
        print(f"  - {post['title']!r} ({post['words']} words, for {post['keyword']!r}) {post['url']}")
    posts = call("GET", f"/v1/stores/{store}/seo/posts", token=token)["posts"]
    print(f"posts readable through the API: {len(posts)}; word counts (body incl. headings): {[p['words'] for p in posts]}")
    print(f"product fields improved: {report['products_improved']}; internal links: {report['links']}; "
          f"IndexNow: {report['indexnow_urls']} URLs, accepted: {report['indexnow_ok']}")
    if report.get("errors"):
        print(f"errors: {report['errors']}")


if __name__ == "__main__":
    main()
