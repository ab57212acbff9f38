-- Seeds a benchmark catalog straight into PostgreSQL: :n listed products in the three provinces
-- the benchmark filters on (01, 40, 79), plus n/10 more elsewhere, some of them under an expired
-- certificate, so that the filter and the listing rule have something to reject.
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

-- Listed products: producers in 01, 40, 79 (ids with id % 5 in 1, 2, 3 → provinces 40, 79, 91…).
WITH p AS (
  SELECT g, (SELECT id FROM producers WHERE province_code IN ('01','40','79') ORDER BY id
             OFFSET (g % 300) LIMIT 1) AS producer_id
  FROM generate_series(1, :n) g
)
INSERT INTO products (producer_id, certificate_id, category_code, slug, name, name_folded, search_text, description,
                      status, origin_province_code, min_price, max_price, created_at, updated_at, published_at)
SELECT p.producer_id, p.producer_id, 'I.4.a', 'san-pham-bench-' || p.g, 'Nước mắm bench ' || p.g,
       'nuoc mam bench ' || p.g, 'nuoc mam bench ' || p.g, 'Mô tả sản phẩm ' || p.g, 'PUBLISHED',
       pr.province_code, 0, 0, now(), now(), now()
FROM p JOIN producers pr ON pr.id = p.producer_id;

-- Others: elsewhere, or under the expired certificate.
INSERT INTO products (producer_id, certificate_id, category_code, slug, name, name_folded, search_text, description,
                      status, origin_province_code, min_price, max_price, created_at, updated_at, published_at)
SELECT pr.id, CASE WHEN g % 2 = 0 THEN pr.id ELSE pr.id + 500 END, 'I.4.a', 'san-pham-khac-' || g,
       'Sản phẩm khác ' || g, 'san pham khac ' || g, 'san pham khac ' || g, 'Mô tả', 'PUBLISHED',
       CASE WHEN g % 2 = 0 THEN '91' ELSE pr.province_code END, 0, 0, now(), now(), now()
FROM generate_series(1, :n / 10) g JOIN producers pr ON pr.id = 1 + g % 500;

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
