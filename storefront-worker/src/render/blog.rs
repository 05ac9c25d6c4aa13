//! The blog: an index of published posts and each post, with BlogPosting structured data.

use super::{json_ld, layout, Head, Site};
use crate::urls::{post_path, BLOG_PATH};
use html::{html, Markup, Sanitized};

/// A post as the index lists it.
#[derive(Debug, Clone)]
pub struct PostCard {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Short summary.
    pub excerpt: String,
    /// When it was published, RFC 3339.
    pub published_at: Option<String>,
}

/// A full post.
#[derive(Debug, Clone)]
pub struct PostPage {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Body, HTML (sanitised again here).
    pub body_html: String,
    /// Short summary.
    pub excerpt: String,
    /// `<title>`; the title and store name when blank.
    pub meta_title: String,
    /// Meta description; the excerpt or the body's text when blank.
    pub meta_description: String,
    /// Author's name; the store when blank.
    pub author: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// When it was published, RFC 3339.
    pub published_at: Option<String>,
    /// When it last changed, RFC 3339.
    pub updated_at: String,
}

impl PostPage {
    /// Its meta description.
    pub fn description(&self) -> String {
        let text = [self.meta_description.trim(), self.excerpt.trim()]
            .into_iter()
            .find(|t| !t.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| domain::html::plain_text(&self.body_html));
        domain::content::truncate_words(&text, domain::content::META_DESCRIPTION_MAX)
    }
}

fn date(rfc3339: Option<&str>) -> Markup {
    html! {
        @if let Some(day) = rfc3339.and_then(|d| d.get(..10)) {
            time datetime=(day) { (day) }
        }
    }
}

/// The blog index.
pub fn blog_index(site: &Site, posts: &[PostCard]) -> String {
    let body = html! {
        h1 { "Blog" }
        @if posts.is_empty() {
            p { "Our first stories are on their way." }
        } @else {
            ul class="posts" {
                @for post in posts {
                    li {
                        h2 { a href=(post_path(&post.slug)) { (post.title) } }
                        p { (date(post.published_at.as_deref())) }
                        p { (post.excerpt) }
                    }
                }
            }
        }
    };
    let title = format!("Blog | {}", site.name);
    let description = format!("Guides, stories and news from {}.", site.name);
    let canonical = site.origin.url(BLOG_PATH);
    let head = Head {
        title: &title,
        description: &description,
        canonical: Some(&canonical),
        og_type: "website",
        image: None,
        price: None,
        noindex: false,
        json_ld: Vec::new(),
        icon: true,
        refresh: false,
    };
    layout(site, Some(""), &head, body)
}

/// A blog post.
pub fn post(site: &Site, post: &PostPage) -> String {
    let body = html! {
        nav aria-label="Breadcrumb" {
            ol class="crumbs" {
                li { a href="/" { "Home" } }
                li { a href=(BLOG_PATH) { "Blog" } }
                li { span aria-current="page" { (post.title) } }
            }
        }
        article {
            h1 { (post.title) }
            p {
                (date(post.published_at.as_deref()))
                @if !post.author.is_empty() {
                    " · " (post.author)
                }
            }
            (Sanitized::from_untrusted(&post.body_html))
        }
    };
    let head_title = if post.meta_title.trim().is_empty() {
        format!("{} | {}", post.title, site.name)
    } else {
        post.meta_title.clone()
    };
    let description = post.description();
    let canonical = site.origin.url(&post_path(&post.slug));
    let head = Head {
        title: &head_title,
        description: &description,
        canonical: Some(&canonical),
        og_type: "article",
        image: None,
        price: None,
        noindex: false,
        json_ld: vec![json_ld::blog_posting(site, post)],
        icon: true,
        refresh: false,
    };
    layout(site, Some(""), &head, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{hostile_site, site, snapshot};

    fn sample() -> PostPage {
        PostPage {
            slug: "brushing-guide".into(),
            title: "How to brush a long-haired cat".into(),
            body_html: "<h2>Start slowly</h2><p>Short sessions.</p><script>alert(1)</script>".into(),
            excerpt: "Five steps to a calm grooming routine.".into(),
            meta_title: String::new(),
            meta_description: String::new(),
            author: "Ada".into(),
            keywords: vec!["cat grooming".into()],
            published_at: Some("2026-11-20T10:00:00Z".into()),
            updated_at: "2026-11-21T10:00:00Z".into(),
        }
    }

    #[test]
    fn a_post_is_sanitised_and_described_as_a_blog_posting() {
        let html = post(&site("Cozy Pets"), &sample());
        assert!(html.contains("<h2>Start slowly</h2><p>Short sessions.</p></article>"));
        assert!(!html.contains("alert(1)"));
        assert!(html.contains("\"@type\":\"BlogPosting\""));
        assert!(html.contains("\"datePublished\":\"2026-11-20T10:00:00Z\""));
        assert!(html.contains("\"headline\":\"How to brush a long-haired cat\""));
        assert!(
            html.contains("<meta name=\"description\" content=\"Five steps to a calm grooming routine.\">")
        );
        assert!(html.contains("<meta property=\"og:type\" content=\"article\">"));
    }

    #[test]
    fn the_blog_index_links_every_post() {
        let cards = [PostCard {
            slug: "brushing-guide".into(),
            title: "Guide".into(),
            excerpt: "Steps.".into(),
            published_at: Some("2026-11-20T10:00:00Z".into()),
        }];
        let html = blog_index(&site("Cozy Pets"), &cards);
        assert!(html.contains("<a href=\"/blog/brushing-guide\">Guide</a>"));
        assert!(html.contains("<time datetime=\"2026-11-20\">2026-11-20</time>"));
    }

    #[test]
    fn snapshot_of_the_blog_index() {
        let cards = [
            PostCard {
                slug: "brushing-guide".into(),
                title: "How to brush <long> & \"short\" hair".into(),
                excerpt: "Rosie's five steps <b>to</b> calm.".into(),
                published_at: Some("2026-11-20T10:00:00Z".into()),
            },
            PostCard {
                slug: "draft-date".into(),
                title: "Undated".into(),
                excerpt: String::new(),
                published_at: None,
            },
        ];
        insta::assert_snapshot!(snapshot(&blog_index(&hostile_site(), &cards)));
    }

    #[test]
    fn snapshot_of_an_empty_blog() {
        insta::assert_snapshot!(snapshot(&blog_index(&hostile_site(), &[])));
    }

    #[test]
    fn snapshot_of_a_post() {
        let page = PostPage {
            title: "How to brush <long> & \"short\" hair".into(),
            body_html: "<h2>Start 'slowly'</h2><p>Short & sweet <a href=\"/products/slicker-brush\">sessions</a>.</p>\
                        <script>alert(1)</script><p onclick=\"x\">Done</p>"
                .into(),
            author: "Ada <Lovelace> & Co".into(),
            keywords: vec!["cat <grooming>".into(), "brush".into()],
            ..sample()
        };
        insta::assert_snapshot!(snapshot(&post(&hostile_site(), &page)));
    }
}
