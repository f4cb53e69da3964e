//! The Loan Prime Rate table: dated fixings from reference data, looked up as of a date.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::calendar::Date;
use super::decimal_text::parse_decimal;

const EMBEDDED_TABLE: &str = include_str!("../../data/lpr-cn.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LprTenor {
    OneYear,
    FiveYearPlus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LprFixing {
    pub announced_on: Date,
    pub one_year_pct: Decimal,
    pub five_year_plus_pct: Decimal,
}

impl LprFixing {
    pub fn pct(&self, tenor: LprTenor) -> Decimal {
        match tenor {
            LprTenor::OneYear => self.one_year_pct,
            LprTenor::FiveYearPlus => self.five_year_plus_pct,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LprTable {
    pub id: String,
    pub version: String,
    pub source: String,
    /// Announcements up to this date are known to have left the last fixing unchanged;
    /// beyond it the table may be stale.
    pub confirmed_unchanged_through: Date,
    /// Ascending by date, strictly.
    fixings: Vec<LprFixing>,
}

#[derive(Deserialize)]
struct RawTable {
    id: String,
    version: String,
    source: String,
    confirmed_unchanged_through: String,
    fixings: Vec<RawFixing>,
}

#[derive(Deserialize)]
struct RawFixing {
    announced_on: String,
    lpr_1y_pct: String,
    lpr_5y_plus_pct: String,
}

impl LprTable {
    /// The table built into the binary.
    pub fn embedded() -> LprTable {
        LprTable::from_json(EMBEDDED_TABLE)
            .expect("embedded LPR table is valid; a unit test checks it")
    }

    pub fn from_json(text: &str) -> Result<LprTable, String> {
        let raw: RawTable = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let date = |s: &str| Date::parse(s).map_err(|e| format!("{s:?} {e}"));
        let pct = |s: &str| parse_decimal(s, 4).map_err(|e| format!("{s:?} {e}"));
        let fixings = raw
            .fixings
            .iter()
            .map(|f| {
                Ok(LprFixing {
                    announced_on: date(&f.announced_on)?,
                    one_year_pct: pct(&f.lpr_1y_pct)?,
                    five_year_plus_pct: pct(&f.lpr_5y_plus_pct)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        if fixings.is_empty() {
            return Err("LPR table has no fixings".into());
        }
        if fixings
            .windows(2)
            .any(|w| w[0].announced_on >= w[1].announced_on)
        {
            return Err("LPR fixings must be in strictly ascending date order".into());
        }
        Ok(LprTable {
            id: raw.id,
            version: raw.version,
            source: raw.source,
            confirmed_unchanged_through: date(&raw.confirmed_unchanged_through)?,
            fixings,
        })
    }

    pub fn first_announced_on(&self) -> Date {
        self.fixings[0].announced_on
    }

    /// The fixing in force on `date`: the latest announced on or before it.
    pub fn in_force_on(&self, date: Date) -> Option<&LprFixing> {
        let after = self.fixings.partition_point(|f| f.announced_on <= date);
        after.checked_sub(1).map(|i| &self.fixings[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn embedded_table_loads() {
        let table = LprTable::embedded();
        assert_eq!(table.first_announced_on(), day("2019-08-20"));
        assert!(table.confirmed_unchanged_through >= day("2025-05-20"));
    }

    #[test]
    fn lookup_takes_the_latest_fixing_on_or_before_the_date() {
        let table = LprTable::embedded();
        assert!(table.in_force_on(day("2019-08-19")).is_none());
        let on_cut_day = table.in_force_on(day("2025-05-20")).unwrap();
        assert_eq!(on_cut_day.pct(LprTenor::OneYear).to_string(), "3.00");
        assert_eq!(on_cut_day.pct(LprTenor::FiveYearPlus).to_string(), "3.50");
        let day_before = table.in_force_on(day("2025-05-19")).unwrap();
        assert_eq!(day_before.announced_on, day("2024-10-21"));
        assert_eq!(day_before.pct(LprTenor::OneYear).to_string(), "3.10");
    }

    #[test]
    fn malformed_tables_are_refused() {
        let unordered = r#"{"id":"x","version":"1","source":"s","confirmed_unchanged_through":"2020-01-01",
            "fixings":[{"announced_on":"2020-01-01","lpr_1y_pct":"1","lpr_5y_plus_pct":"1"},
                       {"announced_on":"2019-01-01","lpr_1y_pct":"1","lpr_5y_plus_pct":"1"}]}"#;
        assert!(LprTable::from_json(unordered).is_err());
        let bad_rate = r#"{"id":"x","version":"1","source":"s","confirmed_unchanged_through":"2020-01-01",
            "fixings":[{"announced_on":"2020-01-01","lpr_1y_pct":"1e2","lpr_5y_plus_pct":"1"}]}"#;
        assert!(LprTable::from_json(bad_rate).is_err());
    }
}
