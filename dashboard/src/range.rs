//! The home page's date range and the period before it, over UTC days.

use time::{macros::format_description, Date, Duration};

/// A range of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
}

/// The longest range the API reads (it refuses more than 366 days).
const MAX_DAYS: i64 = 366;

fn parse(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// `YYYY-MM-DD`.
pub fn format(day: Date) -> String {
    day.format(format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

impl Range {
    /// The range the query asks for, or the last 30 days to `today`: a bad or reversed query, or
    /// one longer than the API reads, falls back to the default.
    pub fn from_query(from: &str, to: &str, today: Date) -> Self {
        let default = Range { from: today - Duration::days(29), to: today };
        match (parse(from), parse(to)) {
            (Some(from), Some(to)) if from <= to && (to - from).whole_days() < MAX_DAYS => Range { from, to },
            _ => default,
        }
    }

    /// The period of the same length that ends the day before this one starts.
    pub fn previous(&self) -> Self {
        let length = self.to - self.from;
        let to = self.from - Duration::days(1);
        Range { from: to - length, to }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_default_range_is_the_last_30_days_and_the_previous_period_the_30_before() {
        let r = Range::from_query("", "", date!(2026 - 12 - 07));
        assert_eq!((r.from, r.to), (date!(2026 - 11 - 08), date!(2026 - 12 - 07)));
        let p = r.previous();
        assert_eq!((p.from, p.to), (date!(2026 - 10 - 09), date!(2026 - 11 - 07)));
    }

    #[test]
    fn a_reversed_or_too_long_range_falls_back_to_the_default() {
        let today = date!(2026 - 12 - 07);
        assert_eq!(Range::from_query("2026-12-05", "2026-12-01", today), Range::from_query("", "", today));
        assert_eq!(Range::from_query("2024-01-01", "2026-12-01", today), Range::from_query("", "", today));
        let one = Range::from_query("2026-12-01", "2026-12-01", today);
        assert_eq!(one.previous().to, date!(2026 - 11 - 30));
        assert_eq!(one.previous().from, date!(2026 - 11 - 30));
    }
}
