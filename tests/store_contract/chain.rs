//! The chain: numbered from one and linked, per tenant; a record read back exactly as appended and
//! found at its place; unknown ids are none; the chain survives the store being reopened.

use green_impact::records::{NewRecord, Record, RecordKind, Seal, ZERO_DIGEST};

use crate::backends::Backend;
use crate::support::{
    CREATED_MICROS, all, append, assert_sound_chain, new_record, report_about, sequences, unique,
};

pub fn chain_is_numbered_from_one_and_linked(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let first = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let second = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let third = append(&*store, report_about(&tenant, &first));
    assert_eq!(
        sequences(&[first.clone(), second.clone(), third.clone()]),
        [1, 2, 3]
    );
    assert_eq!(first.previous_digest, ZERO_DIGEST);
    assert_eq!(second.previous_digest, first.digest);
    assert_eq!(third.previous_digest, second.digest);
    assert_sound_chain(&*store, &all(&*store, &tenant));

    let other = unique("insurer");
    let own = append(&*store, new_record(&other, RecordKind::Assessment));
    assert_eq!(
        (own.sequence, own.previous_digest),
        (1, ZERO_DIGEST.to_vec()),
        "a chain per tenant"
    );
    assert_eq!(sequences(&all(&*store, &tenant)), [1, 2, 3]);
}

pub fn get_returns_exactly_what_was_appended(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let subject = append(&*store, new_record(&tenant, RecordKind::Assessment));
    // Bytes that are not text, an empty response, and a body past any page or inline limit.
    let mut request: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    request.extend_from_slice(&[0, 0, 0xff]);
    let record = NewRecord {
        created_at: "2026-06-01T00:00:00.123456Z".to_owned(),
        created_unix_micros: CREATED_MICROS + 1_036_800_123_456,
        methodology_version: "green-impact/1.2.0".to_owned(),
        factor_set: "custom/2026.2".to_owned(),
        borrower_id: "借款人-7".to_owned(),
        project_id: "project \"quoted\" 'x'".to_owned(),
        request,
        response: Vec::new(),
        ..report_about(&tenant, &subject)
    };
    let seal = append(&*store, record.clone());
    let stored = store.get(&record.record_id).expect("get").expect("stored");
    assert_eq!(
        stored,
        Record {
            seal,
            request: record.request,
            response: record.response,
            shared_with: Vec::new(),
        }
    );
    assert_eq!(stored.recomputed_digest()[..], stored.seal.digest[..]);
    assert_eq!(
        (
            &stored.seal.borrower_id,
            &stored.seal.project_id,
            stored.seal.created_unix_micros
        ),
        (
            &record.borrower_id,
            &record.project_id,
            record.created_unix_micros
        ),
        "borrower, project and creation instant are part of the seal"
    );
}

pub fn unknown_ids_are_none(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let known = append(&*store, new_record(&tenant, RecordKind::Assessment));
    assert_eq!(store.get(&unique("rec_unknown")).expect("get"), None);
    assert_eq!(store.get("").expect("get"), None);
    assert_eq!(store.seal_at(&tenant, 2).expect("seal_at"), None);
    assert_eq!(store.seal_at(&tenant, 0).expect("seal_at"), None);
    assert_eq!(store.seal_at(&unique("nobody"), 1).expect("seal_at"), None);
    assert_eq!(all(&*store, &unique("nobody")), []);
    assert_eq!(
        store
            .report_before(&known.record_id, u64::MAX)
            .expect("report"),
        None
    );
    assert_eq!(
        store
            .report_before(&unique("rec_unknown"), u64::MAX)
            .expect("report"),
        None
    );
}

pub fn seal_at_gives_the_seal_at_that_place(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let seals: Vec<Seal> = (0..3)
        .map(|_| append(&*store, new_record(&tenant, RecordKind::Assessment)))
        .collect();
    for seal in &seals {
        assert_eq!(
            store
                .seal_at(&tenant, seal.sequence)
                .expect("seal_at")
                .as_ref(),
            Some(seal)
        );
    }
    let other = unique("bank");
    append(&*store, new_record(&other, RecordKind::Assessment));
    assert_ne!(
        store.seal_at(&other, 1).expect("seal_at").as_ref(),
        Some(&seals[0])
    );
}

/// Survives the store being closed and opened again, as across a restart.
pub fn reopened_store_has_the_chain(backend: &dyn Backend) {
    let tenant = unique("bank");
    let (first, record_id) = {
        let store = backend.open();
        let record = new_record(&tenant, RecordKind::Assessment);
        let record_id = record.record_id.clone();
        let first = append(&*store, record);
        store.share(&record_id, "insurer").expect("share");
        (first, record_id)
    };
    let store = backend.open();
    let stored = store.get(&record_id).expect("get").expect("still there");
    assert_eq!(stored.seal, first);
    assert_eq!(stored.shared_with, ["insurer"]);
    let second = append(&*store, new_record(&tenant, RecordKind::Assessment));
    assert_eq!((second.sequence, second.previous_digest), (2, first.digest));
}
