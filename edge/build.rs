//! Embeds `openapi.json` without the whitespace that makes it readable in the repository: the
//! document is a tenth of the Worker's script, and its indentation alone is half of that.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo::rerun-if-changed=openapi.json");
    let source = fs::read_to_string("openapi.json").expect("edge/openapi.json is readable");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("openapi.json");
    fs::write(out, minify(&source)).expect("OUT_DIR is writable");
}

/// Drops the whitespace between JSON tokens; strings (escapes included) are copied as they are.
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if !c.is_ascii_whitespace() {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}
