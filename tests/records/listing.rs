//! ListAssessments: pages through every record once in chain order, filters by borrower,
//! project, kind and creation time, and reads creation times with an offset as the instants they
//! are.

use green_impact::pb;

use crate::common::backends;
use crate::support::{Fixture, SEVEN, export_ids, ids, seal_ids, store_seven};

#[tokio::test]
async fn list_pages_through_every_record_once_in_chain_order() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let seals = store_seven(&f).await;

        let mut pages = Vec::new();
        let mut token = String::new();
        loop {
            let page = f
                .list(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        page_size: 3,
                        page_token: token.clone(),
                        ..Default::default()
                    },
                )
                .await
                .expect("a page");
            pages.push(page.records);
            if page.next_page_token.is_empty() {
                break;
            }
            assert!(pages.len() < 5, "three pages are enough");
            token = page.next_page_token;
        }
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        assert_eq!(sizes, [3, 3, 1]);
        let listed: Vec<pb::RecordSeal> = pages.concat();
        assert_eq!(
            listed, seals,
            "every record once, oldest first, seals as stored"
        );
        let sequences: Vec<u64> = listed.iter().map(|s| s.sequence).collect();
        assert_eq!(sequences, (1..=7).collect::<Vec<u64>>());

        for page_size in [0, 7, 200] {
            let page = f
                .list(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        page_size,
                        ..Default::default()
                    },
                )
                .await
                .expect("one page");
            assert_eq!(page.records, seals, "page_size {page_size}");
            assert_eq!(
                page.next_page_token, "",
                "page_size {page_size}: no next page"
            );
        }
    }
}

#[tokio::test]
async fn list_filters_by_borrower_project_kind_and_creation_time() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let seals = store_seven(&f).await;
        let pick = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
            seal_ids(
                &seals
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| keep(*i))
                    .map(|(_, s)| s)
                    .collect::<Vec<_>>(),
            )
        };

        let cases: Vec<(&str, pb::ListAssessmentsRequest, Vec<String>)> = vec![
            (
                "borrower-a",
                pb::ListAssessmentsRequest {
                    borrower_id: "borrower-a".into(),
                    ..Default::default()
                },
                pick(&|i| SEVEN[i].0 == "borrower-a"),
            ),
            (
                "plant-2",
                pb::ListAssessmentsRequest {
                    project_id: "plant-2".into(),
                    ..Default::default()
                },
                pick(&|i| SEVEN[i].1 == "plant-2"),
            ),
            (
                "borrower-a and plant-1",
                pb::ListAssessmentsRequest {
                    borrower_id: "borrower-a".into(),
                    project_id: "plant-1".into(),
                    ..Default::default()
                },
                pick(&|i| SEVEN[i] == ("borrower-a", "plant-1")),
            ),
            (
                "an unknown borrower",
                pb::ListAssessmentsRequest {
                    borrower_id: "borrower-z".into(),
                    ..Default::default()
                },
                vec![],
            ),
            (
                "assessments",
                pb::ListAssessmentsRequest {
                    kind: pb::RecordKind::Assessment as i32,
                    ..Default::default()
                },
                pick(&|_| true),
            ),
            (
                "monitoring reports",
                pb::ListAssessmentsRequest {
                    kind: pb::RecordKind::MonitoringReport as i32,
                    ..Default::default()
                },
                vec![],
            ),
            (
                "from the fourth",
                pb::ListAssessmentsRequest {
                    created_from: seals[3].created_at.clone(),
                    ..Default::default()
                },
                pick(&|i| i >= 3),
            ),
            (
                "before the fourth",
                pb::ListAssessmentsRequest {
                    created_to: seals[3].created_at.clone(),
                    ..Default::default()
                },
                pick(&|i| i < 3),
            ),
            (
                "from the second to the sixth",
                pb::ListAssessmentsRequest {
                    created_from: seals[1].created_at.clone(),
                    created_to: seals[5].created_at.clone(),
                    ..Default::default()
                },
                pick(&|i| (1..5).contains(&i)),
            ),
            (
                "borrower-a from the fourth",
                pb::ListAssessmentsRequest {
                    borrower_id: "borrower-a".into(),
                    created_from: seals[3].created_at.clone(),
                    ..Default::default()
                },
                pick(&|i| i >= 3 && SEVEN[i].0 == "borrower-a"),
            ),
            (
                "from a second-precision instant before all",
                pb::ListAssessmentsRequest {
                    created_from: "2020-01-01T00:00:00Z".into(),
                    created_to: "2200-01-01T00:00:00Z".into(),
                    ..Default::default()
                },
                pick(&|_| true),
            ),
        ];
        for (what, filter, expected) in cases {
            let listed = f.list_all(&f.bank, filter.clone()).await;
            assert_eq!(ids(&listed), expected, "list {what}");
            // Page by page the filter holds on every page.
            let paged = f
                .list_all(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        page_size: 2,
                        ..filter
                    },
                )
                .await;
            assert_eq!(ids(&paged), expected, "list {what}, two at a time");
        }
    }
}

/// The instant `micros` since 1970 plus `extra_nanos` (below a microsecond) as RFC 3339 in
/// the zone `offset_minutes` east of UTC, with `digits` fraction digits (0: none, the instant
/// cut to the second).
fn rfc3339_at(micros: i64, extra_nanos: u32, offset_minutes: i64, digits: usize) -> String {
    assert!(extra_nanos < 1000);
    let local = micros.div_euclid(1_000_000) + offset_minutes * 60;
    let nanos =
        u32::try_from(micros.rem_euclid(1_000_000)).expect("below a second") * 1000 + extra_nanos;
    let local = std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(local).expect("after 1970"));
    let mut text = humantime::format_rfc3339_seconds(local).to_string();
    text.pop(); // the Z
    if digits > 0 {
        text.push_str(&format!(".{nanos:09}")[..=digits]);
    }
    if offset_minutes == 0 {
        text.push('Z');
    } else {
        let sign = if offset_minutes > 0 { '+' } else { '-' };
        let minutes = offset_minutes.abs();
        text.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
    }
    text
}

#[test]
fn rfc3339_at_writes_local_time_with_the_offset() {
    let micros = 1_779_264_000_123_456;
    assert_eq!(rfc3339_at(micros, 0, 0, 6), "2026-05-20T08:00:00.123456Z");
    assert_eq!(
        rfc3339_at(micros, 789, 480, 9),
        "2026-05-20T16:00:00.123456789+08:00"
    );
    assert_eq!(rfc3339_at(micros, 0, -330, 0), "2026-05-20T02:30:00-05:30");
    assert_eq!(
        rfc3339_at(micros, 0, -720, 3),
        "2026-05-19T20:00:00.123-12:00"
    );
}

/// created_from and created_to are instants: written with any offset, in whole seconds or
/// with up to nine fraction digits (cut to the microsecond), they select what the same instant
/// in UTC selects.
#[tokio::test]
async fn list_reads_creation_times_with_an_offset_as_the_instants_they_are() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let seals = store_seven(&f).await;
        let fourth = &seals[3];
        let micros = fourth.created_unix_micros;
        let created = humantime::parse_rfc3339(&fourth.created_at)
            .expect("RFC 3339")
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970");
        assert_eq!(
            created.as_micros(),
            micros as u128,
            "created_at and created_unix_micros are one instant"
        );
        let selected = |keep: &dyn Fn(i64) -> bool| -> Vec<String> {
            seals
                .iter()
                .filter(|s| keep(s.created_unix_micros))
                .map(|s| s.record_id.clone())
                .collect()
        };
        assert_eq!(selected(&|m| m >= micros), ids(&seals[3..]));
        let whole_second = micros - micros.rem_euclid(1_000_000);

        // The instant as written, and the microsecond it means.
        let mut instants = Vec::new();
        for offset in [0, 480, -330, 345, -720, 14 * 60] {
            instants.push((rfc3339_at(micros, 0, offset, 6), micros));
            // Nanoseconds below the microsecond are cut, not rounded up.
            instants.push((rfc3339_at(micros, 999, offset, 9), micros));
            instants.push((rfc3339_at(micros, 0, offset, 0), whole_second));
        }
        instants.push((
            fourth.created_at.replace('T', "t").replace('Z', "z"),
            micros,
        ));
        instants.push((fourth.created_at.replace('Z', "+00:00"), micros));
        instants.push((fourth.created_at.replace('Z', "-00:00"), micros));
        for (text, meant) in instants {
            let from = f
                .list_all(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        created_from: text.clone(),
                        ..Default::default()
                    },
                )
                .await;
            assert_eq!(ids(&from), selected(&|m| m >= meant), "created_from {text}");
            let to = f
                .export(
                    &f.bank,
                    pb::ExportAssessmentsRequest {
                        created_to: text.clone(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_or_else(|status| panic!("created_to {text}: {status:?}"));
            assert_eq!(
                export_ids(&to),
                selected(&|m| m < meant),
                "created_to {text}"
            );
        }
        // Its own microsecond, in Beijing time, holds the fourth record alone.
        let only_fourth = f
            .list_all(
                &f.bank,
                pb::ListAssessmentsRequest {
                    created_from: rfc3339_at(micros, 0, 480, 6),
                    created_to: rfc3339_at(micros + 1, 0, 480, 6),
                    ..Default::default()
                },
            )
            .await;
        assert_eq!(ids(&only_fourth), ids(&seals[3..4]));
    }
}
