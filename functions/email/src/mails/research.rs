//! The research report: what a run looked at, imported and watchlisted, mailed to the store's
//! owner when the run is done. Transactional.

use super::layout::{button, document, Footer, Text, WIDE_PARAGRAPH};
use super::{Fields, Frame, RenderError, Rendered};
use crate::http_url::HttpUrl;
use maud::html;

/// `research_report`: a research run's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchReport {
    /// The niche researched (`niche`).
    pub niche: String,
    /// Products looked at (`candidates`).
    pub candidates: u64,
    /// Products the run chose and queued for import into the store (`imported`).
    pub imported: u64,
    /// Products added to the watchlist (`watchlisted`).
    pub watchlisted: u64,
    /// The best products with their scores, on one line (`top_opportunities`).
    pub top_opportunities: String,
    /// The sources and what each found, on one line (`sources_used`).
    pub sources_used: String,
    /// The full report in the merchant's app (`report_url`).
    pub report_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for ResearchReport {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            niche: data.text("niche")?,
            candidates: data.count("candidates")?,
            imported: data.count("imported")?,
            watchlisted: data.count("watchlisted")?,
            top_opportunities: data.text("top_opportunities")?,
            sources_used: data.text("sources_used")?,
            report_url: data.url("report_url")?,
        })
    }
}

const LABEL: &str = "padding:8px 0;color:#71717a";
const VALUE: &str = "padding:8px 0;text-align:right;font-weight:600";
const RULE: &str = ";border-top:1px solid #e4e4e7";

/// The report of a finished research run.
pub fn research_report(frame: &Frame, mail: &ResearchReport, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let brand = frame.brand;
    let heading = "Your research run is done";
    let footer = Footer::appended(unsubscribe);
    let counts = [
        ("Products looked at", mail.candidates),
        ("Chosen for import", mail.imported),
        ("Added to the watchlist", mail.watchlisted),
    ];
    let body = html! {
        table role="presentation" style="width:100%;border-collapse:collapse;margin:0 0 24px" {
            tr { td style=(LABEL) { "Niche" } td style=(VALUE) { (mail.niche) } }
            @for (label, count) in counts {
                tr {
                    td style={ (LABEL) (RULE) } { (label) }
                    td style={ (VALUE) (RULE) } { (count) }
                }
            }
        }
        p style="margin:0 0 8px;font-weight:600" { "Top opportunities" }
        p style="margin:0 0 16px" { (mail.top_opportunities) }
        p style="margin:0 0 24px;font-size:13px;color:#71717a" { "Sources: " (mail.sources_used) }
        p style=(WIDE_PARAGRAPH) { (button(frame, &mail.report_url, "Read the full report")) }
    };
    let text = Text::new(frame, heading)
        .paragraph(if mail.candidates == 0 {
            format!("We found no products for \u{201c}{}\u{201d}, so nothing was imported into {brand}.", mail.niche)
        } else {
            format!(
                "We looked at {} products for \u{201c}{}\u{201d}, chose {} to import into {brand} and added {} to your watchlist.",
                mail.candidates, mail.niche, mail.imported, mail.watchlisted
            )
        })
        .paragraph(format!("Top opportunities: {}", mail.top_opportunities))
        .paragraph(format!("Sources: {}", mail.sources_used))
        .link("The full report", &mail.report_url)
        .end(frame, footer);
    Rendered {
        subject: format!(
            "{brand}: {} products chosen by your \u{201c}{}\u{201d} research",
            mail.imported, mail.niche
        ),
        html: document(frame, heading, body, footer),
        text,
    }
}
