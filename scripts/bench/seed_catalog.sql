-- Seeds a benchmark catalog straight into PostgreSQL: about :n listed products in the three
-- provinces 01, 40 and 79, named after ten OCOP product kinds (so searches differ in what they
-- find), plus n/10 more that a province filter or the listing rule rejects (elsewhere, or under
-- an expired certificate), interleaved by id as a real catalog would be. Each product has its
-- own certificate (3, 4 or 5 stars), two variants (one product in five a third, priced between)
-- and a lot each; one variant in seven is sold out. The caller decides whether to ANALYZE.
-- Usage: psql -v n=10000 -f seed_catalog.sql
\set ON_ERROR_STOP on
BEGIN;
TRUNCATE lots, variants, product_images, products, ocop_certificates, producer_members, producers,
         search_price_bounds, search_price_edges RESTART IDENTITY CASCADE;

-- 500 producers; those whose id is 0, 1 or 2 modulo 5 are in 01, 40 and 79.
INSERT INTO producers (name, slug, kind, province_code, address, verified, verified_at, search_text, created_at)
SELECT 'Hợp tác xã Bench ' || g, 'htx-bench-' || g, 'COOPERATIVE',
       (ARRAY['01','40','79','91','66'])[1 + g % 5], 'Thôn ' || g, true, now(), 'hop tac xa bench ' || g, now()
FROM generate_series(1, 500) g;

CREATE TEMP TABLE seed AS
SELECT g,
       g % 11 = 0 AS reject,
       -- One of the 297 producers in 01/40/79, spread evenly.
       5 * ((g % 297) / 3) + (g % 297) % 3 + 5 AS producer_id,
       1 + g % 10 AS kind
FROM generate_series(1, :n + :n / 10) g;

INSERT INTO ocop_certificates (producer_id, product_name, category_code, stars, score, decision_number, issued_by,
                               issued_on, valid_until, status, reviewed_at, created_at)
SELECT producer_id, 'Sản phẩm ' || g, 'I.4.a', 3 + g % 3, NULL, g || '/QĐ-UBND', 'UBND tỉnh',
       CASE WHEN reject AND g % 2 = 1 THEN DATE '2021-01-01' ELSE current_date - 200 END,
       CASE WHEN reject AND g % 2 = 1 THEN DATE '2024-01-01' ELSE current_date + 895 END,
       'VERIFIED', now(), now()
FROM seed ORDER BY g;

INSERT INTO products (producer_id, certificate_id, category_code, slug, name, name_folded, search_text, description,
                      status, origin_province_code, min_price, max_price, stars, listed_until, created_at, updated_at, published_at)
SELECT s.producer_id, s.g, 'I.4.a', 'san-pham-bench-' || s.g,
       (ARRAY['Nước mắm','Mật ong','Trà shan tuyết','Cà phê','Gạo ST25','Bưởi','Nấm linh chi','Miến dong','Tương bần','Rượu cần'])[s.kind] || ' bench ' || s.g,
       (ARRAY['nuoc mam','mat ong','tra shan tuyet','ca phe','gao st25','buoi','nam linh chi','mien dong','tuong ban','ruou can'])[s.kind] || ' bench ' || s.g,
       (ARRAY['nuoc mam','mat ong','tra shan tuyet','ca phe','gao st25','buoi','nam linh chi','mien dong','tuong ban','ruou can'])[s.kind] || ' bench ' || s.g,
       'Mô tả sản phẩm ' || s.g, 'PUBLISHED',
       CASE WHEN s.reject AND s.g % 2 = 0 THEN '91' ELSE pr.province_code END, 0, 0, 3 + s.g % 3,
       -- The listing copy of the certificate's validity (what catalog::listing::refresh keeps).
       CASE WHEN s.reject AND s.g % 2 = 1 THEN DATE '2024-01-01' ELSE current_date + 895 END, now(), now(), now()
FROM seed s JOIN producers pr ON pr.id = s.producer_id ORDER BY s.g;

-- Each variant with its product's listing facts (the copy catalog::listing::refresh keeps).
INSERT INTO variants (product_id, producer_id, sku, gtin, name, price, weight_grams, created_at, updated_at,
                      listed_until, origin_province_code, stars, search_text)
SELECT id, producer_id, 'B-' || id || '-1', NULL, 'Chai 500 ml', 50000 + (id % 50) * 1000, 800, now(), now(),
       listed_until, origin_province_code, stars, search_text FROM products;
INSERT INTO variants (product_id, producer_id, sku, gtin, name, price, weight_grams, created_at, updated_at,
                      listed_until, origin_province_code, stars, search_text)
SELECT id, producer_id, 'B-' || id || '-2', NULL, 'Can 2 lít', 180000 + (id % 50) * 1000, 2300, now(), now(),
       listed_until, origin_province_code, stars, search_text FROM products;
INSERT INTO variants (product_id, producer_id, sku, gtin, name, price, weight_grams, created_at, updated_at,
                      listed_until, origin_province_code, stars, search_text)
SELECT id, producer_id, 'B-' || id || '-3', NULL, 'Hộp quà 3 chai', 120000 + (id % 50) * 1000, 1500, now(), now(),
       listed_until, origin_province_code, stars, search_text FROM products WHERE id % 5 = 0;
UPDATE products p SET min_price = v.mn, max_price = v.mx, variant_count = v.n
FROM (SELECT product_id, MIN(price) mn, MAX(price) mx, COUNT(*) n FROM variants GROUP BY product_id) v
WHERE v.product_id = p.id;

INSERT INTO lots (variant_id, lot_number, produced_on, expires_on, quantity_produced, quantity_available, created_at)
SELECT id, 'L-' || id, current_date - 10, current_date + 700, 100,
       CASE WHEN id % 7 = 0 THEN 0 ELSE 100 END, now() FROM variants;
-- The stock copy (what catalog::stock::settle keeps): the latest expiry of lots holding units.
UPDATE products p SET stock_until = s.until
FROM (SELECT v.product_id, MAX(COALESCE(l.expires_on, DATE '9999-12-31')) AS until
      FROM lots l JOIN variants v ON v.id = l.variant_id
      WHERE l.quantity_available > 0 AND l.recalled_at IS NULL GROUP BY v.product_id) s
WHERE s.product_id = p.id;
COMMIT;
