#!/usr/bin/env python3
"""Test vectors for crates/payments, computed outside Rust with Python's standard library
(hmac, hashlib, urllib.parse, binascii.crc_hqx), so our VNPay and Stripe signatures and VietQR
payloads are checked against an independent implementation, not against themselves.

    python3 scripts/payments/vectors.py > crates/payments/tests/vectors.json
"""
import binascii
import hashlib
import hmac
import json
import urllib.parse


def php_urlencode(s: str) -> str:
    # PHP's urlencode: letters, digits and -_. kept, space as +, everything else %XX.
    # quote_plus also keeps "~", which PHP encodes.
    return urllib.parse.quote_plus(s, safe="").replace("~", "%7E")


def vnpay_query(params: dict) -> str:
    return "&".join(
        f"{php_urlencode(k)}={php_urlencode(v)}" for k, v in sorted(params.items())
    )


def vnpay_sign(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def vietqr(bin_: str, account: str, amount: int, reference: str) -> str:
    merchant = tlv("00", "A000000727") + tlv("01", tlv("00", bin_) + tlv("01", account)) + tlv("02", "QRIBFTTA")
    body = (
        tlv("00", "01")
        + tlv("01", "12")
        + tlv("38", merchant)
        + tlv("53", "704")
        + tlv("54", str(amount))
        + tlv("58", "VN")
        + tlv("62", tlv("08", reference))
        + "6304"
    )
    # binascii.crc_hqx is CRC-CCITT (poly 0x1021, no reflection); from 0xFFFF it is CCITT-FALSE.
    return body + f"{binascii.crc_hqx(body.encode(), 0xFFFF):04X}"


secret = "VNPAYSECRETFORTESTS0123456789ABC"
pay = {
    "tmn_code": "CHOOCOP1",
    "hash_secret": secret,
    "pay_url": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
    "return_url": "http://127.0.0.1:8080/payments/vnpay/return",
    "txn_ref": "OC12ABCD",
    "amount": 125000,
    "order_info": "Thanh toan don hang OC-2026-000012",
    "client_ip": "203.0.113.7",
    "created": "2026-11-29T07:30:00Z",
    "expires": "2026-11-29T07:45:00Z",
}
params = {
    "vnp_Version": "2.1.0",
    "vnp_Command": "pay",
    "vnp_TmnCode": pay["tmn_code"],
    "vnp_Amount": str(pay["amount"] * 100),
    "vnp_CurrCode": "VND",
    "vnp_TxnRef": pay["txn_ref"],
    "vnp_OrderInfo": pay["order_info"],
    "vnp_OrderType": "other",
    "vnp_Locale": "vn",
    "vnp_ReturnUrl": pay["return_url"],
    "vnp_IpAddr": pay["client_ip"],
    "vnp_CreateDate": "20261129143000",
    "vnp_ExpireDate": "20261129144500",
}
q = vnpay_query(params)
pay["url"] = f"{pay['pay_url']}?{q}&vnp_SecureHash={vnpay_sign(secret, q)}"

ipn_params = {
    "vnp_Amount": "12500000",
    "vnp_BankCode": "NCB",
    "vnp_BankTranNo": "VNP14226112",
    "vnp_CardType": "ATM",
    "vnp_OrderInfo": "Thanh toan don hang OC-2026-000012",
    "vnp_PayDate": "20261129143512",
    "vnp_ResponseCode": "00",
    "vnp_TmnCode": "CHOOCOP1",
    "vnp_TransactionNo": "14226112",
    "vnp_TransactionStatus": "00",
    "vnp_TxnRef": "OC12ABCD",
}
ipn_params["vnp_SecureHash"] = vnpay_sign(secret, vnpay_query(ipn_params))
ipn_params["vnp_SecureHashType"] = "HmacSHA512"

qr = {"bin": "970436", "account": "0011001932418", "amount": 125000, "reference": "OC12ABCD"}
qr["payload"] = vietqr(qr["bin"], qr["account"], qr["amount"], qr["reference"])

# A Stripe webhook as Stripe (and localstripe) signs it: v1 = HMAC-SHA256(secret, "{t}.{body}").
stripe_body = json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "api_version": "2017-08-15",
                          "data": {"object": {"id": "pi_1", "amount": 125000, "currency": "vnd"}}},
                         indent=2, sort_keys=True)
stripe_t = 1795961005
stripe_secret = "whsec_cho_ocop_vector"
stripe = {
    "secret": stripe_secret,
    "t": stripe_t,
    "body": stripe_body,
    "header": "t=%d,v1=%s" % (stripe_t, hmac.new(stripe_secret.encode(), b"%d.%s" % (stripe_t, stripe_body.encode()),
                                                 hashlib.sha256).hexdigest()),
}

print(json.dumps({"vnpay_pay": pay, "vnpay_ipn": {"secret": secret, "params": ipn_params}, "vietqr": qr,
                  "stripe_webhook": stripe},
                 ensure_ascii=False, indent=2))
