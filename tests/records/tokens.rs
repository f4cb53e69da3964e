//! Bearer tokens: every RPC refuses a missing, malformed or unknown token.

use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use tonic::transport::Channel;
use tonic::{Code, Status};

use crate::common::{backends, random_hex, seed_request, with_authorization};
use crate::support::Fixture;

/// Calls every ImpactService RPC with the given authorization header (or none); returns each
/// RPC's name and its status code (Ok for success).
async fn every_rpc(
    client: &ImpactServiceClient<Channel>,
    header: Option<&str>,
) -> Vec<(&'static str, Code)> {
    fn code<T>(result: Result<T, Status>) -> Code {
        result.map_or_else(|s| s.code(), |_| Code::Ok)
    }
    let id = format!("rec_{}", random_hex(16));
    let mut c = client.clone();
    vec![
        (
            "Assess",
            code(c.assess(with_authorization(header, seed_request())).await),
        ),
        (
            "Assess (dry run)",
            code(
                c.assess(with_authorization(
                    header,
                    pb::AssessRequest {
                        dry_run: true,
                        ..seed_request()
                    },
                ))
                .await,
            ),
        ),
        (
            "ListFactorSets",
            code(
                c.list_factor_sets(with_authorization(
                    header,
                    pb::ListFactorSetsRequest::default(),
                ))
                .await,
            ),
        ),
        (
            "GetFactorSet",
            code(
                c.get_factor_set(with_authorization(
                    header,
                    pb::GetFactorSetRequest::default(),
                ))
                .await,
            ),
        ),
        (
            "SubmitMonitoringReport",
            code(
                c.submit_monitoring_report(with_authorization(
                    header,
                    pb::SubmitMonitoringReportRequest {
                        assessment_record_id: id.clone(),
                        dry_run: true,
                        ..Default::default()
                    },
                ))
                .await,
            ),
        ),
        (
            "GetAssessment",
            code(
                c.get_assessment(with_authorization(
                    header,
                    pb::GetAssessmentRequest {
                        record_id: id.clone(),
                        ..Default::default()
                    },
                ))
                .await,
            ),
        ),
        (
            "ListAssessments",
            code(
                c.list_assessments(with_authorization(
                    header,
                    pb::ListAssessmentsRequest::default(),
                ))
                .await,
            ),
        ),
        (
            "VerifyAssessment",
            code(
                c.verify_assessment(with_authorization(
                    header,
                    pb::VerifyAssessmentRequest {
                        record_id: id.clone(),
                    },
                ))
                .await,
            ),
        ),
        ("ExportAssessments", {
            match c
                .export_assessments(with_authorization(
                    header,
                    pb::ExportAssessmentsRequest::default(),
                ))
                .await
            {
                Err(status) => status.code(),
                Ok(stream) => {
                    let mut stream = stream.into_inner();
                    let mut outcome = Code::Ok;
                    loop {
                        match stream.message().await {
                            Ok(Some(_)) => continue,
                            Ok(None) => break,
                            Err(status) => {
                                outcome = status.code();
                                break;
                            }
                        }
                    }
                    outcome
                }
            }
        }),
        (
            "ShareAssessment",
            code(
                c.share_assessment(with_authorization(
                    header,
                    pb::ShareAssessmentRequest {
                        record_id: id.clone(),
                        with_tenant: "someone".into(),
                    },
                ))
                .await,
            ),
        ),
        (
            "GetServiceKey",
            code(
                c.get_service_key(with_authorization(header, pb::GetServiceKeyRequest {}))
                    .await,
            ),
        ),
    ]
}

#[tokio::test]
async fn every_rpc_refuses_a_missing_malformed_or_unknown_token() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let unknown = format!("Bearer {}", random_hex(16));
        let no_scheme = f.bank.token.clone();
        let basic = format!("Basic {}", f.bank.token);
        let headers: [Option<&str>; 6] = [
            None,
            Some(&basic),
            Some("Bearer"),
            Some("Bearer "),
            Some(&no_scheme),
            Some(&unknown),
        ];
        for header in headers {
            for (rpc, code) in every_rpc(&f.client, header).await {
                assert_eq!(
                    code,
                    Code::Unauthenticated,
                    "{rpc} with authorization {header:?}"
                );
            }
        }
        assert!(
            f.list_all(&f.bank, Default::default()).await.is_empty(),
            "nothing was stored by the refused calls"
        );
        // With the token the same calls get through to the service.
        let good = format!("Bearer {}", f.bank.token);
        for (rpc, code) in every_rpc(&f.client, Some(&good)).await {
            assert_ne!(code, Code::Unauthenticated, "{rpc} with a valid token");
        }
    }
}
