//! Models read from a row by the position of their columns, for the statements a shopper's
//! page runs on every request. sea-orm's derived reader looks each column up by name: it
//! formats the prefixed name, then the driver hashes and compares it against the statement's
//! column names. Under the uncached listing mix that was about 4% of the machine's CPU (8% of
//! the server's). These statements select the columns in the order [`Columns::COLUMNS`] lists
//! them ([`Columns::list`]) and read them back by position.
//!
//! The column list and the reader come from one list of fields, so they cannot disagree; a
//! field added to a model and not here fails to compile (the reader names every field).

use sea_orm::{DbErr, QueryResult};

use super::{certificate, producer, product, variant};

/// A model whose columns a statement selects in a known order and reads back by position.
pub trait Columns: Sized {
    /// The columns, in the order [`Columns::read_at`] reads them.
    const COLUMNS: &'static [&'static str];

    /// The model from the row's columns `start..start + COLUMNS.len()`.
    fn read_at(row: &QueryResult, start: usize) -> Result<Self, DbErr>;

    /// `alias.column, …` in [`Columns::COLUMNS`]'s order, for a statement's select list.
    fn list(alias: &str) -> String {
        Self::COLUMNS
            .iter()
            .map(|c| format!("{alias}.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

macro_rules! columns {
    ($($model:ty { $($field:ident),* $(,)? })*) => {$(
        impl Columns for $model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn read_at(row: &QueryResult, start: usize) -> Result<Self, DbErr> {
                let mut at = start..;
                // A struct expression's fields are evaluated in the order written: the
                // same order as COLUMNS. (A `RangeFrom` always has a next.)
                Ok(Self {
                    $($field: row.try_get_by_index(at.next().unwrap_or(start))?,)*
                })
            }
        }
    )*};
}

columns! {
    product::Model {
        id, producer_id, certificate_id, category_code, slug, name, name_folded, search_text,
        description, status, origin_province_code, origin_commune_code, origin_place,
        min_price, max_price, variant_count, stars, listed_until, stock_until, created_at,
        updated_at, published_at,
    }
    producer::Model {
        id, name, slug, kind, tax_code, province_code, commune_code, address, phone,
        phone_public, description, verified, verified_at, search_text, created_at,
    }
    certificate::Model {
        id, producer_id, product_name, category_code, stars, score, decision_number, issued_by,
        issued_on, valid_until, document_url, status, review_note, reviewed_by, reviewed_at,
        created_at,
    }
    variant::Model {
        id, product_id, producer_id, sku, gtin, name, price, compare_at_price, weight_grams,
        created_at, updated_at,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    use super::*;

    fn names<E: EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|c| c.as_str()).collect()
    }

    /// Every column of the table's entity is read, once, under its own name (a field renamed
    /// in the entity would select a column that does not exist).
    #[test]
    fn each_model_reads_every_column_of_its_entity() {
        let cases: [(&[&str], Vec<&str>); 4] = [
            (product::Model::COLUMNS, names::<product::Entity>()),
            (producer::Model::COLUMNS, names::<producer::Entity>()),
            (certificate::Model::COLUMNS, names::<certificate::Entity>()),
            (variant::Model::COLUMNS, names::<variant::Entity>()),
        ];
        for (ours, entity) in cases {
            let mut ours = ours.to_vec();
            let mut entity = entity;
            ours.sort_unstable();
            entity.sort_unstable();
            assert_eq!(ours, entity);
        }
        assert_eq!(
            variant::Model::list("v"),
            "v.id, v.product_id, v.producer_id, v.sku, v.gtin, v.name, v.price, \
             v.compare_at_price, v.weight_grams, v.created_at, v.updated_at"
        );
    }
}
