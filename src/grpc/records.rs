//! The record book: stores every assessment and monitoring report as a sealed record, and
//! answers Get / List / Export / Share / Verify under the tenant rules. Store calls block, so
//! they run on the blocking pool, never on a request's async task.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use prost::Message;
use tonic::Status;

use super::auth::{Caller, Role};
use super::response::{View, trim_to_basic, write_out};
use crate::domain::carbon::factor_set::FactorLibrary;
use crate::pb;
use crate::records::{self, NewRecord, Record, RecordKind, Seal, ServiceKey, ZERO_DIGEST};
use crate::store::{Filter, LastReport, Sealer, Store, StoreError};

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;
/// Records fetched per store call while exporting; the stream holds at most a few pages.
const EXPORT_BATCH: usize = 100;

pub struct RecordBook {
    store: Arc<dyn Store>,
    key: Arc<ServiceKey>,
}

/// What a caller wants stored, before it has an id, a time and a place in the chain.
pub struct Submission {
    pub kind: RecordKind,
    pub tenant: String,
    pub methodology_version: String,
    pub factor_set: String,
    pub subject_record_id: String,
    pub borrower_id: String,
    pub project_id: String,
    pub methodology_digest: String,
    pub factor_set_digest: String,
    pub request: Vec<u8>,
    pub response: Vec<u8>,
}

fn store_failed(error: StoreError) -> Status {
    match error {
        StoreError::Corrupt(detail) => {
            tracing::error!(%detail, "a stored record cannot be read");
            Status::data_loss(
                "a stored record cannot be read back; VerifyAssessment says what is wrong",
            )
        }
        StoreError::Backend(detail) => {
            tracing::error!(%detail, "record store failed");
            Status::unavailable("the record store is unavailable")
        }
        StoreError::Conflict(detail) => Status::aborted(detail),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "record store task failed");
            Status::internal("the record store task failed")
        })?
        .map_err(store_failed)
}

pub fn seal_message(seal: &Seal) -> pb::RecordSeal {
    pb::RecordSeal {
        record_id: seal.record_id.clone(),
        kind: match seal.kind {
            RecordKind::Assessment => pb::RecordKind::Assessment,
            RecordKind::MonitoringReport => pb::RecordKind::MonitoringReport,
        } as i32,
        tenant: seal.tenant.clone(),
        sequence: seal.sequence,
        created_at: seal.created_at.clone(),
        methodology_version: seal.methodology_version.clone(),
        factor_set: seal.factor_set.clone(),
        subject_record_id: seal.subject_record_id.clone(),
        digest_sha256: hex::encode(&seal.digest),
        previous_digest_sha256: hex::encode(&seal.previous_digest),
        signature_ed25519: hex::encode(&seal.signature),
        key_id: seal.key_id.clone(),
        borrower_id: seal.borrower_id.clone(),
        project_id: seal.project_id.clone(),
        created_unix_micros: seal.created_unix_micros,
        methodology_digest_sha256: seal.methodology_digest.clone(),
        factor_set_digest_sha256: seal.factor_set_digest.clone(),
    }
}

fn undecodable(record: &Record) -> Status {
    tracing::error!(record = %record.seal.record_id, "stored bytes do not decode");
    Status::data_loss(format!(
        "record {} cannot be decoded; VerifyAssessment says what is wrong",
        record.seal.record_id
    ))
}

/// A record as GetAssessment and ExportAssessments give it: an assessment's response in
/// `view` (a monitoring report has one form).
pub fn stored_record_message(
    record: &Record,
    view: View,
    library: &FactorLibrary,
) -> Result<pb::StoredRecord, Status> {
    use pb::stored_record::Content;
    let content = match record.seal.kind {
        RecordKind::Assessment => {
            let mut response = pb::AssessResponse::decode(record.response.as_slice())
                .map_err(|_| undecodable(record))?;
            match view {
                View::Basic => trim_to_basic(&mut response),
                View::Full => {}
                View::SelfContained => write_out(&mut response, library).map_err(|why| {
                    tracing::error!(record = %record.seal.record_id, %why, "texts not written out");
                    Status::failed_precondition(format!(
                        "the texts of {} cannot be written out here ({why}); ask for the FULL view",
                        record.seal.record_id
                    ))
                })?,
            }
            Content::Assessment(pb::StoredAssessment {
                request: Some(
                    pb::AssessRequest::decode(record.request.as_slice())
                        .map_err(|_| undecodable(record))?,
                ),
                response: Some(response),
            })
        }
        RecordKind::MonitoringReport => Content::MonitoringReport(pb::StoredMonitoringReport {
            request: Some(
                pb::SubmitMonitoringReportRequest::decode(record.request.as_slice())
                    .map_err(|_| undecodable(record))?,
            ),
            result: Some(
                pb::MonitoringResult::decode(record.response.as_slice())
                    .map_err(|_| undecodable(record))?,
            ),
        }),
    };
    Ok(pb::StoredRecord {
        seal: Some(seal_message(&record.seal)),
        content: Some(content),
        shared_with: record.shared_with.clone(),
    })
}

/// The id is the same error whether the record is missing or another tenant's, so ids leak
/// nothing.
fn not_found(record_id: &str) -> Status {
    Status::not_found(format!("no record {record_id:?} for this caller"))
}

fn may_read(caller: &Caller, record: &Record) -> bool {
    caller.role == Role::Admin
        || record.seal.tenant == caller.tenant
        || record.shared_with.contains(&caller.tenant)
}

impl RecordBook {
    pub fn new(store: Arc<dyn Store>, key: Arc<ServiceKey>) -> RecordBook {
        RecordBook { store, key }
    }

    pub fn key(&self) -> &ServiceKey {
        &self.key
    }

    /// Seals and stores a submission; the seal is durable when this returns. With `expect`,
    /// Err(None) means another report on the plan was stored first: nothing was stored. No
    /// thread waits for the commit: the store's own thread answers (a blocked thread per
    /// waiting call held most of the memory of a busy server).
    pub async fn append(
        &self,
        submission: Submission,
        expect: Option<LastReport>,
    ) -> Result<Seal, Option<Status>> {
        let now = SystemTime::now();
        let created_unix_micros = now
            .duration_since(UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_micros()).ok())
            .ok_or_else(|| Some(Status::internal("the system clock is before 1970")))?;
        let record_id =
            records::new_record_id(created_unix_micros.unsigned_abs()).map_err(|e| {
                tracing::error!(error = %e, "no randomness for a record id");
                Some(Status::unavailable("cannot create a record id"))
            })?;
        let record = NewRecord {
            record_id,
            kind: submission.kind,
            tenant: submission.tenant,
            created_at: humantime::format_rfc3339_micros(now).to_string(),
            created_unix_micros,
            methodology_version: submission.methodology_version,
            factor_set: submission.factor_set,
            subject_record_id: submission.subject_record_id,
            borrower_id: submission.borrower_id,
            project_id: submission.project_id,
            methodology_digest: submission.methodology_digest,
            factor_set_digest: submission.factor_set_digest,
            request: submission.request,
            response: submission.response,
        };
        let key = self.key.clone();
        let seal: Sealer = Box::new(move |record, sequence, previous| {
            let digest = records::digest(
                &record.tenant,
                record.kind,
                &record.subject_record_id,
                sequence,
                previous,
                &record.request,
                &record.response,
            );
            let unsigned = record.sealed(sequence, previous, &digest, &[], key.key_id());
            (digest, key.sign(&unsigned.signing_text()))
        });
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.store.append(
            record,
            self.key.key_id(),
            expect,
            seal,
            Box::new(move |outcome| {
                // The caller may have gone (its call cancelled): the record is stored anyway.
                let _ = answer.send(outcome);
            }),
        );
        let stored = answered.await.map_err(|_| {
            tracing::error!("the record store dropped an append unanswered");
            Some(Status::internal("the record store failed"))
        })?;
        match stored {
            Ok(seal) => Ok(seal),
            Err(StoreError::Conflict(_)) => Err(None),
            Err(error) => Err(Some(store_failed(error))),
        }
    }

    /// A record the caller may read, or NOT_FOUND. `field` names the id in the request: an id
    /// that is not of the form "rec_" and 32 lowercase hex digits is refused as malformed
    /// before any lookup (the form is public, so that says nothing about which ids exist).
    pub async fn readable(
        &self,
        caller: &Caller,
        field: &str,
        record_id: &str,
    ) -> Result<Record, Status> {
        if !records::is_record_id(record_id) {
            return Err(super::status::invalid_field(
                field,
                "must be a record id: \"rec_\" and 32 lowercase hex digits",
            ));
        }
        let store = self.store.clone();
        let id = record_id.to_owned();
        let record = blocking(move || store.get(&id)).await?;
        record
            .filter(|r| may_read(caller, r))
            .ok_or_else(|| not_found(record_id))
    }

    /// A record by id whatever its tenant, for the service's own checks.
    pub async fn any(&self, record_id: &str) -> Result<Option<Record>, Status> {
        let store = self.store.clone();
        let id = record_id.to_owned();
        blocking(move || store.get(&id)).await
    }

    /// A record the caller owns (to share it or report on it), or NOT_FOUND.
    pub async fn owned(
        &self,
        caller: &Caller,
        field: &str,
        record_id: &str,
    ) -> Result<Record, Status> {
        let record = self.readable(caller, field, record_id).await?;
        if record.seal.tenant != caller.tenant {
            return Err(not_found(record_id));
        }
        Ok(record)
    }

    pub async fn report_before(
        &self,
        subject_record_id: &str,
        before_sequence: u64,
    ) -> Result<Option<Record>, Status> {
        let store = self.store.clone();
        let id = subject_record_id.to_owned();
        blocking(move || store.report_before(&id, before_sequence)).await
    }

    pub async fn list(
        &self,
        tenant: &str,
        filter: Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Seal>, Status> {
        let store = self.store.clone();
        let tenant = tenant.to_owned();
        blocking(move || store.list(&tenant, &filter, after, limit)).await
    }

    pub async fn share(&self, record_id: &str, with_tenant: &str) -> Result<Vec<String>, Status> {
        let store = self.store.clone();
        let (id, tenant) = (record_id.to_owned(), with_tenant.to_owned());
        blocking(move || store.share(&id, &tenant)).await
    }

    /// Streams every matching record of `tenant`, oldest first, a batch at a time; the
    /// channel's bound makes a slow reader slow the export down instead of filling memory.
    pub fn export(
        &self,
        tenant: String,
        filter: Filter,
        view: View,
        library: Arc<FactorLibrary>,
    ) -> tokio::sync::mpsc::Receiver<Result<pb::StoredRecord, Status>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(16);
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut after = 0;
            loop {
                let seals = match store.list(&tenant, &filter, after, EXPORT_BATCH) {
                    Ok(seals) => seals,
                    Err(error) => {
                        let _ = sender.blocking_send(Err(store_failed(error)));
                        return;
                    }
                };
                let Some(last) = seals.last() else { return };
                after = last.sequence;
                for seal in &seals {
                    let message = match store.get(&seal.record_id) {
                        Ok(Some(record)) => stored_record_message(&record, view, &library),
                        Ok(None) => Err(Status::internal("a listed record vanished")),
                        Err(error) => Err(store_failed(error)),
                    };
                    if sender.blocking_send(message).is_err() {
                        return; // the client went away
                    }
                }
            }
        });
        receiver
    }

    /// Digest, signature and chain link: the checks that need only the stored bytes.
    pub async fn seal_checks(&self, record: &Record) -> Result<Vec<pb::VerificationCheck>, Status> {
        let seal = &record.seal;
        let recomputed = record.recomputed_digest();
        let digest = if seal.digest.len() != 32 || seal.previous_digest.len() != 32 {
            check(
                "digest",
                false,
                format!(
                    "a stored digest is malformed: digest {} bytes, previous digest {} bytes \
                     (32 each expected)",
                    seal.digest.len(),
                    seal.previous_digest.len()
                ),
            )
        } else if recomputed[..] == seal.digest[..] {
            check(
                "digest",
                true,
                format!(
                    "SHA-256 of the canonical encoding is {}",
                    hex::encode(recomputed)
                ),
            )
        } else {
            check(
                "digest",
                false,
                format!(
                    "stored digest {} but the stored bytes hash to {}",
                    hex::encode(&seal.digest),
                    hex::encode(recomputed)
                ),
            )
        };
        let signature = match self
            .key
            .verify(&seal.key_id, &seal.signing_text(), &seal.signature)
        {
            None => check(
                "signature",
                false,
                format!(
                    "signed by key {}, this service holds key {} and no retired key of that id \
                     (serve --retired-key)",
                    seal.key_id,
                    self.key.key_id()
                ),
            ),
            Some(true) => check(
                "signature",
                true,
                if seal.key_id == self.key.key_id() {
                    format!("Ed25519 signature valid under key {}", seal.key_id)
                } else {
                    format!("Ed25519 signature valid under retired key {}", seal.key_id)
                },
            ),
            Some(false) => check(
                "signature",
                false,
                "the Ed25519 signature does not match the seal".to_owned(),
            ),
        };
        let link = if seal.sequence == 1 {
            let first = seal.previous_digest[..] == ZERO_DIGEST[..];
            check(
                "chain_link",
                first,
                if first {
                    "first record of the tenant's chain".to_owned()
                } else {
                    "record 1 of the chain must have an all-zero previous digest".to_owned()
                },
            )
        } else {
            let store = self.store.clone();
            let (tenant, sequence) = (seal.tenant.clone(), seal.sequence - 1);
            match blocking(move || store.seal_at(&tenant, sequence)).await? {
                None => check(
                    "chain_link",
                    false,
                    format!("record {} of the chain is missing", seal.sequence - 1),
                ),
                Some(previous) => {
                    let linked = previous.digest == seal.previous_digest;
                    check(
                        "chain_link",
                        linked,
                        if linked {
                            format!(
                                "follows {} (sequence {})",
                                previous.record_id, previous.sequence
                            )
                        } else {
                            format!(
                                "previous digest {} but record {} (sequence {}) has digest {}",
                                hex::encode(&seal.previous_digest),
                                previous.record_id,
                                previous.sequence,
                                hex::encode(&previous.digest)
                            )
                        },
                    )
                }
            }
        };
        Ok(vec![digest, signature, link])
    }
}

pub fn check(name: &str, passed: bool, detail: String) -> pb::VerificationCheck {
    pb::VerificationCheck {
        name: name.to_owned(),
        passed,
        detail,
    }
}

/// The filter fields of List and Export, checked.
pub fn filter(
    borrower_id: &str,
    project_id: &str,
    kind: i32,
    created_from: &str,
    created_to: &str,
) -> Result<Filter, Status> {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let instant = |field: &str, s: &str| -> Result<Option<i64>, Status> {
        if s.is_empty() {
            return Ok(None);
        }
        rfc3339_unix_micros(s).map(Some).ok_or_else(|| {
            super::status::invalid_field(
                field,
                "must be an RFC 3339 instant with a time zone, e.g. \
                              2026-01-01T00:00:00Z or 2026-01-01T08:00:00+08:00",
            )
        })
    };
    let kind = match pb::RecordKind::try_from(kind) {
        Ok(pb::RecordKind::Unspecified) => None,
        Ok(pb::RecordKind::Assessment) => Some(RecordKind::Assessment),
        Ok(pb::RecordKind::MonitoringReport) => Some(RecordKind::MonitoringReport),
        Err(_) => {
            return Err(super::status::invalid_field(
                "kind",
                format!("unknown enum value {kind}"),
            ));
        }
    };
    Ok(Filter {
        borrower_id: text(borrower_id),
        project_id: text(project_id),
        kind,
        created_from_micros: instant("created_from", created_from)?,
        created_to_micros: instant("created_to", created_to)?,
    })
}

/// Microseconds since 1970 of a strict RFC 3339 instant: `YYYY-MM-DDTHH:MM:SS`, an optional
/// fraction of up to 9 digits (below a microsecond it is cut, not rounded), and `Z` or a
/// `+HH:MM` / `-HH:MM` offset.
pub fn rfc3339_unix_micros(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't') {
        return None;
    }
    let date = crate::domain::calendar::Date::parse(&text[..10]).ok()?;
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &text[19..];
    let mut micros = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        let padded = format!("{:0<6}", &fraction[..digits.min(6)]);
        micros = padded.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let parse = |s: &str| {
                s.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| s.parse::<i64>().ok())?
            };
            let (hours, minutes) = (parse(&rest[1..3])?, parse(&rest[4..6])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return None,
    };
    let seconds = date.day_number() * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds * 1_000_000 + micros)
}

#[cfg(test)]
mod tests {
    use super::rfc3339_unix_micros;

    #[test]
    fn instants_with_offsets_are_read_exactly_and_sloppy_ones_refused() {
        let utc = rfc3339_unix_micros("2026-05-20T08:00:00Z").unwrap();
        assert_eq!(rfc3339_unix_micros("2026-05-20T16:00:00+08:00"), Some(utc));
        assert_eq!(
            rfc3339_unix_micros("2026-05-20T16:00:00.5+08:00"),
            Some(utc + 500_000)
        );
        assert_eq!(rfc3339_unix_micros("1970-01-01T00:00:00.000001Z"), Some(1));
        for bad in [
            "2026-05-20 08:00:00Z",
            "2026-05-20T08:00:00",
            "2026-05-20T24:00:00Z",
            "2026-02-30T08:00:00Z",
            "2026-05-20T08:00:00.Z",
            "2026-05-20T08:00:00+0800",
            "",
        ] {
            assert_eq!(rfc3339_unix_micros(bad), None, "{bad:?}");
        }
    }
}
