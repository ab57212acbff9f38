//! RELEVANCE's tiers: where the folded query stands in a product's name.

use kernel::Result;
use kernel::cursor::Cursor;
use kernel::sql::{Sql, like_escape};
use sea_orm::ConnectionTrait;

use super::{Branch, PRODUCT_COLUMNS, Read, keyed, push_limit};
use crate::entity::product;

/// A RELEVANCE page of a search: its rows (at most `fetch`) with their keys `[tier, id]`, after
/// the cursor. Each tier is read in turn, newest first, until the page is full, over the
/// walks' branches; the provinces where the words are rare ([`super::words`]) are read once
/// for every tier ([`rare_rows`]) and merged into each tier's rows.
pub(super) async fn page<'a>(
    db: &impl ConnectionTrait,
    read: &mut Read<'a>,
    folded: &'a str,
    cursor: Option<&Cursor>,
    fetch: usize,
) -> Result<Vec<(Vec<i64>, product::Model)>> {
    let (start, after_id) = match cursor {
        Some(c) => (c.keys[0].clamp(1, 4), Some(c.keys[1])),
        None => (4, None),
    };
    // Ordered by tier, best first, as the tiers are read: each tier takes its own from the front.
    let mut rare = rare_rows(db, read, folded, start, after_id, fetch)
        .await?
        .into_iter()
        .peekable();
    let mut found = Vec::new();
    for tier in (1..=start).rev() {
        read.tier = Some((tier, folded));
        read.after = if tier == start {
            after_id.map(|id| vec![id])
        } else {
            None
        };
        let left = fetch - found.len();
        read.fetch = left as i64;
        let walks: Vec<Branch<'_>> = read
            .branches()
            .into_iter()
            .filter(|b| !matches!(b, Branch::Rare { .. }))
            .collect();
        let mut rows: Vec<product::Model> = read
            .rows_of(db, &walks)
            .await?
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        while let Some((_, p)) = rare.next_if(|(t, _)| *t == tier) {
            rows.push(p);
        }
        rows.sort_by_key(|p| std::cmp::Reverse(p.id));
        found.extend(rows.into_iter().take(left).map(|p| (vec![tier, p.id], p)));
        if found.len() >= fetch {
            break;
        }
    }
    Ok(found)
}

/// The first `fetch` listed products of the provinces where the words are rare, by tier then
/// newest, after `(start, after_id)`, each with its tier: one read of the trigram index for
/// every tier (PostgreSQL; SQLite has no rare words). Read tier by tier, a province where the
/// words are absent read the index four times for nothing (13 ms each at 1,000,000 products,
/// for a common word in a province of 45,000 products without it).
async fn rare_rows(
    db: &impl ConnectionTrait,
    read: &mut Read<'_>,
    folded: &str,
    start: i64,
    after_id: Option<i64>,
    fetch: usize,
) -> Result<Vec<(i64, product::Model)>> {
    read.tier = None;
    let rare: Vec<Branch<'_>> = read
        .branches()
        .into_iter()
        .filter(|b| matches!(b, Branch::Rare { .. }))
        .collect();
    if rare.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT r.tier, ")
        .push(&PRODUCT_COLUMNS)
        .push(" FROM (");
    for (i, branch) in rare.iter().enumerate() {
        if i > 0 {
            q.push(" UNION ALL ");
        }
        q.push("SELECT p.id, CAST(CASE WHEN p.name_folded = ")
            .bind(folded.to_owned())
            .push(" THEN 4 WHEN strpos(p.name_folded, ")
            .bind(folded.to_owned())
            .push(") = 1 THEN 3 WHEN strpos(p.name_folded, ")
            .bind(folded.to_owned())
            .push(
                ") > 1 THEN 2 ELSE 1 END AS BIGINT) AS tier FROM products p \
                 WHERE p.listed_until IS NOT NULL AND p.listed_until >= ",
            )
            .push_date(read.today);
        read.push_branch(&mut q, *branch, "p.");
        read.push_filters(&mut q, *branch, true, true);
    }
    q.push(") r JOIN products p ON p.id = r.id");
    if let Some(id) = after_id {
        q.push(" WHERE (r.tier, r.id) < (")
            .push_int(start)
            .push(", ")
            .bind(id)
            .push(")");
    }
    q.push(" ORDER BY r.tier DESC, r.id DESC");
    push_limit(&mut q, fetch as i64);
    keyed(db.query_all_raw(q.build()).await?)
}

/// RELEVANCE's tiers for the folded query, best first: the whole name (4), the name's start
/// (3), inside the name (2), elsewhere (producer, category, origin: 1).
///
/// On PostgreSQL the tiers are positions (`strpos`), each an inequality: a plan kept for any
/// query (see `server::db`) guesses a bound `LIKE` passes one row in 200 and an equality on a
/// function the same, and with so few rows guessed to pass, a walk looked as dear as scanning
/// and sorting every product (5 ms at 10,000 products for a page the walk found in 0.1 ms); an
/// inequality it guesses at a third.
pub(super) fn push_tier(q: &mut Sql, tier: i64, folded: &str) {
    if tier == 4 {
        q.push(" AND p.name_folded = ").bind(folded.to_owned());
        return;
    }
    if q.backend() == sea_orm::DbBackend::Postgres {
        let at = |q: &mut Sql, cmp: &str| {
            q.push(" AND strpos(p.name_folded, ")
                .bind(folded.to_owned())
                .push(") ")
                .push(cmp);
        };
        match tier {
            3 => {
                at(q, "< 2");
                at(q, "<> 0");
                q.push(" AND p.name_folded <> ").bind(folded.to_owned());
            }
            2 => at(q, "> 1"),
            _ => at(q, "< 1"),
        }
        return;
    }
    let esc = like_escape(folded);
    let prefix = format!("{esc}%");
    let inside = format!("%{esc}%");
    match tier {
        3 => {
            q.push(" AND p.name_folded LIKE ")
                .bind(prefix)
                .push(" ESCAPE '\\' AND p.name_folded <> ")
                .bind(folded.to_owned());
        }
        2 => {
            q.push(" AND p.name_folded LIKE ")
                .bind(inside)
                .push(" ESCAPE '\\' AND p.name_folded NOT LIKE ")
                .bind(prefix)
                .push(" ESCAPE '\\'");
        }
        _ => {
            q.push(" AND p.name_folded NOT LIKE ")
                .bind(inside)
                .push(" ESCAPE '\\'");
        }
    }
}
