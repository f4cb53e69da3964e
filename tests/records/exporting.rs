//! ExportAssessments streams exactly the records the same filter lists, with their content,
//! oldest first; List and Export refuse bad arguments naming the field.

use green_impact::pb;
use green_impact::pb::stored_record::Content;
use tonic::Code;

use crate::common::{backends, violated_fields};
use crate::support::{Fixture, SEVEN, assert_code, export_ids, ids, store_seven};

#[tokio::test]
async fn list_and_export_refuse_bad_arguments_naming_the_field() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let list_cases: Vec<(pb::ListAssessmentsRequest, &str)> = vec![
            (
                pb::ListAssessmentsRequest {
                    page_token: "not-a-token".into(),
                    ..Default::default()
                },
                "page_token",
            ),
            (
                pb::ListAssessmentsRequest {
                    page_token: "after:-1".into(),
                    ..Default::default()
                },
                "page_token",
            ),
            (
                pb::ListAssessmentsRequest {
                    page_size: 201,
                    ..Default::default()
                },
                "page_size",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_from: "yesterday".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_to: "2026-13-01T00:00:00Z".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_from: "2026-05-20T08:00:00".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_from: "2026-05-20T16:00:00+0800".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_to: "2026-05-20 08:00:00Z".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_from: "2026-05-20T16:00:00.+08:00".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_to: "2026-05-20T16:00:00.1234567890Z".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_to: "2026-05-20T16:00:00+24:00".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ListAssessmentsRequest {
                    kind: 99,
                    ..Default::default()
                },
                "kind",
            ),
        ];
        for (request, field) in list_cases {
            let status = assert_code(
                f.list(&f.bank, request.clone()).await,
                Code::InvalidArgument,
                &format!("list {request:?}"),
            );
            assert_eq!(violated_fields(&status), [field], "{request:?}");
        }
        let export_cases: Vec<(pb::ExportAssessmentsRequest, &str)> = vec![
            (
                pb::ExportAssessmentsRequest {
                    created_from: "2026-05-20".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ExportAssessmentsRequest {
                    created_to: "soon".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ExportAssessmentsRequest {
                    kind: -1,
                    ..Default::default()
                },
                "kind",
            ),
        ];
        for (request, field) in export_cases {
            let status = assert_code(
                f.export(&f.bank, request.clone()).await,
                Code::InvalidArgument,
                &format!("export {request:?}"),
            );
            assert_eq!(violated_fields(&status), [field], "{request:?}");
        }
    }
}

#[tokio::test]
async fn export_streams_exactly_the_filtered_records_with_content_oldest_first() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let seals = store_seven(&f).await;
        f.store(&f.other_bank, "borrower-a", "plant-1").await;

        let everything = f.export(&f.bank, Default::default()).await.expect("export");
        assert_eq!(export_ids(&everything), ids(&seals));
        for (record, seal) in everything.iter().zip(&seals) {
            assert_eq!(record.seal.as_ref(), Some(seal));
            let stored = f.get(&f.bank, &seal.record_id).await.expect("get");
            assert_eq!(
                record, &stored,
                "the export carries what GetAssessment gives"
            );
        }

        let filters = [
            pb::ExportAssessmentsRequest {
                borrower_id: "borrower-a".into(),
                ..Default::default()
            },
            pb::ExportAssessmentsRequest {
                project_id: "plant-2".into(),
                ..Default::default()
            },
            pb::ExportAssessmentsRequest {
                borrower_id: "borrower-b".into(),
                created_from: seals[2].created_at.clone(),
                ..Default::default()
            },
            pb::ExportAssessmentsRequest {
                kind: pb::RecordKind::Assessment as i32,
                created_to: seals[4].created_at.clone(),
                ..Default::default()
            },
            pb::ExportAssessmentsRequest {
                kind: pb::RecordKind::MonitoringReport as i32,
                ..Default::default()
            },
        ];
        for filter in filters {
            let exported = f.export(&f.bank, filter.clone()).await.expect("export");
            let listed = f
                .list_all(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        borrower_id: filter.borrower_id.clone(),
                        project_id: filter.project_id.clone(),
                        kind: filter.kind,
                        created_from: filter.created_from.clone(),
                        created_to: filter.created_to.clone(),
                        ..Default::default()
                    },
                )
                .await;
            assert_eq!(export_ids(&exported), ids(&listed), "{filter:?}");
            let sequences: Vec<u64> = exported
                .iter()
                .map(|r| r.seal.as_ref().unwrap().sequence)
                .collect();
            assert!(sequences.is_sorted(), "oldest first: {sequences:?}");
            for record in &exported {
                let Some(Content::Assessment(assessment)) = &record.content else {
                    panic!("an exported assessment has its content");
                };
                let request = assessment.request.as_ref().expect("request");
                let response = assessment.response.as_ref().expect("response");
                if !filter.borrower_id.is_empty() {
                    assert_eq!(request.borrower_id, filter.borrower_id);
                    assert_eq!(response.borrower_id, filter.borrower_id);
                }
                if !filter.project_id.is_empty() {
                    assert_eq!(request.project_id, filter.project_id);
                }
                assert_eq!(record.seal.as_ref().unwrap().tenant, f.bank.tenant);
            }
        }
        // The expected counts, independently of List.
        let count = |borrower: &str| SEVEN.iter().filter(|(b, _)| *b == borrower).count();
        let by_a = f
            .export(
                &f.bank,
                pb::ExportAssessmentsRequest {
                    borrower_id: "borrower-a".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(by_a.len(), count("borrower-a"));
    }
}
