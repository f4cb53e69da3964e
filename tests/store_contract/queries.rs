//! Reading a tenant's records: listing with filters and pages, the last report before a place in
//! the chain, and the tenants a record is shared with.

use green_impact::records::{NewRecord, RecordKind};
use green_impact::store::Filter;

use crate::backends::Backend;
use crate::support::{CREATED_MICROS, append, new_record, report_about, sequences, unique};

pub fn list_filters_and_pages(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let at = |offset: i64, borrower: &str, project: &str, kind: RecordKind| NewRecord {
        created_unix_micros: CREATED_MICROS + offset,
        borrower_id: borrower.to_owned(),
        project_id: project.to_owned(),
        ..new_record(&tenant, kind)
    };
    use RecordKind::{Assessment as A, MonitoringReport as M};
    // Sequence: 1..=6, created out of sequence order on purpose.
    let seals = [
        append(&*store, at(0, "b1", "p1", A)),
        append(&*store, at(10, "b1", "p2", A)),
        append(&*store, at(5, "b2", "p1", M)),
        append(&*store, at(20, "b1", "p1", M)),
        append(&*store, at(15, "b2", "p2", A)),
        append(&*store, at(30, "b1", "p1", A)),
    ];
    // Another tenant's record that matches every filter below.
    append(
        &*store,
        NewRecord {
            tenant: unique("bank"),
            ..at(0, "b1", "p1", A)
        },
    );

    let list = |filter: Filter, after: u64, limit: usize| {
        sequences(&store.list(&tenant, &filter, after, limit).expect("list"))
    };
    let everything = Filter::default();
    assert_eq!(
        store.list(&tenant, &everything, 0, 100).expect("list"),
        seals
    );
    let borrower = |b: &str| Filter {
        borrower_id: Some(b.to_owned()),
        ..Filter::default()
    };
    assert_eq!(list(borrower("b1"), 0, 100), [1, 2, 4, 6]);
    assert_eq!(list(borrower("b2"), 0, 100), [3, 5]);
    assert_eq!(list(borrower("b3"), 0, 100), Vec::<u64>::new());
    let project = Filter {
        project_id: Some("p2".to_owned()),
        ..Filter::default()
    };
    assert_eq!(list(project, 0, 100), [2, 5]);
    let reports = Filter {
        kind: Some(M),
        ..Filter::default()
    };
    assert_eq!(list(reports, 0, 100), [3, 4]);
    let assessments = Filter {
        kind: Some(A),
        ..Filter::default()
    };
    assert_eq!(list(assessments, 0, 100), [1, 2, 5, 6]);
    // From inclusive, to exclusive.
    let range = |from: Option<i64>, to: Option<i64>| Filter {
        created_from_micros: from.map(|offset| CREATED_MICROS + offset),
        created_to_micros: to.map(|offset| CREATED_MICROS + offset),
        ..Filter::default()
    };
    assert_eq!(list(range(Some(10), None), 0, 100), [2, 4, 5, 6]);
    assert_eq!(list(range(None, Some(10)), 0, 100), [1, 3]);
    assert_eq!(list(range(Some(5), Some(20)), 0, 100), [2, 3, 5]);
    assert_eq!(list(range(Some(20), Some(20)), 0, 100), Vec::<u64>::new());
    let combined = Filter {
        borrower_id: Some("b1".to_owned()),
        project_id: Some("p1".to_owned()),
        kind: Some(A),
        created_from_micros: Some(CREATED_MICROS),
        created_to_micros: Some(CREATED_MICROS + 31),
    };
    assert_eq!(list(combined.clone(), 0, 100), [1, 6]);

    // Paging: `after` is the last sequence seen, `limit` the page size.
    assert_eq!(list(everything.clone(), 0, 4), [1, 2, 3, 4]);
    assert_eq!(list(everything.clone(), 4, 4), [5, 6]);
    assert_eq!(list(everything.clone(), 6, 4), Vec::<u64>::new());
    assert_eq!(list(everything.clone(), 0, 0), Vec::<u64>::new());
    assert_eq!(list(everything.clone(), 2, 1), [3]);
    assert_eq!(list(everything, 0, usize::MAX), [1, 2, 3, 4, 5, 6]);
    assert_eq!(list(borrower("b1"), 2, 1), [4]);
    assert_eq!(list(borrower("b1"), 4, 100), [6]);
    assert_eq!(list(combined, 1, 100), [6]);
}

pub fn report_before_finds_the_last_earlier_report(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let subject = append(&*store, new_record(&tenant, RecordKind::Assessment)); // 1
    let first = append(&*store, report_about(&tenant, &subject)); // 2
    let other_subject = append(&*store, new_record(&tenant, RecordKind::Assessment)); // 3
    // An assessment naming the subject is not a monitoring report.
    append(
        &*store,
        NewRecord {
            subject_record_id: subject.record_id.clone(),
            ..new_record(&tenant, RecordKind::Assessment)
        },
    ); // 4
    let second = append(&*store, report_about(&tenant, &subject)); // 5
    append(&*store, report_about(&tenant, &other_subject)); // 6

    let before = |sequence: u64| {
        store
            .report_before(&subject.record_id, sequence)
            .expect("report_before")
            .map(|record| record.seal.sequence)
    };
    assert_eq!(before(u64::MAX), Some(5));
    assert_eq!(before(6), Some(5));
    assert_eq!(before(5), Some(2), "strictly before");
    assert_eq!(before(3), Some(2));
    assert_eq!(before(2), None);
    assert_eq!(before(1), None);
    assert_eq!(before(0), None);

    store.share(&second.record_id, "auditor").expect("share");
    let last = store
        .report_before(&subject.record_id, u64::MAX)
        .expect("report_before")
        .expect("a report");
    assert_eq!(
        Some(&last),
        store.get(&second.record_id).expect("get").as_ref()
    );
    assert_eq!(
        last.shared_with,
        ["auditor"],
        "the whole record, shares included"
    );
    let earlier = store
        .report_before(&subject.record_id, second.sequence)
        .expect("report_before")
        .expect("a report");
    assert_eq!(earlier.seal, first);
    assert_eq!(
        store
            .report_before(&other_subject.record_id, u64::MAX)
            .expect("report_before")
            .map(|record| record.seal.sequence),
        Some(6)
    );
}

pub fn share_is_idempotent_and_sorted(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let seal = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let untouched = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let id = &seal.record_id;
    assert_eq!(store.share(id, "insurer-b").expect("share"), ["insurer-b"]);
    assert_eq!(
        store.share(id, "insurer-b").expect("share again"),
        ["insurer-b"]
    );
    assert_eq!(
        store.share(id, "exchange").expect("share"),
        ["exchange", "insurer-b"]
    );
    // Byte order, not a locale's: upper case before lower, digits before both.
    let shared = store.share(id, "Insurer-c").expect("share");
    assert_eq!(shared, ["Insurer-c", "exchange", "insurer-b"]);
    let shared = store.share(id, "1st-bank").expect("share");
    assert_eq!(shared, ["1st-bank", "Insurer-c", "exchange", "insurer-b"]);
    let record = store.get(id).expect("get").expect("stored");
    assert_eq!(record.shared_with, shared);
    assert_eq!(record.seal, seal, "sharing does not touch the seal");
    let other = store
        .get(&untouched.record_id)
        .expect("get")
        .expect("stored");
    assert_eq!(other.shared_with, Vec::<String>::new());
    assert!(
        store.share(&unique("rec_unknown"), "insurer-b").is_err(),
        "only a stored record can be shared"
    );
}
