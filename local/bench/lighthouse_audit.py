#!/usr/bin/env python3
"""Lighthouse scores of a seeded store on the running local stack; run through lighthouse.sh.

What it does, all on loopback:
1. makes product photos: 1000x1000 WebP (~120 KB each, about what a supplier's product photo
   weighs) and their 960, 800 and 480 pixel wide variants, drawn on a canvas by headless Chromium
   itself, so no image tool is needed;
2. signs up a merchant, creates a store `lh-<random>` (without auto-publish, so that products the
   scheduled research imports stay drafts), uploads the photos to the media bucket in the AWS
   emulator under the media pipeline's contract (`stores/<store>/media/<name>.webp`, with
   `<name>-480.webp`, `<name>-800.webp` and `<name>-960.webp` next to it), and publishes eight products showing them
   as `/media/<name>.webp` (served by the storefront from the bucket through its edge cache) and
   a featured collection holding them;
3. runs Lighthouse (mobile and/or desktop preset) on the home page, the collection page and a
   product page, read through the store's own host (`http://<slug>.localhost:8788/...`, which
   Chromium resolves to loopback);
5. prints the four category scores per page and preset, and the audits that cost points, and
   exits 1 when a score is under target: SEO 100, Accessibility, Best Practices and Performance
   at least 95.

With `--search`, the search results page is audited too. Search results are `noindex` on purpose
(internal search pages should not be indexed), and Lighthouse fails the whole SEO category for a
page that asks not to be indexed (`is-crawlable` weighs 31% of it). For the search page the SEO
target is therefore checked on every other SEO audit, and the table shows both the raw score and
the score without `is-crawlable`.
"""
import argparse
import base64
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

CATEGORIES = [("performance", "perf"), ("accessibility", "a11y"), ("best-practices", "bp"), ("seo", "seo")]
TARGETS = {"performance": 95, "accessibility": 95, "best-practices": 95, "seo": 100}
SEARCH_QUERY = "dog"
# Debian's Chromium under Lighthouse: headless, as root, and nothing reaching the network on its own.
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

PRODUCTS = [
    ("Self-Cleaning Slicker Brush for Dogs and Cats", 2499, 3499, ["Soft bent pins lift loose undercoat without scratching the skin.", "One click retracts the pins so the fur slides off in a single sheet."], ["Retractable pins", "Anti-slip handle", "For short and long coats"]),
    ("Dog Paw Cleaner Cup", 1899, None, ["Silicone bristles loosen mud from paws before your dog reaches the sofa.", "Fill with water, twist gently, pat dry."], ["Soft silicone bristles", "Dishwasher safe", "Three sizes"]),
    ("Cooling Mat for Dogs", 3299, 4599, ["A pressure-activated gel mat that stays cool for hours on hot days.", "No water, no electricity, no freezer."], ["Self-cooling gel", "Folds for travel", "Wipe-clean surface"]),
    ("Stainless Steel Slow Feeder Bowl", 1599, None, ["Raised ridges slow fast eaters down and make mealtime a little puzzle.", "Rubber base keeps it in place on tiles."], ["Food-grade steel", "Non-slip base", "Dishwasher safe"]),
    ("Reflective Dog Harness", 2799, 3299, ["A padded no-pull harness with reflective seams for evening walks.", "Two leash rings: chest for training, back for everyday."], ["Reflective seams", "Padded chest plate", "Adjustable at four points"]),
    ("Catnip Kicker Toy", 999, None, ["A long plush toy filled with organic catnip for bunny-kicking cats."], ["Organic catnip", "Machine washable cover"]),
    ("Pet Hair Remover Roller", 1499, 1999, ["Lifts pet hair from sofas and beds without sticky sheets.", "Empty the chamber and roll again."], ["Reusable", "No batteries", "Works on any fabric"]),
    ("Orthopedic Dog Bed", 5999, 7999, ["Memory foam supports older joints; the bolster makes a chin rest.", "The cover zips off for the washing machine."], ["Memory foam base", "Removable washable cover", "Non-slip bottom"]),
]

# Drawn in the page, encoded with canvas.toDataURL('image/webp') and dumped with --dump-dom.
IMAGE_PAGE = """<!doctype html><html><body><script>
const palettes = %s, out = [];
palettes.forEach(([bg, fg], i) => {
  const c = document.createElement("canvas"); c.width = c.height = 1000;
  const g = c.getContext("2d");
  const grad = g.createRadialGradient(500, 420, 60, 500, 500, 720);
  grad.addColorStop(0, "#fff"); grad.addColorStop(1, bg);
  g.fillStyle = grad; g.fillRect(0, 0, 1000, 1000);
  let s = i * 7919 + 1; const r = () => ((s = (s * 16807) %% 2147483647) / 2147483647);
  for (let k = 0; k < 40; k++) {
    g.globalAlpha = .08 + r() * .2; g.fillStyle = fg; g.beginPath();
    g.ellipse(200 + r() * 600, 200 + r() * 600, 40 + r() * 200, 30 + r() * 120, r() * 3, 0, 7); g.fill();
  }
  g.globalAlpha = 1;
  const img = g.getImageData(0, 0, 1000, 1000), d = img.data;
  for (let p = 0; p < d.length; p += 4) { const n = (r() - .5) * 18; d[p] += n; d[p + 1] += n; d[p + 2] += n; }
  g.putImageData(img, 0, 0);
  out.push(c.toDataURL("image/webp", 0.8));
  for (const w of [960, 800, 480]) {
    const small = document.createElement("canvas"); small.width = small.height = w;
    small.getContext("2d").drawImage(c, 0, 0, w, w);
    out.push(small.toDataURL("image/webp", 0.8));
  }
});
document.body.textContent = JSON.stringify(out);
</script></body></html>"""
PALETTES = [["#f4d9c6", "#c96f4a"], ["#dfe9f3", "#3d6f9e"], ["#e8f0d9", "#6b8f3a"], ["#f3e4f1", "#8e4a86"],
            ["#fdf1cf", "#b8860b"], ["#e0f2f1", "#2e7d73"], ["#ece7e2", "#6d5c4b"], ["#fde3e3", "#b23b3b"]]


def log(message):
    print(f"\033[1;36m[lighthouse]\033[0m {message}", file=sys.stderr, flush=True)


def make_images(chrome, folder):
    page = os.path.join(folder, "draw.html")
    with open(page, "w") as f:
        f.write(IMAGE_PAGE % json.dumps(PALETTES))
    dom = subprocess.run([chrome, *CHROME_FLAGS, "--dump-dom", "file://" + page],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    urls = json.loads(html.unescape(re.search(r"<body>(.*)</body>", dom, re.S).group(1)))
    names = []
    for i, url in enumerate(urls):
        head, data = url.split(",", 1)
        if head != "data:image/webp;base64":
            sys.exit(f"Chromium did not encode WebP ({head})")
        photo, variant = divmod(i, 4)
        name = f"photo-{photo + 1}" + ["", "-960", "-800", "-480"][variant] + ".webp"
        with open(os.path.join(folder, name), "wb") as f:
            f.write(base64.b64decode(data))
        if variant == 0:
            names.append(name)
    return names


def bucket_name():
    """The media bucket of the running stack (devstack provision writes it to aws.env)."""
    if os.environ.get("BUCKET_NAME"):
        return os.environ["BUCKET_NAME"]
    state = os.environ.get("DROPSHIP_STATE", os.path.expanduser("~/.cache/dropship/state"))
    with open(os.path.join(state, "aws.env")) as f:
        for line in f:
            if line.startswith("BUCKET_NAME="):
                return line.strip().split("=", 1)[1]
    sys.exit("no BUCKET_NAME: is the stack running (local/up.sh --detach)?")


def upload_media(folder, store_id):
    """Puts every drawn photo where the media pipeline puts product images."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
                      region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")
    bucket = bucket_name()
    for name in sorted(os.listdir(folder)):
        if name.endswith(".webp"):
            with open(os.path.join(folder, name), "rb") as f:
                s3.put_object(Bucket=bucket, Key=f"stores/{store_id}/media/{name}", Body=f.read(),
                              ContentType="image/webp")


def api(edge, method, path, body=None, token=None):
    request = urllib.request.Request(edge + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read().decode(errors='replace')}")


def seed(edge, folder, images):
    tag = uuid.uuid4().hex[:8]
    merchant = api(edge, "POST", "/v1/auth/signup", {
        "email": f"lighthouse-{tag}@example.com", "password": f"lighthouse passphrase {tag}", "company": "Lighthouse"})
    token = merchant["access_token"]
    # Scheduled research runs import the fixture supplier's products into every store, with images
    # that cannot load offline; without auto-publish they stay drafts, off the pages audited here.
    store = api(edge, "POST", "/v1/stores", {"name": "Happy Tails", "slug": f"lh-{tag}", "niche": "pet supplies",
                                             "currency": "USD", "auto_publish": False}, token)
    upload_media(folder, store["id"])
    slugs, ids = [], []
    for i, (title, price, compare_at, description, features) in enumerate(PRODUCTS):
        fields = {
            "title": title, "price_minor": price, "status": "published", "description": description,
            "features": features,
            "images": [f"/media/{images[i % len(images)]}", f"/media/{images[(i + 3) % len(images)]}"],
        }
        if compare_at:
            fields["compare_at_minor"] = compare_at
        created = api(edge, "POST", f"/v1/stores/{store['id']}/products", fields, token)
        slugs.append(created["slug"])
        ids.append(created["id"])
    collection = api(edge, "POST", f"/v1/stores/{store['id']}/collections", {
        "title": "Dog Essentials", "featured": True, "sort": "manual", "product_ids": ids,
        "description": "<p>Everything a happy dog needs, from walks to naps.</p>"}, token)
    return store, slugs, collection["slug"]


def storefront_get(storefront, host, path, binary=False):
    """A page through the storefront on 127.0.0.1 with the store's Host header (Python, like Node,
    does not resolve `*.localhost`)."""
    request = urllib.request.Request(storefront + path)
    request.add_header("host", host)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            return response.status, body if binary else body.decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def wait_for_pages(storefront, host, pages, expect, seconds=120):
    deadline = time.time() + seconds
    while True:
        answers = [storefront_get(storefront, host, path) for _, path in pages]
        if all(status == 200 for status, _ in answers) and expect in answers[0][1]:
            break
        if time.time() > deadline:
            sys.exit(f"the store's pages did not come up in {seconds}s: {[s for s, _ in answers]}")
        time.sleep(1)
    foreign = {src for _, page in answers for src in re.findall(r'<img src="([^"]*)"', page)
               if not src.startswith("/media/")}
    if foreign:
        sys.exit(f"the pages show images this script did not upload: {sorted(foreign)[:3]}")
    for src in {src for _, page in answers for src in re.findall(r'<img src="([^"]*)"', page)}:
        status, _ = storefront_get(storefront, host, src, binary=True)
        if status != 200:
            sys.exit(f"the storefront does not serve {src} from the media bucket: {status}")


def run_lighthouse(lighthouse, chrome, url, preset, out, extra_flags):
    flags = CHROME_FLAGS + extra_flags
    command = [lighthouse, url, "--quiet", "--output=json", f"--output-path={out}",
               "--only-categories=" + ",".join(c for c, _ in CATEGORIES), "--chrome-flags=" + " ".join(flags)]
    if preset == "desktop":
        command.append("--preset=desktop")
    if os.path.exists(out):
        os.remove(out)
    # Lighthouse exits non-zero on a runtime error but still writes the report that names it.
    subprocess.run(command, timeout=300, env={**os.environ, "CHROME_PATH": chrome})
    if not os.path.exists(out):
        return {"runtimeError": {"message": "Lighthouse wrote no report"}}
    with open(out) as f:
        return json.load(f)


def median_run(reports):
    """The run with the median performance score, as Lighthouse advises for noisy machines; a
    failed run if any failed."""
    failed = [r for r in reports if r.get("runtimeError")]
    if failed:
        return failed[0]
    ordered = sorted(reports, key=lambda r: r["categories"]["performance"]["score"] or 0)
    return ordered[len(ordered) // 2]


def score_without(report, category, skipped):
    refs = [r for r in report["categories"][category]["auditRefs"] if r["weight"] > 0 and r["id"] != skipped]
    total = sum(r["weight"] for r in refs)
    return round(100 * sum(r["weight"] * (report["audits"][r["id"]]["score"] or 0) for r in refs) / total)


def lost_points(report):
    """The weighted audits that did not pass, per category."""
    lines = []
    for category, short in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
                lines.append(f"{short}: {ref['id']} {audit['score']:.2f}{value}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lighthouse", required=True)
    parser.add_argument("--chrome", required=True)
    parser.add_argument("--presets", default="mobile,desktop", help="mobile, desktop or both (default)")
    parser.add_argument("--edge", default="http://127.0.0.1:8787")
    parser.add_argument("--storefront", default="http://127.0.0.1:8788")
    parser.add_argument("--out", default=os.path.join(
        os.environ.get("DROPSHIP_HOME", os.path.expanduser("~/.cache/dropship")), "lighthouse"))
    parser.add_argument("--runs", type=int, default=1,
                        help="runs per page and preset; the table shows the median by performance (default 1)")
    parser.add_argument("--search", action="store_true", help="audit the search results page too")
    parser.add_argument("--chrome-flag", action="append", default=[],
                        help="one more Chromium flag, for experiments (repeatable)")
    args = parser.parse_args()
    presets = [p for p in args.presets.split(",") if p]
    if not set(presets) <= {"mobile", "desktop"}:
        sys.exit("--presets takes mobile, desktop or mobile,desktop")
    if not 1 <= args.runs <= 5:
        sys.exit("--runs takes 1 to 5")
    try:
        urllib.request.urlopen(args.edge + "/health", timeout=5)
    except OSError:
        sys.exit(f"the local stack is not running at {args.edge}: start it with local/up.sh --detach")
    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):
        if old.endswith(".report.json"):
            os.remove(os.path.join(args.out, old))

    with tempfile.TemporaryDirectory(prefix="lighthouse-") as folder:
        log("drawing product photos with Chromium")
        images = make_images(args.chrome, folder)
        store, slugs, collection = seed(args.edge, folder, images)
        log(f"uploaded {len(images)} photos (and their 960, 800 and 480 px variants) to the media bucket")
        port = args.storefront.rsplit(":", 1)[1]
        host = f"{store['slug']}.localhost:{port}"
        pages = [("home", "/"), ("collection", f"/collections/{collection}"), ("product", f"/products/{slugs[0]}")]
        if args.search:
            pages.append(("search", f"/search?q={SEARCH_QUERY}"))
        log(f"seeded store {store['slug']} with {len(slugs)} products; waiting for its pages")
        # Also warms the edge cache (pages and media), as a shopper's visit finds it.
        wait_for_pages(args.storefront, host, pages, PRODUCTS[0][0])

        rows, failed, details = [], False, []
        for name, path in pages:
            for preset in presets:
                url = f"http://{host}{path}"
                log(f"{preset:7} {url}")
                reports = [run_lighthouse(args.lighthouse, args.chrome, url, preset,
                                          os.path.join(args.out, f"{name}-{preset}-{run + 1}.report.json"),
                                          args.chrome_flag) for run in range(args.runs)]
                report = median_run(reports)
                if report.get("runtimeError"):
                    failed = True
                    rows.append([name, preset, *["error"] * len(CATEGORIES)])
                    details.append(f"{name}/{preset} error: {report['runtimeError']['message']}")
                    continue
                cells = []
                for category, _ in CATEGORIES:
                    score = round(100 * (report["categories"][category]["score"] or 0))
                    checked, cell = score, str(score)
                    if name == "search" and category == "seo":
                        checked = score_without(report, "seo", "is-crawlable")
                        cell = f"{score} ({checked}*)"
                    if checked < TARGETS[category]:
                        failed = True
                        cell += " !"
                    cells.append(cell)
                rows.append([name, preset, *cells])
                details += [f"{name}/{preset} {line}" for line in lost_points(report)]
                details += [f"{name}/{preset} warning: {w}" for w in report.get("runWarnings", [])]

    header = ["page", "preset", *[short for _, short in CATEGORIES]]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
    print(f"\npages: " + ", ".join(f"{name} {path}" for name, path in pages) + f"; store {host}")
    print("targets: seo 100, perf/a11y/bp >= 95; ! = under target")
    print("* search results are noindex by design: its SEO is checked without is-crawlable")
    if details:
        print("\naudits that cost points:")
        for line in details:
            print("  " + line)
    print(f"\nreports: {args.out}/<page>-<preset>-<run>.report.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
