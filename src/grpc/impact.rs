//! `ImpactServer`: the service with its callers and its record book. It assesses and stores
//! every answer, answers batch items and portfolio entries, and verifies records; the
//! ImpactService handlers (`service`) are thin calls into it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use prost::Message;
use tonic::Status;

use crate::domain::METHODOLOGY_VERSION;
use crate::domain::assessment::assess_tracing;
use crate::domain::calendar::Date;
use crate::domain::carbon::trace::Tracing;
use crate::domain::portfolio::PortfolioEntry;
use crate::metrics::{BatchOutcome, Metrics};
use crate::pb;
use crate::pb::encode_once;
use crate::records::{Record, RecordKind};

use super::api::ImpactApi;
use super::api::requested_view;
use super::auth::{self, Auth};
use super::records::{self, RecordBook, Submission};
use super::response::{View, trim_to_basic};
use super::{request, status};

/// A stored item's answer, ready once its record is committed.
pub(super) type Storing = Pin<Box<dyn Future<Output = pb::AssessBatchResult> + Send>>;

/// A batch item's answer, given now or once its record is stored.
#[expect(
    clippy::large_enum_variant,
    reason = "matched as soon as it is made, never held: boxing the answer would allocate once \
              more for every dry-run item"
)]
pub(super) enum BatchAnswer {
    Ready(pb::AssessBatchResult),
    Storing(Storing),
}

const MAX_BATCH_KEY_CHARS: usize = 128;
/// Item errors a portfolio summary lists; the rest are only counted.
pub(super) const MAX_LISTED_ITEM_ERRORS: usize = 1000;

/// An item's failure as the batch reports it: the status code, message and field violations.
pub(super) fn item_error(status: &Status) -> pb::ItemError {
    use tonic_types::StatusExt;
    pb::ItemError {
        code: status.code() as i32,
        message: status.message().to_owned(),
        field_violations: status
            .get_details_bad_request()
            .map(|bad| {
                bad.field_violations
                    .into_iter()
                    .map(|v| pb::ItemFieldViolation {
                        field: v.field,
                        description: v.description,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A batch item's request and what its answer should hold, once its key is checked.
fn batch_request(item: &mut pb::AssessBatchItem) -> Result<(pb::AssessRequest, View), Status> {
    let key_chars = item.key.chars().count();
    if !(1..=MAX_BATCH_KEY_CHARS).contains(&key_chars) || item.key.chars().any(char::is_control) {
        return Err(status::invalid_field(
            "key",
            format!("must be 1 to {MAX_BATCH_KEY_CHARS} characters without control characters"),
        ));
    }
    let request = item
        .request
        .take()
        .ok_or_else(|| status::invalid_field("request", "is required"))?;
    let view = requested_view(&request)
        .map_err(|_| status::invalid_field("request.view", "is not an AssessmentView"))?;
    Ok((request, view))
}

/// An assessment computed and not yet stored, with what its answer should hold.
pub(super) struct Computed {
    request: pb::AssessRequest,
    response: pb::AssessResponse,
    view: View,
}

/// How often a monitoring report is re-evaluated when other reports on its plan are stored
/// first; each race needs another submission to land in between, so a few suffice.
pub(super) const REPORT_ATTEMPTS: usize = 8;

#[derive(Clone)]
pub struct ImpactServer {
    pub(super) api: ImpactApi,
    pub(super) records: Arc<RecordBook>,
    pub(super) auth: Auth,
    batch_ok: prometheus_client::metrics::counter::Counter,
    batch_failed: prometheus_client::metrics::counter::Counter,
}

impl ImpactServer {
    pub fn new(api: ImpactApi, records: RecordBook, auth: Auth, metrics: &Metrics) -> ImpactServer {
        ImpactServer {
            api,
            records: Arc::new(records),
            auth,
            batch_ok: metrics.batch_items(BatchOutcome::Ok),
            batch_failed: metrics.batch_items(BatchOutcome::Error),
        }
    }

    /// Assess, and store the answer as a record unless the request is a dry run.
    pub(super) async fn assess_and_store(
        &self,
        caller: &auth::Caller,
        request: pb::AssessRequest,
    ) -> Result<pb::AssessResponse, Status> {
        let view = requested_view(&request)?;
        // Yielding once first lets the calls that arrived while the workers were busy reach
        // the concurrency limit, which admits or sheds them, before this one takes the worker
        // for its computation. (A batch item needs no yield: it starts as a task of its own.)
        tokio::task::yield_now().await;
        let computed = self.compute(request, view)?;
        self.store(caller, computed).await
    }

    /// The assessment alone. A stored record always holds the FULL response, so `view`
    /// saves work only on a dry run; `append` gives a stored one its view.
    fn compute(&self, request: pb::AssessRequest, view: View) -> Result<Computed, Status> {
        // The computation runs inline: a hop to the blocking pool cost more than the whole
        // assessment (README "Speed").
        let full_if_stored = if request.dry_run { view } else { View::Full };
        // A bug that panics answers INTERNAL for this call instead of resetting its stream
        // (the blocking pool used to catch it; inline, nothing else would).
        let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.api
                .assess_with(&request, &self.api.factor_library, full_if_stored)
        }))
        .map_err(|_| {
            tracing::error!("an assessment panicked");
            Status::internal("the assessment failed")
        })??;
        Ok(Computed {
            request,
            response,
            view,
        })
    }

    /// Appends a computed assessment to the caller's chain (unless it is a dry run) and
    /// returns it sealed, in its view.
    async fn store(
        &self,
        caller: &auth::Caller,
        computed: Computed,
    ) -> Result<pb::AssessResponse, Status> {
        if computed.request.dry_run {
            return Ok(computed.response);
        }
        // Boxed: the append's state is most of this future's size, and tonic copies a call's
        // whole future when it boxes it, so a dry run would copy 11 KB it never uses.
        Box::pin(self.append(caller, computed)).await
    }

    async fn append(
        &self,
        caller: &auth::Caller,
        computed: Computed,
    ) -> Result<pb::AssessResponse, Status> {
        let Computed {
            request,
            mut response,
            view,
        } = computed;
        let submission = self.submission(
            RecordKind::Assessment,
            caller,
            (&response.methodology_version, &response.factor_set),
            String::new(),
            (&request.borrower_id, &request.project_id),
            (
                encode_once::to_vec(&request),
                encode_once::to_vec(&response),
            ),
        )?;
        match view {
            View::Basic => trim_to_basic(&mut response),
            View::Full => {}
            View::SelfContained => {
                self.api
                    .write_out(&mut response, &self.api.factor_library)?;
            }
        }
        let seal = self.records.append(submission, None).await.map_err(|e| {
            e.unwrap_or_else(|| Status::internal("conflict without a precondition"))
        })?;
        response.record = Some(records::seal_message(&seal));
        Ok(response)
    }

    /// What a record of `kind` stores for `caller`, its reference texts pinned.
    pub(super) fn submission(
        &self,
        kind: RecordKind,
        caller: &auth::Caller,
        (methodology_version, factor_set): (&str, &str),
        subject_record_id: String,
        (borrower_id, project_id): (&str, &str),
        (request, response): (Vec<u8>, Vec<u8>),
    ) -> Result<Submission, Status> {
        let references = self.api.references();
        let factor_set_digest = references.factor_set_digest(factor_set).ok_or_else(|| {
            tracing::error!(
                factor_set,
                "an answer names a factor set without a document"
            );
            Status::internal("the factor set's digest is missing")
        })?;
        Ok(Submission {
            kind,
            tenant: caller.tenant.clone(),
            methodology_version: methodology_version.to_owned(),
            factor_set: factor_set.to_owned(),
            subject_record_id,
            borrower_id: borrower_id.to_owned(),
            project_id: project_id.to_owned(),
            methodology_digest: references.methodology_digest().to_owned(),
            factor_set_digest: factor_set_digest.to_owned(),
            request,
            response,
        })
    }

    /// A batch item checked and assessed, not yet stored: items are assessed side by side
    /// but stored in item order, so a batch's records follow one another in the chain.
    pub(super) fn batch_compute(
        &self,
        mut item: pb::AssessBatchItem,
    ) -> (String, Result<Computed, Status>) {
        let computed = match batch_request(&mut item) {
            Ok((request, view)) => self.compute(request, view),
            Err(status) => Err(status),
        };
        (item.key, computed)
    }

    /// A batch item's answer: now if there is nothing to store (its error, or a dry run's
    /// response), else once its record is stored.
    pub(super) fn batch_answer(
        &self,
        caller: &auth::Caller,
        key: String,
        computed: Result<Computed, Status>,
    ) -> BatchAnswer {
        match computed {
            Ok(computed) if !computed.request.dry_run => {
                let (server, caller) = (self.clone(), caller.clone());
                BatchAnswer::Storing(Box::pin(async move {
                    let answer = server.store(&caller, computed).await;
                    server.batch_result(key, answer)
                }))
            }
            Ok(computed) => BatchAnswer::Ready(self.batch_result(key, Ok(computed.response))),
            Err(status) => BatchAnswer::Ready(self.batch_result(key, Err(status))),
        }
    }

    fn batch_result(
        &self,
        key: String,
        answer: Result<pb::AssessResponse, Status>,
    ) -> pb::AssessBatchResult {
        use pb::assess_batch_result::Outcome;
        let outcome = match answer {
            Ok(response) => {
                self.batch_ok.inc();
                Outcome::Response(response)
            }
            Err(status) => {
                self.batch_failed.inc();
                Outcome::Error(item_error(&status))
            }
        };
        pb::AssessBatchResult {
            key,
            outcome: Some(outcome),
        }
    }

    /// One loan of a portfolio: an assessment computed now (not stored), or a stored one of
    /// the caller's recomputed under its own factor set.
    pub(super) async fn portfolio_entry(
        &self,
        caller: &auth::Caller,
        item: pb::PortfolioItem,
    ) -> Result<PortfolioEntry, Status> {
        use pb::portfolio_item::Item;
        let (request, library) = match item.item {
            None => {
                return Err(status::invalid_field(
                    "item",
                    "is required: set assessment or record_id",
                ));
            }
            Some(Item::Assessment(request)) => (request, None),
            Some(Item::RecordId(id)) => {
                let record = self.records.readable(caller, "record_id", &id).await?;
                if record.seal.kind != RecordKind::Assessment {
                    return Err(status::invalid_field(
                        "record_id",
                        "names a monitoring report, not an assessment",
                    ));
                }
                let (request, library) = self.api.stored_request(&record)?;
                (request, Some(library))
            }
        };
        let library = library.as_ref().unwrap_or(&self.api.factor_library);
        let (input, _) = request::to_domain(&request, &self.api.lpr_table, library)
            .map_err(status::invalid_argument)?;
        let assessment = assess_tracing(&input, &self.api.lpr_table, Tracing::Skipped)
            .map_err(status::assess_failed)?;
        let disbursement_date = request
            .loan
            .as_ref()
            .map(|loan| loan.disbursement_date.as_str())
            .filter(|d| !d.is_empty())
            .and_then(|d| Date::parse(d).ok());
        Ok(PortfolioEntry {
            principal_cny: input.loan.principal_cny,
            annual_rate_pct: input.loan.annual_rate_pct,
            disbursement_date,
            reduction_tco2e: assessment
                .carbon
                .as_ref()
                .map(|(estimate, attributed)| (estimate.total_tco2e, attributed.pboc_total_tco2e)),
        })
    }

    pub(super) async fn verify(
        &self,
        record: &Record,
    ) -> Result<pb::VerifyAssessmentResponse, Status> {
        let mut checks = self.records.seal_checks(record).await?;
        let recomputed = if record.seal.methodology_version != METHODOLOGY_VERSION {
            Err(format!(
                "recorded under methodology {}, this server runs {METHODOLOGY_VERSION}",
                record.seal.methodology_version
            ))
        } else {
            match record.seal.kind {
                RecordKind::Assessment => self.api.recompute_assessment(record),
                RecordKind::MonitoringReport => self.recompute_report(record).await,
            }
        };
        checks.push(match recomputed {
            Ok(bytes) if bytes == record.response => records::check(
                "recomputation",
                true,
                format!(
                    "the stored request recomputes to the stored response byte for byte ({} \
                     bytes, factor set {})",
                    bytes.len(),
                    record.seal.factor_set
                ),
            ),
            Ok(bytes) => records::check(
                "recomputation",
                false,
                format!(
                    "the stored request recomputes to a different response ({} bytes against \
                     {} stored)",
                    bytes.len(),
                    record.response.len()
                ),
            ),
            Err(why) => records::check("recomputation", false, why),
        });
        Ok(pb::VerifyAssessmentResponse {
            verified: checks.iter().all(|c| c.passed),
            checks,
            seal: Some(records::seal_message(&record.seal)),
        })
    }

    /// A monitoring report's result, against the stored plan `subject` and the report before
    /// it on that plan, if any.
    pub(super) fn evaluate_report(
        &self,
        report: &pb::SubmitMonitoringReportRequest,
        subject: &Record,
        previous: Option<&Record>,
    ) -> Result<pb::MonitoringResult, Status> {
        let (plan_request, library) = self.api.stored_request(subject)?;
        let previous = previous
            .and_then(|r| pb::SubmitMonitoringReportRequest::decode(r.request.as_slice()).ok());
        self.api
            .evaluate_report(&plan_request, &library, report, previous.as_ref())
    }

    async fn recompute_report(&self, record: &Record) -> Result<Vec<u8>, String> {
        let report = pb::SubmitMonitoringReportRequest::decode(record.request.as_slice())
            .map_err(|e| format!("the stored report request does not decode: {e}"))?;
        let subject = self
            .records
            .any(&record.seal.subject_record_id)
            .await
            .map_err(|status| status.message().to_owned())?
            .ok_or_else(|| format!("the plan {} is missing", record.seal.subject_record_id))?;
        let previous = self
            .records
            .report_before(&subject.seal.record_id, record.seal.sequence)
            .await
            .map_err(|status| status.message().to_owned())?;
        let result = self
            .evaluate_report(&report, &subject, previous.as_ref())
            .map_err(|status| {
                format!(
                    "the stored report no longer evaluates: {}",
                    status.message()
                )
            })?;
        Ok(encode_once::to_vec(&result))
    }
}
