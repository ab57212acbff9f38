#!/usr/bin/env python3
"""The catalog benchmark's request mix (issue 11): distinct listing queries shaped as shoppers
send them — province sets, star floors, the sorts, searches with and without diacritics,
price ranges, in-stock only — each a page of 20 with the benchmark's selection; and the
product-detail query over product slugs. A fixed seed, so two runs load the same mix.

Usage: catalog_mix.py listing N OUT      (N distinct bodies, one JSON per line)
       catalog_mix.py detail SLUGS OUT   (one body per slug in the file SLUGS)
"""
import json
import random
import sys

SELECTION = (
    "edges { cursor node { id name slug ocopStars producer { id name province { name } } "
    "certificate { decisionNumber stars validUntil status } "
    "variants { sku price { amount formatted } available } "
    "priceRange { min { formatted } max { formatted } } } } pageInfo { hasNextPage endCursor }"
)
LISTING = (
    "query Listing($filter: ProductFilter, $sort: ProductSort) "
    "{ products(first: 20, filter: $filter, sort: $sort) { " + SELECTION + " } }"
)
DETAIL = (
    "query Detail($slug: String!) { product(slug: $slug) { id name slug description ocopStars "
    "images { url alt } producer { id name province { name } } "
    "certificate { decisionNumber stars validUntil status issuedBy } "
    "variants { sku name price { amount formatted } available } "
    "lots(first: 5) { nodes { lotNumber traceCode producedOn expiresOn quantityAvailable } } } }"
)
# The seeded catalog's provinces, and some with nothing in them.
PROVINCES = ["01", "40", "79", "91", "66", "48", "31", "92"]
# Ten searches, each with and without diacritics (the seed's product words).
SEARCHES = [
    ("Nước mắm", "nuoc mam"), ("Mật ong", "mat ong"), ("Trà shan tuyết", "tra shan tuyet"),
    ("Cà phê", "ca phe"), ("Gạo ST25", "gao st25"), ("Bưởi", "buoi"),
    ("Nấm linh chi", "nam linh chi"), ("Miến dong", "mien dong"), ("Tương bần", "tuong ban"),
    ("Rượu cần", "ruou can"),
]
SORTS = ["NEWEST", "PRICE_ASC", "PRICE_DESC", "STARS_DESC"]
PRICES = [(None, 100_000), (50_000, 150_000), (150_000, None), (60_000, 80_000), (200_000, 220_000)]


def listing(rng):
    f = {}
    shape = rng.random()
    if rng.random() < 0.7:
        f["provinceCodes"] = sorted(rng.sample(PROVINCES, rng.randint(1, 3)))
    if rng.random() < 0.6:
        f["minStars"] = rng.choice([3, 4, 5])
    if shape < 0.35:
        words = rng.choice(SEARCHES)[rng.randint(0, 1)]
        f["search"] = words
        sort = rng.choice(["RELEVANCE", "RELEVANCE"] + SORTS)
    else:
        sort = rng.choice(SORTS)
    if rng.random() < 0.3:
        lo, hi = rng.choice(PRICES)
        if lo is not None:
            f["priceMin"] = lo
        if hi is not None:
            f["priceMax"] = hi
    if rng.random() < 0.2:
        f["inStock"] = True
    return {"query": LISTING, "operationName": "Listing",
            "variables": {"filter": f, "sort": sort}}


def main():
    kind, arg, out = sys.argv[1], sys.argv[2], sys.argv[3]
    rng = random.Random(20261129)
    bodies = []
    if kind == "listing":
        seen = set()
        while len(bodies) < int(arg):
            b = json.dumps(listing(rng), ensure_ascii=False, sort_keys=True)
            if b not in seen:
                seen.add(b)
                bodies.append(b)
    else:
        for slug in open(arg, encoding="utf-8").read().split():
            bodies.append(json.dumps({"query": DETAIL, "operationName": "Detail",
                                      "variables": {"slug": slug}}, ensure_ascii=False))
    with open(out, "w", encoding="utf-8") as f:
        for b in bodies:
            f.write(b + "\n")


if __name__ == "__main__":
    main()
