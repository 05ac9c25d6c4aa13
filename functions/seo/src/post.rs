//! A blog post's HTML, built from the AI's plain text: every text escaped, only the tags
//! [`domain::seo::check_post_html`] allows, and the related products linked at the end.

use ai::tasks::blog::BlogPost;
use domain::seo::escape_html;
use queues::seo_api::SeoProduct;

/// The body HTML of `post`, linking `related` products (`/products/<slug>` on the store).
pub fn html(post: &BlogPost, related: &[&SeoProduct]) -> String {
    let mut out = String::new();
    for section in &post.sections {
        out.push_str(&format!("<h2>{}</h2>\n", escape_html(&section.heading)));
        for paragraph in &section.paragraphs {
            out.push_str(&format!("<p>{}</p>\n", escape_html(paragraph)));
        }
    }
    if !related.is_empty() {
        out.push_str("<h2>Shop the products in this guide</h2>\n<ul>\n");
        for product in related {
            out.push_str(&format!(
                "<li><a href=\"/products/{}\">{}</a></li>\n",
                urlencoding::encode(&product.slug),
                escape_html(&product.title)
            ));
        }
        out.push_str("</ul>\n");
    }
    out
}

/// The excerpt: the first paragraph, cut at a word within 300 characters.
pub fn excerpt(post: &BlogPost) -> String {
    let first =
        post.sections.iter().flat_map(|s| &s.paragraphs).next().map(String::as_str).unwrap_or(&post.title);
    domain::content::truncate_words(first, 300)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai::tasks::blog::Section;

    #[test]
    fn the_html_escapes_the_text_and_passes_the_allow_list() {
        let post = BlogPost {
            title: "T".into(),
            outline: vec!["A <b>".into()],
            sections: vec![Section { heading: "A <b>".into(), paragraphs: vec!["x < y & \"z\"".into()] }],
            meta_title: "T".into(),
            meta_description: "D".into(),
            keywords: vec![],
        };
        let product = SeoProduct {
            id: "p1".into(),
            slug: "slicker-brush".into(),
            title: "Slicker <Brush>".into(),
            summary: String::new(),
            meta_title: String::new(),
            meta_description: String::new(),
            keywords: vec![],
        };
        let html = html(&post, &[&product]);
        assert!(
            html.contains("<h2>A &lt;b&gt;</h2>") && html.contains("<p>x &lt; y &amp; &quot;z&quot;</p>")
        );
        assert!(html.contains("<a href=\"/products/slicker-brush\">Slicker &lt;Brush&gt;</a>"));
        domain::seo::check_post_html(&html).unwrap();
    }
}
