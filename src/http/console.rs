//! The browser console's files, built into the binary so that it serves them with no network
//! fetch and no file beside it.

/// The content type and bytes of the console file at `path`, if there is one.
pub fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    match path {
        "/console/seed.json" => Some((
            "application/json",
            include_bytes!("../../examples/leshan-yaqing.json"),
        )),
        _ => None,
    }
}
