#!/usr/bin/env python3
"""The shop's looks and budgets, theme by theme, on the running local stack; run through
storefront_looks.sh.

1. Seeds a store as local/bench/lighthouse_audit.py does (eight products with photos in the media
   bucket, a featured collection), adds a blog post, and sets the store's look through the merchant
   API: logo, hero image, announcement, menu, and per theme a colour and a font.
2. For each theme (classic, bold, minimal) and each page kind (home, collection, product, cart,
   search, blog):
   - page weight: the HTML (which carries the page's CSS inline) gzipped, against 30 KB;
   - screenshots by headless Chromium at 390 and 1280 CSS pixels wide, taken over the DevTools
     protocol once the viewport's images and the page's web fonts have loaded (a fixed time
     budget caught the self-hosted fonts on some runs and not on others), compared with the stored
     references in storefront-worker/looks/<theme>/<page>-<width>.png (a changed look fails the
     check until the references are updated with --update, so the change is seen in review);
   - unless --no-lighthouse: Lighthouse (mobile and desktop presets): accessibility, best
     practices, SEO and performance at 100 (the cart and search pages ask not to be indexed, so
     their SEO is checked without is-crawlable). Performance is the one score that moves between
     runs of the same page: Lighthouse times the page on this machine's two shared cores (one page
     measured 99, 97 and 100 in a row on a busy machine). A page under 100 is measured again, up to
     PERFORMANCE_RUNS runs in all, and the median of its runs must reach 100; the table shows every
     run, so a page that needed more than one is seen.
3. Prints a table, writes the screenshots, diffs and reports under --out, exits 1 on any miss.
"""
import argparse
import asyncio
import gzip
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "local", "bench"))
import lighthouse_audit as la  # noqa: E402  (seeding, media upload, Lighthouse runs)
sys.path.insert(0, os.path.join(ROOT, "local", "devstack", "tests", "browser"))
from devtools import chromium  # noqa: E402  (Chromium over the DevTools protocol)

from PIL import Image, ImageChops  # noqa: E402

# Two of the fonts are the ones the shop serves itself (Inter, Lora), so their cost is measured.
THEMES = [
    ("classic", {"theme": "classic", "brand_color": "#1d4ed8", "font": "inter"}),
    ("bold", {"theme": "bold", "brand_color": "#b45309", "font": "lora"}),
    ("minimal", {"theme": "minimal", "brand_color": "#0f766e", "font": "humanist"}),
]
TARGET = 100
PERFORMANCE_TARGET = 100
# Runs of a page whose performance is under TARGET, the first included; the median is judged.
PERFORMANCE_RUNS = 5
WIDTHS = [(390, 1400), (1280, 1100)]
WEIGHT_BUDGET = 30_000
NOINDEX = {"cart", "search"}
# A pixel differs when a channel moves by more than this; a screenshot differs when more than
# this share of its pixels do (dates on the blog, anti-aliasing).
PIXEL_TOLERANCE = 32
SHARE_TOLERANCE = 0.01


def log(message):
    print(f"\033[1;36m[looks]\033[0m {message}", file=sys.stderr, flush=True)


def seed(edge, folder, images):
    """A store like lighthouse_audit.seed's (its products and photos, a featured collection), one
    product sold out in every variant; the merchant's token is kept for the look settings."""
    tag = la.uuid.uuid4().hex[:8]
    merchant = la.api(edge, "POST", "/v1/auth/signup", {
        "email": f"looks-{tag}@example.com", "password": f"looks passphrase {tag}", "company": "Looks"})
    token = merchant["access_token"]
    store = la.api(edge, "POST", "/v1/stores", {"name": "Happy Tails", "slug": f"looks-{tag}",
                                                "niche": "pet supplies", "currency": "USD", "auto_publish": False,
                                                "launch": False}, token)
    # Rates, a free-shipping threshold and countries, which product pages state.
    la.api(edge, "PUT", f"/v1/stores/{store['id']}/shipping", {
        "countries": ["US", "CA"], "standard_minor": 499, "express_minor": 1499, "free_over_minor": 5000}, token)
    la.upload_media(folder, store["id"])
    slugs, ids = [], []
    for i, (title, price, compare_at, description, features) in enumerate(la.PRODUCTS):
        fields = {"title": title, "price_minor": price, "status": "published", "description": description,
                  "features": features,
                  "images": [f"/media/{images[i % len(images)]}", f"/media/{images[(i + 3) % len(images)]}"]}
        if compare_at:
            fields["compare_at_minor"] = compare_at
        if i == 5:
            fields["variants"] = [{"title": "Blue", "stock": 0}, {"title": "Pink", "stock": 0}]
        created = la.api(edge, "POST", f"/v1/stores/{store['id']}/products", fields, token)
        slugs.append(created["slug"])
        ids.append(created["id"])
    collection = la.api(edge, "POST", f"/v1/stores/{store['id']}/collections", {
        "title": "Dog Essentials", "featured": True, "sort": "manual", "product_ids": ids,
        "description": "<p>Everything a happy dog needs, from walks to naps.</p>"}, token)
    return store, token, slugs, collection["slug"]


def screenshot(chrome, url, width, height, path):
    """The viewport of `url` at `width` x `height` CSS pixels, in a fresh browser (no cache)."""
    async def shoot():
        async with chromium(chrome, ["--hide-scrollbars"]) as tab:
            await tab.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                           deviceScaleFactor=1, mobile=False)
            await tab.open(url, url)
            await tab.screenshot(path)
    asyncio.run(asyncio.wait_for(shoot(), 120))


def quantized(image):
    """The screenshot as stored: 64 colours, so that the references stay small in the repository."""
    return image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def compare(shot, reference, diff_path):
    """The share of pixels that differ by more than PIXEL_TOLERANCE in a channel."""
    a, b = shot.convert("RGB"), reference.convert("RGB")
    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a, b)
    mask = diff.convert("L").point(lambda v: 255 if v > PIXEL_TOLERANCE else 0)
    changed = mask.histogram()[255]
    if changed:
        mask.save(diff_path)
    return changed / (a.size[0] * a.size[1])


def category_score(report, category):
    return round(100 * (report["categories"][category]["score"] or 0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lighthouse", required=True)
    parser.add_argument("--chrome", required=True)
    parser.add_argument("--edge", default="http://127.0.0.1:8787")
    parser.add_argument("--storefront", default="http://127.0.0.1:8788")
    parser.add_argument("--out", default=os.path.join(
        os.environ.get("DROPSHIP_HOME", os.path.expanduser("~/.cache/dropship")), "looks"))
    parser.add_argument("--references", default=os.path.join(ROOT, "storefront-worker", "looks"))
    parser.add_argument("--update", action="store_true", help="write the screenshots as the new references")
    parser.add_argument("--no-lighthouse", action="store_true", help="weights and screenshots only")
    parser.add_argument("--no-screenshots", action="store_true", help="weights and Lighthouse only")
    parser.add_argument("--themes", default=",".join(t for t, _ in THEMES))
    args = parser.parse_args()
    try:
        la.urllib.request.urlopen(args.edge + "/health", timeout=5)
    except OSError:
        sys.exit(f"the local stack is not running at {args.edge}: start it with local/up.sh --detach")
    os.makedirs(args.out, exist_ok=True)
    started = time.time()

    with tempfile.TemporaryDirectory(prefix="looks-") as folder:
        log("drawing product photos with Chromium")
        images = la.make_images(args.chrome, folder)
        store, token, slugs, collection = seed(args.edge, folder, images)
    port = args.storefront.rsplit(":", 1)[1]
    host = f"{store['slug']}.localhost:{port}"
    post = la.api(args.edge, "POST", f"/v1/stores/{store['id']}/posts", {
        "title": "How to brush a long-haired dog", "status": "published", "author": "Happy Tails",
        "body_html": "<p>Start at the paws and work up, a small section at a time.</p>"}, token)
    pages = [("home", "/"), ("collection", f"/collections/{collection}"), ("product", f"/products/{slugs[0]}"),
             ("cart", "/cart"), ("search", f"/search?q={la.SEARCH_QUERY}"), ("blog", "/blog")]
    log(f"store {host}: {len(slugs)} products, collection {collection}, post {post['slug']}")

    rows, failures = [], []
    for theme, look in THEMES:
        if theme not in args.themes.split(","):
            continue
        la.api(args.edge, "PATCH", f"/v1/stores/{store['id']}", {
            **look, "logo_url": None, "announcement": "Welcome to Happy Tails",
            "menu": [collection], "hero_image_url": f"http://{host}/media/{images[1]}"}, token)
        # The settings bump the cache version: wait until every page wears the theme.
        deadline = time.time() + 120
        while not all(f'<body class="{theme}' in la.storefront_get(args.storefront, host, path)[1]
                      for _, path in pages):
            if time.time() > deadline:
                sys.exit(f"the pages did not switch to {theme}")
            time.sleep(1)
        for name, path in pages:
            url = f"http://{host}{path}"
            status, body = la.storefront_get(args.storefront, host, path)
            weight = len(gzip.compress(body.encode(), 6))
            row = {"theme": theme, "page": name, "status": status, "gzip_bytes": weight, "raw_bytes": len(body)}
            if weight > WEIGHT_BUDGET:
                failures.append(f"{theme}/{name}: {weight} B gzipped, over {WEIGHT_BUDGET}")
            for width, height in ([] if args.no_screenshots else WIDTHS):
                shot_path = os.path.join(args.out, f"{theme}-{name}-{width}.png")
                screenshot(args.chrome, url, width, height, shot_path)
                shot = quantized(Image.open(shot_path))
                reference_path = os.path.join(args.references, theme, f"{name}-{width}.png")
                if args.update or not os.path.exists(reference_path):
                    os.makedirs(os.path.dirname(reference_path), exist_ok=True)
                    shot.save(reference_path, optimize=True)
                    row[f"shot_{width}"] = "written"
                else:
                    share = compare(shot, Image.open(reference_path), shot_path.replace(".png", ".diff.png"))
                    row[f"shot_{width}"] = f"{share:.2%}"
                    if share > SHARE_TOLERANCE:
                        failures.append(f"{theme}/{name} at {width} px: {share:.2%} of pixels differ "
                                        f"from {os.path.relpath(reference_path, ROOT)}")
            if not args.no_lighthouse:
                for preset in ["mobile", "desktop"]:
                    out = os.path.join(args.out, f"{theme}-{name}-{preset}.report.json")
                    report = la.run_lighthouse(args.lighthouse, args.chrome, url, preset, out, [])
                    if report.get("runtimeError"):
                        failures.append(f"{theme}/{name}/{preset}: {report['runtimeError']['message']}")
                        continue
                    performance = [category_score(report, "performance")]
                    while performance[0] < TARGET and len(performance) < PERFORMANCE_RUNS:
                        rerun = la.run_lighthouse(args.lighthouse, args.chrome, url, preset,
                                                  out.replace(".report.json", f".run{len(performance) + 1}.report.json"), [])
                        if not rerun.get("runtimeError"):
                            performance.append(category_score(rerun, "performance"))
                    scores = []
                    for category, short in la.CATEGORIES:
                        score = category_score(report, category)
                        checked = score
                        if category == "performance":
                            checked = score = sorted(performance)[len(performance) // 2]
                        if name in NOINDEX and category == "seo":
                            checked = la.score_without(report, "seo", "is-crawlable")
                        if checked < (PERFORMANCE_TARGET if category == "performance" else TARGET):
                            runs = f" (median of {performance})" if category == "performance" and len(performance) > 1 else ""
                            failures.append(f"{theme}/{name}/{preset} {short} {score}{runs}: "
                                            + "; ".join(la.lost_points(report)))
                        cell = str(score) if checked == score else f"{score}({checked}*)"
                        if category == "performance" and len(performance) > 1:
                            cell += "~" + ",".join(map(str, performance))
                        scores.append(cell)
                    row[preset] = "/".join(scores)
            rows.append(row)
            log(json.dumps(row))

    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(rows, f, indent=1)
    columns = ["theme", "page", "status", "gzip_bytes", "raw_bytes", "shot_390", "shot_1280", "mobile", "desktop"]
    columns = [c for c in columns if any(c in r for r in rows)]
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    print()
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(columns, widths)))
    print("\nlighthouse: perf/a11y/bp/seo; (n*) = SEO without is-crawlable on noindex pages; "
          "perf~a,b,c = the runs of a page first under 100, judged by their median")
    print(f"screenshots: {args.out}; references: {os.path.relpath(args.references, ROOT)}")
    print(f"wall time: {time.time() - started:.0f} s")
    for failure in failures:
        print("FAIL " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
