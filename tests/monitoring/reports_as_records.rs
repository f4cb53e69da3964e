//! The report is a record: stored chained after its plan and verified by recomputation, also
//! when reports on one plan are submitted at once, on every record store.

use green_impact::pb;

use crate::common::{
    Backend, Principal, TestServer, backends, bearer, principal, random_seed, record_parts,
    tokens_auth,
};
use crate::support::{
    assert_verifies, dry, flag_codes, get_record, measured, operations, q3_report, record_id,
    report, seed_with_kpis, stored_plan, stored_report_count, submit,
};

#[tokio::test]
async fn a_report_is_stored_chained_after_its_plan_and_verifies() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan = stored_plan(&mut client).await;
    let plan_seal = plan.record.clone().unwrap();

    // A dry run answers in full but stores nothing.
    let dry_response = submit(&mut client, dry(q3_report(&plan_seal.record_id))).await;
    assert!(dry_response.record.is_none());
    assert_eq!(stored_report_count(&mut client).await, 0);

    let request = q3_report(&plan_seal.record_id);
    let response = submit(&mut client, request.clone()).await;
    // The dry run's answer is the stored one's.
    assert_eq!(dry_response.result, response.result);
    let seal = response.record.clone().expect("the report is stored");
    assert_eq!(seal.kind, pb::RecordKind::MonitoringReport as i32);
    assert_eq!(seal.subject_record_id, plan_seal.record_id);
    assert_eq!(seal.tenant, plan_seal.tenant);
    assert_eq!(seal.sequence, plan_seal.sequence + 1);
    assert_eq!(seal.previous_digest_sha256, plan_seal.digest_sha256);
    assert_eq!(seal.factor_set, plan_seal.factor_set);
    assert_eq!(seal.methodology_version, plan_seal.methodology_version);
    // Lists filter a report under its plan's borrower and project.
    assert_eq!(
        (&seal.borrower_id, &seal.project_id),
        (&plan_seal.borrower_id, &plan_seal.project_id)
    );
    assert!(!seal.borrower_id.is_empty() && !seal.project_id.is_empty());
    assert!(seal.created_unix_micros >= plan_seal.created_unix_micros);
    assert!(seal.record_id.starts_with("rec_") && seal.record_id.len() == 36);
    assert_ne!(seal.record_id, plan_seal.record_id);
    assert_eq!(stored_report_count(&mut client).await, 1);

    let stored = get_record(&mut client, &seal.record_id).await;
    assert_eq!(stored.seal.as_ref(), Some(&seal));
    let Some(pb::stored_record::Content::MonitoringReport(content)) = stored.content else {
        panic!("a monitoring report's content, got {:?}", stored.content);
    };
    assert_eq!(content.request.as_ref(), Some(&request));
    assert_eq!(content.result, response.result);

    assert_verifies(&mut client, &seal.record_id).await;
    assert_verifies(&mut client, &plan_seal.record_id).await;

    // A dry run after the stored report stores nothing either, and the chain is unchanged.
    submit(&mut client, dry(q3_report(&plan_seal.record_id))).await;
    assert_eq!(stored_report_count(&mut client).await, 1);
    assert_verifies(&mut client, &seal.record_id).await;
}

const CONCURRENT_REPORTS: usize = 8;

const CONCURRENT_ROUNDS: usize = 6;

/// Eight reports for October on one plan, submitted at once (each on its own connection) after
/// Q3, in six rounds on six plans, on every record store. Whatever order they are stored in,
/// each stored result must be the one its recomputation gives: the previous report is the one
/// stored just before it, so every October report after the first must carry
/// OVERLAPS_PREVIOUS_REPORT (and the first must not), and every record must verify.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reports_on_one_plan_each_verify() {
    for backend in backends() {
        eprintln!("-- on {}", backend.name());
        // A tenant of its own: the PostgreSQL database is shared by every test and run.
        let bank = principal("reporting-bank", "bank");
        let parts = record_parts(&backend, tokens_auth(&[&bank]), &random_seed());
        let server = TestServer::start_with_parts(parts).await;
        concurrent_reports(&server, &bank).await;
        if let Backend::Sqlite { dir } = &backend {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

async fn concurrent_reports(server: &TestServer, bank: &Principal) {
    let mut client = server.client().await;
    let mut clients = Vec::new();
    for _ in 0..CONCURRENT_REPORTS {
        clients.push(server.client().await);
    }
    let mut expected = vec![true; CONCURRENT_REPORTS];
    expected[0] = false;
    let mut problems = Vec::new();
    for round in 0..CONCURRENT_ROUNDS {
        let plan = client
            .assess(bearer(&bank.token, seed_with_kpis()))
            .await
            .unwrap_or_else(|e| panic!("assess: {e:?}"))
            .into_inner();
        let plan_id = record_id(&plan.record);
        client
            .submit_monitoring_report(bearer(&bank.token, q3_report(&plan_id)))
            .await
            .unwrap_or_else(|e| panic!("submit Q3: {e:?}"));
        let october = report(
            &plan_id,
            "2025-10-01",
            "2025-10-31",
            measured(operations(30, "2640", "860", "860", "250")),
        );
        let mut tasks = tokio::task::JoinSet::new();
        for client in &clients {
            let mut client = client.clone();
            let request = bearer(&bank.token, october.clone());
            tasks.spawn(async move {
                client
                    .submit_monitoring_report(request)
                    .await
                    .unwrap_or_else(|e| panic!("submit October: {e:?}"))
                    .into_inner()
            });
        }
        let mut stored = Vec::new();
        while let Some(response) = tasks.join_next().await {
            stored.push(response.expect("the task does not panic"));
        }
        stored.sort_by_key(|r| r.record.as_ref().unwrap().sequence);
        let overlaps: Vec<bool> = stored
            .iter()
            .map(|r| flag_codes(r.result.as_ref().unwrap()).contains(&"OVERLAPS_PREVIOUS_REPORT"))
            .collect();
        let mut unverified = Vec::new();
        for response in &stored {
            let seal = response.record.as_ref().unwrap();
            let verification = client
                .verify_assessment(bearer(
                    &bank.token,
                    pb::VerifyAssessmentRequest {
                        record_id: seal.record_id.clone(),
                    },
                ))
                .await
                .unwrap_or_else(|e| panic!("verify {}: {e:?}", seal.record_id))
                .into_inner();
            if let Some(check) = verification.checks.iter().find(|c| !c.passed) {
                unverified.push(format!(
                    "sequence {}: {}: {}",
                    seal.sequence, check.name, check.detail
                ));
            }
            assert_eq!(verification.checks.len(), 4, "{verification:?}");
        }
        if overlaps != expected || !unverified.is_empty() {
            problems.push(format!(
                "round {round}: stored overlap flags by sequence {overlaps:?}; {unverified:#?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
