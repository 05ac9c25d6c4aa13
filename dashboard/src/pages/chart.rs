//! Charts drawn on the server as SVG: no script, readable by screen readers through the figure's
//! caption and the table of values next to it.

use html::{html, Markup};

const WIDTH: u32 = 600;
const HEIGHT: u32 = 160;
const PAD: u32 = 4;

/// A bar chart of one value per day (`(day, value)` in order), titled `label`.
pub fn daily_bars(label: &str, days: &[(String, i64)]) -> Markup {
    let max = days.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let n = days.len().max(1) as u32;
    let slot = (WIDTH - 2 * PAD) / n;
    let bar = slot.saturating_sub(2).max(1);
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-label=(label) preserveAspectRatio="none" {
                title { (label) }
                line x1="0" y1=(HEIGHT - PAD) x2=(WIDTH) y2=(HEIGHT - PAD) class="axis" {}
                @for (i, (day, value)) in days.iter().enumerate() {
                    @let h = ((*value).max(0) as u64 * u64::from(HEIGHT - 2 * PAD) / max as u64) as u32;
                    rect x=(PAD + i as u32 * slot) y=(HEIGHT - PAD - h) width=(bar) height=(h) {
                        title { (day) ": " (value) }
                    }
                }
            }
            figcaption { (label) ", highest day " (max) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_of_a_daily_bar_chart() {
        let days =
            vec![("2026-12-01".to_owned(), 4), ("2026-12-02".to_owned(), 0), ("2026-12-03".to_owned(), 8)];
        insta::assert_snapshot!(daily_bars("Page views per day", &days).into_string());
    }

    #[test]
    fn an_empty_range_draws_an_empty_chart() {
        assert!(!daily_bars("Page views per day", &[]).into_string().contains("<rect"));
    }
}
