//! RELEVANCE's tiers: where the folded query stands in a product's name.

use kernel::sql::{Sql, like_escape};

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
