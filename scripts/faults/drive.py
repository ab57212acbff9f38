#!/usr/bin/env python3
"""Fault drills against two replicas behind nginx, on one PostgreSQL and one Redis.

Started by scripts/faults/run, which builds the server, starts the replicas and nginx, and
passes their addresses. Everything goes through the public API, as clients would send it;
the checks read the database only to count what was acknowledged.

Prints one report: requests sent, failed, recovered after how long, orders lost (must be 0).
Exits non-zero when an invariant breaks.
"""
import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time

import aiohttp

P = argparse.ArgumentParser()
P.add_argument("--lb", required=True)          # nginx, round-robin over both replicas
P.add_argument("--a", required=True)           # replica A, directly
P.add_argument("--b", required=True)           # replica B, directly
P.add_argument("--admin-email", required=True)
P.add_argument("--admin-password", required=True)
P.add_argument("--db-url", required=True)      # the drill's database, for psql
P.add_argument("--pg-stop", required=True)
P.add_argument("--pg-start", required=True)
P.add_argument("--redis-stop", required=True)
P.add_argument("--redis-start", required=True)
P.add_argument("--buyers", type=int, default=300)
P.add_argument("--stock", type=int, default=100)
ARGS = P.parse_args()

FAILURES = []
REPORT = []


def check(ok, what):
    REPORT.append(("ok  " if ok else "FAIL") + " " + what)
    if not ok:
        FAILURES.append(what)


def sql(query):
    out = subprocess.run(["psql", ARGS.db_url, "-At", "-c", query], capture_output=True, text=True, check=True)
    return out.stdout.strip()


class Api:
    def __init__(self, session, base):
        self.s, self.base = session, base

    async def gql(self, query, variables=None, token=None, base=None):
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        async with self.s.post((base or self.base) + "/graphql",
                               data=json.dumps({"query": query, "variables": variables or {}}),
                               headers=headers) as r:
            body = await r.text()
            try:
                return r.status, json.loads(body)
            except ValueError:
                return r.status, {"raw": body}

    async def data(self, query, variables=None, token=None, base=None):
        status, v = await self.gql(query, variables, token, base)
        if status != 200 or v.get("errors"):
            raise RuntimeError(f"{query[:60]}… → {status} {v}")
        return v["data"]


REGISTER = "mutation($i: RegisterInput!) { register(input: $i) { token userErrors { code message } } }"
LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token userErrors { code } } }"
ADDRESS = {"name": "Nguyễn Văn An", "phone": "0912345678", "provinceCode": "01", "line": "1 Tràng Tiền"}
CHECKOUT = """mutation($i: CheckoutInput!) { checkout(input: $i) { order { id number status }
  userErrors { code message } } }"""


async def register(api, email):
    d = await api.data(REGISTER, {"i": {"email": email, "password": "mat-khau-du-dai", "name": "Người Mua"}})
    assert not d["register"]["userErrors"], d
    return d["register"]["token"]


async def seed_product(api, admin, owner, name, stock):
    """A verified producer's listed product with one variant and one lot, through the API."""
    d = await api.data("""mutation($i: ProducerInput!) { producerCreate(input: $i) { producer { id } userErrors { message } } }""",
                       {"i": {"name": f"HTX {name}", "kind": "COOPERATIVE", "provinceCode": "40", "address": "Xã Diễn Châu"}}, owner)
    producer = d["producerCreate"]["producer"]["id"]
    await api.data("mutation($id: ID!) { producerVerify(id: $id) { producer { id } } }", {"id": producer}, admin)
    d = await api.data("""mutation($i: OcopCertificateInput!) { ocopCertificateSubmit(input: $i) { certificate { id } userErrors { message } } }""",
                       {"i": {"producerId": producer, "productName": name, "categoryCode": "I.4.a", "stars": 4,
                              "decisionNumber": "436/QĐ-UBND", "issuedBy": "UBND tỉnh Nghệ An", "issuedOn": "2025-06-01"}}, owner)
    cert = d["ocopCertificateSubmit"]["certificate"]["id"]
    await api.data("mutation($id: ID!) { ocopCertificateReview(id: $id, approve: true) { certificate { id } } }", {"id": cert}, admin)
    d = await api.data("""mutation($i: ProductInput!) { productCreate(input: $i) { product { id } userErrors { message } } }""",
                       {"i": {"producerId": producer, "certificateId": cert, "name": name, "description": "Sản phẩm OCOP 4 sao",
                              "origin": {"provinceCode": "40"}}}, owner)
    product = d["productCreate"]["product"]["id"]
    d = await api.data("""mutation($p: ID!, $i: VariantInput!) { variantCreate(productId: $p, input: $i) { variant { id } userErrors { message } } }""",
                       {"p": product, "i": {"sku": f"SKU-{random.randrange(10**9)}", "name": "Chai 500 ml", "price": 120000}}, owner)
    variant = d["variantCreate"]["variant"]["id"]
    d = await api.data("""mutation($i: LotInput!) { lotCreate(input: $i) { lot { id traceCode } userErrors { message } } }""",
                       {"i": {"variantId": variant, "lotNumber": f"L{random.randrange(10**8)}", "producedOn": "2026-11-20",
                              "expiresOn": "2028-11-20", "quantity": stock}}, owner)
    lot = d["lotCreate"]["lot"]
    d = await api.data("mutation($id: ID!) { productPublish(id: $id) { product { status } userErrors { code } } }", {"id": product}, owner)
    assert d["productPublish"]["product"]["status"] == "PUBLISHED", d
    return {"product": product, "variant": variant, "lot": lot["id"], "code": lot["traceCode"]}


async def available(api, product, base=None):
    d = await api.data("query($id: ID!) { node(id: $id) { ... on Product { variants { available } } } }", {"id": product},
                       None, base)
    return d["node"]["variants"][0]["available"] if d["node"] else None


async def checkout(api, token, variant, key, method="COD", quantity=1):
    return await api.gql(CHECKOUT, {"i": {"idempotencyKey": key, "lines": [{"variantId": variant, "quantity": quantity}],
                                          "shippingAddress": ADDRESS, "paymentMethod": method}}, token)


async def flash_sale(api, buyers, item):
    """Every buyer tries to buy one unit at once, split by nginx over both replicas."""
    sem = asyncio.Semaphore(64)

    async def one(i, token):
        async with sem:
            status, v = await checkout(api, token, item["variant"], f"flash-{i}")
            d = (v.get("data") or {}).get("checkout") or {}
            if d.get("order"):
                return "sold"
            codes = [e["code"] for e in d.get("userErrors", [])]
            return "refused" if codes == ["INSUFFICIENT_STOCK"] else f"error {status} {codes or v.get('errors')}"
    results = await asyncio.gather(*(one(i, t) for i, t in enumerate(buyers)))
    sold = results.count("sold")
    errors = [r for r in results if r.startswith("error")]
    left = await available(api, item["product"])
    check(sold == ARGS.stock and left == 0 and not errors,
          f"flash sale over both replicas: {len(buyers)} buyers, {ARGS.stock} units → {sold} sold, {left} left, {len(errors)} errors")


async def start_holds(api, buyers, item):
    """Unpaid bank-transfer orders, created through both replicas, that both expiry jobs see."""
    acked = []
    for i, token in enumerate(buyers[:20]):
        status, v = await checkout(api, token, item["variant"], f"hold-{i}", "BANK_TRANSFER", 2)
        o = ((v.get("data") or {}).get("checkout") or {}).get("order")
        if o:
            acked.append(o["id"])
    return acked


async def check_holds(api, item, acked, started):
    deadline = started + 60 + 30 + 30
    while time.time() < deadline:
        left = await available(api, item["product"])
        if left == ARGS.stock:
            break
        await asyncio.sleep(2)
    left = await available(api, item["product"])
    released = sql(f"SELECT COUNT(*) FROM seller_orders WHERE cancel_reason = 'Quá hạn thanh toán'")
    check(left == ARGS.stock and int(released) == len(acked),
          f"expiry job on both replicas: {len(acked)} unpaid orders of 2 units expired once each "
          f"(released {released}), stock back to {left}/{ARGS.stock} after {time.time() - started:.0f} s")


async def cache_staleness(api, owner, item):
    """An unpublish through A disappears from B's cached anonymous answers within the
    documented staleness (1.5 × RESPONSE_CACHE_MS)."""
    q = "query($id: ID!) { node(id: $id) { ... on Product { name } } }"
    for _ in range(5):  # warm B's cache
        await api.data(q, {"id": item["product"]}, None, ARGS.b)
    t0 = time.time()
    await api.data("mutation($id: ID!) { productUnpublish(id: $id) { product { status } } }", {"id": item["product"]}, owner,
                   ARGS.a)
    while True:
        d = await api.data(q, {"id": item["product"]}, None, ARGS.b)
        if d["node"] is None:
            break
        await asyncio.sleep(0.02)
    took = time.time() - t0
    check(took <= 1.5 + 0.3, f"unpublish on A gone from B's cache after {took * 1000:.0f} ms (limit 1500 ms + 300 ms slack)")


async def trace_invalidation(api, owner, item):
    q = "query($c: String!) { trace(code: $c) { lot { recalled } } }"
    d = await api.data(q, {"c": item["code"]}, None, ARGS.b)
    assert d["trace"]["lot"]["recalled"] is False, d
    t0 = time.time()
    await api.data("mutation($id: ID!, $r: String!) { lotRecall(id: $id, reason: $r) { lot { recalled } } }",
                   {"id": item["lot"], "r": "Kiểm tra chất lượng"}, owner, ARGS.a)
    while True:
        d = await api.data(q, {"c": item["code"]}, None, ARGS.b)
        if d["trace"]["lot"]["recalled"]:
            break
        if time.time() - t0 > 5:
            break
        await asyncio.sleep(0.02)
    took = time.time() - t0
    check(took < 2, f"recall on A seen in B's trace cache after {took * 1000:.0f} ms")


async def subscription_across(session, api, buyer, owner, item):
    status, v = await checkout(api, buyer, item["variant"], "watch")
    order = v["data"]["checkout"]["order"]["id"]
    ws_url = ARGS.b.replace("http://", "ws://") + "/graphql/ws"
    async with session.ws_connect(ws_url, protocols=("graphql-transport-ws",)) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {buyer}"}})
        assert (await ws.receive_json())["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }", "variables": {"id": order}}})
        await asyncio.sleep(0.3)
        d = await api.data("query($id: ID!) { order(id: $id) { shipments { id } } }", {"id": order}, owner, ARGS.a)
        t0 = time.time()
        await api.data("mutation($id: ID!) { sellerOrderShip(id: $id, carrier: \"GHN\", trackingNumber: \"GHN1\") { sellerOrder { status } } }",
                       {"id": d["order"]["shipments"][0]["id"]}, owner, ARGS.a)
        msg = await asyncio.wait_for(ws.receive_json(), 5)
        took = time.time() - t0
        status = msg.get("payload", {}).get("data", {}).get("orderStatusChanged", {}).get("status")
        check(status == "SHIPPED", f"orderStatusChanged on B for a shipment made on A after {took * 1000:.0f} ms")


async def load_during(api, buyers, item, fault, label):
    """Checkouts from 32 workers and readiness probes on A while `fault` runs; then: what
    failed, how, for how long, and whether every acknowledged order is in the database."""
    stop = asyncio.Event()
    sent = failed = 0
    fail_kinds = {}
    acked = []
    slowest = 0.0
    last_fail = first_fail = None
    not_ready = 0

    async def worker(w):
        nonlocal sent, failed, slowest, last_fail, first_fail
        n = 0
        while not stop.is_set():
            token = buyers[(w * 7 + n) % len(buyers)]
            n += 1
            t = time.time()
            try:
                status, v = await checkout(api, token, item["variant"], f"{label}-{w}-{n}")
            except Exception as e:  # connection refused, reset
                status, v = 0, {"errors": [{"extensions": {"code": type(e).__name__}}]}
            slowest = max(slowest, time.time() - t)
            sent += 1
            o = ((v.get("data") or {}).get("checkout") or {}).get("order")
            if o:
                acked.append(o["number"])
            else:
                failed += 1
                kind = f"{status} " + ",".join(e.get("extensions", {}).get("code", "?") for e in v.get("errors") or []) \
                    if v.get("errors") else f"{status} " + ",".join(e["code"] for e in (v.get("data") or {}).get("checkout", {}).get("userErrors", []))
                fail_kinds[kind] = fail_kinds.get(kind, 0) + 1
                last_fail = time.time()
                first_fail = first_fail or last_fail

    async def probe():
        nonlocal not_ready
        while not stop.is_set():
            try:
                async with api.s.get(ARGS.a + "/readyz") as r:
                    if r.status == 503:
                        not_ready += 1
            except Exception:
                pass
            await asyncio.sleep(0.2)

    tasks = [asyncio.create_task(worker(w)) for w in range(32)] + [asyncio.create_task(probe())]
    await asyncio.sleep(3)
    fault_started = time.time()
    await fault()
    fault_ended = time.time()
    await asyncio.sleep(6)
    stop.set()
    await asyncio.gather(*tasks)
    numbers = ",".join(f"'{n}'" for n in acked) or "''"
    found = int(sql(f"SELECT COUNT(*) FROM orders WHERE number IN ({numbers})"))
    half = int(sql(f"SELECT COUNT(*) FROM orders o WHERE number IN ({numbers}) AND NOT EXISTS "
                   f"(SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"))
    recovered = (last_fail - fault_ended) if last_fail and last_fail > fault_ended else 0.0
    return {"sent": sent, "failed": failed, "kinds": fail_kinds, "acked": len(acked), "lost": len(acked) - found,
            "half_written": half, "slowest": slowest, "not_ready_probes": not_ready,
            "recovered_after": recovered, "fault_secs": fault_ended - fault_started}


def run_cmd(cmd):
    subprocess.run(cmd, shell=True, check=True, capture_output=True)


async def main():
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        api = Api(session, ARGS.lb)
        d = await api.data(LOGIN, {"e": ARGS.admin_email, "p": ARGS.admin_password})
        admin = d["login"]["token"]
        owner = await register(api, f"owner-{random.randrange(10**9)}@faults.vn")
        sem = asyncio.Semaphore(16)

        async def reg(i):
            async with sem:
                return await register(api, f"buyer{i}-{random.randrange(10**9)}@faults.vn")
        buyers = await asyncio.gather(*(reg(i) for i in range(ARGS.buyers)))
        print(f"seeded: 1 owner, {len(buyers)} buyers", flush=True)

        sale = await seed_product(api, admin, owner, "Nước mắm flash sale", ARGS.stock)
        held = await seed_product(api, admin, owner, "Nước mắm giữ hàng", ARGS.stock)
        watched = await seed_product(api, admin, owner, "Nước mắm theo dõi", 1000)
        busy = await seed_product(api, admin, owner, "Nước mắm tải nặng", 1_000_000)

        holds_started = time.time()
        holds = await start_holds(api, buyers, held)
        await flash_sale(api, buyers, sale)
        await subscription_across(session, api, buyers[0], owner, watched)
        await trace_invalidation(api, owner, watched)
        await cache_staleness(api, owner, sale)

        async def pg_fault():
            run_cmd(ARGS.pg_stop)
            await asyncio.sleep(5)
            run_cmd(ARGS.pg_start)
        pg = await load_during(api, buyers, busy, pg_fault, "pg")
        check(pg["lost"] == 0 and pg["half_written"] == 0 and pg["slowest"] < 31,
              f"PostgreSQL stopped for 5 s under load: {pg['sent']} checkouts sent, {pg['failed']} failed {pg['kinds']}, "
              f"recovered {pg['recovered_after']:.1f} s after it was back, slowest answer {pg['slowest']:.1f} s, "
              f"/readyz 503 seen {pg['not_ready_probes']} times, {pg['acked']} acknowledged, {pg['lost']} lost, "
              f"{pg['half_written']} half-written")
        check(pg["not_ready_probes"] > 0, "/readyz answered 503 while PostgreSQL was down")

        async def redis_fault():
            run_cmd(ARGS.redis_stop)
            await asyncio.sleep(5)
            run_cmd(ARGS.redis_start)
        rd = await load_during(api, buyers, busy, redis_fault, "redis")
        check(rd["failed"] == 0 and rd["lost"] == 0,
              f"Redis stopped for 5 s under load: {rd['sent']} checkouts sent, {rd['failed']} failed {rd['kinds']}, "
              f"{rd['acked']} acknowledged, {rd['lost']} lost")
        # Pub/sub came back: a change on A reaches B's subscribers again.
        await asyncio.sleep(2)
        await subscription_across(session, api, buyers[1], owner, busy)

        await check_holds(api, held, holds, holds_started)

    print("\n".join(REPORT))
    if FAILURES:
        print(f"\n{len(FAILURES)} drill(s) failed", file=sys.stderr)
        sys.exit(1)


asyncio.run(main())
