//! The request and response a stored assessment's page is drawn from: the record as
//! GetAssessment sends it, its seal put back in the response where a fresh answer carries it.

use crate::pb;

/// Why a record has no page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NoPage {
    /// The record is a monitoring report: the caller asked for the wrong record.
    MonitoringReport,
    /// The service sent the record without its content, or without its request or response.
    Incomplete(&'static str),
}

impl std::fmt::Display for NoPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoPage::MonitoringReport => f.write_str("is a monitoring report, not an assessment"),
            NoPage::Incomplete(what) => write!(f, "was sent without its {what}"),
        }
    }
}

/// What a record's page needs, or why the record has no page.
pub fn page_content(
    record: pb::StoredRecord,
) -> Result<(pb::AssessRequest, pb::AssessResponse), NoPage> {
    let stored = match record.content {
        Some(pb::stored_record::Content::Assessment(stored)) => stored,
        Some(pb::stored_record::Content::MonitoringReport(_)) => {
            return Err(NoPage::MonitoringReport);
        }
        None => return Err(NoPage::Incomplete("content")),
    };
    let (Some(request), Some(mut response)) = (stored.request, stored.response) else {
        return Err(NoPage::Incomplete("request or response"));
    };
    response.record = record.seal;
    Ok((request, response))
}
