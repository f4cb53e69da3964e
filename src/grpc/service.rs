//! The ImpactService handlers. `ImpactApi` is the pure part (validate, assess, present);
//! `ImpactServer` adds who is calling and the record book, and stores every answer.

use std::sync::Arc;

use prost::Message;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::domain::METHODOLOGY_VERSION;
use crate::domain::assessment::assess_tracing;
use crate::domain::calendar::Date;
use crate::domain::carbon::factor_set::FactorLibrary;
use crate::domain::carbon::trace::Tracing;
use crate::domain::lpr::LprTable;
use crate::domain::monitoring::monitor;
use crate::domain::portfolio::{Portfolio, PortfolioEntry};
use crate::metrics::{BatchOutcome, Metrics};
use crate::pb;
use crate::pb::impact_service_server::ImpactService;
use crate::records::{CANONICAL_ENCODING, Record, RecordKind};
use crate::store::LastReport;

use super::auth::{self, Auth};
use super::batch::{BatchAnswer, BatchAnswers};
use super::monitoring as grpc_monitoring;
use super::records::{self, MAX_PAGE_SIZE, RecordBook, Submission};
use super::response::Detail;
use super::{factor_sets, portfolio, request, response, status};

#[derive(Clone)]
pub struct ImpactApi {
    lpr_table: Arc<LprTable>,
    factor_library: Arc<FactorLibrary>,
}

impl ImpactApi {
    pub fn new(lpr_table: LprTable, factor_library: FactorLibrary) -> ImpactApi {
        ImpactApi {
            lpr_table: Arc::new(lpr_table),
            factor_library: Arc::new(factor_library),
        }
    }

    /// The whole assessment: validate, compute, present. Synchronous and pure: tens of
    /// microseconds of CPU, so the server runs it inline (see `assess_and_store`).
    pub fn assess(&self, request: &pb::AssessRequest) -> Result<pb::AssessResponse, Status> {
        self.assess_in_detail(request, Detail::FULL)
    }

    /// The same, less what `detail` leaves out, as a batch item may ask.
    pub fn assess_in_detail(
        &self,
        request: &pb::AssessRequest,
        detail: Detail,
    ) -> Result<pb::AssessResponse, Status> {
        self.assess_with(request, &self.factor_library, detail)
    }

    fn assess_with(
        &self,
        request: &pb::AssessRequest,
        factor_library: &FactorLibrary,
        detail: Detail,
    ) -> Result<pb::AssessResponse, Status> {
        let (input, presenter) = request::to_domain(request, &self.lpr_table, factor_library)
            .map_err(status::invalid_argument)?;
        let tracing = if detail.carbon_trace {
            Tracing::Kept
        } else {
            Tracing::Skipped
        };
        let assessment =
            assess_tracing(&input, &self.lpr_table, tracing).map_err(status::assess_failed)?;
        Ok(response::build(
            request,
            &input,
            assessment,
            &presenter,
            &self.lpr_table,
            detail,
        ))
    }

    /// A monitoring report's result against its plan (an assessment's request, assessed
    /// under `factor_library`) and the report before it on that plan, if any: what
    /// `SubmitMonitoringReport` answers, without the record store.
    pub fn evaluate_report(
        &self,
        plan_request: &pb::AssessRequest,
        factor_library: &FactorLibrary,
        report: &pb::SubmitMonitoringReportRequest,
        previous: Option<&pb::SubmitMonitoringReportRequest>,
    ) -> Result<pb::MonitoringResult, Status> {
        let (plan, presenter) = request::to_domain(plan_request, &self.lpr_table, factor_library)
            .map_err(|_| {
            Status::failed_precondition("the stored plan is no longer a valid request")
        })?;
        let planned = assess_tracing(&plan, &self.lpr_table, Tracing::Skipped)
            .map_err(status::assess_failed)?;
        let actual = grpc_monitoring::to_domain(report, &plan).map_err(status::invalid_argument)?;
        let previous = previous.and_then(grpc_monitoring::previous_from);
        let outcome =
            monitor(&plan, &planned, &actual, previous.as_ref()).map_err(status::assess_failed)?;
        Ok(grpc_monitoring::build(report, &plan, &outcome, &presenter))
    }

    /// A stored assessment's request and the factor sets with the one it was assessed under
    /// as the default, so it is recomputed as it was (whatever the server's default is now).
    /// The eligibility rule set is pinned the same way (see `pin_rule_set`).
    fn stored_request(
        &self,
        record: &Record,
    ) -> Result<(pb::AssessRequest, FactorLibrary), Status> {
        let mut request = pb::AssessRequest::decode(record.request.as_slice()).map_err(|_| {
            Status::data_loss(format!(
                "the stored request of {} cannot be decoded; VerifyAssessment says more",
                record.seal.record_id
            ))
        })?;
        let library = self
            .factor_library
            .pinned(&record.seal.factor_set)
            .ok_or_else(|| {
                Status::failed_precondition(format!(
                    "{} was assessed under factor set {}, which this server does not load \
                     (start it with --factor-set)",
                    record.seal.record_id, record.seal.factor_set
                ))
            })?;
        pin_rule_set(&mut request, &record.response);
        Ok((request, library))
    }

    /// The stored response recomputed from the stored request. Err says why it cannot be.
    fn recompute_assessment(&self, record: &Record) -> Result<Vec<u8>, String> {
        let (request, library) = self
            .stored_request(record)
            .map_err(|status| status.message().to_owned())?;
        let response = self
            .assess_with(&request, &library, Detail::FULL)
            .map_err(|status| {
                format!(
                    "the stored request no longer assesses: {}",
                    status.message()
                )
            })?;
        Ok(response.encode_to_vec())
    }
}

/// A stored request that left the eligibility rule set to the server's default names the set
/// its stored response was checked against: a later default would otherwise recompute it
/// against another set, and a set the server no longer holds is then refused by name. Only the
/// response's eligibility field is decoded (a response is 50 KB; the rest is skipped).
fn pin_rule_set(request: &mut pb::AssessRequest, stored_response: &[u8]) {
    #[derive(Clone, PartialEq, Message)]
    struct StoredEligibility {
        #[prost(message, optional, tag = "19")]
        eligibility: Option<pb::EligibilityResult>,
    }
    if let Some(asked) = request.eligibility.as_mut()
        && asked.rule_set.is_empty()
        && let Ok(StoredEligibility {
            eligibility: Some(used),
        }) = StoredEligibility::decode(stored_response)
    {
        asked.rule_set = used.rule_set;
    }
}

const MAX_BATCH_KEY_CHARS: usize = 128;
/// Item errors a portfolio summary lists; the rest are only counted.
const MAX_LISTED_ITEM_ERRORS: usize = 1000;

/// An item's failure as the batch reports it: the status code, message and field violations.
fn item_error(status: &Status) -> pb::ItemError {
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
fn batch_request(item: &mut pb::AssessBatchItem) -> Result<(pb::AssessRequest, Detail), Status> {
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
    let detail = Detail {
        schedule_periods: !item.omit_schedule_periods,
        carbon_trace: !item.omit_carbon_trace,
    };
    Ok((request, detail))
}

/// An assessment computed and not yet stored, with what its answer should hold.
pub(super) struct Computed {
    request: pb::AssessRequest,
    response: pb::AssessResponse,
    detail: Detail,
}

/// How often a monitoring report is re-evaluated when other reports on its plan are stored
/// first; each race needs another submission to land in between, so a few suffice.
const REPORT_ATTEMPTS: usize = 8;

#[derive(Clone)]
pub struct ImpactServer {
    api: ImpactApi,
    records: Arc<RecordBook>,
    auth: Auth,
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
    async fn assess_and_store(
        &self,
        caller: &auth::Caller,
        request: pb::AssessRequest,
        detail: Detail,
    ) -> Result<pb::AssessResponse, Status> {
        // Yielding once first lets the calls that arrived while the workers were busy reach
        // the concurrency limit, which admits or sheds them, before this one takes the worker
        // for its computation. (A batch item needs no yield: it starts as a task of its own.)
        tokio::task::yield_now().await;
        let computed = self.compute(request, detail)?;
        self.store(caller, computed).await
    }

    /// The assessment alone. A stored record always holds the full response, so `detail`
    /// saves work only on a dry run; `store` trims a stored one.
    fn compute(&self, request: pb::AssessRequest, detail: Detail) -> Result<Computed, Status> {
        // The computation runs inline: a hop to the blocking pool cost more than the whole
        // assessment (README "Speed").
        let full_if_stored = if request.dry_run {
            detail
        } else {
            Detail::FULL
        };
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
            detail,
        })
    }

    /// Appends a computed assessment to the caller's chain (unless it is a dry run) and
    /// returns it sealed, less what its `detail` leaves out.
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
            detail,
        } = computed;
        let seal = self
            .records
            .append(
                Submission {
                    kind: RecordKind::Assessment,
                    tenant: caller.tenant.clone(),
                    methodology_version: response.methodology_version.clone(),
                    factor_set: response.factor_set.clone(),
                    subject_record_id: String::new(),
                    borrower_id: request.borrower_id.clone(),
                    project_id: request.project_id.clone(),
                    request: request.encode_to_vec(),
                    response: response.encode_to_vec(),
                },
                None,
            )
            .await
            .map_err(|e| {
                e.unwrap_or_else(|| Status::internal("conflict without a precondition"))
            })?;
        response.record = Some(records::seal_message(&seal));
        if !detail.schedule_periods
            && let Some(loan) = response.loan.as_mut()
        {
            loan.periods.clear();
        }
        if !detail.carbon_trace
            && let Some(carbon) = response.carbon.as_mut()
        {
            carbon.trace.clear();
            carbon.factors_used.clear();
        }
        Ok(response)
    }

    /// A batch item checked and assessed, not yet stored: items are assessed side by side
    /// but stored in item order, so a batch's records follow one another in the chain.
    pub(super) fn batch_compute(
        &self,
        mut item: pb::AssessBatchItem,
    ) -> (String, Result<Computed, Status>) {
        let computed = match batch_request(&mut item) {
            Ok((request, detail)) => self.compute(request, detail),
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
    async fn portfolio_entry(
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

    async fn verify(&self, record: &Record) -> Result<pb::VerifyAssessmentResponse, Status> {
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
    fn evaluate_report(
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
        Ok(result.encode_to_vec())
    }
}

fn paging(page_size: u32, page_token: &str) -> Result<(usize, u64), Status> {
    let size = match page_size {
        0 => records::DEFAULT_PAGE_SIZE,
        n if n <= MAX_PAGE_SIZE => n,
        _ => {
            return Err(status::invalid_field(
                "page_size",
                "must be from 0 (default 50) to 200",
            ));
        }
    };
    let after = if page_token.is_empty() {
        0
    } else {
        page_token
            .strip_prefix("after:")
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| {
                status::invalid_field("page_token", "is not a token this service issued")
            })?
    };
    Ok((size as usize, after))
}

#[tonic::async_trait]
impl ImpactService for ImpactServer {
    async fn assess(
        &self,
        request: Request<pb::AssessRequest>,
    ) -> Result<Response<pb::AssessResponse>, Status> {
        let caller = auth::caller(&request)?;
        self.assess_and_store(&caller, request.into_inner(), Detail::FULL)
            .await
            .map(Response::new)
    }

    type AssessBatchStream = BatchAnswers;

    async fn assess_batch(
        &self,
        request: Request<Streaming<pb::AssessBatchItem>>,
    ) -> Result<Response<Self::AssessBatchStream>, Status> {
        let caller = auth::caller(&request)?;
        Ok(Response::new(BatchAnswers::new(
            request.into_inner(),
            self.clone(),
            caller,
        )))
    }

    async fn summarize_portfolio(
        &self,
        request: Request<Streaming<pb::PortfolioItem>>,
    ) -> Result<Response<pb::PortfolioSummary>, Status> {
        let caller = auth::caller(&request)?;
        let mut items = request.into_inner();
        let mut summed = Portfolio::default();
        let (mut errors, mut error_count) = (Vec::new(), 0u32);
        let mut position = 0u32;
        while let Some(item) = items.message().await? {
            match self.portfolio_entry(&caller, item).await {
                Ok(entry) => summed.add(&entry),
                Err(status) => {
                    error_count = error_count.saturating_add(1);
                    if errors.len() < MAX_LISTED_ITEM_ERRORS {
                        errors.push(pb::PortfolioItemError {
                            position,
                            error: Some(item_error(&status)),
                        });
                    }
                }
            }
            position = position.saturating_add(1);
        }
        Ok(Response::new(portfolio::summary(
            &summed,
            errors,
            error_count,
        )))
    }

    async fn list_factor_sets(
        &self,
        _request: Request<pb::ListFactorSetsRequest>,
    ) -> Result<Response<pb::ListFactorSetsResponse>, Status> {
        Ok(Response::new(factor_sets::list(&self.api.factor_library)))
    }

    async fn get_factor_set(
        &self,
        request: Request<pb::GetFactorSetRequest>,
    ) -> Result<Response<pb::GetFactorSetResponse>, Status> {
        factor_sets::get(&self.api.factor_library, &request.get_ref().factor_set).map(Response::new)
    }

    async fn submit_monitoring_report(
        &self,
        request: Request<pb::SubmitMonitoringReportRequest>,
    ) -> Result<Response<pb::SubmitMonitoringReportResponse>, Status> {
        let caller = auth::caller(&request)?;
        let report = request.into_inner();
        let subject = self
            .records
            .owned(
                &caller,
                "assessment_record_id",
                &report.assessment_record_id,
            )
            .await?;
        if subject.seal.kind != RecordKind::Assessment {
            return Err(status::invalid_field(
                "assessment_record_id",
                "names a monitoring report; give the assessment it reports on",
            ));
        }
        // The result depends on the last report on the plan; the append stores it only if
        // that is still the last one, else the report is evaluated again.
        for _ in 0..REPORT_ATTEMPTS {
            let previous = self
                .records
                .report_before(&subject.seal.record_id, u64::MAX)
                .await?;
            let result = self.evaluate_report(&report, &subject, previous.as_ref())?;
            if report.dry_run {
                return Ok(Response::new(pb::SubmitMonitoringReportResponse {
                    result: Some(result),
                    record: None,
                }));
            }
            let submission = Submission {
                kind: RecordKind::MonitoringReport,
                tenant: caller.tenant.clone(),
                methodology_version: result.methodology_version.clone(),
                factor_set: result.factor_set.clone(),
                subject_record_id: subject.seal.record_id.clone(),
                borrower_id: subject.seal.borrower_id.clone(),
                project_id: subject.seal.project_id.clone(),
                request: report.encode_to_vec(),
                response: result.encode_to_vec(),
            };
            let expect = LastReport {
                subject_record_id: subject.seal.record_id.clone(),
                record_id: previous.map(|r| r.seal.record_id),
            };
            match self.records.append(submission, Some(expect)).await {
                Ok(seal) => {
                    return Ok(Response::new(pb::SubmitMonitoringReportResponse {
                        result: Some(result),
                        record: Some(records::seal_message(&seal)),
                    }));
                }
                Err(None) => continue,
                Err(Some(status)) => return Err(status),
            }
        }
        Err(Status::aborted(
            "other reports on this plan kept arriving while this one was evaluated; retry",
        ))
    }

    async fn get_assessment(
        &self,
        request: Request<pb::GetAssessmentRequest>,
    ) -> Result<Response<pb::StoredRecord>, Status> {
        let caller = auth::caller(&request)?;
        let record = self
            .records
            .readable(&caller, "record_id", &request.get_ref().record_id)
            .await?;
        records::stored_record_message(&record).map(Response::new)
    }

    async fn list_assessments(
        &self,
        request: Request<pb::ListAssessmentsRequest>,
    ) -> Result<Response<pb::ListAssessmentsResponse>, Status> {
        let caller = auth::caller(&request)?;
        let r = request.get_ref();
        let filter = records::filter(
            &r.borrower_id,
            &r.project_id,
            r.kind,
            &r.created_from,
            &r.created_to,
        )?;
        let (size, after) = paging(r.page_size, &r.page_token)?;
        // One more than the page shows whether there is a next page.
        let mut seals = self
            .records
            .list(&caller.tenant, filter, after, size + 1)
            .await?;
        let more = seals.len() > size;
        seals.truncate(size);
        let next_page_token = match seals.last() {
            Some(last) if more => format!("after:{}", last.sequence),
            _ => String::new(),
        };
        Ok(Response::new(pb::ListAssessmentsResponse {
            records: seals.iter().map(records::seal_message).collect(),
            next_page_token,
        }))
    }

    async fn verify_assessment(
        &self,
        request: Request<pb::VerifyAssessmentRequest>,
    ) -> Result<Response<pb::VerifyAssessmentResponse>, Status> {
        let caller = auth::caller(&request)?;
        let record = self
            .records
            .readable(&caller, "record_id", &request.get_ref().record_id)
            .await?;
        self.verify(&record).await.map(Response::new)
    }

    type ExportAssessmentsStream = ReceiverStream<Result<pb::StoredRecord, Status>>;

    async fn export_assessments(
        &self,
        request: Request<pb::ExportAssessmentsRequest>,
    ) -> Result<Response<Self::ExportAssessmentsStream>, Status> {
        let caller = auth::caller(&request)?;
        let r = request.get_ref();
        let filter = records::filter(
            &r.borrower_id,
            &r.project_id,
            r.kind,
            &r.created_from,
            &r.created_to,
        )?;
        Ok(Response::new(ReceiverStream::new(
            self.records.export(caller.tenant, filter),
        )))
    }

    async fn share_assessment(
        &self,
        request: Request<pb::ShareAssessmentRequest>,
    ) -> Result<Response<pb::ShareAssessmentResponse>, Status> {
        let caller = auth::caller(&request)?;
        let r = request.get_ref();
        let record = self
            .records
            .owned(&caller, "record_id", &r.record_id)
            .await?;
        if !self.auth.knows_tenant(&r.with_tenant) || r.with_tenant == caller.tenant {
            return Err(status::invalid_field(
                "with_tenant",
                format!("{:?} is not another tenant of this service", r.with_tenant),
            ));
        }
        let shared_with = self
            .records
            .share(&record.seal.record_id, &r.with_tenant)
            .await?;
        Ok(Response::new(pb::ShareAssessmentResponse { shared_with }))
    }

    async fn get_service_key(
        &self,
        _request: Request<pb::GetServiceKeyRequest>,
    ) -> Result<Response<pb::GetServiceKeyResponse>, Status> {
        let key = self.records.key();
        Ok(Response::new(pb::GetServiceKeyResponse {
            public_key_ed25519: hex::encode(key.public_key().as_bytes()),
            key_id: key.key_id().to_owned(),
            canonical_encoding: CANONICAL_ENCODING.to_owned(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(rule_set: &str) -> pb::AssessRequest {
        pb::AssessRequest {
            eligibility: Some(pb::EligibilityInput {
                rule_set: rule_set.to_owned(),
            }),
            ..Default::default()
        }
    }

    fn answered_with(rule_set: &str) -> Vec<u8> {
        pb::AssessResponse {
            borrower_id: "b".to_owned(),
            eligibility: Some(pb::EligibilityResult {
                rule_set: rule_set.to_owned(),
                title: "a set".to_owned(),
                ..Default::default()
            }),
            ..Default::default()
        }
        .encode_to_vec()
    }

    #[test]
    fn a_default_rule_set_is_pinned_to_the_one_the_stored_response_used() {
        let mut request = asking("");
        pin_rule_set(&mut request, &answered_with("cn-transition/2026.1"));
        assert_eq!(request, asking("cn-transition/2026.1"));

        // A named set stays as named; no eligibility asked, none pinned.
        let mut named = asking("other/1");
        pin_rule_set(&mut named, &answered_with("cn-transition/2026.1"));
        assert_eq!(named, asking("other/1"));
        let mut none = pb::AssessRequest::default();
        pin_rule_set(&mut none, &answered_with("cn-transition/2026.1"));
        assert_eq!(none, pb::AssessRequest::default());
    }
}
