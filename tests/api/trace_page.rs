//! The public face of a lot: the trace page and its QR codes, the GS1 Digital Link resolver,
//! EPCIS export, and scan counting.

use serde_json::{Value, json};

use crate::builders::Gid;
use crate::docs;
use crate::harness::TestApp;

#[tokio::test]
async fn the_trace_page_escapes_what_producers_type_and_unknown_codes_get_a_helpful_404() {
    let app = TestApp::spawn().await;
    let f = app
        .listed_product("Mật ong <script>alert(1)</script>", 4, 250_000, "08")
        .await;
    let (_, code) = app.stock(&f.owner, f.variant, 7).await;
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

pub fn decode_png(bytes: &[u8]) -> String {
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
    let (f, _, code) = app.gtin_lot().await;
    let resp = app.get(&format!("/t/{code}/qr.png?size=400")).await;
    assert_eq!(resp.headers()["content-type"], "image/png");
    let decoded = decode_png(&resp.bytes().await.unwrap());
    assert_eq!(
        decoded,
        "http://127.0.0.1/01/08934588012112/10/VP%2F2026-11?17=281031"
    );
    // Without a GTIN the QR leads to the trace page.
    let (_, plain) = app.stock(&f.owner, f.variant, 3).await;
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
    let (_, _, code) = app.gtin_lot().await;
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
    let (f, lot, code) = app.gtin_lot().await;
    let lot = lot.gid();
    app.data(
        Some(&f.owner),
        docs::TRACE_EVENT_RECORD,
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
    let (_, _, code) = app.gtin_lot().await;
    for i in 0..5 {
        let resp = app
            .client
            .post(format!("{}/graphql", app.addr))
            .header("x-forwarded-for", format!("10.0.0.{i}"))
            .json(&json!({ "query": docs::TRACE, "variables": { "c": code } }))
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
    let t = app.data(None, docs::TRACE, json!({ "c": code })).await;
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
    let (_, _, code) = app.gtin_lot().await;
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
    let (f, lot, code) = app.gtin_lot().await;
    let lot = lot.gid();
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
    app.data(
        Some(&f.owner),
        docs::LOT_RECALL,
        json!({ "id": lot, "r": "Nhiễm khuẩn" }),
    )
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

#[tokio::test]
async fn public_pages_are_rate_limited_per_client_address() {
    let app = TestApp::spawn_with(|c| {
        c.page_rate_limit_per_minute = 4;
        c.trust_forwarded_for = true;
    })
    .await;
    let (_, _, code) = app.gtin_lot().await;
    // Without following redirects: the Digital Link's 307 is one request.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: String, ip: &'static str| {
        let (client, addr) = (client.clone(), app.addr.clone());
        async move {
            client
                .get(format!("{addr}{path}"))
                .header("x-forwarded-for", ip)
                .send()
                .await
                .unwrap()
        }
    };
    // The page, its QR, a Digital Link and EPCIS share one budget per address.
    for path in [
        format!("/t/{code}"),
        format!("/t/{code}/qr.svg"),
        "/01/08934588012112/10/VP%2F2026-11".to_owned(),
        format!("/epcis/events?lot={code}"),
    ] {
        assert_ne!(get(path.clone(), "10.2.0.1").await.status(), 429, "{path}");
    }
    let over = get(format!("/t/{code}"), "10.2.0.1").await;
    assert_eq!(over.status(), 429);
    assert_eq!(over.headers()["retry-after"], "60");
    assert!(over.text().await.unwrap().contains("quá nhanh"));
    // Another address is not affected.
    assert_eq!(get(format!("/t/{code}"), "10.2.0.2").await.status(), 200);
}
