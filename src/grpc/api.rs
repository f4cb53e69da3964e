//! `ImpactApi`: the pure part of the service. Validate a request, assess it, present the
//! answer; recompute a stored record as it was assessed. No record book and no caller.

use std::sync::Arc;

use prost::Message;
use tonic::Status;

use crate::domain::assessment::assess_tracing;
use crate::domain::carbon::factor_set::FactorLibrary;
use crate::domain::carbon::trace::Tracing;
use crate::domain::lpr::LprTable;
use crate::domain::monitoring::monitor;
use crate::pb;
use crate::pb::encode_once;
use crate::records::Record;

use super::monitoring as grpc_monitoring;
use super::reference::ReferenceTexts;
use super::response::View;
use super::{request, response, status};

#[derive(Clone)]
pub struct ImpactApi {
    pub(super) lpr_table: Arc<LprTable>,
    pub(super) factor_library: Arc<FactorLibrary>,
    references: Arc<ReferenceTexts>,
}

/// The view an AssessRequest asks for, BASIC when it names none.
pub fn requested_view(request: &pb::AssessRequest) -> Result<View, Status> {
    View::named(request.view, View::Basic).ok_or_else(|| {
        status::invalid_field("view", format!("unknown enum value {}", request.view))
    })
}

impl ImpactApi {
    pub fn new(lpr_table: LprTable, factor_library: FactorLibrary) -> ImpactApi {
        ImpactApi {
            lpr_table: Arc::new(lpr_table),
            references: Arc::new(ReferenceTexts::new(&factor_library)),
            factor_library: Arc::new(factor_library),
        }
    }

    /// The whole assessment: validate, compute, present, in the view the request asks for
    /// (BASIC unless it names another). Synchronous and pure: tens of microseconds of CPU, so
    /// the server runs it inline (see `assess_and_store`).
    pub fn assess(&self, request: &pb::AssessRequest) -> Result<pb::AssessResponse, Status> {
        self.assess_in(request, requested_view(request)?)
    }

    /// The same in `view`, whatever the request asks for.
    pub fn assess_in(
        &self,
        request: &pb::AssessRequest,
        view: View,
    ) -> Result<pb::AssessResponse, Status> {
        self.assess_with(request, &self.factor_library, view)
    }

    pub(super) fn assess_with(
        &self,
        request: &pb::AssessRequest,
        factor_library: &FactorLibrary,
        view: View,
    ) -> Result<pb::AssessResponse, Status> {
        let (input, presenter) = request::to_domain(request, &self.lpr_table, factor_library)
            .map_err(status::invalid_argument)?;
        let tracing = if view.detailed() {
            Tracing::Kept
        } else {
            Tracing::Skipped
        };
        let assessment =
            assess_tracing(&input, &self.lpr_table, tracing).map_err(status::assess_failed)?;
        let mut response = response::build(
            request,
            &input,
            assessment,
            &presenter,
            &self.lpr_table,
            view.detailed(),
        );
        if view == View::SelfContained {
            self.write_out(&mut response, factor_library)?;
        }
        Ok(response)
    }

    /// SELF_CONTAINED from FULL. The texts are this server's own, so failing is a bug.
    pub(super) fn write_out(
        &self,
        response: &mut pb::AssessResponse,
        factor_library: &FactorLibrary,
    ) -> Result<(), Status> {
        response::write_out(response, factor_library).map_err(|why| {
            tracing::error!(%why, "a response's texts cannot be written out");
            Status::internal("the response's reference texts cannot be written out")
        })
    }

    /// The methodology's templates and the factor sets' digests.
    pub fn references(&self) -> &ReferenceTexts {
        &self.references
    }

    pub fn factor_library(&self) -> &FactorLibrary {
        &self.factor_library
    }

    pub(super) fn factor_library_arc(&self) -> Arc<FactorLibrary> {
        Arc::clone(&self.factor_library)
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
    pub(super) fn stored_request(
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
    pub(super) fn recompute_assessment(&self, record: &Record) -> Result<Vec<u8>, String> {
        let (request, library) = self
            .stored_request(record)
            .map_err(|status| status.message().to_owned())?;
        // A record sealed before texts were referred to by id holds them written out.
        let view = if record.seal.methodology_digest.is_empty() {
            View::SelfContained
        } else {
            View::Full
        };
        let response = self
            .assess_with(&request, &library, view)
            .map_err(|status| {
                format!(
                    "the stored request no longer assesses: {}",
                    status.message()
                )
            })?;
        Ok(encode_once::to_vec(&response))
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
