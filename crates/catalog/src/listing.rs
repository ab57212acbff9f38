//! The listing rule and the public product search.
//!
//! A product is listed to the public only while it is PUBLISHED, its producer is verified, and
//! its certificate is VERIFIED, has 3 stars or more and is not past `valid_until` (judged in
//! Asia/Ho_Chi_Minh) ([`rule`]). `productPublish` checks the same rule, and the public queries
//! apply it at read time in SQL, so a product vanishes the day its certificate expires or is
//! revoked.
//!
//! The listing reads one table: each product keeps `listed_until`, the last day it may be
//! listed (its certificate's `valid_until` while every other part of the rule holds, else
//! NULL), recomputed by [`refresh`] in the transaction of every change to those facts. The
//! day itself is still judged at read time (`listed_until >= today`). Every page is an index
//! walk in its sort's order: the whole listing's partial index, or one walk per province of a
//! province filter (and per star value of a star floor above 3), merged; sorted by price from a
//! bound of a price range the walks read the variants in price order ([`by_price`]); sorted by
//! price with words, a walk starts at the words' price bounds ([`bounds`]), or from the edge of
//! a price range at their bounds there ([`edges`]);
//! RELEVANCE reads its tiers (exact name, name prefix, name, elsewhere) one after the other,
//! each newest first, and stops when the page is full ([`relevance`]). Provinces where the
//! words are rare are read through the trigram index ([`words`]), skipped while a word is
//! known to be absent there ([`absence`]).

use chrono::NaiveDate;
use kernel::Result;
use kernel::cursor::Cursor;
use kernel::fold::{fold, search_terms};
use kernel::sql::{Sql, like_escape};
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::collections::BTreeSet;
use std::sync::LazyLock;

mod absence;
mod bounds;
mod by_price;
mod copies;
mod edges;
mod memo;
mod relevance;
mod rule;
#[cfg(test)]
mod tests;
mod words;
use crate::entity::{Columns, product};
pub use absence::compute as compute_word_absence;
pub use bounds::{compute as compute_price_bounds, stale_price_bounds};
pub use copies::{Affected, push_listed_until, refresh, refresh_variants, stale_listing_copies};
pub use edges::compute as compute_price_edge;
pub use rule::{MIN_LISTED_STARS, Stock, issues, push_listed};
pub use words::rare_provinces;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    PriceAsc,
    PriceDesc,
    StarsDesc,
    Relevance,
}

impl Sort {
    fn tag(self) -> &'static str {
        match self {
            Sort::Newest => "N",
            Sort::PriceAsc => "PA",
            Sort::PriceDesc => "PD",
            Sort::StarsDesc => "SD",
            Sort::Relevance => "R",
        }
    }
    fn arity(self) -> usize {
        if self == Sort::Newest { 1 } else { 2 }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub search: Option<String>,
    pub min_stars: Option<i32>,
    pub province_codes: Option<Vec<String>>,
    pub category_codes: Option<Vec<String>>,
    pub producer_id: Option<kernel::id::ProducerId>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub in_stock: Option<bool>,
}

pub struct Page {
    pub items: Vec<(String, product::Model)>,
    pub has_next: bool,
}

use kernel::cursor::bad_cursor;

/// The order a page is read in, each served by an index on listed products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    IdDesc,
    PriceAsc,
    PriceDesc,
    StarsDesc,
}

impl Order {
    /// The sort columns, for the keyset and ORDER BY.
    fn columns(self) -> &'static [&'static str] {
        match self {
            Order::IdDesc => &["id"],
            Order::PriceAsc | Order::PriceDesc => &["min_price", "id"],
            Order::StarsDesc => &["stars", "id"],
        }
    }
    fn descending(self) -> bool {
        self != Order::PriceAsc
    }
    /// ORDER BY the `prefix` columns (single-valued in the walk), then the sort's columns,
    /// all in the sort's direction: the order of exactly one index.
    /// `computed` orders on `column + 0`, which no index gives.
    fn push_order_by(self, q: &mut Sql, alias: &str, prefix: &[&str], computed: bool) {
        let dir = if self.descending() { " DESC" } else { " ASC" };
        q.push(" ORDER BY ");
        let columns = prefix
            .iter()
            .filter(|c| !self.columns().contains(c))
            .chain(self.columns());
        for (i, c) in columns.enumerate() {
            if i > 0 {
                q.push(", ");
            }
            if computed {
                q.push("(").push(alias).push(c).push(" + 0)").push(dir);
            } else {
                q.push(alias).push(c).push(dir);
            }
        }
    }
    /// The cursor's keys of `p`, read at `price` (the price its walk sorted it by).
    fn keys(self, p: &product::Model, price: i64) -> Vec<i64> {
        match self {
            Order::IdDesc => vec![p.id],
            Order::PriceAsc | Order::PriceDesc => vec![price, p.id],
            Order::StarsDesc => vec![i64::from(p.stars), p.id],
        }
    }
}

/// The most stars a certificate has.
const MAX_STARS: i32 = 5;

/// One index walk of a read.
#[derive(Debug, Clone, Copy)]
enum Branch<'a> {
    /// Listed products of the stars given, in one province or the whole country.
    Walk {
        province: Option<&'a str>,
        stars: Stars,
    },
    /// Every listed product the filter admits, in one statement (a producer's listing).
    Whole,
    /// The listed products of one province (or the whole country) holding words rare there,
    /// found through the trigram index (PostgreSQL) and sorted.
    Rare { province: Option<&'a str> },
}

/// The star values one walk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stars {
    /// Every listed product (each has 3 stars or more): no condition on the stars.
    Any,
    /// One star value.
    One(i32),
    /// This many stars or more (sorting by stars, which the walk's index gives).
    From(i32),
}

/// The provinces a filter names, each once, in order; `[None]` for the whole country.
fn provinces(f: &Filter) -> Vec<Option<&str>> {
    match f.province_codes.as_ref() {
        Some(codes) if !codes.is_empty() => codes
            .iter()
            .map(String::as_str)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(Some)
            .collect(),
        _ => vec![None],
    }
}

/// The lowest star value a filter admits (past the most a certificate has, one more: none).
/// Walks write it into their text, so a floor of 100 reads as one of 6, one statement text.
fn lowest_stars(f: &Filter) -> i32 {
    f.min_stars
        .unwrap_or(MIN_LISTED_STARS)
        .clamp(MIN_LISTED_STARS, MAX_STARS + 1)
}

/// One read of the listing: the filter, in one order, after a key, at most `fetch` rows.
struct Read<'a> {
    filter: &'a Filter,
    terms: &'a [String],
    today: NaiveDate,
    order: Order,
    after: Option<Vec<i64>>,
    tier: Option<(i64, &'a str)>,
    fetch: i64,
    /// The provinces (`None`: the whole country) where the search's words are rare: read
    /// through the trigram index (PostgreSQL), then sorted.
    rare: &'a [Option<String>],
}

impl Read<'_> {
    /// Sorted by price from a bound of a price range, the walks read the variants
    /// ([`by_price`]).
    fn by_variant_price(&self) -> bool {
        by_price::walks_variants(self.order, self.filter)
    }

    /// The rows of one index walk: the whole listing, or one province of it.
    fn push_walk(&self, q: &mut Sql, branch: Branch<'_>) {
        if self.by_variant_price() {
            return by_price::push_walk(self, q, branch);
        }
        // A walk reads its keys only; the page's rows are read by id after the walks are
        // merged. On PostgreSQL the walk indexes include every column the filters read, so a
        // walk passing products without the words never visits their rows (once VACUUM has
        // marked the pages all-visible).
        q.push(
            "SELECT p.id, p.min_price, p.stars FROM products p \
             WHERE p.listed_until IS NOT NULL AND p.listed_until >= ",
        )
        .push_date(self.today);
        let prefix = self.push_branch(q, branch, "p.");
        self.push_filters(q, branch, true, true);
        if matches!(branch, Branch::Walk { .. }) {
            self.push_price_start(q, "p.min_price", "highest_low", None);
        }
        let columns: Vec<String> = self
            .order
            .columns()
            .iter()
            .map(|c| format!("p.{c}"))
            .collect();
        self.push_keyset(q, &columns);
        // A rare read is ordered on expressions no index gives, so no plan walks an index in
        // the sort's order filtering for the few products the trigram index finds at once.
        let rare = matches!(branch, Branch::Rare { .. });
        self.order.push_order_by(q, "p.", &prefix, rare);
        push_limit(q, self.fetch);
    }

    /// Sorted by price with words, where the walk on `column` may start: the words' price
    /// bounds ([`bounds`]; `highest` the bound of the dearest end), and walking from the `edge`
    /// of a price range, their bounds there ([`edges`]).
    fn push_price_start(&self, q: &mut Sql, column: &str, highest: &str, edge: Option<i64>) {
        if matches!(self.order, Order::PriceAsc | Order::PriceDesc) {
            let desc = self.order.descending();
            bounds::push_start(q, column, self.terms, desc, highest, edge);
        }
    }

    /// The branch's conditions on the province and the stars of the rows `alias` (products, or
    /// the variants' copy); returns the columns its walk's order leads with.
    fn push_branch(&self, q: &mut Sql, branch: Branch<'_>, alias: &str) -> Vec<&'static str> {
        let f = self.filter;
        // A walk's star value is written as a one-value range, not an equality, and ordered on:
        // the planner cannot drop it from the order, so only an index that leads with the stars
        // (after the province's equality) gives the walk's order, and no estimate (nor a lack
        // of statistics) sends the walk down the primary key filtering rows it will reject.
        // Ordered on price there is no such other index, so the star value is an equality
        // there, which lets a price bound start or stop the walk.
        let mut prefix: Vec<&str> = Vec::new();
        match branch {
            Branch::Walk { province, stars } => {
                if let Some(code) = province {
                    and(q, alias, "origin_province_code = ");
                    // SQLite walks a province holding none of the words to its end: while one
                    // is known to be absent there, the walk is keyed on no province at all.
                    if q.backend() == sea_orm::DbBackend::Sqlite && !self.terms.is_empty() {
                        absence::push_province_unless_absent(q, self.terms, code);
                    } else {
                        q.bind(code.to_owned());
                    }
                }
                match stars {
                    Stars::Any => {}
                    Stars::From(lowest) => {
                        and(q, alias, "stars >= ").push_int(lowest.into());
                    }
                    Stars::One(value) => {
                        if matches!(self.order, Order::PriceAsc | Order::PriceDesc) {
                            and(q, alias, "stars = ").push_int(value.into());
                        } else {
                            and(q, alias, "stars >= ").push_int(value.into());
                            and(q, alias, "stars <= ").push_int(value.into());
                        }
                        prefix.push("stars");
                    }
                }
            }
            Branch::Rare { province } => {
                if let Some(code) = province {
                    and(q, alias, "origin_province_code = ").bind(code.to_owned());
                }
                and(q, alias, "stars >= ").push_int(lowest_stars(f).into());
            }
            Branch::Whole => {
                if let Some(codes) = f.province_codes.as_ref().filter(|c| !c.is_empty()) {
                    and(q, alias, "origin_province_code IN ").bind_list(codes);
                }
                if let Some(min) = f.min_stars {
                    and(q, alias, "stars >= ").bind(min);
                }
            }
        }
        prefix
    }

    /// The filters on the products `p` other than province and stars; `prices` false leaves the
    /// price bounds to the caller, and `words` false the search's words.
    fn push_filters(&self, q: &mut Sql, branch: Branch<'_>, prices: bool, words: bool) {
        let f = self.filter;
        if let Some(codes) = f.category_codes.as_ref().filter(|c| !c.is_empty()) {
            q.push(" AND p.category_code IN ").bind_list(codes);
        }
        if let Some(pid) = f.producer_id {
            q.push(" AND p.producer_id = ").bind(pid);
        }
        if prices {
            by_price::push_product_bounds(q, f, self.order);
        }
        // In stock reads the product's stock copy, not its lots.
        match f.in_stock {
            Some(true) => {
                q.push(" AND");
                crate::stock::push_product_in_stock(q, self.today);
            }
            Some(false) => {
                q.push(" AND");
                crate::stock::push_product_out_of_stock(q, self.today);
            }
            None => {}
        }
        // A walk of RELEVANCE's tiers 2 to 4 (the folded query inside the name) needs no
        // words: the name begins the search text, so it holds them all. Written, a kept plan
        // (see `server::db`) guessed the words and the tier together pass so few rows that a
        // walk would read the whole index, and scanned and sorted the products instead (33 ms
        // at 100,000 products for a page the walk found in 0.1 ms).
        let implied =
            matches!(self.tier, Some((2..=4, _))) && !matches!(branch, Branch::Rare { .. });
        if words && !implied {
            self.push_words(q, branch, "p.");
        }
        if let Some((tier, folded)) = self.tier {
            relevance::push_tier(q, tier, folded);
        }
    }

    /// The search's words, in the `search_text` of `alias` (a product's, or a variant's copy).
    fn push_words(&self, q: &mut Sql, branch: Branch<'_>, alias: &str) {
        // Rare words go through the trigram index (`LIKE`). Walking, on PostgreSQL, the words
        // are `strpos(..) > 0`: no index takes it, so no plan trades the walk for a bitmap of
        // every product holding a common word, and the planner guesses whatever its statistics
        // (it guesses a LIKE on an expression far too selective: two common words came out at
        // 5 of 36,000 rows, and the walk lost to a scan and sort of the whole star value).
        // SQLite always walks its ORDER BY index.
        let walk_words =
            !matches!(branch, Branch::Rare { .. }) && q.backend() == sea_orm::DbBackend::Postgres;
        if walk_words {
            // All the words as one inequality, which a kept plan guesses passes a third of the
            // rows however many words there are (each word its own condition, eight words were
            // guessed to pass one row in 6,561, and a walk looked as dear as a scan and sort).
            if !self.terms.is_empty() {
                q.push(" AND (");
                push_holds_all(q, &format!("{alias}search_text"), self.terms);
                q.push(") > 0");
            }
            return;
        }
        for term in self.terms {
            and(q, alias, "search_text LIKE ")
                .bind(format!("%{}%", like_escape(term)))
                .push(" ESCAPE '\\'");
        }
        // A rare read of a province one of the words is known to be absent from is skipped.
        if let Branch::Rare {
            province: Some(code),
        } = branch
        {
            absence::push_unless_absent(q, self.terms, code);
        }
    }

    /// Keyset: rows strictly after the key in the walk's order, as a row comparison on
    /// `columns` that bounds the index scan.
    fn push_keyset(&self, q: &mut Sql, columns: &[String]) {
        if let Some(keys) = &self.after {
            q.push(" AND (");
            for (i, c) in columns.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push(c);
            }
            q.push(if self.order.descending() {
                ") < ("
            } else {
                ") > ("
            });
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(*k);
            }
            q.push(")");
        }
    }

    /// The index walks that together give the page: one per province of the filter (or one for
    /// the whole country), each an equality prefix of an index on listed products followed by
    /// the sort's columns, so no walk reads rows another filter would reject for its province
    /// or stars, whatever the statistics. Every listed product has 3 stars or more, so a floor
    /// of 3 needs no star condition; sorted by stars, a higher floor bounds the walk's range;
    /// otherwise a higher floor is one walk per star value it admits (products' or variants').
    /// A producer's own listing is one read through the producer's index.
    fn branches(&self) -> Vec<Branch<'_>> {
        let f = self.filter;
        if f.producer_id.is_some() {
            return vec![Branch::Whole];
        }
        let lowest = lowest_stars(f);
        let mut out = Vec::new();
        for province in provinces(f) {
            if self.rare.iter().any(|r| r.as_deref() == province) {
                out.push(Branch::Rare { province });
            } else if lowest <= MIN_LISTED_STARS {
                out.push(Branch::Walk {
                    province,
                    stars: Stars::Any,
                });
            } else if self.order == Order::StarsDesc {
                out.push(Branch::Walk {
                    province,
                    stars: Stars::From(lowest),
                });
            } else {
                for value in (lowest..=MAX_STARS).rev() {
                    out.push(Branch::Walk {
                        province,
                        stars: Stars::One(value),
                    });
                }
            }
        }
        out
    }

    /// The page's products, each with the price the walk sorted it by.
    async fn rows(&self, db: &impl ConnectionTrait) -> Result<Vec<(i64, product::Model)>> {
        self.rows_of(db, &self.branches()).await
    }

    /// [`Read::rows`] of the branches given (none: no statement).
    async fn rows_of(
        &self,
        db: &impl ConnectionTrait,
        branches: &[Branch<'_>],
    ) -> Result<Vec<(i64, product::Model)>> {
        let mut q = Sql::new(db.get_database_backend());
        q.push("SELECT w.min_price, ")
            .push(&PRODUCT_COLUMNS)
            .push(" FROM (");
        match branches {
            [] => return Ok(Vec::new()),
            [one] => self.push_walk(&mut q, *one),
            many => {
                // Each walk at most a page, merged in the walk's order.
                for (i, branch) in many.iter().enumerate() {
                    if i > 0 {
                        q.push(" UNION ALL ");
                    }
                    q.push("SELECT * FROM (");
                    self.push_walk(&mut q, *branch);
                    q.push(&format!(") b{i}"));
                }
                self.order.push_order_by(&mut q, "", &[], false);
                push_limit(&mut q, self.fetch);
            }
        }
        q.push(") w JOIN products p ON p.id = w.id");
        self.order.push_order_by(&mut q, "w.", &[], false);
        keyed(db.query_all_raw(q.build()).await?)
    }
}

/// The products' columns `p.…`, read by position ([`Columns`]): a page's rows select the key
/// the read sorted them by, then these.
static PRODUCT_COLUMNS: LazyLock<String> = LazyLock::new(|| product::Model::list("p"));

/// Rows of the key a read sorted them by, then [`PRODUCT_COLUMNS`].
fn keyed(rows: Vec<sea_orm::QueryResult>) -> Result<Vec<(i64, product::Model)>> {
    rows.iter()
        .map(|r| {
            let key = r.try_get_by_index::<i64>(0)?;
            Ok((key, product::Model::read_at(r, 1)?))
        })
        .collect()
}

/// `CASE WHEN TRUE AND strpos(column, $1) > 0 AND … THEN 1 ELSE 0 END` (PostgreSQL): 1 when
/// `column` holds every word, else 0.
fn push_holds_all(q: &mut Sql, column: &str, terms: &[String]) {
    q.push("CASE WHEN TRUE");
    for term in terms {
        q.push(" AND strpos(")
            .push(column)
            .push(", ")
            .bind(term.clone())
            .push(") > 0");
    }
    q.push(" THEN 1 ELSE 0 END");
}

/// ` AND {alias}{condition}`: a condition on the rows `alias` (products, or the variants' copy).
fn and<'q>(q: &'q mut Sql, alias: &str, condition: &str) -> &'q mut Sql {
    q.push(" AND ").push(alias).push(condition)
}

/// `LIMIT n`, written into the text rather than bound. PostgreSQL plans a prepared statement
/// for its values five times, then keeps one plan for any values when that plan's estimated
/// cost is no worse than theirs. Bound, the limit is unknown to that plan, which then costs a
/// walk as reading a tenth of the index and loses to the plans made for the values, so every
/// page was planned anew: planning was most of PostgreSQL's time per listing. Written in, the
/// kept plan walks the same indexes. `n` is the page size plus one, a number we make.
fn push_limit(q: &mut Sql, n: i64) {
    q.push(&format!(" LIMIT {n}"));
}

/// The folded words a search looks for (at most eight).
fn filter_terms(filter: &Filter) -> Vec<String> {
    filter
        .search
        .as_deref()
        .map(|s| search_terms(s, 8))
        .unwrap_or_default()
}

/// The public listing: listed products matching `filter`, in `sort` order, after the cursor.
pub async fn search(
    db: &(impl ConnectionTrait + TransactionTrait),
    filter: &Filter,
    sort: Sort,
    limit: u64,
    after: Option<&str>,
    today: NaiveDate,
) -> Result<Page> {
    let cursor = match after {
        Some(a) => Some(Cursor::decode(a, sort.tag(), sort.arity()).ok_or_else(bad_cursor)?),
        None => None,
    };
    let terms = filter_terms(filter);
    let folded = filter.search.as_deref().map(fold).unwrap_or_default();
    let fetch = limit as usize + 1;
    let order = match sort {
        Sort::Newest | Sort::Relevance => Order::IdDesc,
        Sort::PriceAsc => Order::PriceAsc,
        Sort::PriceDesc => Order::PriceDesc,
        Sort::StarsDesc => Order::StarsDesc,
    };
    let rare = words::rare_provinces_for(db, filter, &terms, today).await?;
    absence::ensure(db, filter, &terms, &rare).await;
    if matches!(order, Order::PriceAsc | Order::PriceDesc) && filter.producer_id.is_none() {
        bounds::ensure(db, &terms).await;
        if let Some(edge) = by_price::edge(order, filter) {
            edges::ensure(db, &terms, edge, order.descending()).await;
        }
    }
    let mut read = Read {
        filter,
        terms: &terms,
        today,
        order,
        after: None,
        tier: None,
        fetch: fetch as i64,
        rare: &rare,
    };
    // (cursor keys, product) in page order.
    let found: Vec<(Vec<i64>, product::Model)> = if sort == Sort::Relevance && !terms.is_empty() {
        relevance::page(db, &mut read, &folded, cursor.as_ref(), fetch).await?
    } else {
        read.after = cursor.map(|c| match sort {
            // RELEVANCE without words: newest first, keyed (1, id).
            Sort::Relevance => vec![c.keys[1]],
            _ => c.keys,
        });
        let rows = read.rows(db).await?;
        rows.into_iter()
            .map(|(price, p)| match sort {
                Sort::Relevance => (vec![1, p.id], p),
                _ => (order.keys(&p, price), p),
            })
            .collect()
    };
    let has_next = found.len() > limit as usize;
    let items = found
        .into_iter()
        .take(limit as usize)
        .map(|(keys, p)| (Cursor::new(sort.tag(), keys).encode(), p))
        .collect();
    Ok(Page { items, has_next })
}
