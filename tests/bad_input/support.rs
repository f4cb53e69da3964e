//! The harness of the catalogue (a server and a client, requests refused or accepted, the
//! status checked well formed) and the edits of the seed request several modules make.

use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use tonic::transport::Channel;
use tonic_types::StatusExt;

use crate::common::{TestServer, cny, loan, seed_request, violated_fields};

/// A running server and a client connected to it; the server stops when this is dropped.
pub struct Harness {
    _server: TestServer,
    pub client: ImpactServiceClient<Channel>,
}

pub async fn harness() -> Harness {
    let server = TestServer::start().await;
    let client = server.client().await;
    Harness {
        _server: server,
        client,
    }
}

impl Harness {
    /// Sends `request`, expects it refused, checks the status is well formed, and returns the
    /// violated field paths in the order the server reported them.
    pub async fn reject(&mut self, request: pb::AssessRequest) -> Vec<String> {
        let status = self.reject_status(request).await;
        violated_fields(&status)
    }

    pub async fn reject_status(&mut self, request: pb::AssessRequest) -> tonic::Status {
        match self.client.assess(request).await {
            Ok(response) => panic!(
                "expected INVALID_ARGUMENT, the request was accepted: {:?}",
                response.get_ref().loan.as_ref().map(|l| l.period_count)
            ),
            Err(status) => {
                assert_well_formed(&status);
                status
            }
        }
    }

    /// Sends `request` and expects it to be accepted.
    pub async fn accept(&mut self, request: pb::AssessRequest, what: &str) -> pb::AssessResponse {
        match self.client.assess(request).await {
            Ok(response) => response.into_inner(),
            Err(status) => panic!("{what}: expected success, got {status:?}"),
        }
    }

    /// Refuses `request` with exactly one violation, on `field`.
    pub async fn expect_only(&mut self, request: pb::AssessRequest, field: &str, case: &str) {
        let fields = self.reject(request).await;
        assert_eq!(fields, [field], "case: {case}");
    }
}

/// INVALID_ARGUMENT with BadRequest details, every violation has a field path and a non-empty
/// description, and nothing leaks a panic.
fn assert_well_formed(status: &tonic::Status) {
    assert_eq!(
        status.code(),
        tonic::Code::InvalidArgument,
        "status: {status:?}"
    );
    assert!(
        !status.message().to_lowercase().contains("panic"),
        "status message mentions a panic: {status:?}"
    );
    let bad_request = status
        .get_details_bad_request()
        .expect("BadRequest details present");
    assert!(
        !bad_request.field_violations.is_empty(),
        "INVALID_ARGUMENT without any field violation: {status:?}"
    );
    for violation in &bad_request.field_violations {
        assert!(
            !violation.field.trim().is_empty(),
            "violation without a field path: {violation:?}"
        );
        assert!(
            !violation.description.trim().is_empty(),
            "violation of {} has an empty description",
            violation.field
        );
        assert!(
            !violation.description.to_lowercase().contains("panic"),
            "violation description mentions a panic: {violation:?}"
        );
    }
}

pub fn descriptions(status: &tonic::Status) -> Vec<(String, String)> {
    status
        .get_details_bad_request()
        .expect("BadRequest details present")
        .field_violations
        .into_iter()
        .map(|v| (v.field, v.description))
        .collect()
}

pub fn sorted(mut fields: Vec<String>) -> Vec<String> {
    fields.sort();
    fields
}

pub fn ops(request: &mut pb::AssessRequest) -> &mut pb::OperatingData {
    request
        .operations
        .as_mut()
        .expect("seed request has operations")
}

pub fn appraisal(request: &mut pb::AssessRequest) -> &mut pb::ProjectAppraisal {
    request
        .appraisal
        .as_mut()
        .expect("seed request has appraisal")
}

pub fn named(name: &str, amount: &str) -> pb::NamedMoney {
    pb::NamedMoney {
        name: name.to_owned(),
        amount: cny(amount),
    }
}

pub fn operating_cost(name: &str, amount: Option<pb::operating_cost::Amount>) -> pb::OperatingCost {
    pb::OperatingCost {
        name: name.to_owned(),
        amount,
    }
}

/// The seed request with its rate quoted as LPR + spread instead of fixed.
pub fn lpr_request(tenor: pb::LprTenor, spread_bps: i32, fixing_date: &str) -> pb::AssessRequest {
    let mut request = seed_request();
    loan(&mut request).rate = Some(pb::loan_terms::Rate::LprLinked(pb::LprLinkedRate {
        tenor: tenor as i32,
        spread_bps,
        fixing_date: fixing_date.to_owned(),
    }));
    request
}

pub fn with_presentation(
    money_dp: Option<u32>,
    ratio_dp: Option<u32>,
    rounding_rule: i32,
) -> pb::AssessRequest {
    let mut request = seed_request();
    request.presentation = Some(pb::PresentationRules {
        money_dp,
        ratio_dp,
        rounding_rule,
        emissions_dp: None,
    });
    request
}

/// Helper so that the bound cases read as one line each.
pub trait FixedRate {
    fn fixed_annual_rate_pct_mut(&mut self, pct: &str);
}

impl FixedRate for pb::LoanTerms {
    fn fixed_annual_rate_pct_mut(&mut self, pct: &str) {
        self.rate = Some(pb::loan_terms::Rate::FixedAnnualRatePct(pb::Decimal {
            value: pct.to_owned(),
        }));
    }
}
