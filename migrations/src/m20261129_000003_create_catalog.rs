use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// OCOP categories (group → sub-group) as DOMAIN.md lists them: (code, group, name).
const CATEGORIES: &[(&str, &str, &str)] = &[
    ("I.1.a", "Thực phẩm tươi sống", "Rau, củ, quả, hạt"),
    ("I.1.b", "Thực phẩm tươi sống", "Thịt, cá, trứng, sữa"),
    ("I.2.a", "Thực phẩm thô, sơ chế", "Gạo, ngũ cốc"),
    ("I.2.b", "Thực phẩm thô, sơ chế", "Mật ong, khác"),
    ("I.3.a", "Thực phẩm chế biến", "Ăn nhanh"),
    ("I.3.b", "Thực phẩm chế biến", "Chế biến từ ngũ cốc"),
    ("I.3.c", "Thực phẩm chế biến", "Chế biến từ rau quả"),
    (
        "I.3.d",
        "Thực phẩm chế biến",
        "Chế biến từ thịt, trứng, sữa, thủy sản, mật ong",
    ),
    ("I.4.a", "Gia vị", "Nước chấm, nước mắm"),
    ("I.4.b", "Gia vị", "Gia vị khác"),
    ("I.5.a", "Chè", "Chè"),
    ("I.5.b", "Chè", "Trà từ thực vật khác"),
    ("I.6", "Cà phê, ca cao", "Cà phê, ca cao"),
    ("II.1.a", "Đồ uống có cồn", "Rượu trắng"),
    ("II.1.b", "Đồ uống có cồn", "Đồ uống có cồn khác"),
    (
        "II.2.a",
        "Đồ uống không cồn",
        "Nước khoáng, nước uống đóng chai",
    ),
    ("II.2.b", "Đồ uống không cồn", "Đồ uống không cồn khác"),
    (
        "III.1",
        "Thảo dược",
        "Thực phẩm chức năng, thuốc dược liệu, thuốc y học cổ truyền",
    ),
    ("III.2", "Thảo dược", "Mỹ phẩm từ thảo dược"),
    ("III.3", "Thảo dược", "Tinh dầu, thảo dược khác"),
    ("IV.1", "Thủ công mỹ nghệ", "Đồ gia dụng, trang trí"),
    ("IV.2", "Thủ công mỹ nghệ", "Vải, may mặc"),
    ("V.1", "Sinh vật cảnh", "Hoa"),
    ("V.2", "Sinh vật cảnh", "Cây cảnh"),
    ("V.3", "Sinh vật cảnh", "Động vật cảnh"),
    (
        "VI.1",
        "Dịch vụ du lịch",
        "Du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
CREATE TABLE ocop_categories (
    code TEXT PRIMARY KEY,
    group_name TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE producers (
    id {pk},
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    tax_code TEXT,
    province_code TEXT NOT NULL REFERENCES provinces (code),
    commune_code TEXT REFERENCES communes (code),
    address TEXT NOT NULL,
    phone TEXT,
    description TEXT,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    verified_at {ts},
    search_text TEXT NOT NULL,
    created_at {ts} NOT NULL,
    CONSTRAINT producers_slug_key UNIQUE (slug)
);
CREATE INDEX producers_province_code_idx ON producers (province_code);
CREATE INDEX producers_commune_code_idx ON producers (commune_code);

CREATE TABLE producer_members (
    producer_id BIGINT NOT NULL REFERENCES producers (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    created_at {ts} NOT NULL,
    CONSTRAINT producer_members_pkey PRIMARY KEY (producer_id, user_id)
);
CREATE INDEX producer_members_user_id_idx ON producer_members (user_id);

CREATE TABLE ocop_certificates (
    id {pk},
    producer_id BIGINT NOT NULL REFERENCES producers (id),
    product_name TEXT NOT NULL,
    category_code TEXT NOT NULL REFERENCES ocop_categories (code),
    stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    score INTEGER CHECK (score BETWEEN 0 AND 100),
    decision_number TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_on {date} NOT NULL,
    valid_until {date} NOT NULL,
    document_url TEXT,
    status TEXT NOT NULL,
    review_note TEXT,
    reviewed_by BIGINT REFERENCES users (id),
    reviewed_at {ts},
    created_at {ts} NOT NULL
);
CREATE INDEX ocop_certificates_producer_id_idx ON ocop_certificates (producer_id);
CREATE INDEX ocop_certificates_category_code_idx ON ocop_certificates (category_code);
CREATE INDEX ocop_certificates_reviewed_by_idx ON ocop_certificates (reviewed_by);
CREATE INDEX ocop_certificates_status_idx ON ocop_certificates (status, id);

CREATE TABLE products (
    id {pk},
    producer_id BIGINT NOT NULL REFERENCES producers (id),
    certificate_id BIGINT NOT NULL REFERENCES ocop_certificates (id),
    category_code TEXT NOT NULL REFERENCES ocop_categories (code),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    search_text TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    origin_province_code TEXT NOT NULL REFERENCES provinces (code),
    origin_commune_code TEXT REFERENCES communes (code),
    origin_place TEXT,
    min_price BIGINT NOT NULL DEFAULT 0,
    max_price BIGINT NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    published_at {ts},
    CONSTRAINT products_slug_key UNIQUE (slug)
);
CREATE INDEX products_producer_id_idx ON products (producer_id, id);
CREATE INDEX products_certificate_id_idx ON products (certificate_id);
CREATE INDEX products_category_code_idx ON products (category_code);
CREATE INDEX products_origin_province_idx ON products (origin_province_code, status, id);
CREATE INDEX products_origin_commune_code_idx ON products (origin_commune_code);
CREATE INDEX products_status_id_idx ON products (status, id);
CREATE INDEX products_status_price_idx ON products (status, min_price, id);

CREATE TABLE product_images (
    id {pk},
    product_id BIGINT NOT NULL REFERENCES products (id),
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    alt TEXT
);
CREATE INDEX product_images_product_id_idx ON product_images (product_id, position);

CREATE TABLE variants (
    id {pk},
    product_id BIGINT NOT NULL REFERENCES products (id),
    producer_id BIGINT NOT NULL REFERENCES producers (id),
    sku TEXT NOT NULL,
    gtin TEXT,
    name TEXT NOT NULL,
    price BIGINT NOT NULL CHECK (price > 0),
    compare_at_price BIGINT CHECK (compare_at_price > 0),
    weight_grams INTEGER CHECK (weight_grams > 0),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT variants_producer_sku_key UNIQUE (producer_id, sku)
);
CREATE INDEX variants_product_id_idx ON variants (product_id, id);

-- Stock enters the platform only through lots (harvest or production batches). The
-- traceability crate adds trace codes and events to this table; the catalog reads it to tell
-- what is available.
CREATE TABLE lots (
    id {pk},
    variant_id BIGINT NOT NULL REFERENCES variants (id),
    lot_number TEXT NOT NULL,
    produced_on {date} NOT NULL,
    expires_on {date},
    quantity_produced BIGINT NOT NULL CHECK (quantity_produced > 0),
    quantity_available BIGINT NOT NULL CHECK (quantity_available >= 0 AND quantity_available <= quantity_produced),
    recalled_at {ts},
    created_at {ts} NOT NULL,
    CONSTRAINT lots_variant_lot_number_key UNIQUE (variant_id, lot_number)
);
"#,
        )
        .await?;

        let mut q = Query::insert()
            .into_table("ocop_categories")
            .columns(["code", "group_name", "name"])
            .to_owned();
        for (code, group, name) in CATEGORIES {
            q.values_panic([(*code).into(), (*group).into(), (*name).into()]);
        }
        let db = manager.get_connection();
        use sea_orm_migration::sea_orm::ConnectionTrait;
        db.execute_raw(db.get_database_backend().build(&q)).await?;
        Ok(())
    }
}
