//! A store's content: blog posts (list, write, edit, publish or unpublish, delete) and the store
//! pages (about, contact, shipping, returns, privacy, terms), each edited with a preview of its
//! body as the shop shows it: through the same allow-list ([`Sanitized`]) the API applies.

use super::account::Refusal;
use super::{csrf_field, day, page, text, Field, Shell};
use html::{html, Markup, Sanitized};
use serde_json::Value;

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key].as_array().map_or(&[], Vec::as_slice)
}

/// A textarea with its label, hint and the API's refusal when it named this field.
fn area(label: &str, name: &str, value: &str, rows: u32, hint: Option<&str>, error: Option<&str>) -> Markup {
    let described = [hint.map(|_| format!("{name}-hint")), error.map(|_| format!("{name}-error"))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        div.field {
            label for=(name) { (label) }
            @if let Some(hint) = hint { span.hint id={ (name) "-hint" } { (hint) } }
            textarea id=(name) name=(name) rows=(rows) aria-invalid=[error.map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then_some(described.as_str())] { (value) }
            @if let Some(error) = error { span.field-error id={ (name) "-error" } { (error) } }
        }
    }
}

/// The body as the shop shows it.
fn preview(body_html: &str) -> Markup {
    html! {
        section.preview aria-labelledby="preview-heading" {
            h2 #preview-heading { "Preview" }
            div #preview-body { (Sanitized::from_untrusted(body_html)) }
        }
    }
}

/// The store's blog posts, newest first, and a link to write one.
pub fn posts(shell: &Shell, store_id: &str, answer: &Value, can_edit: bool) -> Markup {
    let posts = list(answer, "posts");
    page(
        shell,
        html! {
            @if can_edit { p { a #new-post href={ "/stores/" (store_id) "/posts/new" } { "Write a post" } } }
            @if posts.is_empty() {
                p #no-posts { "No posts yet." }
            } @else {
                table #posts {
                    caption { "Posts, newest first" }
                    thead { tr { th scope="col" { "Title" } th scope="col" { "Status" } th scope="col" { "Published" } th scope="col" { "Updated" } th scope="col" { "Written by" } } }
                    tbody {
                        @for p in posts {
                            tr {
                                td { a href={ "/stores/" (store_id) "/posts/" (text(p, "id")) } { (text(p, "title")) } }
                                td { (text(p, "status")) }
                                td { (p["published_at"].as_str().map(day).unwrap_or("")) }
                                td { (day(text(p, "updated_at"))) }
                                td { @if text(p, "source") == "seo" { "an SEO run" } @else { "your team" } }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A post's form: a new post (`post["id"]` empty) or an existing one with its publish, unpublish
/// and delete forms; `post` is the API's answer or what was typed (keywords as one text).
/// `show_preview` adds the preview of the body.
pub fn post(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    post: &Value,
    can_edit: bool,
    show_preview: bool,
    refusal: &Refusal,
) -> Markup {
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    let id = text(post, "id");
    let action = if id.is_empty() {
        format!("/stores/{store_id}/posts/new")
    } else {
        format!("/stores/{store_id}/posts/{id}")
    };
    let status = text(post, "status");
    placed.page(
        shell,
        html! {
            @if !id.is_empty() {
                p { "Status: " strong #post-status { @if status == "published" { "published" } @else { "draft" } } }
                @if can_edit {
                    form method="post" action={ (action) "/status" } {
                        (csrf_field(csrf))
                        @if status == "published" {
                            input type="hidden" name="status" value="draft";
                            button type="submit" { "Unpublish" }
                        } @else {
                            input type="hidden" name="status" value="published";
                            button type="submit" { "Publish" }
                        }
                    }
                }
            }
            form.card method="post" action=(action) {
                (csrf_field(csrf))
                fieldset disabled[!can_edit] {
                    legend { "Post" }
                    (Field::text("Title", "title", text(post, "title")).render(on("title")))
                    (Field { required: false, hint: Some("The post's address: lower-case letters, digits and hyphens. Blank makes one from the title; a new one leaves a redirect."), ..Field::text("Address", "slug", text(post, "slug")) }.render(on("slug")))
                    (area("Body", "body_html", text(post, "body_html"), 14, Some("HTML: paragraphs, sub-headings (h2 to h4), lists, links, emphasis, quotes and code are kept; anything else is removed."), on("body_html")))
                    (area("Excerpt", "excerpt", text(post, "excerpt"), 3, Some("A sentence or two for the blog's list; at most 300 characters."), on("excerpt")))
                    (Field { required: false, ..Field::text("Author", "author", text(post, "author")) }.render(on("author")))
                    (Field { required: false, hint: Some("Separated by commas."), ..Field::text("Keywords", "keywords", text(post, "keywords")) }.render(on("keywords")))
                    (Field { required: false, hint: Some("At most 60 characters."), ..Field::text("SEO title", "meta_title", text(post, "meta_title")) }.render(on("meta_title")))
                    (Field { required: false, hint: Some("At most 155 characters."), ..Field::text("SEO description", "meta_description", text(post, "meta_description")) }.render(on("meta_description")))
                    @if id.is_empty() {
                        div.field {
                            label for="status" { "Status" }
                            select #status name="status" {
                                option value="draft" selected[status != "published"] { "Draft" }
                                option value="published" selected[status == "published"] { "Published" }
                            }
                        }
                    }
                    div.actions {
                        button type="submit" name="action" value="save" { @if id.is_empty() { "Save the post" } @else { "Save" } }
                        button type="submit" name="action" value="preview" formnovalidate { "Preview" }
                    }
                }
            }
            @if show_preview { (preview(text(post, "body_html"))) }
            @if can_edit && !id.is_empty() {
                form.card method="post" action={ (action) "/delete" } {
                    (csrf_field(csrf))
                    div.choice {
                        input #confirm-delete type="checkbox" name="confirm" value="1" required;
                        label for="confirm-delete" { "Yes, delete this post for good" }
                    }
                    button type="submit" { "Delete the post" }
                }
            }
        },
    )
}

/// The store's pages, generated when the store was made and editable.
pub fn store_pages(shell: &Shell, store_id: &str, answer: &Value) -> Markup {
    page(
        shell,
        html! {
            p { "Your shop links these pages from its footer. Each starts as a draft written for your store: read them, and make them say what you do." }
            table #store-pages {
                caption { "Pages" }
                thead { tr { th scope="col" { "Page" } th scope="col" { "Address" } th scope="col" { "Updated" } } }
                tbody {
                    @for p in list(answer, "pages") {
                        tr {
                            td { a href={ "/stores/" (store_id) "/pages/" (text(p, "slug")) } { (text(p, "title")) } }
                            td { "/pages/" (text(p, "slug")) }
                            td { (day(text(p, "updated_at"))) }
                        }
                    }
                }
            }
        },
    )
}

/// One store page's form, with the preview of its body.
pub fn store_page(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    slug: &str,
    p: &Value,
    can_edit: bool,
    refusal: &Refusal,
) -> Markup {
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            form.card method="post" action={ "/stores/" (store_id) "/pages/" (slug) } {
                (csrf_field(csrf))
                fieldset disabled[!can_edit] {
                    legend { "Page" }
                    (Field::text("Title", "title", text(p, "title")).render(on("title")))
                    (Field { hint: Some("Lower-case letters, digits and hyphens; a new one leaves a redirect."), ..Field::text("Address", "slug", text(p, "slug")) }.render(on("slug")))
                    (area("Body", "body_html", text(p, "body_html"), 16, Some("HTML: paragraphs, sub-headings (h2 to h4), lists, links, emphasis, quotes and code are kept; anything else is removed."), on("body_html")))
                    (Field { required: false, hint: Some("At most 155 characters."), ..Field::text("SEO description", "meta_description", text(p, "meta_description")) }.render(on("meta_description")))
                    div.actions {
                        button type="submit" name="action" value="save" { "Save" }
                        button type="submit" name="action" value="preview" formnovalidate { "Preview" }
                    }
                }
            }
            (preview(text(p, "body_html")))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_shell as shell;
    use super::*;
    use serde_json::json;

    fn a_post() -> Value {
        json!({"id": "0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b", "title": "Grooming <tips>", "slug": "grooming-tips",
               "excerpt": "Brush often.", "body_html": "<h2>Brushes</h2><p>Use a <strong>slicker</strong>.</p><script>alert(1)</script>",
               "meta_title": "", "meta_description": "", "keywords": "grooming, brushes", "author": "Ada",
               "status": "published", "source": "merchant", "published_at": "2026-12-06T10:00:00Z",
               "created_at": "2026-12-05T10:00:00Z", "updated_at": "2026-12-06T10:00:00Z"})
    }

    #[test]
    fn snapshot_of_a_published_post_with_its_preview() {
        let html = post(&shell("Grooming tips"), "tok", "s1", &a_post(), true, true, &Refusal::default())
            .into_string();
        assert!(
            html.contains("<div id=\"preview-body\"><h2>Brushes</h2><p>Use a <strong>slicker</strong>.</p>")
        );
        assert!(!html.contains("<script>alert"), "the preview goes through the allow-list");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;</textarea>"),
            "the form shows what is stored"
        );
        assert!(html.contains("<input type=\"hidden\" name=\"status\" value=\"draft\"><button type=\"submit\">Unpublish</button>"));
        assert!(html.contains("action=\"/stores/s1/posts/0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b/delete\""));
        insta::assert_snapshot!(html);
    }

    #[test]
    fn a_new_post_refused_keeps_what_was_typed_and_a_viewer_changes_nothing() {
        let typed = json!({"title": "Tips", "slug": "Bad Slug", "body_html": "<p>x</p>", "keywords": "a, b", "status": "published"});
        let refusal = Refusal {
            message: Some("slug must be lowercase letters, digits and single inner hyphens"),
            field: Some("slug"),
        };
        let html = post(&shell("New post"), "tok", "s1", &typed, true, false, &refusal).into_string();
        assert!(html.contains("action=\"/stores/s1/posts/new\""));
        assert!(html.contains("value=\"Bad Slug\""));
        assert!(html.contains("id=\"slug-error\">slug must be"));
        assert!(html.contains("<option value=\"published\" selected>"));
        assert!(!html.contains("preview-body") && !html.contains("/delete\""));
        let viewer =
            post(&shell("Tips"), "tok", "s1", &a_post(), false, true, &Refusal::default()).into_string();
        assert!(
            viewer.contains("<fieldset disabled>")
                && !viewer.contains("/status\"")
                && !viewer.contains("/delete\"")
        );
    }

    #[test]
    fn the_post_list_links_each_post_and_says_who_wrote_it() {
        let mut generated = a_post();
        generated["source"] = json!("seo");
        generated["status"] = json!("draft");
        generated["published_at"] = Value::Null;
        let html = posts(&shell("Blog"), "s1", &json!({"posts": [a_post(), generated]}), true).into_string();
        assert!(html.contains("<a id=\"new-post\" href=\"/stores/s1/posts/new\">"));
        assert!(html.contains("<td>published</td><td>2026-12-06</td><td>2026-12-06</td><td>your team</td>"));
        assert!(html.contains("<td>draft</td><td></td><td>2026-12-06</td><td>an SEO run</td>"));
        let none = posts(&shell("Blog"), "s1", &json!({"posts": []}), false).into_string();
        assert!(none.contains("No posts yet.") && !none.contains("new-post"));
    }

    #[test]
    fn snapshot_of_a_store_page_and_the_list() {
        let about = json!({"id": "p1", "kind": "about", "slug": "about", "title": "About us",
                           "body_html": "<p>We love <em>pets</em>.</p>", "meta_description": "About Cozy Paws",
                           "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-02T10:00:00Z"});
        let html = store_page(&shell("About us"), "tok", "s1", "about", &about, true, &Refusal::default())
            .into_string();
        assert!(html.contains("<div id=\"preview-body\"><p>We love <em>pets</em>.</p></div>"));
        insta::assert_snapshot!(html);
        let list = store_pages(&shell("Pages"), "s1", &json!({"pages": [about]})).into_string();
        assert!(list.contains("<td><a href=\"/stores/s1/pages/about\">About us</a></td><td>/pages/about</td><td>2026-12-02</td>"));
    }
}
