//! Requests, calls and clients the portfolio tests share.

use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use tonic::transport::Channel;

use crate::common::{TestServer, cny, loan};

/// google.rpc.Code numbers.
pub const INVALID_ARGUMENT: i32 = 3;

pub fn set_principal(request: &mut pb::AssessRequest, amount: &str) {
    loan(request).principal = cny(amount);
}

/// Every result of a batch of `items`, in the order they came.
pub async fn run_batch(
    client: &mut ImpactServiceClient<Channel>,
    items: Vec<pb::AssessBatchItem>,
) -> Vec<pb::AssessBatchResult> {
    let mut stream = client
        .assess_batch(tokio_stream::iter(items))
        .await
        .expect("AssessBatch starts")
        .into_inner();
    let mut results = Vec::new();
    while let Some(result) = stream.message().await.expect("the batch stream goes on") {
        results.push(result);
    }
    results
}

pub async fn assess(
    client: &mut ImpactServiceClient<Channel>,
    request: pb::AssessRequest,
) -> pb::AssessResponse {
    client
        .assess(request)
        .await
        .expect("unary Assess answers")
        .into_inner()
}

/// What the batch returns for an item whose full response is `full`: the omitted parts gone.
pub fn omitting(mut full: pb::AssessResponse, item: &pb::AssessBatchItem) -> pb::AssessResponse {
    if item.omit_schedule_periods {
        full.loan.as_mut().expect("schedule").periods.clear();
    }
    if item.omit_carbon_trace {
        let carbon = full.carbon.as_mut().expect("carbon");
        carbon.trace.clear();
        carbon.factors_used.clear();
    }
    full
}

/// A client whose HTTP/2 receive window, for the stream and the connection, is `window` bytes:
/// how much of the server's answers it holds unread.
pub async fn client_receiving(server: &TestServer, window: u32) -> ImpactServiceClient<Channel> {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .expect("uri")
        .initial_stream_window_size(window)
        .initial_connection_window_size(window)
        .connect()
        .await
        .expect("connect");
    ImpactServiceClient::new(channel)
}
