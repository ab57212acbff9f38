//! The GraphQL documents the tests send, named once. Each mutation selects its payload broadly
//! and `userErrors { code field message }`, so a test asserts on what it cares about without a
//! document of its own. Tests keep inline only documents that are the subject of the test
//! (limits, depth, a selection whose cost is measured).

// Accounts
pub const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { token user { id email name roles } userErrors { code field message } } }";
pub const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token userErrors { code field message } } }";
pub const ME: &str = "{ me { id name email roles } }";

// Catalog
pub const PRODUCER_CREATE: &str = "mutation($i: ProducerInput!) { producerCreate(input: $i) { producer { id name slug verified } userErrors { code field message } } }";
pub const PRODUCER_VERIFY: &str = "mutation($id: ID!) { producerVerify(id: $id) { producer { id verified } userErrors { code field message } } }";
pub const INVITATION_ACCEPT: &str = "mutation($p: ID!) { producerInvitationAccept(producerId: $p) { producer { id } userErrors { code field message } } }";
pub const MEMBER_ADD: &str = "mutation($p: ID!, $e: String!, $r: String!) { producerMemberAdd(producerId: $p, email: $e, role: $r) { userErrors { code field message } } }";
pub const CERTIFICATE_SUBMIT: &str = "mutation($i: OcopCertificateInput!) { ocopCertificateSubmit(input: $i) { certificate { id validUntil status stars category { code name } } userErrors { code field message } } }";
pub const CERTIFICATE_REVIEW: &str = "mutation($id: ID!, $approve: Boolean!) { ocopCertificateReview(id: $id, approve: $approve) { certificate { id status } userErrors { code field message } } }";
pub const CERTIFICATE_REVOKE: &str = "mutation($c: ID!, $r: String!) { ocopCertificateRevoke(id: $c, reason: $r) { certificate { status reviewNote } userErrors { code field message } } }";
pub const PRODUCT_CREATE: &str = "mutation($i: ProductInput!) { productCreate(input: $i) { product { id status } userErrors { code field message } } }";
pub const PRODUCT_UPDATE: &str = "mutation($id: ID!, $i: ProductUpdateInput!) { productUpdate(id: $id, input: $i) { product { name description images { url alt } } userErrors { code field message } } }";
pub const PRODUCT_PUBLISH: &str = "mutation($id: ID!) { productPublish(id: $id) { product { id status } userErrors { code field message } } }";
pub const PRODUCT_UNPUBLISH: &str = "mutation($id: ID!) { productUnpublish(id: $id) { product { id status } userErrors { code field message } } }";
pub const VARIANT_CREATE: &str = "mutation($p: ID!, $i: VariantInput!) { variantCreate(productId: $p, input: $i) { variant { id sku } userErrors { code field message } } }";

// Traceability
pub const LOT_CREATE: &str = "mutation($i: LotInput!) { lotCreate(input: $i) { lot { id traceCode } userErrors { code field message } } }";
pub const LOT_RECALL: &str = "mutation($id: ID!, $r: String!) { lotRecall(id: $id, reason: $r) { lot { recalled sellable recallReason } userErrors { code field message } } }";
pub const TRACE_EVENT_RECORD: &str = "mutation($i: TraceEventInput!) { traceEventRecord(input: $i) { event { bizStep hash disposition } userErrors { code field message } } }";
pub const TRACE: &str = "query($c: String!) { trace(code: $c) { chainIntact scanCount warnings
    lot { id lotNumber traceCode digitalLink traceUrl producedOn expiresOn quantityProduced quantityAvailable recalled sellable
          events { bizStep disposition eventTime location note data hash } variant { sku } origin { province { code } } }
    product { name } producer { name } certificate { decisionNumber stars } } }";

// Orders
pub const CHECKOUT: &str = "mutation($i: CheckoutInput!) { checkout(input: $i) { order { id number status
    subtotal { amount } shippingTotal { amount } total { amount formatted }
    payment { method status amount { amount } }
    shipments { id producer { name } status lines { quantity } }
    lines { quantity unitPrice { amount } total { amount } variant { sku } lots { quantity lot { lotNumber traceCode } } } }
    userErrors { code field message } } }";
pub const ORDER: &str = "query($id: ID!) { order(id: $id) { status payment { status } shipments { id status carrier trackingNumber producer { name } } } }";
pub const ORDER_CANCEL: &str = "mutation($id: ID!, $r: String!) { orderCancel(id: $id, reason: $r) { order { status payment { status } shipments { producer { name } status } lines { quantity } } userErrors { code field message } } }";
pub const SELLER_ORDER_DELIVER: &str = "mutation($id: ID!) { sellerOrderDeliver(id: $id) { sellerOrder { status } userErrors { code field message } } }";
pub const ORDER_CONFIRM_RECEIVED: &str = "mutation($id: ID!) { orderConfirmReceived(id: $id) { order { status } userErrors { code field message } } }";
/// What is left of a product: per variant, and per lot.
pub const STOCK: &str = "query($id: ID!) { product(id: $id) { variants { available } lots { nodes { lotNumber quantityAvailable } } } }";
pub const SELLER_ORDER_SHIP: &str = "mutation($id: ID!, $c: String!, $t: String!) { sellerOrderShip(id: $id, carrier: $c, trackingNumber: $t) { sellerOrder { status carrier } userErrors { code field message } } }";

/// A shipping address in Nghệ An.
pub fn address() -> serde_json::Value {
    serde_json::json!({ "name": "Nguyễn Văn A", "phone": "0912345678", "provinceCode": "40", "line": "12 Lê Lợi" })
}

/// The variables of [`CHECKOUT`]: a cash-on-delivery order of `lines` under `key`.
pub fn checkout_vars(key: &str, lines: serde_json::Value) -> serde_json::Value {
    serde_json::json!({ "i": { "idempotencyKey": key, "lines": lines, "shippingAddress": address(), "paymentMethod": "COD" } })
}
