//! Auth over HTTP is gRPC's: bearer tokens name the tenant, another tenant's record is not
//! found, and the gateway refuses what another site's page could have sent.

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::grpc::server::ServerParts;

use crate::common::{local_parts, principal, tokens_auth};
use crate::support::{seed_json, send, start_local, start_with};

#[tokio::test]
async fn tokens_name_the_tenant_and_another_tenants_record_is_not_found() {
    let bank = principal("http-bank", "bank");
    let other = principal("http-other", "bank");
    let server = start_with(ServerParts {
        auth: tokens_auth(&[&bank, &other]),
        ..local_parts(FactorLibrary::built_in())
    })
    .await;
    let seed = seed_json().to_string();
    let json = ("content-type", "application/json");

    let reply = send(
        server.http,
        "POST",
        "/v1/assessments:assess",
        &[json],
        seed.clone(),
    )
    .await;
    assert_eq!(reply.status, 401, "{}", reply.text());
    assert_eq!(reply.json()["error"]["status"], "UNAUTHENTICATED");

    let wrong = "Bearer not-a-token";
    let reply = send(
        server.http,
        "POST",
        "/v1/assessments:assess",
        &[json, ("authorization", wrong)],
        seed.clone(),
    )
    .await;
    assert_eq!(reply.status, 401, "{}", reply.text());

    let bank_auth = format!("Bearer {}", bank.token);
    let reply = send(
        server.http,
        "POST",
        "/v1/assessments:assess",
        &[json, ("authorization", &bank_auth)],
        seed,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let record_id = reply.json()["record"]["record_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/assessments/{record_id}");

    let own = send(
        server.http,
        "GET",
        &path,
        &[("authorization", &bank_auth)],
        "",
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text());
    let other_auth = format!("Bearer {}", other.token);
    let theirs = send(
        server.http,
        "GET",
        &path,
        &[("authorization", &other_auth)],
        "",
    )
    .await;
    assert_eq!(theirs.status, 404, "{}", theirs.text());
    let page = format!("/console/report/{record_id}");
    let report = send(
        server.http,
        "GET",
        &page,
        &[("authorization", &other_auth)],
        "",
    )
    .await;
    assert_eq!(report.status, 404, "{}", report.text());
    // The console opens the page in a new tab, posting the token in a form.
    let form = ("content-type", "application/x-www-form-urlencoded");
    let own_form = format!("token={}", bank.token);
    let posted = send(server.http, "POST", &page, &[form], own_form).await;
    assert_eq!(posted.status, 200, "{}", posted.text());
    assert!(posted.text().contains(&record_id));
    let their_form = format!("token={}", other.token);
    let posted = send(server.http, "POST", &page, &[form], their_form).await;
    assert_eq!(posted.status, 404, "{}", posted.text());
    let posted = send(server.http, "POST", &page, &[form], "token=").await;
    assert_eq!(posted.status, 401, "{}", posted.text());
    let listed = send(
        server.http,
        "GET",
        "/v1/assessments",
        &[("authorization", &other_auth)],
        "",
    )
    .await;
    assert_eq!(listed.json()["records"], serde_json::json!([]));
}

#[tokio::test]
async fn a_request_from_another_sites_page_is_refused() {
    let server = start_local().await;
    let seed = seed_json().to_string();
    let reply = send(
        server.http,
        "POST",
        "/v1/assessments:assess",
        &[
            ("content-type", "application/json"),
            ("origin", "https://attacker.example"),
        ],
        seed.clone(),
    )
    .await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    assert_eq!(reply.json()["error"]["status"], "PERMISSION_DENIED");

    let own_origin = format!("http://{}", server.http);
    let reply = send(
        server.http,
        "POST",
        "/v1/assessments:assess",
        &[
            ("content-type", "application/json"),
            ("origin", &own_origin),
        ],
        seed,
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "the console's own origin: {}",
        reply.text()
    );
}

#[tokio::test]
async fn local_mode_answers_loopback_host_names_only() {
    let server = start_local().await;
    // What a rebound DNS name would send: the attacker's host name, our address.
    let host = ("host", "attacker.example:8080");
    let reply = send(server.http, "GET", "/v1/serviceKey", &[host], "").await;
    assert_eq!(reply.status, 403);
}
