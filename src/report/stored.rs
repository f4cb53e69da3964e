//! The request and response a stored assessment's page is drawn from: the record as
//! GetAssessment sends it, its seal put back in the response where a fresh answer carries it.

use crate::pb;

/// What a record's page needs, or why the record has no page.
pub fn page_content(
    record: pb::StoredRecord,
) -> Result<(pb::AssessRequest, pb::AssessResponse), &'static str> {
    let stored = match record.content {
        Some(pb::stored_record::Content::Assessment(stored)) => stored,
        Some(pb::stored_record::Content::MonitoringReport(_)) => {
            return Err("the record is a monitoring report, not an assessment");
        }
        None => return Err("the service sent the record without its content"),
    };
    let (Some(request), Some(mut response)) = (stored.request, stored.response) else {
        return Err("the service sent the record without its request or response");
    };
    response.record = record.seal;
    Ok((request, response))
}
