//! The store-ready mail: a new store's launch is done (its first research run's products are in,
//! grouped into collections, and its first SEO run has written its posts). Mailed to the store's
//! owner with the links to see it. Transactional.

use super::layout::{button, document, Footer, Text, WIDE_PARAGRAPH};
use super::{Fields, Frame, RenderError, Rendered};
use crate::http_url::HttpUrl;
use maud::html;

/// `store_ready`: what the launch put in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreReady {
    /// The niche the store was launched for (`niche`).
    pub niche: String,
    /// Products in the store, published or waiting as drafts (`products`).
    pub products: u64,
    /// Of those, published: what shoppers see (`published`).
    pub published: u64,
    /// Collections the products were grouped into (`collections`).
    pub collections: u64,
    /// Blog posts written (`posts`).
    pub posts: u64,
    /// The shop's home page (`store_url`).
    pub store_url: HttpUrl,
    /// The page of all its products (`products_url`).
    pub products_url: HttpUrl,
    /// Its blog (`blog_url`).
    pub blog_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for StoreReady {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            niche: data.text("niche")?,
            products: data.count("products")?,
            published: data.count("published")?,
            collections: data.count("collections")?,
            posts: data.count("posts")?,
            store_url: data.url("store_url")?,
            products_url: data.url("products_url")?,
            blog_url: data.url("blog_url")?,
        })
    }
}

const LABEL: &str = "padding:8px 0;color:#71717a";
const VALUE: &str = "padding:8px 0;text-align:right;font-weight:600";
const RULE: &str = ";border-top:1px solid #e4e4e7";

fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A store whose launch is done.
pub fn store_ready(frame: &Frame, mail: &StoreReady, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let brand = frame.brand;
    let heading = "Your store is ready";
    let footer = Footer::appended(unsubscribe);
    let drafts = mail.products.saturating_sub(mail.published);
    let summary = if mail.products == 0 {
        format!(
            "{brand} is live, but research found no products for \u{201c}{}\u{201d} to import yet. \
             Add products of your own, or change the niche and start a research run.",
            mail.niche
        )
    } else {
        let mut summary = format!(
            "{brand} is live with {} for \u{201c}{}\u{201d}, in {}, and {} on its blog.",
            plural(mail.published, "published product", "published products"),
            mail.niche,
            plural(mail.collections, "collection", "collections"),
            plural(mail.posts, "post", "posts"),
        );
        if drafts > 0 {
            summary.push_str(&format!(
                " {} wait as drafts for you to publish, as your store's auto-publish setting is off.",
                plural(drafts, "product", "products")
            ));
        }
        summary
    };
    let counts = [
        ("Published products", mail.published),
        ("Drafts", drafts),
        ("Collections", mail.collections),
        ("Blog posts", mail.posts),
    ];
    let body = html! {
        p style="margin:0 0 16px" { (summary) }
        table role="presentation" style="width:100%;border-collapse:collapse;margin:0 0 24px" {
            @for (at, (label, count)) in counts.iter().enumerate() {
                tr {
                    td style={ (LABEL) @if at > 0 { (RULE) } } { (label) }
                    td style={ (VALUE) @if at > 0 { (RULE) } } { (count) }
                }
            }
        }
        p style=(WIDE_PARAGRAPH) { (button(frame, &mail.store_url, "Visit your store")) }
    };
    let text = Text::new(frame, heading)
        .paragraph(summary.clone())
        .link("Your store", &mail.store_url)
        .link("All products", &mail.products_url)
        .link("The blog", &mail.blog_url)
        .end(frame, footer);
    Rendered { subject: format!("{brand} is ready"), html: document(frame, heading, body, footer), text }
}
