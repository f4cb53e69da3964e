//! Rows rewritten behind the service's back: a middle record re-sealed with the service key, or
//! removed, breaks the next record's chain link; edited filter columns fail the signature.

use green_impact::pb;
use green_impact::records::{self, ServiceKey};
use prost::Message;
use tonic::Code;

use crate::common::{Cell, backends, delete_row, read_cell, write_cell};
use crate::support::{
    Fixture, assert_code, detail, failed_checks, ids, request_for, seal_ids, seal_of, set,
};

#[tokio::test]
async fn a_resealed_or_removed_middle_record_breaks_the_next_records_chain_link() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let first = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let middle = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let last = f.store(&f.bank, "leshan-yaqing", "plant-3").await;

        // Someone holding the service key rewrites the middle record with other content and
        // seals it afresh: the record checks out alone, the chain does not.
        let forged_request = request_for("someone-else", "plant-2");
        let forged_response = f
            .assess(
                &f.bank,
                // The store keeps and the digest covers the FULL answer.
                pb::AssessRequest {
                    dry_run: true,
                    view: pb::AssessmentView::Full as i32,
                    ..forged_request.clone()
                },
            )
            .await;
        let (request, response) = (
            forged_request.encode_to_vec(),
            forged_response.encode_to_vec(),
        );
        let mut seal = seal_of(&middle);
        seal.borrower_id = forged_request.borrower_id.clone();
        seal.digest = records::digest(
            &seal.tenant,
            seal.kind,
            &seal.subject_record_id,
            seal.sequence,
            &seal.previous_digest,
            &request,
            &response,
        )
        .to_vec();
        seal.signature = ServiceKey::from_seed(&f.seed)
            .sign(&seal.signing_text())
            .to_vec();
        let id = &middle.record_id;
        write_cell(&f.backend, id, "request", &Cell::Bytes(request));
        write_cell(&f.backend, id, "response", &Cell::Bytes(response));
        write_cell(&f.backend, id, "digest", &Cell::Bytes(seal.digest.clone()));
        write_cell(
            &f.backend,
            id,
            "signature",
            &Cell::Bytes(seal.signature.clone()),
        );
        write_cell(
            &f.backend,
            id,
            "borrower_id",
            &Cell::Text(seal.borrower_id.clone()),
        );

        assert_eq!(
            f.failing(id).await,
            set(&[]),
            "a re-sealed record verifies alone"
        );
        let next = f.verify(&f.bank, &last.record_id).await.expect("verify");
        assert_eq!(failed_checks(&next), set(&["chain_link"]), "{next:?}");
        let link = detail(&next, "chain_link");
        assert!(
            link.contains(&hex::encode(&seal.digest)) && link.contains(id),
            "{link}"
        );
        assert_eq!(f.failing(&first.record_id).await, set(&[]));

        // Without the middle record the next one has nothing to link to.
        delete_row(&f.backend, id);
        let next = f.verify(&f.bank, &last.record_id).await.expect("verify");
        assert_eq!(failed_checks(&next), set(&["chain_link"]), "{next:?}");
        assert!(detail(&next, "chain_link").contains("missing"), "{next:?}");
        assert_code(
            f.get(&f.bank, id).await,
            Code::NotFound,
            "the removed record",
        );
    }
}

/// The columns List and Export filter on are signed: edited behind the service's back they
/// still move a record in or out of a filtered listing, but VerifyAssessment then fails the
/// record's signature check, and only that.
#[tokio::test]
async fn verify_notices_edited_filter_columns() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let a = f.store(&f.bank, "borrower-a", "plant-1").await;
        let b = f.store(&f.bank, "borrower-b", "plant-1").await;
        let c = f.store(&f.bank, "borrower-c", "plant-1").await;
        let seals = [&a, &b, &c];
        let a_year = 365 * 24 * 3600 * 1_000_000;

        let by_borrower = pb::ListAssessmentsRequest {
            borrower_id: "borrower-b".into(),
            ..Default::default()
        };
        let by_project = pb::ListAssessmentsRequest {
            project_id: "plant-9".into(),
            ..Default::default()
        };
        let before_a = pb::ListAssessmentsRequest {
            created_to: a.created_at.clone(),
            ..Default::default()
        };
        // The column, whose, its new value, a filter the edit changes, and what the filter
        // lists before and after the edit.
        let cases = [
            (
                "borrower_id",
                &a,
                Cell::Text("borrower-b".into()),
                by_borrower,
                seal_ids(&[&b]),
                seal_ids(&[&a, &b]),
            ),
            (
                "project_id",
                &b,
                Cell::Text("plant-9".into()),
                by_project,
                vec![],
                seal_ids(&[&b]),
            ),
            (
                "created_unix_micros",
                &c,
                Cell::Int(c.created_unix_micros - a_year),
                before_a,
                vec![],
                seal_ids(&[&c]),
            ),
        ];
        for (column, edited, value, filter, before, after) in cases {
            assert_eq!(
                ids(&f.list_all(&f.bank, filter.clone()).await),
                before,
                "{column}: before the edit"
            );
            let original = read_cell(&f.backend, &edited.record_id, column);
            write_cell(&f.backend, &edited.record_id, column, &value);
            assert_eq!(
                ids(&f.list_all(&f.bank, filter.clone()).await),
                after,
                "{column}: the edit moves the record"
            );
            let answer = f.verify(&f.bank, &edited.record_id).await.expect("verify");
            assert!(!answer.verified, "{column} edited: {answer:?}");
            assert_eq!(
                failed_checks(&answer),
                set(&["signature"]),
                "{column} edited: {answer:?}"
            );
            assert!(
                detail(&answer, "signature").contains("does not match"),
                "{column}: {}",
                detail(&answer, "signature")
            );
            for other in seals.iter().filter(|s| s.record_id != edited.record_id) {
                assert_eq!(
                    f.failing(&other.record_id).await,
                    set(&[]),
                    "{column} of {} edited, {}",
                    edited.record_id,
                    other.record_id
                );
            }

            write_cell(&f.backend, &edited.record_id, column, &original);
            assert_eq!(
                f.failing(&edited.record_id).await,
                set(&[]),
                "{column} restored"
            );
            assert_eq!(
                ids(&f.list_all(&f.bank, filter).await),
                before,
                "{column}: restored"
            );
        }
    }
}
