//! The ImpactService handlers: each checks the caller and its request's own fields, and calls
//! into `ImpactServer` (`impact`) or the record book.

use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::domain::portfolio::Portfolio;
use crate::pb;
use crate::pb::encode_once;
use crate::pb::impact_service_server::ImpactService;
use crate::records::{CANONICAL_ENCODING, RecordKind};
use crate::store::LastReport;

use super::auth;
use super::batch::BatchAnswers;
use super::impact::{ImpactServer, MAX_LISTED_ITEM_ERRORS, REPORT_ATTEMPTS, item_error};
use super::records::{self, MAX_PAGE_SIZE};
use super::response::View;
use super::{factor_sets, portfolio, status};

/// The view a GetAssessment or ExportAssessments asks for, SELF_CONTAINED when it names none.
fn record_view(value: i32) -> Result<View, Status> {
    View::named(value, View::SelfContained)
        .ok_or_else(|| status::invalid_field("view", format!("unknown enum value {value}")))
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
        self.assess_and_store(&caller, request.into_inner())
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
        factor_sets::get(
            self.api.factor_library(),
            self.api.references(),
            &request.get_ref().factor_set,
        )
        .map(Response::new)
    }

    async fn get_methodology(
        &self,
        request: Request<pb::GetMethodologyRequest>,
    ) -> Result<Response<pb::GetMethodologyResponse>, Status> {
        self.api
            .references()
            .methodology(&request.get_ref().methodology_version)
            .cloned()
            .map(Response::new)
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
            let submission = self.submission(
                RecordKind::MonitoringReport,
                &caller,
                (&result.methodology_version, &result.factor_set),
                subject.seal.record_id.clone(),
                (&subject.seal.borrower_id, &subject.seal.project_id),
                (encode_once::to_vec(&report), encode_once::to_vec(&result)),
            )?;
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
        let r = request.get_ref();
        let view = record_view(r.view)?;
        let record = self
            .records
            .readable(&caller, "record_id", &r.record_id)
            .await?;
        records::stored_record_message(&record, view, self.api.factor_library()).map(Response::new)
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
        let view = record_view(r.view)?;
        Ok(Response::new(ReceiverStream::new(self.records.export(
            caller.tenant,
            filter,
            view,
            self.api.factor_library_arc(),
        ))))
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
