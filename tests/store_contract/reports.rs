//! A monitoring report is stored only while the last report on its plan is the one it was
//! evaluated against: checked on each append, and with reports racing, one stored per round.

use green_impact::records::{NewRecord, RecordKind, Seal};
use green_impact::store::{LastReport, Store, StoreError};

use crate::backends::Backend;
use crate::support::{
    THREADS, all, append, append_waiting, assert_sound_chain, key, new_record, report_about,
    sequences, try_append, unique,
};

/// The last report on `subject`, as a precondition (None: no report yet).
fn last_report(subject: &Seal, last: Option<&Seal>) -> LastReport {
    LastReport {
        subject_record_id: subject.record_id.clone(),
        record_id: last.map(|seal| seal.record_id.clone()),
    }
}

/// Appends `record` under `expect`, which must fail: Conflict, before anything is sealed, and
/// nothing stored.
fn assert_refused(store: &dyn Store, record: NewRecord, expect: &LastReport) {
    let chain = all(store, &record.tenant);
    let record_id = record.record_id.clone();
    let tenant = record.tenant.clone();
    let refused = append_waiting(
        store,
        record,
        key().key_id(),
        Some(expect),
        Box::new(|_, _, _| panic!("no seal when the precondition fails")),
    );
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{expect:?}: {refused:?}"
    );
    assert_eq!(all(store, &tenant), chain, "the chain is unchanged");
    assert_eq!(store.get(&record_id).expect("get"), None, "nothing stored");
}

/// A report is stored only while the last report on its plan is still the one it was
/// evaluated against.
pub fn append_checks_the_last_report(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let subject = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let other_subject = append(&*store, new_record(&tenant, RecordKind::Assessment));

    let no_report = last_report(&subject, None);
    let first = try_append(&*store, report_about(&tenant, &subject), Some(&no_report))
        .expect("no report yet, as expected");
    assert_eq!(first.sequence, 3);
    assert_refused(&*store, report_about(&tenant, &subject), &no_report);

    let after_first = last_report(&subject, Some(&first));
    let second = try_append(&*store, report_about(&tenant, &subject), Some(&after_first))
        .expect("the first is the last report, as expected");
    assert_eq!(
        (second.sequence, &second.previous_digest),
        (4, &first.digest),
        "the refused appends took no place in the chain"
    );
    // Stale: the second has been stored since.
    assert_refused(&*store, report_about(&tenant, &subject), &after_first);
    assert_refused(&*store, report_about(&tenant, &subject), &no_report);
    // A record that is no report on the plan is never its last report.
    assert_refused(
        &*store,
        report_about(&tenant, &subject),
        &last_report(&subject, Some(&subject)),
    );
    assert_refused(
        &*store,
        report_about(&tenant, &subject),
        &last_report(&subject, Some(&other_subject)),
    );

    // Only reports on the same plan count: not an assessment naming it, nor another plan's.
    append(
        &*store,
        NewRecord {
            subject_record_id: subject.record_id.clone(),
            ..new_record(&tenant, RecordKind::Assessment)
        },
    );
    let elsewhere = try_append(
        &*store,
        report_about(&tenant, &other_subject),
        Some(&last_report(&other_subject, None)),
    )
    .expect("no report on the other plan yet");
    let third = try_append(
        &*store,
        report_about(&tenant, &subject),
        Some(&last_report(&subject, Some(&second))),
    )
    .expect("the second is still the last report on the plan");
    assert_eq!((elsewhere.sequence, third.sequence), (6, 7));
    assert_eq!(
        store
            .report_before(&subject.record_id, u64::MAX)
            .expect("report_before")
            .map(|record| record.seal),
        Some(third)
    );
    assert_sound_chain(&*store, &all(&*store, &tenant));
}

/// Reports racing on one plan, all evaluated against the same last report, through `replicas`
/// stores on one database: exactly one is stored in each round, the others conflict.
fn racing_reports_store_one_per_expectation(backend: &dyn Backend, replicas: usize) {
    let stores: Vec<Box<dyn Store>> = (0..replicas).map(|_| backend.open()).collect();
    let tenant = unique("busy-bank");
    let subject = append(&*stores[0], new_record(&tenant, RecordKind::Assessment));
    let mut last: Option<Seal> = None;
    for round in 0..5 {
        let expect = last_report(&subject, last.as_ref());
        let stored: Vec<Seal> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..THREADS)
                .map(|thread| {
                    let store = &*stores[thread % replicas];
                    let (tenant, subject, expect) = (&tenant, &subject, &expect);
                    scope.spawn(move || {
                        match try_append(store, report_about(tenant, subject), Some(expect)) {
                            Ok(seal) => Some(seal),
                            Err(StoreError::Conflict(_)) => None,
                            Err(other) => panic!("append: {other}"),
                        }
                    })
                })
                .collect();
            racers
                .into_iter()
                .filter_map(|racer| racer.join().expect("racing thread"))
                .collect()
        });
        assert_eq!(stored.len(), 1, "round {round}: exactly one report stored");
        last = stored.into_iter().next();
    }
    for store in &stores {
        let chain = all(&**store, &tenant);
        assert_eq!(sequences(&chain), [1, 2, 3, 4, 5, 6]);
        assert_eq!(chain.last(), last.as_ref());
        assert_sound_chain(&**store, &chain);
    }
}

pub fn racing_reports_through_one_store_are_stored_one_per_round(backend: &dyn Backend) {
    racing_reports_store_one_per_expectation(backend, 1);
}

pub fn racing_reports_through_two_replicas_are_stored_one_per_round(backend: &dyn Backend) {
    racing_reports_store_one_per_expectation(backend, 2);
}
