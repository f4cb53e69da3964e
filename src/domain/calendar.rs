//! Civil dates for due dates and rate fixings: parse "YYYY-MM-DD", add months with the
//! day of month clamped to the month's end. Dates outside 1900..=2200 are refused so that
//! any schedule (at most 600 months) stays far from the edges of the type.

use std::fmt;

pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    Format,
    YearOutOfRange,
    MonthOutOfRange,
    DayOutOfRange,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateError::Format => "must be a date written YYYY-MM-DD",
            DateError::YearOutOfRange => "year must be from 1900 to 2200",
            DateError::MonthOutOfRange => "month must be from 01 to 12",
            DateError::DayOutOfRange => "day does not exist in that month",
        })
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DateError::YearOutOfRange);
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::MonthOutOfRange);
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::DayOutOfRange);
        }
        Ok(Date { year, month, day })
    }

    /// Strict ISO 8601 calendar date: exactly `YYYY-MM-DD`, ASCII digits only.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(DateError::Format);
        }
        let number = |range: std::ops::Range<usize>| {
            bytes[range]
                .iter()
                .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'))
        };
        let year = i32::try_from(number(0..4)).map_err(|_| DateError::Format)?;
        let month = u8::try_from(number(5..7)).map_err(|_| DateError::MonthOutOfRange)?;
        let day = u8::try_from(number(8..10)).map_err(|_| DateError::DayOutOfRange)?;
        Date::new(year, month, day)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// The date `months` later, on `anchor_day` of that month or the month's last day if the
    /// month is shorter. Keeping the anchor (rather than the previous date's day) stops a
    /// schedule that passes through February from drifting to the 28th for good.
    pub fn add_months_clamped(self, months: u32, anchor_day: u8) -> Date {
        let month_index = i64::from(self.year) * 12 + i64::from(self.month - 1) + i64::from(months);
        let year = i32::try_from(month_index.div_euclid(12)).unwrap_or(i32::MAX);
        let month = u8::try_from(month_index.rem_euclid(12) + 1).unwrap_or(12);
        let day = anchor_day.min(days_in_month(year, month));
        Date { year, month, day }
    }

    /// Days since 1970-01-01 (negative before it), so that day counts are a subtraction.
    /// The proleptic Gregorian count of Hinnant's `days_from_civil`, on a year starting in March
    /// so that the leap day is the year's last.
    pub fn day_number(self) -> i64 {
        let march_year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = march_year.div_euclid(400);
        let year_of_era = march_year - era * 400;
        let march_month = (i64::from(self.month) + 9) % 12;
        let day_of_year = (153 * march_month + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

impl Date {
    /// YYYY-MM-DD, written digit by digit rather than through `format!`: a schedule writes
    /// one date a period. Years are 1900 to 2200, so always four digits.
    pub fn to_text(self) -> String {
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let year = self.year.unsigned_abs();
        let (month, day) = (u32::from(self.month), u32::from(self.day));
        let bytes = [
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
        ];
        // Pushed byte by byte: each is one byte of UTF-8, where `str::from_utf8` would check.
        let mut text = String::with_capacity(bytes.len());
        for byte in bytes {
            text.push(char::from(byte));
        }
        text
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        let date = Date::parse("2025-06-20").unwrap();
        assert_eq!((date.year(), date.month(), date.day()), (2025, 6, 20));
        assert_eq!(date.to_string(), "2025-06-20");
    }

    #[test]
    fn text_is_the_padded_iso_date_on_every_day() {
        for year in [1900, 1904, 1999, 2000, 2024, 2100, 2200] {
            for month in 1..=12u8 {
                for day in 1..=days_in_month(year, month) {
                    let date = Date::new(year, month, day).unwrap();
                    let text = date.to_text();
                    assert_eq!(text, format!("{year:04}-{month:02}-{day:02}"));
                    assert_eq!(Date::parse(&text), Ok(date));
                }
            }
        }
    }

    #[test]
    fn rejects_malformed_and_impossible_dates() {
        for text in [
            "",
            "2025-6-20",
            "2025/06/20",
            "20250620",
            "2025-06-20T00",
            " 2025-06-20",
            "２０２５-06-20",
        ] {
            assert_eq!(Date::parse(text), Err(DateError::Format), "{text:?}");
        }
        assert_eq!(Date::parse("2025-13-01"), Err(DateError::MonthOutOfRange));
        assert_eq!(Date::parse("2025-00-01"), Err(DateError::MonthOutOfRange));
        assert_eq!(Date::parse("2025-02-29"), Err(DateError::DayOutOfRange));
        assert_eq!(Date::parse("1899-12-31"), Err(DateError::YearOutOfRange));
        assert_eq!(Date::parse("2201-01-01"), Err(DateError::YearOutOfRange));
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2000-02-29").is_ok());
        assert_eq!(Date::parse("1900-02-29"), Err(DateError::DayOutOfRange));
    }

    #[test]
    fn day_numbers_count_days_across_months_and_leap_years() {
        let day = |text: &str| Date::parse(text).unwrap().day_number();
        assert_eq!(day("1970-01-01"), 0);
        assert_eq!(day("1969-12-31"), -1);
        assert_eq!(day("2000-03-01"), 11_017);
        assert_eq!(day("2024-03-01") - day("2024-02-28"), 2);
        assert_eq!(day("2023-03-01") - day("2023-02-28"), 1);
        assert_eq!(day("2025-01-01") - day("2024-01-01"), 366);
        assert_eq!(day("1901-01-01") - day("1900-01-01"), 365);
        assert_eq!(day("2200-12-31") - day("1900-01-01"), 109_937);
    }

    #[test]
    fn month_end_anchor_is_clamped_then_restored() {
        let start = Date::parse("2025-01-31").unwrap();
        let dates: Vec<String> = (0..4)
            .map(|k| start.add_months_clamped(k, 31).to_string())
            .collect();
        assert_eq!(
            dates,
            ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"]
        );
        let leap = Date::parse("2023-11-30").unwrap().add_months_clamped(3, 30);
        assert_eq!(leap.to_string(), "2024-02-29");
        let across_years = Date::parse("2025-11-15")
            .unwrap()
            .add_months_clamped(14, 15);
        assert_eq!(across_years.to_string(), "2027-01-15");
    }
}
