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

/// The BASIC view of the answer `whole`, by the proto's words: no schedule rows, no carbon
/// trace, no factor list; everything else as it is.
pub fn basic(mut whole: pb::AssessResponse) -> pb::AssessResponse {
    whole.loan.as_mut().expect("schedule").periods.clear();
    let carbon = whole.carbon.as_mut().expect("carbon");
    carbon.trace.clear();
    carbon.factors_used.clear();
    whole
}

/// Whether an answer in `view` is BASIC (the default of Assess and AssessBatch).
pub fn is_basic(view: i32) -> bool {
    [pb::AssessmentView::Unspecified, pb::AssessmentView::Basic]
        .iter()
        .any(|&basic| basic as i32 == view)
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
