#!/usr/bin/env python3
"""Merchants in a real browser: headless Chromium, driven over the DevTools protocol, through the
dashboard (http://localhost:8789: Chromium keeps its Secure cookies on localhost over plain http).

Journey 1: sign up, verify the email from the mail maildev caught, onboard (name, address, niche,
theme, brand colour), watch the launch research run fill the store, open one of its products,
edit its title, publish it, and open it in the shop (http://<slug>.localhost:8788/products/...);
then the look, shipping, payouts and orders pages; an API key refused on the starter plan, made
after upgrading to pro through the billing page and Stripe's checkout (its secret shown once)
and revoked; the account's data exported as a JSON download; the
domains page; a blog post previewed and saved; the store pages; the
welcome flow switched off with its own subject; the contacts; two-factor sign-in turned on from
the security page (its QR code drawn inline), then logging in with a TOTP code and with a recovery
code.
Journey 2: invite a staff member from the team page, log out, accept from the mailed link with a
new password, and land in the owner's store as staff, who is told the team page is the owner's.

On every page: no horizontal scrolling at 360 px wide, every form control has a label, and the
first Tab stop is the skip link (which is then visibly focused). The session cookies are checked
to be HttpOnly, Secure and SameSite=Lax. Prints one line per step and exits 0, or exits 1 with
the step that failed.

Usage: dashboard.py DASHBOARD_ORIGIN STOREFRONT_PORT OWNER_EMAIL STAFF_EMAIL SLUG
Needs aiohttp (the tools venv has it) and Chromium (/usr/bin/chromium or CHROME_PATH).
"""
import asyncio
import base64
import hashlib
import hmac
import json
import re
import struct
import sys
import time

import aiohttp

import devtools

MAILDEV = "http://127.0.0.1:1080/api/email"
PASSWORD = "a long browser password 42"


class Tab(devtools.Tab):
    """The shared tab, with the dashboard's forms and its checks of every page."""

    async def fill(self, values):
        for selector, value in values.items():
            await self.js(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")

    async def submit(self, form_selector):
        await self.js(f"document.querySelector({json.dumps(form_selector)}).requestSubmit()")

    async def submit_and_load(self, form_selector, what):
        """Submits a form and waits for the page it answers with (not the one it was sent from)."""
        await self.js("window.beforeSubmit = true")
        await self.submit(form_selector)
        await self.wait_for(what, "!window.beforeSubmit && document.readyState === 'complete'")

    async def check_page(self, name):
        """No horizontal scrolling at 360 px, labelled controls, the skip link first in tab order."""
        await self.wait_for(f"{name} to load", "document.readyState === 'complete'")
        wide = await self.js("document.documentElement.scrollWidth")
        if wide > 360:
            sys.exit(f"{name}: the page is {wide} px wide at a 360 px viewport")
        unlabelled = await self.js(
            "[...document.querySelectorAll('input:not([type=hidden]),select,textarea')]"
            ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)")
        if unlabelled:
            sys.exit(f"{name}: controls without a label: {unlabelled}")
        await self.js("document.activeElement && document.activeElement.blur()")
        await self.call("Input.dispatchKeyEvent", type="keyDown", key="Tab", code="Tab", windowsVirtualKeyCode=9)
        await self.call("Input.dispatchKeyEvent", type="keyUp", key="Tab", code="Tab", windowsVirtualKeyCode=9)
        first = await self.js("document.activeElement.className + '|' + getComputedStyle(document.activeElement).outlineStyle")
        if first != "skip|solid":
            sys.exit(f"{name}: the first Tab stop is not the visibly focused skip link ({first})")


async def mail_link(http, address, path):
    """The dashboard link to `path` in the newest mail to `address` (waits up to 60 s)."""
    deadline = time.time() + 60
    while time.time() < deadline:
        async with http.get(MAILDEV) as r:
            mails = await r.json()
        for mail in reversed(mails):
            if any(t.get("address") == address for t in mail.get("to", [])):
                found = re.search(r"https?://[^\s\"'<>)\]]*" + re.escape(path) + r"\?token=[^\s\"'<>)\]&]+", mail.get("text") or "")
                if found:
                    return found.group(0)
        await asyncio.sleep(0.5)
    sys.exit(f"no mail to {address} with a {path} link")


async def upgraded(tab, origin, plan):
    """The owner upgrades on the billing page: Checkout at the Stripe stand-in (its hosted page,
    the test card it fills in), then billing shows the plan once Stripe's webhook has applied it."""
    await tab.open(origin + "/billing", "the billing page", "!!document.querySelector('#plan')")
    await tab.check_page("billing")
    await tab.js(f"document.querySelector('#plan').value = [...document.querySelectorAll('#plan option')].find(o => o.textContent === {json.dumps(plan)}).value")
    await tab.submit_and_load("form[action='/billing/checkout']", "the checkout's link")
    await tab.check_page("payment")
    pay_url = await tab.js("(document.querySelector('#checkout-link')||{}).href")
    if not pay_url:
        sys.exit("no checkout link: " + str(await tab.js("document.body.innerText.slice(0, 600)")))
    await tab.open(pay_url, "Stripe's payment page", "!!document.querySelector('#pay')")
    await tab.js("window.beforeSubmit = true; document.querySelector('#pay').click()")
    await tab.wait_for("the payment to go through", "!window.beforeSubmit && document.readyState === 'complete'")
    deadline = time.time() + 30
    while True:
        await tab.open(origin + "/billing", "the billing page", "!!document.querySelector('#billing-plan')")
        if await tab.js(f"document.querySelector('#billing-plan strong').textContent === {json.dumps(plan)}"):
            break
        if time.time() > deadline:
            sys.exit(f"billing does not show the {plan} plan after paying: " + str(await tab.js("document.body.innerText.slice(0, 600)")))
        await asyncio.sleep(1)
    print(f"upgraded to {plan} through Stripe's checkout:", await tab.js("document.querySelector('#billing-plan').textContent"))


async def api_key_made_and_revoked(tab, origin, slug):
    """A key is refused on the starter plan with the reason and what was typed kept; after an
    upgrade to pro on the billing page it is made, its secret shown once, listed by its prefix,
    and revoked."""
    await tab.open(origin + "/api-keys", "the API keys page", "!!document.querySelector('#scope')")
    await tab.check_page("API keys")
    name = "Browser key " + slug[-6:]
    await tab.fill({"#name": name, "#scope": "write"})
    await tab.submit_and_load("form[action='/api-keys']", "the answer to the new key")
    refusal = await tab.js(
        "document.querySelector('#name').value === " + json.dumps(name)
        + " && document.querySelector('#scope').value === 'write' && (document.querySelector('.error')||{}).textContent")
    if not refusal or "no API access" not in refusal:
        sys.exit(f"the starter plan's refusal of a key reads: {refusal}")
    print("a key is refused on the starter plan:", refusal)
    await upgraded(tab, origin, "Pro")
    await tab.open(origin + "/api-keys", "the API keys page", "!!document.querySelector('#scope')")
    deadline = time.time() + 30
    while not await tab.js("!!document.querySelector('#new-key-secret')"):
        if time.time() > deadline:
            sys.exit("no key was made on the pro plan: " + str(await tab.js("document.body.innerText.slice(0, 600)")))
        await asyncio.sleep(1)
        await tab.fill({"#name": name, "#scope": "write"})
        await tab.submit_and_load("form[action='/api-keys']", "the answer to the new key")
    await tab.check_page("API keys with a new key")
    secret = await tab.js("document.querySelector('#new-key-secret').textContent")
    row = await tab.js(f"[...document.querySelectorAll('#api-keys tbody tr')].map(r => r.innerText).find(t => t.includes({json.dumps(name)})) || ''")
    if not secret.startswith("dsk_") or secret[:10] + "…" not in row or "write" not in row:
        sys.exit(f"the new key {secret[:10]}… is not listed as made: {row}")
    print("made a key on the pro plan; its secret is shown once:", secret[:10] + "…")
    await tab.open(origin + "/api-keys", "the API keys page again", "!!document.querySelector('#api-keys')")
    if await tab.js(f"document.documentElement.innerHTML.includes({json.dumps(secret)})"):
        sys.exit("the key's secret is shown again")
    await tab.js(f"[...document.querySelectorAll('#api-keys tbody tr')].find(r => r.innerText.includes({json.dumps(name)})).querySelector('form').requestSubmit()")
    await tab.wait_for("the key to be revoked",
                       "location.search.includes('notice=key_revoked') && document.body.innerText.includes('The key is revoked')"
                       f" && !document.body.innerText.includes({json.dumps(name)})")
    print("revoked the key: it is gone from the list")


async def data_exported(tab, origin, owner, slug):
    """The export downloads as a dated JSON file holding the account, its owner and its store.
    The download is what the form's own request answers (the same request, sent from the page)."""
    await tab.open(origin + "/data", "the data page", "!!document.querySelector('form[action=\"/data/export\"]')")
    await tab.check_page("your data")
    got = await tab.js("""(async () => {
        const form = document.querySelector('form[action="/data/export"]');
        const r = await fetch(form.action, {method: 'POST', body: new URLSearchParams(new FormData(form))});
        return {status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), text: await r.text()};
    })()""")
    if got["status"] != 200 or not re.fullmatch(r'attachment; filename="dropship-export-\d{4}-\d{2}-\d{2}\.json"', got["disposition"] or ""):
        sys.exit(f"the export is not a download: {got['status']} {got['disposition']}: {got['text'][:300]}")
    archive = json.loads(got["text"])
    emails = [m.get("email") for m in archive.get("members", [])]
    slugs = [s.get("store", {}).get("slug") for s in archive.get("stores", [])]
    if archive.get("format") != "dropship-export/1" or owner not in emails or slug not in slugs:
        sys.exit(f"the export lacks the account's owner or store: members {emails}, stores {slugs}")
    file_name = got["disposition"].split("=")[1].strip('"')
    print(f"exported the account's data: {file_name}, {len(got['text'])} bytes, "
          f"{len(archive['stores'])} store(s), {len(archive.get('api_keys', []))} API key(s)")


async def post_previewed_and_saved(tab, origin, store_path, slug):
    """A new blog post previewed (the allow-list drops its script) and saved as a draft."""
    await tab.open(origin + store_path + "/posts/new", "the new post form", "!!document.querySelector('#body_html')")
    await tab.check_page("new post")
    title = "Browser post " + slug[-6:]
    await tab.fill({"#title": title, "#body_html": "<h2>Brushing</h2>\n<p>Brush <strong>daily</strong>.</p><script>alert(1)</script>"})
    await tab.js("window.beforeSubmit = true; document.querySelector('form.card').requestSubmit(document.querySelector('button[value=preview]'))")
    await tab.wait_for("the post's preview", "!window.beforeSubmit && document.readyState === 'complete' && !!document.querySelector('#preview-body')")
    shown = await tab.js("document.querySelector('#preview-body').innerHTML")
    if "<strong>daily</strong>" not in shown or "script" in shown:
        sys.exit(f"the preview shows {shown}")
    await tab.submit_and_load("form.card", "the saved post")
    if not await tab.js("location.search.includes('notice=saved') && document.querySelector('#post-status').textContent === 'draft'"
                        f" && document.querySelector('#title').value === {json.dumps(title)}"):
        sys.exit("the post was not saved as a draft: " + str(await tab.js("document.body.innerText.slice(0, 600)")))
    print("previewed a blog post and saved it as a draft")


def totp(secret, step):
    """The code an authenticator app shows for a time step (RFC 6238: HMAC-SHA1, 6 digits)."""
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    at = digest[19] & 15
    return "%06d" % ((struct.unpack(">I", digest[at:at + 4])[0] & 0x7FFFFFFF) % 1_000_000)


async def logged_in_again(tab, origin, owner, code, what):
    """Logs out and in again with the password, then `code` on the second step."""
    await tab.submit("form.logout")
    await tab.wait_for("the login page after logging out", "location.pathname === '/login' && !!document.querySelector('#email')")
    await tab.fill({"#email": owner, "#password": PASSWORD})
    await tab.submit_and_load("form[action='/login']", "the login's second step")
    if not await tab.js("!!document.querySelector(\"form[action='/login/second-factor']\")"):
        sys.exit("the login did not ask for the second factor: " + str(await tab.js("document.body.innerText.slice(0, 600)")))
    await tab.check_page("two-factor login")
    await tab.fill({"#code": code})
    await tab.submit_and_load("form[action='/login/second-factor']", f"signed in with {what}")
    if not await tab.js("!!document.querySelector('form.logout')"):
        sys.exit(f"not signed in with {what}: " + str(await tab.js("document.body.innerText.slice(0, 600)")))
    print(f"logged in with {what}")


async def two_factor_on_and_used(tab, origin, owner):
    """Two-factor sign-in turned on from the security page (a QR code drawn on the server and the
    key as text), its recovery codes shown, then logging in with a TOTP code and with a recovery
    code."""
    await tab.open(origin + "/security", "the security page", "!!document.querySelector('#two-factor-status')")
    await tab.check_page("security")
    await tab.submit_and_load("form[action='/security/enrol']", "the enrolment")
    await tab.check_page("two-factor enrolment")
    if not await tab.js("!!document.querySelector('svg.qr path')"):
        sys.exit("no QR code on the enrolment page")
    key = await tab.js("document.querySelector('#totp-secret').textContent")
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    step = int(time.time()) // 30
    await tab.fill({"#code": totp(secret, step)})
    await tab.submit_and_load("form[action='/security/confirm']", "the recovery codes")
    codes = await tab.js("[...document.querySelectorAll('#recovery-codes code')].map(c => c.textContent)")
    if len(codes) != 10:
        sys.exit("no recovery codes after turning two-factor sign-in on: " + str(await tab.js("document.body.innerText.slice(0, 600)")))
    await tab.check_page("recovery codes")
    print("turned two-factor sign-in on with the QR code's key; 10 recovery codes shown")
    await logged_in_again(tab, origin, owner, totp(secret, step + 1), "a TOTP code")
    await logged_in_again(tab, origin, owner, codes[0], "a recovery code")


async def journeys(origin, storefront_port, owner, staff, slug):
    async with aiohttp.ClientSession() as http, devtools.chromium(tab_class=Tab) as tab:
        await tab.call("Network.enable")
        await tab.call("Emulation.setDeviceMetricsOverride", width=360, height=740, deviceScaleFactor=1, mobile=True)
        started = time.time()

        # Journey 1.
        await tab.open(origin + "/signup", "the sign-up page", "!!document.querySelector('#email')")
        await tab.check_page("sign-up")
        await tab.fill({"#email": owner, "#company": "Browser Paws Ltd", "#password": PASSWORD})
        await tab.submit("form[action='/signup']")
        await tab.wait_for("onboarding after sign-up", "location.pathname === '/onboarding' && !!document.querySelector('#name')")
        cookies = (await tab.call("Network.getCookies", urls=[origin]))["cookies"]
        session = {c["name"]: c for c in cookies}
        for name in ("dash_access", "dash_refresh", "dash_csrf"):
            c = session.get(name)
            if not c or not c["httpOnly"] or not c["secure"] or c.get("sameSite") != "Lax":
                sys.exit(f"cookie {name} is not HttpOnly, Secure and SameSite=Lax: {c}")
        print("signed up; session cookies are HttpOnly, Secure, SameSite=Lax")
        link = await mail_link(http, owner, "/verify-email")
        await tab.open(link, "the verification page", "!!document.querySelector('h1')")
        heading = await tab.js("document.querySelector('h1').textContent")
        if heading != "Email verified":
            sys.exit(f"verification: {heading}: {await tab.js('document.body.innerText')}")
        print("verified the email from the mail")

        await tab.open(origin + "/onboarding", "onboarding", "!!document.querySelector('#name')")
        await tab.check_page("onboarding")
        await tab.fill({"#name": "Browser Paws", "#slug": slug, "#niche": "pet grooming", "#brand_color": "#8a3ffc"})
        await tab.js("document.querySelector('#theme-bold').click()")
        await tab.submit("form[action='/onboarding']")
        await tab.wait_for("the launch run's page", "/^\\/stores\\/[0-9a-f-]+\\/research\\/[0-9a-f-]+$/.test(location.pathname)")
        store_path = "/".join((await tab.js("location.pathname")).split("/")[:3])
        print("store created; watching its launch run", store_path)
        await tab.check_page("research run")
        product_link = await tab.wait_for(
            "the launch run to bring products into the store (the page refreshes itself)",
            "document.readyState === 'complete' && (document.querySelector('#run-products a')||{}).href", seconds=240)
        print("the first research run filled the store:", await tab.js("document.querySelector('#run-status').textContent"))

        await tab.open(product_link, "a product's page", "!!document.querySelector('#title')")
        await tab.check_page("product")
        title = f"Browser Edited Brush {slug[-6:]}"
        await tab.fill({"#title": title})
        await tab.submit("form.card")
        await tab.wait_for("the saved product", "location.search.includes('notice=saved') && document.querySelector('#title').value === " + json.dumps(title))
        if await tab.js("!!document.querySelector('form[action$=\"/publish\"]')"):
            await tab.submit("form[action$='/publish']")
            await tab.wait_for("the published notice", "location.search.includes('notice=published')")
        status = await tab.js("document.querySelector('#product-status').textContent")
        if status != "published":
            sys.exit(f"the product is {status} after publishing")
        print("edited and published:", title)

        shop = await tab.js("document.querySelector('#view-in-shop').href")
        if not shop.startswith(f"http://{slug}.localhost:{storefront_port}/products/"):
            sys.exit(f"the product's shop link is {shop}")
        deadline = time.time() + 60
        while True:
            await tab.open(shop, "the product in the shop", "true")
            if await tab.js(f"(document.querySelector('h1')||{{}}).textContent === {json.dumps(title)}"):
                break
            if time.time() > deadline:
                sys.exit(f"the shop does not show {title} at {shop}")
            await asyncio.sleep(2)
        print("the shop shows the edited product")

        # The shop's look: a theme, a font the shop serves, an announcement and the menu.
        await tab.open(origin + store_path + "/look", "the look page", "!!document.querySelector('#font')")
        await tab.check_page("look")
        await tab.js("document.querySelector('#theme-minimal').click()")
        await tab.fill({"#font": "lora", "#announcement": "Browser announcement " + slug[-6:]})
        menu_place = await tab.js("(document.querySelector('input[name=menu_place]')||{}).id || ''")
        if menu_place:
            await tab.fill({"#" + menu_place: "1"})
        await tab.submit("form.card")
        await tab.wait_for("the saved look", "location.search.includes('notice=saved') && document.querySelector('#font').value === 'lora'")
        home = shop.split("/products/")[0] + "/"
        deadline = time.time() + 60
        while True:
            await tab.open(home, "the shop's home", "true")
            if await tab.js("document.body.className.startsWith('minimal') && document.documentElement.innerHTML.includes('--font:Lora,')"
                            f" && document.querySelector('.announce').textContent === {json.dumps('Browser announcement ' + slug[-6:])}"):
                break
            if time.time() > deadline:
                sys.exit(f"the shop at {home} does not wear the saved look")
            await asyncio.sleep(2)
        if menu_place and not await tab.js(f"!!document.querySelector('.menu a[href=\"/collections/{menu_place[5:]}\"]')"):
            sys.exit(f"the shop's menu lacks the collection {menu_place[5:]}")
        print("the shop wears the look saved in the dashboard" + (" with its menu" if menu_place else ""))

        # Shipping set in the dashboard is what the shop's product page states (seen before,
        # the page is in the browser's cache for an hour: ask the shop itself).
        await tab.call("Network.setCacheDisabled", cacheDisabled=True)
        await tab.open(origin + store_path + "/shipping", "the shipping page", "!!document.querySelector('#countries')")
        await tab.check_page("shipping")
        await tab.fill({"#countries": "us, CA", "#standard": "4.99", "#express": "", "#free_over": "50"})
        await tab.submit("form.card")
        await tab.wait_for("the saved shipping", "location.search.includes('notice=saved') && document.querySelector('#countries').value === 'US, CA'")
        deadline = time.time() + 60
        while True:
            await tab.open(shop, "the product in the shop", "true")
            # textContent: the Shipping section is folded, and innerText leaves folded text out.
            if await tab.js("document.body.textContent.includes('Free standard shipping on orders of $50.00 or more')"
                            " && document.body.textContent.includes('Ships to the United States and Canada.')"):
                break
            if time.time() > deadline:
                sys.exit(f"the product page at {shop} does not state the shipping saved in the dashboard")
            await asyncio.sleep(2)
        print("the shop states the shipping saved in the dashboard")
        await tab.open(origin + store_path + "/payouts", "the payouts page", "!!document.querySelector('#payouts-status')")
        await tab.check_page("payouts")
        # Stripe's onboarding opens from a link: a redirect to it after the form would be refused
        # by the dashboard's form-action 'self'.
        await tab.submit_and_load(f"form[action='{store_path}/payouts']", "the link to Stripe's onboarding")
        onboarding = await tab.js("(document.querySelector('#onboarding-link') || {}).href || ''")
        if not onboarding.startswith("http://127.0.0.1:8420/"):
            sys.exit(f"no link to the Stripe stand-in's onboarding: {onboarding!r}")
        await tab.check_page("payouts onboarding link")
        print("payouts: the dashboard links to Stripe's onboarding")
        await tab.open(origin + store_path + "/orders", "the orders page", "!!document.querySelector('#state')")
        await tab.check_page("orders")

        await tab.open(origin + store_path, "the store's home", "!!document.querySelector('.figures')")
        await tab.check_page("home")
        await tab.open(origin + store_path + "/products?status=published", "the products list", "!!document.querySelector('#q')")
        await tab.check_page("products")
        if not await tab.js(f"document.body.innerText.includes({json.dumps(title)})"):
            sys.exit("the published filter does not list the edited product")
        await tab.open(origin + "/sessions", "the sessions page", "!!document.querySelector('table')")
        await tab.check_page("sessions")
        await api_key_made_and_revoked(tab, origin, slug)
        await data_exported(tab, origin, owner, slug)
        await tab.open(origin + store_path + "/domains", "the domains page", "!!document.querySelector('#host')")
        await tab.check_page("domains")
        await post_previewed_and_saved(tab, origin, store_path, slug)
        await tab.open(origin + store_path + "/pages", "the store's pages", "!!document.querySelector('#store-pages a')")
        await tab.check_page("store pages")
        await tab.open(origin + store_path + "/pages/about", "the about page's form", "!!document.querySelector('#preview-body')")
        await tab.check_page("about page")
        await tab.open(origin + store_path + "/email", "the email flows", "!!document.querySelector('#welcome-enabled')")
        await tab.check_page("email flows")
        await tab.js("document.querySelector('#welcome-enabled').checked = false")
        await tab.fill({"#welcome-subject-1": "Welcome to Browser Paws"})
        await tab.submit_and_load("form[action$='/email/welcome']", "the saved flow")
        if not await tab.js("location.search.includes('notice=saved') && !document.querySelector('#welcome-enabled').checked"
                            " && document.querySelector('#welcome-subject-1').value === 'Welcome to Browser Paws'"):
            sys.exit("the welcome flow was not switched off with its subject: " + str(await tab.js("document.body.innerText.slice(0, 600)")))
        print("switched the welcome flow off with a subject of its own")
        await tab.open(origin + store_path + "/contacts", "the contacts", "!!document.querySelector('#contacts-count')")
        await tab.check_page("contacts")
        await two_factor_on_and_used(tab, origin, owner)
        print(f"journey 1 done in {time.time() - started:.1f} s")

        # Journey 2.
        started = time.time()
        await tab.open(origin + "/team", "the team page", "!!document.querySelector('#role')")
        await tab.check_page("team")
        await tab.fill({"#email": staff, "#role": "staff"})
        await tab.submit("form[action='/team']")
        await tab.wait_for("the invitation notice", "location.search.includes('notice=invited') && document.body.innerText.includes('The invitation is on its way.')")
        await tab.submit("form.logout")
        await tab.wait_for("the login page after logging out", "location.pathname === '/login' && document.body.innerText.includes('You are logged out.')")
        await tab.check_page("login")
        link = await mail_link(http, staff, "/accept-invitation")
        await tab.open(link, "the invitation page", "!!document.querySelector('#password')")
        await tab.check_page("accept invitation")
        await tab.fill({"#password": PASSWORD})
        await tab.submit("form[action='/accept-invitation']")
        await tab.wait_for("the owner's store, as staff", f"location.pathname === {json.dumps(store_path)} && document.body.innerText.includes('Role: staff')")
        await tab.open(origin + "/team", "the team page as staff", "!!document.querySelector('main')")
        if not await tab.js("document.body.innerText.includes(\"Only the tenant's owner sees and manages the team.\")"):
            sys.exit("staff sees the team page without being told it is the owner's")
        print(f"journey 2 done in {time.time() - started:.1f} s")


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    origin, storefront_port, owner, staff, slug = sys.argv[1:]
    asyncio.run(asyncio.wait_for(journeys(origin, storefront_port, owner, staff, slug), 420))


if __name__ == "__main__":
    main()
