//! Loads the administrative units seeded by the migrations.

use kernel::admin_units::{AdminUnits, Commune, Province};
use sea_orm::{ConnectionTrait, DbErr, Statement};

pub async fn load(db: &impl ConnectionTrait) -> Result<AdminUnits, DbErr> {
    let backend = db.get_database_backend();
    let provinces = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT code, name FROM provinces ORDER BY code",
        ))
        .await?
        .into_iter()
        .map(|r| {
            Ok(Province {
                code: r.try_get("", "code")?,
                name: r.try_get("", "name")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    let communes = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT code, name, province_code FROM communes",
        ))
        .await?
        .into_iter()
        .map(|r| {
            Ok(Commune {
                code: r.try_get("", "code")?,
                name: r.try_get("", "name")?,
                province_code: r.try_get("", "province_code")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok(AdminUnits::new(provinces, communes))
}
