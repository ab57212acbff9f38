#!/usr/bin/env python3
"""Seeds the catalog benchmark's catalog into an embedded SQLite database (one migrated by
`cho-ocop migrate`): the same catalog as seed_catalog.sql builds on PostgreSQL — about N listed
products in the provinces 01, 40 and 79, ten kinds of product name, n/10 more that a province
filter or the listing rule rejects, each product with its own certificate (3, 4 or 5 stars), two
variants (one product in five a third, priced between) and a lot each, one variant in seven sold out — and ANALYZEs when asked.

Usage: seed_catalog_sqlite.py DB_FILE N [analyze]
"""
import datetime
import sqlite3
import sys

KINDS = ["Nước mắm", "Mật ong", "Trà shan tuyết", "Cà phê", "Gạo ST25", "Bưởi", "Nấm linh chi",
         "Miến dong", "Tương bần", "Rượu cần"]
FOLDED = ["nuoc mam", "mat ong", "tra shan tuyet", "ca phe", "gao st25", "buoi", "nam linh chi",
          "mien dong", "tuong ban", "ruou can"]
PROVINCES = ["01", "40", "79", "91", "66"]


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    analyze = len(sys.argv) > 3 and sys.argv[3] == "analyze"
    # Dates as the server judges them (Asia/Ho_Chi_Minh).
    today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    cur = db.cursor()
    for t in ["lots", "variants", "product_images", "products", "ocop_certificates",
              "producer_members", "producers"]:
        cur.execute(f"DELETE FROM {t}")
    cur.executemany(
        "INSERT INTO producers (id, name, slug, kind, province_code, address, verified, verified_at,"
        " search_text, created_at) VALUES (?, ?, ?, 'COOPERATIVE', ?, ?, 1, ?, ?, ?)",
        [(g, f"Hợp tác xã Bench {g}", f"htx-bench-{g}", PROVINCES[g % 5], f"Thôn {g}", now,
          f"hop tac xa bench {g}", now) for g in range(1, 501)])
    total = n + n // 10
    certs, products = [], []
    for g in range(1, total + 1):
        reject = g % 11 == 0
        producer = 5 * ((g % 297) // 3) + (g % 297) % 3 + 5
        kind = g % 10  # seed_catalog.sql's 1 + g % 10, zero-based
        expired = reject and g % 2 == 1
        issued = datetime.date(2021, 1, 1) if expired else today - datetime.timedelta(days=200)
        until = datetime.date(2024, 1, 1) if expired else today + datetime.timedelta(days=895)
        certs.append((g, producer, f"Sản phẩm {g}", 3 + g % 3, f"{g}/QĐ-UBND", issued.isoformat(),
                      until.isoformat(), now, now))
        province = "91" if reject and g % 2 == 0 else PROVINCES[producer % 5]
        folded = f"{FOLDED[kind]} bench {g}"
        products.append((g, producer, g, f"san-pham-bench-{g}", f"{KINDS[kind]} bench {g}", folded,
                         folded, f"Mô tả sản phẩm {g}", province, 3 + g % 3, until.isoformat(),
                         now, now, now))
    cur.executemany(
        "INSERT INTO ocop_certificates (id, producer_id, product_name, category_code, stars,"
        " decision_number, issued_by, issued_on, valid_until, status, reviewed_at, created_at)"
        " VALUES (?, ?, ?, 'I.4.a', ?, ?, 'UBND tỉnh', ?, ?, 'VERIFIED', ?, ?)", certs)
    cur.executemany(
        "INSERT INTO products (id, producer_id, certificate_id, category_code, slug, name,"
        " name_folded, search_text, description, status, origin_province_code, min_price,"
        " max_price, stars, listed_until, created_at, updated_at, published_at)"
        " VALUES (?, ?, ?, 'I.4.a', ?, ?, ?, ?, ?, 'PUBLISHED', ?, 0, 0, ?, ?, ?, ?, ?)", products)
    variants = []
    for p in range(1, total + 1):
        producer = products[p - 1][1]
        variants.append((p, producer, f"B-{p}-1", "Chai 500 ml", 50000 + (p % 50) * 1000, 800))
    for p in range(1, total + 1):
        producer = products[p - 1][1]
        variants.append((p, producer, f"B-{p}-2", "Can 2 lít", 180000 + (p % 50) * 1000, 2300))
    for p in range(5, total + 1, 5):
        producer = products[p - 1][1]
        variants.append((p, producer, f"B-{p}-3", "Hộp quà 3 chai", 120000 + (p % 50) * 1000, 1500))
    cur.executemany(
        "INSERT INTO variants (product_id, producer_id, sku, name, price, weight_grams, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, '" + now + "', '" + now + "')", variants)
    cur.execute(
        "UPDATE products SET min_price = (SELECT MIN(price) FROM variants v WHERE v.product_id ="
        " products.id), max_price = (SELECT MAX(price) FROM variants v WHERE v.product_id ="
        " products.id), variant_count = (SELECT COUNT(*) FROM variants v WHERE v.product_id ="
        " products.id)")
    # The variants' copy of their product's listing facts (what catalog::listing::refresh keeps).
    cur.execute(
        "UPDATE variants SET (listed_until, origin_province_code, stars, search_text) = (SELECT"
        " p.listed_until, p.origin_province_code, p.stars, p.search_text FROM products p"
        " WHERE p.id = variants.product_id)")
    produced = (today - datetime.timedelta(days=10)).isoformat()
    expires = (today + datetime.timedelta(days=700)).isoformat()
    cur.execute(
        "INSERT INTO lots (variant_id, lot_number, produced_on, expires_on, quantity_produced,"
        " quantity_available, created_at) SELECT id, 'L-' || id, ?, ?, 100,"
        " CASE WHEN id % 7 = 0 THEN 0 ELSE 100 END, ? FROM variants", (produced, expires, now))
    # The stock copy (what catalog::stock::settle keeps): the latest expiry of lots with units.
    cur.execute(
        "UPDATE products SET stock_until = (SELECT MAX(COALESCE(l.expires_on, '9999-12-31'))"
        " FROM lots l JOIN variants v ON v.id = l.variant_id WHERE v.product_id = products.id"
        " AND l.quantity_available > 0 AND l.recalled_at IS NULL)")
    db.commit()
    if analyze:
        db.execute("ANALYZE")
        db.commit()
    db.close()


if __name__ == "__main__":
    main()
