use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
CREATE TABLE provinces (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    division_type TEXT NOT NULL
);
CREATE TABLE communes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    division_type TEXT NOT NULL,
    province_code TEXT NOT NULL REFERENCES provinces (code)
);
CREATE INDEX communes_province_code_idx ON communes (province_code);
"#,
        )
        .await?;

        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let mut provinces = Vec::new();
        let mut communes = Vec::new();
        for line in crate::ADMIN_UNITS_CSV.lines().skip(1) {
            let cols: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
            if cols.len() != 5 {
                return Err(DbErr::Migration(format!("bad admin unit row: {line}")));
            }
            match cols[0] {
                "province" => provinces.push((cols[1], cols[2], cols[3])),
                "commune" => communes.push((cols[1], cols[2], cols[3], cols[4])),
                other => return Err(DbErr::Migration(format!("bad level {other}"))),
            }
        }
        let mut q = Query::insert()
            .into_table("provinces")
            .columns(["code", "name", "division_type"])
            .to_owned();
        for (code, name, kind) in &provinces {
            q.values_panic([(*code).into(), (*name).into(), (*kind).into()]);
        }
        db.execute_raw(build(backend, &q)).await?;
        for chunk in communes.chunks(400) {
            let mut q = Query::insert()
                .into_table("communes")
                .columns(["code", "name", "division_type", "province_code"])
                .to_owned();
            for (code, name, kind, province) in chunk {
                q.values_panic([
                    (*code).into(),
                    (*name).into(),
                    (*kind).into(),
                    (*province).into(),
                ]);
            }
            db.execute_raw(build(backend, &q)).await?;
        }
        Ok(())
    }
}

fn build(backend: sea_orm_migration::sea_orm::DbBackend, q: &InsertStatement) -> Statement {
    backend.build(q)
}
