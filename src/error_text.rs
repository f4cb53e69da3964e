//! Error text for people: many libraries (tokio-postgres, tonic's transport) print only the
//! kind of a failure, and keep what went wrong in the source chain.

/// The error and each of its causes, outermost first, joined by ": ".
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
