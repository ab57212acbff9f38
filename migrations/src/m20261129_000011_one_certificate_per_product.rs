use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An OCOP certificate backs one product, and the product's category is the certificate's:
/// one certificate could back any number of products in any category, so goods never rated
/// could show OCOP stars. Products that shared a certificate keep the oldest on it; each other
/// one gets a copy of the certificate awaiting ADMIN's review (SUBMITTED), so it leaves the
/// listing until someone confirms it is certified. Then a unique index holds the rule.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
INSERT INTO ocop_certificates (producer_id, product_name, category_code, stars, score,
    decision_number, issued_by, issued_on, valid_until, document_url, status, review_note,
    reviewed_by, reviewed_at, created_at)
SELECT c.producer_id, p.name, c.category_code, c.stars, c.score, c.decision_number,
    c.issued_by, c.issued_on, c.valid_until, c.document_url, 'SUBMITTED',
    'copy-for-product:' || CAST(p.id AS TEXT), NULL, NULL, c.created_at
FROM products p JOIN ocop_certificates c ON c.id = p.certificate_id
WHERE p.id > (SELECT MIN(q.id) FROM products q WHERE q.certificate_id = p.certificate_id);
UPDATE products SET certificate_id =
    (SELECT c.id FROM ocop_certificates c
      WHERE c.review_note = 'copy-for-product:' || CAST(products.id AS TEXT))
WHERE EXISTS (SELECT 1 FROM ocop_certificates c
      WHERE c.review_note = 'copy-for-product:' || CAST(products.id AS TEXT));
UPDATE ocop_certificates SET review_note =
    'Bản sao tạo khi mỗi giấy chứng nhận chỉ dùng cho một sản phẩm: cần xét duyệt lại cho sản phẩm này.'
WHERE review_note LIKE 'copy-for-product:%';
UPDATE products SET category_code =
    (SELECT c.category_code FROM ocop_certificates c WHERE c.id = products.certificate_id);
DROP INDEX IF EXISTS products_certificate_id_idx;
CREATE UNIQUE INDEX products_certificate_key ON products (certificate_id);
"#,
        )
        .await
    }
}
