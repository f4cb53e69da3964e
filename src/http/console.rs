//! The browser console's files, built into the binary so that it serves them with no network
//! fetch and no file beside it: the page, its script and style sheet, the loan-book template
//! and the seed request (docs/console.md).

const INDEX_HTML: &[u8] = include_bytes!("../../console/index.html");
const APP_JS: &[u8] = include_bytes!("../../console/app.js");
const APP_CSS: &[u8] = include_bytes!("../../console/app.css");
const LOAN_BOOK_V1_CSV: &[u8] = include_bytes!("../../console/loan-book-v1.csv");
const SEED_JSON: &[u8] = include_bytes!("../../examples/leshan-yaqing.json");

const HTML: &str = "text/html; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const CSV: &str = "text/csv; charset=utf-8";
const JSON: &str = "application/json";

/// The content type and bytes of the console file at `path`, if there is one.
pub fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    match path {
        // `/` itself is redirected here by the server, so the console has one address.
        "/console" | "/console/" | "/console/index.html" => Some((HTML, INDEX_HTML)),
        "/console/app.js" => Some((JAVASCRIPT, APP_JS)),
        "/console/app.css" => Some((CSS, APP_CSS)),
        "/console/loan-book-v1.csv" => Some((CSV, LOAN_BOOK_V1_CSV)),
        "/console/seed.json" => Some((JSON, SEED_JSON)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use prost_reflect::{DescriptorPool, Kind, MessageDescriptor};

    #[test]
    fn every_console_path_has_its_file_and_type() {
        for path in ["/console", "/console/", "/console/index.html"] {
            let (content_type, bytes) = asset(path).expect(path);
            assert_eq!(content_type, HTML, "{path}");
            assert!(bytes.starts_with(b"<!doctype html>"), "{path}");
        }
        let cases = [
            ("/console/app.js", JAVASCRIPT, "'use strict';"),
            ("/console/app.css", CSS, ":root"),
            ("/console/loan-book-v1.csv", CSV, "row_key,"),
            ("/console/seed.json", JSON, "\"borrower_id\""),
        ];
        for (path, content_type, inside) in cases {
            let (ty, bytes) = asset(path).expect(path);
            assert_eq!(ty, content_type, "{path}");
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            assert!(text.contains(inside), "{path} holds {inside}");
        }
        for path in [
            // Redirected to /console/ by the server (tests/http/console_pages.rs).
            "/",
            "/console/app.js.part1",
            "/console/../Cargo.toml",
            "/console/report/rec_0",
            "/console/index.htm",
            "/v1/assessments",
            "",
        ] {
            assert!(asset(path).is_none(), "{path}");
        }
    }

    #[test]
    fn the_seed_is_the_example_request() {
        let (_, bytes) = asset("/console/seed.json").expect("seed");
        let text = std::str::from_utf8(bytes).expect("UTF-8");
        crate::json::assess_request_from_json(text).expect("the seed is an AssessRequest");
    }

    #[test]
    fn the_page_loads_nothing_from_another_origin_and_runs_no_inline_script() {
        let page = std::str::from_utf8(INDEX_HTML).expect("UTF-8");
        let css = std::str::from_utf8(APP_CSS).expect("UTF-8");
        let script = std::str::from_utf8(APP_JS).expect("UTF-8");
        for (name, text) in [("index.html", page), ("app.css", css), ("app.js", script)] {
            for remote in ["http://", "https://", "//fonts.", "@import", "url("] {
                let allowed = |at: usize| {
                    // XML namespace names in the XLSX writer are names, not fetches.
                    text[at..].starts_with("http://schemas.openxmlformats.org/")
                };
                let mut from = 0;
                while let Some(i) = text[from..].find(remote) {
                    let at = from + i;
                    assert!(allowed(at), "{name} refers to {remote} at byte {at}");
                    from = at + remote.len();
                }
            }
        }
        assert!(!page.contains(" style="), "no inline style attribute");
        for (at, _) in page.match_indices(" on") {
            let rest = &page[at + 3..];
            let name_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
            assert!(
                !rest[name_len..].starts_with('='),
                "an inline event handler at byte {at}"
            );
        }
        let scripts: Vec<&str> = page
            .match_indices("<script")
            .map(|(i, _)| &page[i..])
            .collect();
        assert_eq!(scripts.len(), 1);
        assert!(scripts[0].starts_with("<script src=\"/console/app.js\""));
        assert!(!script.contains("parseFloat"), "decimals stay text");
        assert!(
            !script.contains("innerHTML"),
            "the DOM is built, never parsed from text"
        );
    }

    /// The kind of the field a template column names, or why it names none.
    fn walk(root: &MessageDescriptor, path: &str) -> Result<Kind, String> {
        let mut message = Some(root.clone());
        let mut kind = None;
        for segment in path.split('.') {
            let name = segment.split('[').next().unwrap_or(segment);
            let within = message
                .take()
                .ok_or_else(|| format!("{path}: {name} is inside a scalar"))?;
            let field = within
                .get_field_by_name(name)
                .ok_or_else(|| format!("{path}: {} has no field {name}", within.full_name()))?;
            if segment.contains('[') && !field.is_list() {
                return Err(format!("{path}: {name} is not repeated"));
            }
            if let Kind::Message(m) = field.kind() {
                message = Some(m);
            }
            kind = Some(field.kind());
        }
        kind.ok_or_else(|| format!("{path}: empty"))
    }

    #[test]
    fn every_template_column_is_a_field_path_of_assess_request() {
        let pool = DescriptorPool::decode(crate::pb::FILE_DESCRIPTOR_SET).expect("descriptors");
        let request = pool
            .get_message_by_name("greenimpact.v1.AssessRequest")
            .expect("AssessRequest");
        let csv = std::str::from_utf8(LOAN_BOOK_V1_CSV).expect("UTF-8");
        let header = csv.lines().next().expect("a header row");
        let columns: Vec<&str> = header.split(',').collect();
        assert_eq!(columns[0], "row_key");
        for column in &columns[1..] {
            let kind = walk(&request, column).unwrap_or_else(|e| panic!("{e}"));
            // A decimal column names the Decimal message; a money column its amount, itself a
            // Decimal; every other column a scalar or an enum.
            if let Kind::Message(m) = kind {
                assert_eq!(m.full_name(), "greenimpact.v1.Decimal", "{column}");
            }
        }
        // The script's column list is the file's header, in order.
        let script = std::str::from_utf8(APP_JS).expect("UTF-8");
        let start = script
            .find("const LOAN_BOOK_V1 = [")
            .expect("the column list");
        let end = start + script[start..].find("\n];").expect("its end");
        let listed: Vec<&str> = script[start..end]
            .split("['")
            .skip(1)
            .map(|s| s.split('\'').next().unwrap_or(""))
            .collect();
        assert_eq!(listed, columns);
    }
}
