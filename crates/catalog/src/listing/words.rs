//! Whether a search's words are rare in the provinces it names: the choice between walking
//! the sort's index and reading the trigram index (PostgreSQL).

use chrono::NaiveDate;
use kernel::Result;
use kernel::sql::Sql;
use sea_orm::ConnectionTrait;

use super::{Filter, MAX_STARS, filter_terms, lowest_stars, provinces, push_holds_all};

/// How many of the newest listed products of each star value a search's words are tried on,
/// in each province it names (or the whole country).
const WORD_SAMPLE: i64 = 400;

/// The provinces of the filter (`None`: the whole country) where the search's words are rare
/// (under 1 in 200 of a sample of the newest listed products there, of each star value the
/// filter admits): reading their few products through the trigram index and sorting them beats
/// walking the sort's index until a page of them turns up, or to the province's end when it
/// holds none ("bưởi" where none grows). Judged by looking, not from the planner's statistics,
/// so a catalog loaded a minute ago reads common and rare words alike in bounded time. SQLite
/// has no trigram index: words are always walked there.
///
/// The answers are remembered for a few minutes per replica, keyed by the words, the province
/// and the lowest star value: they only pick how the page is read (both ways read the same
/// products), and a word's share of a province moves slowly, so a search's repeats skip the
/// look.
pub async fn rare_provinces(
    db: &impl ConnectionTrait,
    filter: &Filter,
    today: NaiveDate,
) -> Result<Vec<Option<String>>> {
    rare_provinces_for(db, filter, &filter_terms(filter), today).await
}

/// [`rare_provinces`] for the search's words, already folded.
pub(super) async fn rare_provinces_for(
    db: &impl ConnectionTrait,
    filter: &Filter,
    terms: &[String],
    today: NaiveDate,
) -> Result<Vec<Option<String>>> {
    if terms.is_empty()
        || filter.producer_id.is_some()
        || db.get_database_backend() != sea_orm::DbBackend::Postgres
    {
        return Ok(Vec::new());
    }
    let lowest = lowest_stars(filter);
    let mut rare = Vec::new();
    let mut unknown = Vec::new();
    for province in provinces(filter) {
        let key = rarity::Key {
            terms: terms.to_vec(),
            province: province.map(str::to_owned),
            lowest,
        };
        match rarity::recall(&key) {
            Some(true) => rare.push(key.province),
            Some(false) => {}
            None => unknown.push(key),
        }
    }
    if !unknown.is_empty() {
        let counts = look_at_words(db, &unknown, today).await?;
        for (key, (sampled, matched)) in unknown.into_iter().zip(counts) {
            let is_rare = matched * 200 < sampled;
            rarity::remember(&key, is_rare);
            if is_rare {
                rare.push(key.province);
            }
        }
    }
    Ok(rare)
}

/// Searches' rarity, remembered per replica for five minutes.
mod rarity {
    use std::sync::LazyLock;
    use std::time::Duration;

    use super::super::memo::Memo;

    /// The words, in one province (or the whole country), from one star value up.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Key {
        pub terms: Vec<String>,
        pub province: Option<String>,
        pub lowest: i32,
    }

    static MEMORY: LazyLock<Memo<Key, bool>> =
        LazyLock::new(|| Memo::new(Duration::from_secs(300)));

    pub fn recall(key: &Key) -> Option<bool> {
        MEMORY.recall(key)
    }

    pub fn remember(key: &Key, rare: bool) {
        MEMORY.remember(key.clone(), rare);
    }
}

/// Tries the words on the newest listed products of each key's province and star values, one
/// short index walk each, in one statement: (products sampled, products holding the words) per
/// key, in the keys' order.
async fn look_at_words(
    db: &impl ConnectionTrait,
    keys: &[rarity::Key],
    today: NaiveDate,
) -> Result<Vec<(i64, i64)>> {
    let terms = &keys[0].terms;
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT s.k, CAST(COUNT(*) AS BIGINT) AS sampled, CAST(COALESCE(SUM(");
    push_holds_all(&mut q, "s.search_text", terms);
    q.push("), 0) AS BIGINT) AS matched FROM (");
    let mut first = true;
    for (k, key) in keys.iter().enumerate() {
        for stars in (key.lowest..=MAX_STARS).rev() {
            if !first {
                q.push(" UNION ALL ");
            }
            first = false;
            q.push(&format!("SELECT {k} AS k, w.search_text FROM (SELECT p.search_text FROM products p WHERE p.listed_until IS NOT NULL AND p.listed_until >= "))
                .push_date(today);
            if let Some(code) = &key.province {
                q.push(" AND p.origin_province_code = ").bind(code.clone());
            }
            q.push(" AND p.stars >= ")
                .push_int(stars.into())
                .push(" AND p.stars <= ")
                .push_int(stars.into())
                .push(" ORDER BY p.stars DESC, p.id DESC");
            super::push_limit(&mut q, WORD_SAMPLE);
            q.push(") w");
        }
    }
    q.push(") s GROUP BY s.k");
    let mut counts = vec![(0, 0); keys.len()];
    for row in db.query_all_raw(q.build()).await? {
        let k: i32 = row.try_get("", "k")?;
        let sampled: i64 = row.try_get("", "sampled")?;
        let matched: i64 = row.try_get("", "matched")?;
        if let Some(c) = usize::try_from(k).ok().and_then(|k| counts.get_mut(k)) {
            *c = (sampled, matched);
        }
    }
    Ok(counts)
}
