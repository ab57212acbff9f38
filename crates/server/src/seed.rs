//! The demo catalog: a few verified cooperatives in different provinces, certificates of 3, 4
//! and 5 stars (one expired, one waiting for review), about 30 products with Vietnamese names,
//! lots with stock, and three accounts whose credentials the start-up banner prints.
//!
//! Seeded automatically only into a new SQLite database; on PostgreSQL only by `seed-demo`.
//! Running it twice changes nothing the second time.

use chrono::NaiveDate;
use kernel::Viewer;
use kernel::domain::gtin_check_digit;
use kernel::sql::Sql;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::BoxError;

pub const ADMIN_EMAIL: &str = "admin@cho-ocop.vn";
pub const ADMIN_PASSWORD: &str = "quantri-ocop-2026";
pub const SELLER_EMAIL: &str = "htx@cho-ocop.vn";
pub const SELLER_PASSWORD: &str = "hoptacxa-ocop-2026";
pub const BUYER_EMAIL: &str = "khach@cho-ocop.vn";
pub const BUYER_PASSWORD: &str = "muahang-ocop-2026";

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub products: usize,
    pub listed_example_slug: Option<String>,
    /// The trace code of a listed demo lot, for the banner.
    pub trace_code: Option<String>,
}

struct DemoProducer {
    name: &'static str,
    kind: &'static str,
    province: &'static str,
    commune: &'static str,
    address: &'static str,
    tax_code: &'static str,
    verified: bool,
    cert: DemoCert,
    products: &'static [DemoProduct],
}

struct DemoCert {
    product_name: &'static str,
    category: &'static str,
    stars: i32,
    score: i32,
    decision: &'static str,
    issued_by: &'static str,
    issued_on: (i32, u32, u32),
    /// Approved by the admin (else left SUBMITTED for review).
    approved: bool,
}

struct DemoProduct {
    name: &'static str,
    description: &'static str,
    place: &'static str,
    /// (variant name, price in đồng, weight in grams, stock)
    variants: &'static [(&'static str, i64, i32, i64)],
    /// Days until the lot expires; `None` for goods without expiry.
    shelf_days: Option<i64>,
    publish: bool,
}

const fn p(
    name: &'static str,
    description: &'static str,
    place: &'static str,
    variants: &'static [(&'static str, i64, i32, i64)],
    shelf_days: Option<i64>,
) -> DemoProduct {
    DemoProduct {
        name,
        description,
        place,
        variants,
        shelf_days,
        publish: true,
    }
}

const PRODUCERS: &[DemoProducer] = &[
    DemoProducer {
        name: "Hợp tác xã Nước mắm Phú Quốc Khải Hoàn",
        kind: "COOPERATIVE",
        province: "91",
        commune: "31078",
        address: "Tổ 3, khu phố 7, đặc khu Phú Quốc",
        tax_code: "1702034567",
        verified: true,
        cert: DemoCert {
            product_name: "Nước mắm Phú Quốc",
            category: "I.4.a",
            stars: 5,
            score: 92,
            decision: "1287/QĐ-BNNMT",
            issued_by: "Bộ Nông nghiệp và Môi trường",
            issued_on: (2025, 9, 15),
            approved: true,
        },
        products: &[
            p(
                "Nước mắm Phú Quốc cá cơm 40 độ đạm",
                "Nước mắm nhĩ ủ chượp 12 tháng trong thùng gỗ bời lời, chỉ từ cá cơm than và muối biển.",
                "Nhà thùng Khải Hoàn, An Thới",
                &[
                    ("Chai thủy tinh 500 ml", 125_000, 800, 120),
                    ("Can 2 lít", 420_000, 2300, 40),
                ],
                Some(720),
            ),
            p(
                "Nước mắm Phú Quốc 43 độ đạm thượng hạng",
                "Giọt nhĩ đầu tiên, màu cánh gián, hậu vị ngọt sâu.",
                "Nhà thùng Khải Hoàn, An Thới",
                &[("Chai thủy tinh 250 ml", 155_000, 450, 60)],
                Some(720),
            ),
            p(
                "Nước mắm tỏi ớt Phú Quốc",
                "Nước mắm 35 độ đạm pha sẵn tỏi ớt, chấm hải sản.",
                "Xưởng chế biến Dương Đông",
                &[("Chai 300 ml", 65_000, 450, 200)],
                Some(365),
            ),
            p(
                "Nước mắm cá cơm cho bé 30 độ đạm",
                "Độ mặn dịu, đóng chai nhỏ cho bữa ăn dặm.",
                "Nhà thùng Khải Hoàn, An Thới",
                &[("Chai 150 ml", 59_000, 250, 150)],
                Some(540),
            ),
            p(
                "Mắm ruốc Phú Quốc",
                "Ruốc biển ủ muối, xay mịn.",
                "Xưởng chế biến Dương Đông",
                &[("Hũ 250 g", 48_000, 320, 90)],
                Some(300),
            ),
        ],
    },
    DemoProducer {
        name: "Hợp tác xã Chè Tân Cương Hoàng Bình",
        kind: "COOPERATIVE",
        province: "19",
        commune: "05503",
        address: "Xóm Hồng Thái 2, xã Tân Cương",
        tax_code: "4601234578",
        verified: true,
        cert: DemoCert {
            product_name: "Chè búp Tân Cương",
            category: "I.5.a",
            stars: 4,
            score: 78,
            decision: "2156/QĐ-UBND",
            issued_by: "UBND tỉnh Thái Nguyên",
            issued_on: (2024, 6, 20),
            approved: true,
        },
        products: &[
            p(
                "Chè búp Tân Cương đặc biệt",
                "Một tôm hai lá, sao chảo gang thủ công, nước xanh vàng, hương cốm.",
                "Đồi chè Hồng Thái",
                &[
                    ("Túi 200 g", 180_000, 220, 80),
                    ("Hộp quà 500 g", 480_000, 650, 25),
                ],
                Some(540),
            ),
            p(
                "Chè móc câu Thái Nguyên",
                "Búp non xoăn như móc câu, vị chát dịu, hậu ngọt.",
                "Đồi chè Hồng Thái",
                &[("Túi 500 g", 250_000, 520, 70)],
                Some(540),
            ),
            p(
                "Chè nõn tôm Tân Cương",
                "Chỉ hái phần nõn, vị thanh, rất ít chát.",
                "Đồi chè Hồng Thái",
                &[("Hộp 100 g", 320_000, 180, 30)],
                Some(540),
            ),
            p(
                "Trà xanh túi lọc Tân Cương",
                "Chè xanh nghiền, túi lọc giấy không tẩy trắng.",
                "Xưởng Hoàng Bình",
                &[("Hộp 25 túi", 55_000, 80, 300)],
                Some(720),
            ),
        ],
    },
    DemoProducer {
        name: "Hợp tác xã Cà phê Ea Tul Buôn Ma Thuột",
        kind: "COOPERATIVE",
        province: "66",
        commune: "24133",
        address: "Số 12 đường Y Jút, phường Buôn Ma Thuột",
        tax_code: "6001122334",
        verified: true,
        cert: DemoCert {
            product_name: "Cà phê rang xay Ea Tul",
            category: "I.6",
            stars: 4,
            score: 82,
            decision: "3012/QĐ-UBND",
            issued_by: "UBND tỉnh Đắk Lắk",
            issued_on: (2025, 3, 10),
            approved: true,
        },
        products: &[
            p(
                "Cà phê Robusta rang mộc Buôn Ma Thuột",
                "Hạt chín đỏ hái tay, rang mộc không tẩm, đậm và thơm socola.",
                "Vườn cà phê Ea Tul",
                &[
                    ("Gói 500 g xay phin", 145_000, 520, 150),
                    ("Gói 1 kg hạt", 270_000, 1030, 60),
                ],
                Some(365),
            ),
            p(
                "Cà phê Arabica Cầu Đất",
                "Arabica chế biến ướt, chua thanh, hương trái cây.",
                "Vườn cà phê Ea Tul",
                &[("Gói 250 g hạt", 165_000, 260, 50)],
                Some(365),
            ),
            p(
                "Cà phê phin giấy Ea Tul",
                "Phin giấy tiện dụng, mỗi gói một ly.",
                "Xưởng rang Ea Tul",
                &[("Hộp 10 gói", 95_000, 150, 200)],
                Some(365),
            ),
            p(
                "Bột ca cao nguyên chất Đắk Lắk",
                "Ca cao lên men, rang nhẹ, không đường.",
                "Xưởng rang Ea Tul",
                &[("Hũ 300 g", 135_000, 380, 45)],
                Some(540),
            ),
            p(
                "Cà phê chồn Buôn Ma Thuột",
                "Hạt tuyển, sơ chế tự nhiên, dành biếu tặng.",
                "Vườn cà phê Ea Tul",
                &[("Hộp gỗ 250 g", 890_000, 500, 10)],
                Some(365),
            ),
        ],
    },
    DemoProducer {
        name: "Công ty TNHH Đặc sản Langbiang Đà Lạt",
        kind: "ENTERPRISE",
        province: "68",
        commune: "24846",
        address: "45 Lang Biang, phường Lang Biang - Đà Lạt",
        tax_code: "5801345678",
        verified: true,
        cert: DemoCert {
            product_name: "Trà atiso Đà Lạt",
            category: "I.5.b",
            stars: 4,
            score: 75,
            decision: "145/QĐ-UBND",
            issued_by: "UBND tỉnh Lâm Đồng",
            issued_on: (2025, 1, 15),
            approved: true,
        },
        products: &[
            p(
                "Trà atiso túi lọc Đà Lạt",
                "Thân, rễ, hoa atiso sấy lạnh, túi lọc.",
                "Trang trại Langbiang",
                &[("Hộp 50 túi", 85_000, 150, 250)],
                Some(540),
            ),
            p(
                "Cao atiso Đà Lạt",
                "Cao mềm cô đặc từ lá và bông atiso tươi.",
                "Xưởng Langbiang",
                &[("Hũ 200 g", 160_000, 300, 70)],
                Some(365),
            ),
            p(
                "Mứt dâu tây Đà Lạt",
                "Dâu tây chín cây, ít đường, không phẩm màu.",
                "Vườn dâu Lang Biang",
                &[("Hũ 250 g", 75_000, 330, 90)],
                Some(180),
            ),
            p(
                "Hồng treo gió Đà Lạt",
                "Hồng trứng treo gió theo cách người Nhật, dẻo ngọt.",
                "Vườn hồng Lang Biang",
                &[("Hộp 500 g", 210_000, 550, 40)],
                Some(90),
            ),
            p(
                "Trà hoa atiso đỏ",
                "Đài hoa atiso đỏ sấy, vị chua nhẹ, màu đỏ đẹp.",
                "Trang trại Langbiang",
                &[("Túi 100 g", 60_000, 120, 110)],
                Some(540),
            ),
        ],
    },
    DemoProducer {
        name: "Hợp tác xã Lúa gạo Cù Lao Dung",
        kind: "COOPERATIVE",
        province: "92",
        commune: "31633",
        address: "Ấp Phước Hòa, xã Cù Lao Dung",
        tax_code: "2200456789",
        verified: true,
        cert: DemoCert {
            product_name: "Gạo ST25 Cù Lao Dung",
            category: "I.2.a",
            stars: 5,
            score: 91,
            decision: "877/QĐ-BNNMT",
            issued_by: "Bộ Nông nghiệp và Môi trường",
            issued_on: (2025, 6, 1),
            approved: true,
        },
        products: &[
            p(
                "Gạo ST25 Cù Lao Dung",
                "Gạo thơm ST25 vụ đông xuân, hạt dài, cơm dẻo thơm lá dứa.",
                "Cánh đồng ấp Phước Hòa",
                &[
                    ("Túi 5 kg", 195_000, 5050, 300),
                    ("Túi 2 kg", 82_000, 2030, 200),
                ],
                None,
            ),
            p(
                "Gạo ST25 hữu cơ tôm lúa",
                "Canh tác luân canh tôm – lúa, không thuốc bảo vệ thực vật.",
                "Ruộng tôm lúa Phước Hòa",
                &[("Túi 2 kg", 110_000, 2030, 120)],
                None,
            ),
            p(
                "Gạo lứt tím than",
                "Gạo lứt giàu chất xơ, nấu cơm hoặc rang làm trà.",
                "Cánh đồng ấp Phước Hòa",
                &[("Túi 1 kg", 65_000, 1020, 150)],
                None,
            ),
            p(
                "Bánh tráng gạo ST25",
                "Bánh tráng phơi sương làm từ gạo ST25.",
                "Lò bánh Phước Hòa",
                &[("Xấp 500 g", 45_000, 520, 100)],
                Some(180),
            ),
        ],
    },
    DemoProducer {
        name: "Hộ kinh doanh Long nhãn Phố Hiến",
        kind: "HOUSEHOLD_BUSINESS",
        province: "33",
        commune: "11953",
        address: "Số 8 phố Nguyễn Thiện Thuật, phường Phố Hiến",
        tax_code: "0900123456",
        verified: true,
        cert: DemoCert {
            product_name: "Long nhãn Phố Hiến",
            category: "I.3.c",
            stars: 3,
            score: 58,
            decision: "1602/QĐ-UBND",
            issued_by: "UBND tỉnh Hưng Yên",
            issued_on: (2024, 9, 1),
            approved: true,
        },
        products: &[
            p(
                "Long nhãn sấy Phố Hiến",
                "Cùi nhãn lồng sấy than củi, dày, ngọt đậm.",
                "Vườn nhãn Phố Hiến",
                &[("Túi 500 g", 150_000, 520, 80)],
                Some(365),
            ),
            p(
                "Nhãn lồng Hưng Yên tươi",
                "Nhãn lồng chín cây, thu hái trong ngày.",
                "Vườn nhãn Phố Hiến",
                &[("Thùng 3 kg", 180_000, 3200, 50)],
                Some(10),
            ),
            p(
                "Chè long nhãn hạt sen",
                "Long nhãn và hạt sen sấy, nấu chè hoặc hãm trà.",
                "Vườn nhãn Phố Hiến",
                &[("Túi 300 g", 95_000, 320, 60)],
                Some(365),
            ),
        ],
    },
    DemoProducer {
        name: "Hợp tác xã Mật ong bạc hà Mèo Vạc",
        kind: "COOPERATIVE",
        province: "08",
        commune: "00769",
        address: "Thôn Tả Lủng, xã Mèo Vạc",
        tax_code: "5100234561",
        verified: true,
        cert: DemoCert {
            // Issued 2022-10-10: expired 2025-10-10, so these products are not listed.
            product_name: "Mật ong bạc hà Mèo Vạc",
            category: "I.2.b",
            stars: 4,
            score: 73,
            decision: "1893/QĐ-UBND",
            issued_by: "UBND tỉnh Hà Giang",
            issued_on: (2022, 10, 10),
            approved: true,
        },
        products: &[
            p(
                "Mật ong bạc hà Mèo Vạc",
                "Mật ong từ hoa bạc hà cao nguyên đá, vụ tháng 10–12.",
                "Cao nguyên đá Đồng Văn",
                &[("Chai 500 ml", 350_000, 720, 40)],
                Some(720),
            ),
            p(
                "Mật ong bạc hà hũ nhỏ",
                "Hũ thủy tinh 250 ml, làm quà.",
                "Cao nguyên đá Đồng Văn",
                &[("Hũ 250 ml", 190_000, 380, 30)],
                Some(720),
            ),
        ],
    },
    DemoProducer {
        name: "Tổ hợp tác Tỏi cô đơn Lý Sơn",
        kind: "COOPERATIVE_GROUP",
        province: "51",
        commune: "21548",
        address: "Thôn Đông, đặc khu Lý Sơn",
        tax_code: "4300987654",
        verified: false,
        cert: DemoCert {
            product_name: "Tỏi cô đơn Lý Sơn",
            category: "I.1.a",
            stars: 3,
            score: 62,
            decision: "2210/QĐ-UBND",
            issued_by: "UBND tỉnh Quảng Ngãi",
            issued_on: (2025, 11, 20),
            approved: false,
        },
        products: &[DemoProduct {
            name: "Tỏi cô đơn Lý Sơn",
            description: "Tỏi một nhánh trồng trên cát núi lửa, thơm cay, chờ chứng nhận.",
            place: "Ruộng tỏi thôn Đông",
            variants: &[("Túi 500 g", 170_000, 520, 60)],
            shelf_days: Some(180),
            publish: false,
        }],
    },
];

fn gtin_for(n: u64) -> String {
    // Vietnam's GS1 prefix 893, a demo company number and an item reference.
    let body = format!("893{:09}", 123_400_000 + n);
    let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
    format!("{body}{}", gtin_check_digit(&digits))
}

fn err(e: kernel::Error) -> BoxError {
    match e {
        kernel::Error::User(u) => format!("demo seed: {} ({:?})", u.message, u.code).into(),
        kernel::Error::Top(t) => format!("demo seed: {}", t.message).into(),
        kernel::Error::Db(d) => Box::new(d),
    }
}

/// Seeds the demo catalog unless the demo admin already exists.
pub async fn seed_demo(db: &DatabaseConnection) -> Result<DemoSummary, BoxError> {
    let admin_email = kernel::domain::Email::parse(ADMIN_EMAIL).map_err(|e| e.to_string())?;
    if accounts::service::find_by_email(db, &admin_email)
        .await
        .map_err(err)?
        .is_some()
    {
        tracing::info!("demo catalog already present; nothing to seed");
        return Ok(DemoSummary {
            products: 0,
            listed_example_slug: None,
            trace_code: None,
        });
    }
    let units = catalog::units::load(db).await?;
    let txn = db.begin().await?;
    let admin = accounts::service::ensure_admin(&txn, ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .map_err(err)?;
    let seller = accounts::service::register(
        &txn,
        accounts::service::NewUser::parse(
            SELLER_EMAIL,
            SELLER_PASSWORD,
            "Chủ nhiệm HTX (demo)",
            Some("0912345678"),
        )
        .map_err(err)?,
        false,
    )
    .await
    .map_err(err)?;
    accounts::service::register(
        &txn,
        accounts::service::NewUser::parse(
            BUYER_EMAIL,
            BUYER_PASSWORD,
            "Nguyễn Thị Khách",
            Some("0987654321"),
        )
        .map_err(err)?,
        false,
    )
    .await
    .map_err(err)?;
    let admin_v = Viewer::user(admin.id, true);
    let seller_v = Viewer::user(seller.id, false);
    let today = kernel::time::today_vn();
    let mut n_products = 0;
    let mut n_variants = 0u64;
    let mut example = None;
    let mut trace_code = None;

    for dp in PRODUCERS {
        let producer = catalog::producers::create(
            &txn,
            &units,
            &seller_v,
            catalog::producers::NewProducer::parse(
                &units,
                catalog::producers::ProducerFields {
                    name: dp.name,
                    kind: dp.kind,
                    tax_code: Some(dp.tax_code),
                    province_code: dp.province,
                    commune_code: Some(dp.commune),
                    address: dp.address,
                    phone: Some("0912345678"),
                    description: None,
                },
            )
            .map_err(err)?,
        )
        .await
        .map_err(err)?;
        if dp.verified {
            catalog::producers::verify(&txn, &admin_v, producer.id)
                .await
                .map_err(err)?;
        }
        let (y, m, d) = dp.cert.issued_on;
        let cert = catalog::certificates::submit(
            &txn,
            &seller_v,
            catalog::certificates::CertificateFields {
                producer_id: producer.id,
                product_name: dp.cert.product_name,
                category_code: dp.cert.category,
                stars: dp.cert.stars,
                score: Some(dp.cert.score),
                decision_number: dp.cert.decision,
                issued_by: dp.cert.issued_by,
                issued_on: NaiveDate::from_ymd_opt(y, m, d).ok_or("bad demo date")?,
                document_url: None,
            },
        )
        .await
        .map_err(err)?;
        if dp.cert.approved {
            catalog::certificates::review(&txn, &admin_v, cert.id, true, Some("Hồ sơ đầy đủ."))
                .await
                .map_err(err)?;
        }
        for (i, dprod) in dp.products.iter().enumerate() {
            let product = catalog::products::create(
                &txn,
                &units,
                &seller_v,
                catalog::products::ProductFields {
                    producer_id: producer.id,
                    certificate_id: cert.id,
                    name: dprod.name,
                    description: dprod.description,
                    category_code: None,
                    origin: catalog::products::Origin {
                        province_code: dp.province,
                        commune_code: Some(dp.commune),
                        place: Some(dprod.place),
                    },
                    images: None,
                },
            )
            .await
            .map_err(err)?;
            n_products += 1;
            for (j, (vname, price, grams, stock)) in dprod.variants.iter().enumerate() {
                n_variants += 1;
                let sku = format!("DEMO-{}-{}-{}", producer.id, i + 1, j + 1);
                let gtin = gtin_for(n_variants);
                let variant = catalog::variants::create(
                    &txn,
                    &seller_v,
                    product.id,
                    catalog::variants::VariantFields {
                        sku: &sku,
                        name: vname,
                        price: *price,
                        compare_at_price: None,
                        gtin: Some(&gtin),
                        weight_grams: Some(*grams),
                    },
                )
                .await
                .map_err(err)?;
                // Stock enters through lots, each with its trace code and commissioning event.
                let produced = today - chrono::Duration::days(20 + j as i64);
                let expires = dprod
                    .shelf_days
                    .map(|d| produced + chrono::Duration::days(d));
                let lot = traceability::lots::create(
                    &txn,
                    &units,
                    &seller_v,
                    traceability::lots::LotFields {
                        variant_id: variant.id,
                        lot_number: &format!("L{}-{:03}", produced.format("%y%m%d"), variant.id),
                        produced_on: produced,
                        expires_on: expires,
                        quantity: *stock,
                        origin: None,
                        gln: None,
                    },
                )
                .await
                .map_err(err)?;
                // A packing and a shipping step, so the timeline shows a journey.
                for (step, days, place) in
                    [("packing", 18, dprod.place), ("shipping", 16, dp.address)]
                {
                    let at = (chrono::Utc::now() - chrono::Duration::days(days))
                        .with_timezone(&kernel::time::vn_offset());
                    let event =
                        traceability::events::NewEvent::parse(step, None, at, place, None, None)
                            .map_err(err)?;
                    traceability::events::append(&txn, &lot, event, Some(seller.id))
                        .await
                        .map_err(err)?;
                }
                if trace_code.is_none() && dprod.publish && dp.verified && dp.cert.approved {
                    trace_code = lot.trace_code.clone();
                }
            }
            if dprod.publish {
                match catalog::products::publish(&txn, &seller_v, product.id)
                    .await
                    .map_err(err)?
                {
                    Ok(published) => {
                        if example.is_none() {
                            example = Some(published.slug.clone());
                        }
                    }
                    // The expired certificate's products cannot be published: leave them as
                    // they are, but mark them PUBLISHED as if the certificate had expired
                    // after publication, to show the listing rule at read time.
                    Err(_) => {
                        let mut q = Sql::new(txn.get_database_backend());
                        q.push("UPDATE products SET status = 'PUBLISHED', published_at = ")
                            .bind(chrono::Utc::now())
                            .push(" WHERE id = ")
                            .bind(product.id);
                        txn.execute_raw(q.build()).await?;
                    }
                }
            }
        }
    }
    txn.commit().await?;
    Ok(DemoSummary {
        products: n_products,
        listed_example_slug: example,
        trace_code,
    })
}
