//! gRPC-Web on the HTTP port: what a browser's gRPC client sends is answered as gRPC answers.

use bytes::{Buf, Bytes};
use green_impact::pb;
use prost::Message;

use crate::common::seed_dry_run;
use crate::support::{send, start_local};

#[tokio::test]
async fn a_grpc_web_assess_answers_the_bytes_grpc_answers() {
    let server = start_local().await;
    let request = seed_dry_run();
    let over_grpc = server
        .grpc
        .client()
        .await
        .assess(request.clone())
        .await
        .unwrap()
        .into_inner();
    let mut framed = vec![0u8];
    let message = request.encode_to_vec();
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(&message);
    let reply = send(
        server.http,
        "POST",
        "/greenimpact.v1.ImpactService/Assess",
        &[
            ("content-type", "application/grpc-web+proto"),
            ("x-grpc-web", "1"),
        ],
        Bytes::from(framed),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .starts_with("application/grpc-web")
    );
    let mut body = reply.body.clone();
    assert_eq!(body.get_u8(), 0, "a data frame first");
    let length = body.get_u32() as usize;
    let answer = pb::AssessResponse::decode(&body[..length]).unwrap();
    assert_eq!(answer, over_grpc);
    body.advance(length);
    assert_eq!(body.get_u8(), 0x80, "then the trailers frame");
    let trailers = String::from_utf8_lossy(&body[4..]).to_ascii_lowercase();
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
}
