-- Seeds a benchmark catalog straight into PostgreSQL: about :n listed products in the three
-- provinces the benchmark filters on (01, 40, 79), plus n/10 more that the filter or the listing
-- rule rejects, so that both have something to do.
-- Usage: psql -v n=10000 -f seed_catalog.sql
\set ON_ERROR_STOP on
BEGIN;
TRUNCATE lots, variants, product_images, products, ocop_certificates, producer_members, producers RESTART IDENTITY CASCADE;

INSERT INTO producers (name, slug, kind, province_code, address, verified, verified_at, search_text, created_at)
SELECT 'Hợp tác xã Bench ' || g, 'htx-bench-' || g, 'COOPERATIVE',
       (ARRAY['01','40','79','91','66'])[1 + g % 5], 'Thôn ' || g, true, now(), 'hop tac xa bench ' || g, now()
FROM generate_series(1, 500) g;

-- One valid certificate per producer (3, 4 or 5 stars) and one expired one.
INSERT INTO ocop_certificates (producer_id, product_name, category_code, stars, score, decision_number, issued_by,
                               issued_on, valid_until, status, reviewed_at, created_at)
SELECT id, 'Sản phẩm ' || id, 'I.4.a', 3 + id % 3, NULL, id || '/QĐ-UBND', 'UBND tỉnh', current_date - 200,
       current_date + 895, 'VERIFIED', now(), now()
FROM producers;
INSERT INTO ocop_certificates (producer_id, product_name, category_code, stars, score, decision_number, issued_by,
                               issued_on, valid_until, status, reviewed_at, created_at)
SELECT id, 'Sản phẩm cũ ' || id, 'I.4.a', 4, NULL, id || '/QĐ-UBND-2021', 'UBND tỉnh', DATE '2021-01-01',
       DATE '2024-01-01', 'VERIFIED', now(), now()
FROM producers;

-- n listed products in 01/40/79, and after every tenth of them one that the filter or the
-- listing rule rejects (elsewhere, or under the expired certificate), interleaved by id as a
-- real catalog would be.
WITH g AS (
  SELECT g, g % 11 = 0 AS reject,
         (SELECT id FROM producers WHERE province_code IN ('01','40','79') ORDER BY id OFFSET (g % 300) LIMIT 1) AS producer_id
  FROM generate_series(1, :n + :n / 10) g
)
INSERT INTO products (producer_id, certificate_id, category_code, slug, name, name_folded, search_text, description,
                      status, origin_province_code, min_price, max_price, created_at, updated_at, published_at)
SELECT g.producer_id,
       CASE WHEN g.reject AND g.g % 2 = 1 THEN g.producer_id + 500 ELSE g.producer_id END,
       'I.4.a', 'san-pham-bench-' || g.g, 'Nước mắm bench ' || g.g, 'nuoc mam bench ' || g.g,
       'nuoc mam bench ' || g.g, 'Mô tả sản phẩm ' || g.g, 'PUBLISHED',
       CASE WHEN g.reject AND g.g % 2 = 0 THEN '91' ELSE pr.province_code END, 0, 0, now(), now(), now()
FROM g JOIN producers pr ON pr.id = g.producer_id ORDER BY g.g;

INSERT INTO variants (product_id, producer_id, sku, gtin, name, price, weight_grams, created_at, updated_at)
SELECT id, producer_id, 'B-' || id || '-1', NULL, 'Chai 500 ml', 50000 + (id % 50) * 1000, 800, now(), now() FROM products;
INSERT INTO variants (product_id, producer_id, sku, gtin, name, price, weight_grams, created_at, updated_at)
SELECT id, producer_id, 'B-' || id || '-2', NULL, 'Can 2 lít', 180000 + (id % 50) * 1000, 2300, now(), now() FROM products;
UPDATE products p SET min_price = v.mn, max_price = v.mx
FROM (SELECT product_id, MIN(price) mn, MAX(price) mx FROM variants GROUP BY product_id) v WHERE v.product_id = p.id;

INSERT INTO lots (variant_id, lot_number, produced_on, expires_on, quantity_produced, quantity_available, created_at)
SELECT id, 'L-' || id, current_date - 10, current_date + 700, 100, 100, now() FROM variants;
COMMIT;
ANALYZE;
