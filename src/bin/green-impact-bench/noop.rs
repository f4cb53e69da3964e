//! The benchmark's comparison server: the same transport and message limits as the real one,
//! around an ImpactService that answers without computing.

use std::future::Future;

use tokio::net::TcpListener;
use tonic::{Request, Response, Status, Streaming};

use green_impact::grpc::api::ImpactApi;
use green_impact::grpc::limits::Limits;
use green_impact::grpc::server::{self, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, ServeError};
use green_impact::pb;
use green_impact::pb::impact_service_server::{ImpactService, ImpactServiceServer};

/// The comparison server: ImpactService answering Assess, and each AssessBatch item, with a
/// response computed once, so it pays for the transport and the encoding of the same bytes,
/// and nothing else.
pub struct NoopImpact {
    response: pb::AssessResponse,
}

impl NoopImpact {
    /// The no-op for `request`: the answer `api` computes for it (in its view), to a call and
    /// to a batch item alike.
    pub fn answering(api: &ImpactApi, request: &pb::AssessRequest) -> Result<NoopImpact, Status> {
        Ok(NoopImpact {
            response: api.assess(request)?,
        })
    }
}

fn noop<T>() -> Result<Response<T>, Status> {
    Err(Status::unimplemented(
        "the no-op server answers Assess and AssessBatch only",
    ))
}

#[tonic::async_trait]
impl ImpactService for NoopImpact {
    async fn assess(
        &self,
        _request: Request<pb::AssessRequest>,
    ) -> Result<Response<pb::AssessResponse>, Status> {
        Ok(Response::new(self.response.clone()))
    }
    type AssessBatchStream = std::pin::Pin<
        Box<dyn tokio_stream::Stream<Item = Result<pb::AssessBatchResult, Status>> + Send>,
    >;
    /// Each item answered as it is read, under its key: the stream reads no further ahead
    /// than its client reads.
    async fn assess_batch(
        &self,
        request: Request<Streaming<pb::AssessBatchItem>>,
    ) -> Result<Response<Self::AssessBatchStream>, Status> {
        use tokio_stream::StreamExt;
        let response = self.response.clone();
        let results = request.into_inner().map(move |item| {
            item.map(|item| pb::AssessBatchResult {
                key: item.key,
                outcome: Some(pb::assess_batch_result::Outcome::Response(response.clone())),
            })
        });
        Ok(Response::new(Box::pin(results)))
    }
    async fn summarize_portfolio(
        &self,
        _request: Request<Streaming<pb::PortfolioItem>>,
    ) -> Result<Response<pb::PortfolioSummary>, Status> {
        noop()
    }
    async fn list_factor_sets(
        &self,
        _request: Request<pb::ListFactorSetsRequest>,
    ) -> Result<Response<pb::ListFactorSetsResponse>, Status> {
        noop()
    }
    async fn get_factor_set(
        &self,
        _request: Request<pb::GetFactorSetRequest>,
    ) -> Result<Response<pb::GetFactorSetResponse>, Status> {
        noop()
    }
    async fn get_methodology(
        &self,
        _request: Request<pb::GetMethodologyRequest>,
    ) -> Result<Response<pb::GetMethodologyResponse>, Status> {
        noop()
    }
    async fn submit_monitoring_report(
        &self,
        _request: Request<pb::SubmitMonitoringReportRequest>,
    ) -> Result<Response<pb::SubmitMonitoringReportResponse>, Status> {
        noop()
    }
    async fn get_assessment(
        &self,
        _request: Request<pb::GetAssessmentRequest>,
    ) -> Result<Response<pb::StoredRecord>, Status> {
        noop()
    }
    async fn list_assessments(
        &self,
        _request: Request<pb::ListAssessmentsRequest>,
    ) -> Result<Response<pb::ListAssessmentsResponse>, Status> {
        noop()
    }
    async fn verify_assessment(
        &self,
        _request: Request<pb::VerifyAssessmentRequest>,
    ) -> Result<Response<pb::VerifyAssessmentResponse>, Status> {
        noop()
    }
    type ExportAssessmentsStream = tokio_stream::Empty<Result<pb::StoredRecord, Status>>;
    async fn export_assessments(
        &self,
        _request: Request<pb::ExportAssessmentsRequest>,
    ) -> Result<Response<Self::ExportAssessmentsStream>, Status> {
        noop()
    }
    async fn share_assessment(
        &self,
        _request: Request<pb::ShareAssessmentRequest>,
    ) -> Result<Response<pb::ShareAssessmentResponse>, Status> {
        noop()
    }
    async fn get_service_key(
        &self,
        _request: Request<pb::GetServiceKeyRequest>,
    ) -> Result<Response<pb::GetServiceKeyResponse>, Status> {
        noop()
    }
}

/// Serves `service` on `listener` with the real server's transport settings until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    service: NoopImpact,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    server::transport(&limits, None)?
        .add_service(
            ImpactServiceServer::new(service)
                .max_decoding_message_size(MAX_REQUEST_BYTES)
                .max_encoding_message_size(MAX_RESPONSE_BYTES),
        )
        .serve_with_incoming_shutdown(server::incoming(listener, &limits), shutdown)
        .await
        .map_err(ServeError::Transport)
}
