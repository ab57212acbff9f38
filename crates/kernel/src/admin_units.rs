//! Vietnam's administrative units in force since 2025-07-01: 34 provinces and 3,321 communes,
//! no district level. Reference data: loaded once from the database (seeded by a migration)
//! and kept in memory, read-only, by every replica alike.

use std::collections::HashMap;

use crate::problem::Problem;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Province {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commune {
    pub code: String,
    pub name: String,
    pub province_code: String,
}

#[derive(Debug, Default)]
pub struct AdminUnits {
    provinces: Vec<Province>,
    province_index: HashMap<String, usize>,
    communes: HashMap<String, Commune>,
    by_province: HashMap<String, Vec<String>>,
}

impl AdminUnits {
    pub fn new(provinces: Vec<Province>, communes: Vec<Commune>) -> AdminUnits {
        let mut units = AdminUnits {
            province_index: provinces
                .iter()
                .enumerate()
                .map(|(i, p)| (p.code.clone(), i))
                .collect(),
            provinces,
            ..AdminUnits::default()
        };
        for c in communes {
            units
                .by_province
                .entry(c.province_code.clone())
                .or_default()
                .push(c.code.clone());
            units.communes.insert(c.code.clone(), c);
        }
        for list in units.by_province.values_mut() {
            list.sort();
        }
        units
    }

    pub fn provinces(&self) -> &[Province] {
        &self.provinces
    }

    pub fn province(&self, code: &str) -> Option<&Province> {
        self.province_index.get(code).map(|i| &self.provinces[*i])
    }

    pub fn commune(&self, code: &str) -> Option<&Commune> {
        self.communes.get(code)
    }

    pub fn communes_of(&self, province_code: &str) -> Vec<&Commune> {
        self.by_province
            .get(province_code)
            .map(|codes| codes.iter().filter_map(|c| self.communes.get(c)).collect())
            .unwrap_or_default()
    }

    pub fn commune_count(&self) -> usize {
        self.communes.len()
    }

    /// Checks a province code and an optional commune code that must belong to it. The error is
    /// the field that is wrong (`provinceCode` or `communeCode`) and the problem.
    pub fn validate(
        &self,
        province_code: &str,
        commune_code: Option<&str>,
    ) -> Result<(), (&'static str, Problem)> {
        let province = self.province(province_code.trim()).ok_or((
            "provinceCode",
            Problem::UnknownProvince(province_code.trim().to_owned()),
        ))?;
        if let Some(code) = commune_code.map(str::trim).filter(|c| !c.is_empty()) {
            let commune = self
                .commune(code)
                .ok_or(("communeCode", Problem::UnknownCommune(code.to_owned())))?;
            if commune.province_code != province.code {
                return Err((
                    "communeCode",
                    Problem::CommuneNotInProvince {
                        commune: commune.name.clone(),
                        province: province.name.clone(),
                    },
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commune_must_belong_to_its_province() {
        let units = AdminUnits::new(
            vec![
                Province {
                    code: "40".into(),
                    name: "Tỉnh Nghệ An".into(),
                },
                Province {
                    code: "01".into(),
                    name: "Thành phố Hà Nội".into(),
                },
            ],
            vec![Commune {
                code: "16681".into(),
                name: "Xã Diễn Châu".into(),
                province_code: "40".into(),
            }],
        );
        assert!(units.validate("40", Some("16681")).is_ok());
        assert!(units.validate("40", None).is_ok());
        assert_eq!(
            units.validate("01", Some("16681")).unwrap_err().0,
            "communeCode"
        );
        assert_eq!(units.validate("99", None).unwrap_err().0, "provinceCode");
        assert_eq!(
            units.validate("40", Some("00000")).unwrap_err().0,
            "communeCode"
        );
    }
}
