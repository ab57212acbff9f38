//! Traceability: lots and trace codes, the event chain, the public trace page and QR codes,
//! the GS1 Digital Link resolver, EPCIS export and scan counting.

use serde_json::{Value, json};

use crate::harness::{Fixture, TestApp};

const TRACE: &str = "query($c: String!) { trace(code: $c) { chainIntact scanCount warnings
    lot { id lotNumber traceCode digitalLink traceUrl producedOn expiresOn quantityProduced quantityAvailable recalled sellable
          events { bizStep disposition eventTime location note data hash } variant { sku } origin { province { code } } }
    product { name } producer { name } certificate { decisionNumber stars } } }";

/// A listed product whose variant has a GTIN, with one lot; returns (fixture, lot id, code).
async fn gtin_lot(app: &TestApp) -> (Fixture, String, String) {
    let f = app
        .listed_product("Nước mắm Vạn Phần", 4, 120_000, "40")
        .await;
    let d = app
        .data(
            Some(&f.owner),
            "mutation($p: ID!) { variantCreate(productId: $p, input: { sku: \"VP-500\", name: \"Chai 500 ml\", price: 95000, gtin: \"8934588012112\" }) { variant { id } } }",
            json!({ "p": f.product }),
        )
        .await;
    let variant = d["variantCreate"]["variant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = app
        .data(
            Some(&f.owner),
            "mutation($i: LotInput!) { lotCreate(input: $i) { lot { id traceCode } userErrors { code field message } } }",
            json!({ "i": { "variantId": variant, "lotNumber": "VP/2026-11", "producedOn": "2026-11-01", "expiresOn": "2028-10-31", "quantity": 500,
                            "origin": { "provinceCode": "40", "place": "Làng nghề Vạn Phần" } } }),
        )
        .await;
    assert_eq!(d["lotCreate"]["userErrors"], json!([]), "{d}");
    let lot = &d["lotCreate"]["lot"];
    (
        f,
        lot["id"].as_str().unwrap().to_owned(),
        lot["traceCode"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_lot_gets_a_checkable_code_a_digital_link_and_a_commissioning_event() {
    let app = TestApp::spawn().await;
    let (_, _, code) = gtin_lot(&app).await;
    assert!(kernel::trace_code::TraceCode::parse(&code).is_some());
    let d = app.data(None, TRACE, json!({ "c": code })).await;
    let t = &d["trace"];
    assert_eq!(t["chainIntact"], true);
    assert_eq!(t["warnings"], json!([]));
    assert_eq!(
        t["lot"]["digitalLink"],
        "http://127.0.0.1/01/08934588012112/10/VP%2F2026-11?17=281031"
    );
    assert_eq!(t["lot"]["traceUrl"], format!("http://127.0.0.1/t/{code}"));
    let ev = &t["lot"]["events"][0];
    assert_eq!(ev["bizStep"], "commissioning");
    assert_eq!(ev["disposition"], "active");
    assert_eq!(ev["location"], "Làng nghề Vạn Phần");
    assert_eq!(ev["eventTime"], "2026-11-01T07:00:00+07:00");
    assert_eq!(ev["data"]["quantity"], 500);
    assert_eq!(t["lot"]["quantityAvailable"], 500);
    assert_eq!(t["lot"]["sellable"], true);
    // Lower case, spaces and a dash are forgiven; a typo is not.
    let typed = format!("{}-{}", &code[..5].to_lowercase(), &code[5..]);
    assert_eq!(
        app.data(None, TRACE, json!({ "c": typed })).await["trace"]["lot"]["traceCode"],
        json!(code)
    );
    let mut typo = code.clone().into_bytes();
    typo[3] = if typo[3] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        app.data(
            None,
            TRACE,
            json!({ "c": String::from_utf8(typo).unwrap() })
        )
        .await["trace"],
        json!(null)
    );
    // The product lists its lots publicly.
    let lots = app
        .data(
            None,
            "{ products { nodes { lots(first: 10) { nodes { traceCode } } } } }",
            json!({}),
        )
        .await;
    let codes: Vec<&Value> = lots["products"]["nodes"][0]["lots"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["traceCode"])
        .collect();
    assert!(codes.contains(&&json!(code)));
}

#[tokio::test]
async fn events_are_validated_chained_and_a_row_edited_behind_the_api_breaks_the_chain() {
    let app = TestApp::spawn().await;
    let (f, lot, code) = gtin_lot(&app).await;
    let rec = "mutation($i: TraceEventInput!) { traceEventRecord(input: $i) { event { bizStep hash disposition } userErrors { code field message } } }";
    let d = app
        .data(Some(&f.owner), rec, json!({ "i": { "lotId": lot, "bizStep": "packing", "eventTime": "2026-11-02T09:30:00+07:00", "location": "Xưởng đóng chai", "data": { "bottles": 500 } } }))
        .await;
    assert_eq!(d["traceEventRecord"]["event"]["disposition"], "active");
    for (input, field) in [
        (
            json!({ "lotId": lot, "bizStep": "dancing", "eventTime": "2026-11-02T09:30:00+07:00", "location": "x" }),
            "bizStep",
        ),
        (
            json!({ "lotId": lot, "bizStep": "shipping", "eventTime": "2099-01-01T00:00:00+07:00", "location": "x" }),
            "eventTime",
        ),
        (
            json!({ "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "" }),
            "location",
        ),
        (
            json!({ "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "x", "data": [1, 2] }),
            "data",
        ),
        (
            json!({ "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "x", "data": { "big": "x".repeat(9000) } }),
            "data",
        ),
    ] {
        let d = app.data(Some(&f.owner), rec, json!({ "i": input })).await;
        assert_eq!(
            d["traceEventRecord"]["userErrors"][0]["code"], "INVALID",
            "{input}"
        );
        assert_eq!(
            d["traceEventRecord"]["userErrors"][0]["field"],
            json!(["input", field])
        );
    }
    // Another producer's member may not write into this lot's history.
    let stranger = app.buyer("stranger@test.vn").await;
    app.producer(&stranger, "HTX Lạ", "01").await;
    let v = app
        .gql(Some(&stranger), rec, json!({ "i": { "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "x" } }))
        .await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let t = app.data(None, TRACE, json!({ "c": code })).await;
    assert_eq!(t["trace"]["lot"]["events"].as_array().unwrap().len(), 2);
    assert_eq!(t["trace"]["chainIntact"], true);

    // Someone edits a row in the database directly.
    app.exec("UPDATE trace_events SET location = 'Nơi khác' WHERE biz_step = 'packing'")
        .await;
    let t = app.data(None, TRACE, json!({ "c": code })).await;
    assert_eq!(t["trace"]["chainIntact"], false);
    assert!(
        t["trace"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("bị sửa đổi")
    );
}

#[tokio::test]
async fn concurrent_events_on_one_lot_keep_one_linear_chain() {
    let app = TestApp::spawn().await;
    let (f, lot, code) = gtin_lot(&app).await;
    let rec = "mutation($i: TraceEventInput!) { traceEventRecord(input: $i) { event { hash } userErrors { code } } }";
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (client, addr, token, lot) = (
            app.client.clone(),
            app.addr.clone(),
            f.owner.clone(),
            lot.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let body = json!({ "query": rec, "variables": { "i": { "lotId": lot, "bizStep": "storing", "eventTime": "2026-11-03T10:00:00+07:00", "location": format!("Kho {i}") } } });
            let v: Value = client.post(format!("{addr}/graphql")).bearer_auth(token).json(&body).send().await.unwrap().json().await.unwrap();
            v
        }));
    }
    for t in tasks {
        let v = t.await.unwrap();
        assert!(
            v["data"]["traceEventRecord"]["event"]["hash"].is_string(),
            "{v}"
        );
    }
    let t = app.data(None, TRACE, json!({ "c": code })).await;
    assert_eq!(t["trace"]["lot"]["events"].as_array().unwrap().len(), 9);
    assert_eq!(t["trace"]["chainIntact"], true);
}

#[tokio::test]
async fn lots_are_validated_and_only_members_create_them() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Rau cải", 3, 30_000, "01").await;
    let create =
        "mutation($i: LotInput!) { lotCreate(input: $i) { lot { id } userErrors { code field } } }";
    let base = json!({ "variantId": f.variant, "lotNumber": "RC-01", "producedOn": "2026-11-20", "expiresOn": "2026-12-20", "quantity": 10 });
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        json!({ "i": b })
    };
    for (vars, field) in [
        (with("lotNumber", json!("lô có dấu")), "lotNumber"),
        (with("quantity", json!(0)), "quantity"),
        (with("quantity", json!(-3)), "quantity"),
        (with("expiresOn", json!("2026-11-01")), "expiresOn"),
        (with("producedOn", json!("2099-01-01")), "producedOn"),
        (with("gln", json!("8934588012113")), "gln"),
    ] {
        let d = app.data(Some(&f.owner), create, vars.clone()).await;
        assert_eq!(
            d["lotCreate"]["userErrors"][0]["field"],
            json!(["input", field]),
            "{vars}"
        );
    }
    let d = app.data(Some(&f.owner), create, json!({ "i": base })).await;
    assert_eq!(d["lotCreate"]["userErrors"], json!([]));
    let d = app.data(Some(&f.owner), create, json!({ "i": base })).await;
    assert_eq!(d["lotCreate"]["userErrors"][0]["code"], "DUPLICATE");
    let buyer = app.buyer("b@test.vn").await;
    let v = app.gql(Some(&buyer), create, json!({ "i": base })).await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let v = app.gql(None, create, json!({ "i": base })).await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn fresh_food_needs_an_expiry_date() {
    let app = TestApp::spawn().await;
    let owner = app.buyer("o@test.vn").await;
    let admin = app.admin().await;
    let producer = app.producer(&owner, "HTX Rau", "01").await;
    app.verify_producer(&admin, &producer).await;
    let d = app
        .data(Some(&owner), "mutation($i: OcopCertificateInput!) { ocopCertificateSubmit(input: $i) { certificate { id } } }",
            json!({ "i": { "producerId": producer, "productName": "Rau", "categoryCode": "I.1.a", "stars": 3, "decisionNumber": "1/QĐ", "issuedBy": "UBND", "issuedOn": "2025-05-05" } }))
        .await;
    let cert = d["ocopCertificateSubmit"]["certificate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, variant) = app
        .product(&owner, &producer, &cert, "Rau muống", 20_000, "01")
        .await;
    let d = app
        .data(Some(&owner), "mutation($i: LotInput!) { lotCreate(input: $i) { userErrors { field message } } }",
            json!({ "i": { "variantId": variant, "lotNumber": "R1", "producedOn": "2026-11-27", "quantity": 5 } }))
        .await;
    assert_eq!(
        d["lotCreate"]["userErrors"][0]["field"],
        json!(["input", "expiresOn"])
    );
}

#[tokio::test]
async fn a_recalled_lot_stops_selling_at_once_and_says_so_in_red() {
    let app = TestApp::spawn().await;
    let (f, lot, code) = gtin_lot(&app).await;
    let before = app
        .data(
            None,
            "query($id: ID!) { product(id: $id) { variants { sku available } } }",
            json!({ "id": f.product }),
        )
        .await;
    let d = app
        .data(Some(&f.owner), "mutation($id: ID!) { lotRecall(id: $id, reason: \"Phát hiện tạp chất\") { lot { recalled sellable recallReason } userErrors { code } } }", json!({ "id": lot }))
        .await;
    assert_eq!(d["lotRecall"]["lot"]["sellable"], false);
    let after = app
        .data(
            None,
            "query($id: ID!) { product(id: $id) { variants { sku available } } }",
            json!({ "id": f.product }),
        )
        .await;
    let avail = |v: &Value, sku: &str| {
        v["product"]["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["sku"] == sku)
            .unwrap()["available"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(avail(&before, "VP-500"), 500);
    assert_eq!(avail(&after, "VP-500"), 0);
    let t = app.data(None, TRACE, json!({ "c": code })).await;
    assert!(
        t["trace"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("thu hồi: Phát hiện tạp chất")
    );
    let events = t["trace"]["lot"]["events"].as_array().unwrap();
    assert_eq!(events.last().unwrap()["disposition"], "recalled");
    let html = app.get(&format!("/t/{code}")).await.text().await.unwrap();
    assert!(html.contains("class=\"warn\"") && html.contains("Phát hiện tạp chất"));
    let d = app
        .data(Some(&f.owner), "mutation($id: ID!) { lotRecall(id: $id, reason: \"lần nữa\") { userErrors { code } } }", json!({ "id": lot }))
        .await;
    assert_eq!(d["lotRecall"]["userErrors"][0]["code"], "INVALID_STATE");
}

#[tokio::test]
async fn publishing_needs_a_sellable_lot() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mắm tôm", 3, 40_000, "31").await;
    let (p, v) = app
        .product(&f.owner, &f.producer, &f.cert, "Mắm tôm chua", 45_000, "31")
        .await;
    let r = app.publish(&f.owner, &p).await;
    assert_eq!(r["userErrors"][0]["code"], "NO_SELLABLE_LOT");
    app.add_stock(&f.owner, &v, 1).await;
    assert_eq!(app.publish(&f.owner, &p).await["userErrors"], json!([]));
}

#[tokio::test]
async fn the_trace_page_escapes_what_producers_type_and_unknown_codes_get_a_helpful_404() {
    let app = TestApp::spawn().await;
    let f = app
        .listed_product("Mật ong <script>alert(1)</script>", 4, 250_000, "08")
        .await;
    let (_, code) = app.add_stock(&f.owner, &f.variant, 7).await;
    let resp = app.get(&format!("/t/{code}")).await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("Mật ong &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        html.contains("Mua sản phẩm")
            && html.contains("436/QĐ-UBND")
            && html.contains("UBND tỉnh Nghệ An")
    );
    assert!(html.contains("Thu hoạch / sản xuất"));
    assert!(html.contains("lang=\"vi\"") && html.contains("width=device-width"));
    let missing = app.get("/t/ABCDEFGHJK").await;
    assert_eq!(missing.status(), 404);
    let body = missing.text().await.unwrap();
    assert!(
        body.contains("gõ nhầm"),
        "a code with a wrong check character is called a typo"
    );
    // A well-formed code that no lot has.
    let mut rng = rand::rng();
    let unknown = kernel::trace_code::TraceCode::generate(&mut rng);
    let body = app
        .get(&format!("/t/{unknown}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains("không chính hãng"));
}

fn decode_png(bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn qr_codes_decode_to_the_digital_link_or_the_trace_url() {
    let app = TestApp::spawn().await;
    let (f, _, code) = gtin_lot(&app).await;
    let resp = app.get(&format!("/t/{code}/qr.png?size=400")).await;
    assert_eq!(resp.headers()["content-type"], "image/png");
    let decoded = decode_png(&resp.bytes().await.unwrap());
    assert_eq!(
        decoded,
        "http://127.0.0.1/01/08934588012112/10/VP%2F2026-11?17=281031"
    );
    // Without a GTIN the QR leads to the trace page.
    let (_, plain) = app.add_stock(&f.owner, &f.variant, 3).await;
    let resp = app.get(&format!("/t/{plain}/qr.png")).await;
    assert_eq!(
        decode_png(&resp.bytes().await.unwrap()),
        format!("http://127.0.0.1/t/{plain}")
    );
    let svg = app
        .get(&format!("/t/{plain}/qr.svg?size=99999"))
        .await
        .text()
        .await
        .unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
    assert_eq!(app.get("/t/ABCDEFGHJK/qr.png").await.status(), 404);
}

#[tokio::test]
async fn digital_links_resolve_to_the_trace_page() {
    let app = TestApp::spawn().await;
    let (_, _, code) = gtin_lot(&app).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in [
        "/01/08934588012112/10/VP%2F2026-11",
        "/01/8934588012112/10/VP%2F2026-11?17=281031",
        "/01/08934588012112/10/VP%2F2026-11/21/12345",
    ] {
        let resp = client
            .get(format!("{}{path}", app.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 307, "{path}");
        assert_eq!(resp.headers()["location"], format!("/t/{code}"));
    }
    let resp = client
        .get(format!("{}/01/08934588012113/10/X", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn epcis_export_validates_against_gs1s_schema() {
    let app = TestApp::spawn().await;
    let (f, lot, code) = gtin_lot(&app).await;
    app.data(
        Some(&f.owner),
        "mutation($i: TraceEventInput!) { traceEventRecord(input: $i) { userErrors { code } } }",
        json!({ "i": { "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-05T08:00:00+07:00", "location": "Cảng Cửa Lò", "note": "Xe 37C-123.45" } }),
    )
    .await;
    let schema: Value =
        serde_json::from_str(include_str!("../fixtures/epcis-2.0/EPCIS-JSON-Schema.json")).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let doc: Value = app
        .get(&format!("/epcis/events?lot={code}"))
        .await
        .json()
        .await
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    assert_eq!(doc["schemaVersion"], "2.0");
    let events = doc["epcisBody"]["eventList"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["action"], "ADD");
    assert_eq!(events[0]["ilmd"]["cbvmda:lotNumber"], "VP/2026-11");
    assert_eq!(events[1]["bizStep"], "shipping");
    assert_eq!(events[1]["disposition"], "in_transit");
    // By GTIN, within a time window, a page at a time.
    let doc: Value = app
        .get("/epcis/events?gtin=8934588012112&GE_eventTime=2026-11-04T00:00:00%2B07:00")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["epcisBody"]["eventList"].as_array().unwrap().len(), 1);
    let resp = app
        .get(&format!("/epcis/events?lot={code}&perPage=1"))
        .await;
    let token = resp.headers()["gs1-next-page-token"]
        .to_str()
        .unwrap()
        .to_owned();
    let page2: Value = app
        .get(&format!(
            "/epcis/events?lot={code}&perPage=1&nextPageToken={token}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page2["epcisBody"]["eventList"][0]["bizStep"], "shipping");
    assert!(validator.is_valid(&page2));
    assert_eq!(app.get("/epcis/events").await.status(), 400);
}

#[tokio::test]
async fn scans_are_counted_without_a_write_per_scan_and_unusual_patterns_warn() {
    let app = TestApp::spawn_with(|c| {
        c.scan_anomaly_clients = 3;
        c.trust_forwarded_for = true;
    })
    .await;
    let (_, _, code) = gtin_lot(&app).await;
    for i in 0..5 {
        let resp = app
            .client
            .post(format!("{}/graphql", app.addr))
            .header("x-forwarded-for", format!("10.0.0.{i}"))
            .json(&json!({ "query": TRACE, "variables": { "c": code } }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    app.get(&format!("/t/{code}")).await;
    // Flushed within a second.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let n: i64 = {
        use sea_orm::ConnectionTrait;
        let row = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT scan_count FROM lots WHERE trace_code = '{code}'"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "scan_count").unwrap()
    };
    assert_eq!(n, 6);
    let t = app.data(None, TRACE, json!({ "c": code })).await;
    assert_eq!(t["trace"]["scanCount"], 7);
    assert!(
        t["trace"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("quét bất thường")),
        "{t}"
    );
}

#[tokio::test]
async fn a_demo_lot_page_reads_well_in_a_real_browser() {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(chromium) = chromium else {
        assert!(
            std::env::var("REQUIRE_BROWSER").is_err(),
            "REQUIRE_BROWSER is set but no Chromium was found"
        );
        eprintln!("skipped: no Chromium on this machine (.ci/run installs it)");
        return;
    };
    let app = TestApp::spawn().await;
    let (_, _, code) = gtin_lot(&app).await;
    let dir = std::env::temp_dir().join(format!("cho-ocop-chromium-{code}"));
    let out = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=390,844",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", dir.display()))
        .arg(format!("{}/t/{code}", app.addr))
        .output()
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("Nước mắm Vạn Phần"), "{dom}");
    assert!(dom.contains("Chứng nhận OCOP") && dom.contains("4 sao"));
    assert!(dom.contains("Hành trình sản phẩm") && dom.contains("Thu hoạch / sản xuất"));
    assert!(dom.contains("Làng nghề Vạn Phần") && dom.contains("01/11/2026"));
    assert!(dom.contains("Mua sản phẩm"));
    assert!(
        !dom.contains("class=\"warn\""),
        "a valid lot shows no warning"
    );
}

#[tokio::test]
async fn cached_traces_still_count_every_scan_and_forget_a_recall_at_once() {
    let app = TestApp::spawn_with(|c| c.trace_cache_ms = 60_000).await;
    let (f, lot, code) = gtin_lot(&app).await;
    let q = "query($c: String!) { trace(code: $c) { scanCount warnings } }";
    let counts: Vec<i64> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(
                app.data(None, q, json!({ "c": code })).await["trace"]["scanCount"]
                    .as_i64()
                    .unwrap(),
            );
        }
        v
    };
    assert_eq!(counts, vec![1, 2, 3]);
    app.data(Some(&f.owner), "mutation($id: ID!) { lotRecall(id: $id, reason: \"Nhiễm khuẩn\") { userErrors { code } } }", json!({ "id": lot }))
        .await;
    let t = app.data(None, q, json!({ "c": code })).await;
    assert!(
        t["trace"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Nhiễm khuẩn"),
        "{t}"
    );
    assert_eq!(t["trace"]["scanCount"], 4);
    let html = app.get(&format!("/t/{code}")).await.text().await.unwrap();
    assert!(html.contains("Nhiễm khuẩn"));
}
