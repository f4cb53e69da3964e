//! Rows edited outside the service read back as stored, for verification to report, or as
//! corrupt; nothing is chained onto a head whose digest is not one.

use green_impact::records::{RecordKind, Seal};
use green_impact::store::{Filter, StoreError};

use crate::backends::Backend;
use crate::support::{all, append, append_waiting, new_record, sequences, unique};

fn is_corrupt<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Corrupt(_)))
}

/// A row edited outside the service: a digest or signature of the wrong length is read back
/// as stored, for verification to report, but nothing is chained onto a head whose digest is
/// not one; a row that does not fit the schema at all reads as corrupt, not as a backend
/// failure and not as a record.
pub fn altered_rows_read_as_stored_or_corrupt(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let short = append(&*store, new_record(&tenant, RecordKind::Assessment));
    backend.tamper(
        "UPDATE records SET digest = substr(digest, 1, 3), \
         signature = substr(signature, 1, 5) WHERE record_id = $1",
        &short.record_id,
    );
    let altered = Seal {
        digest: short.digest[..3].to_vec(),
        signature: short.signature[..5].to_vec(),
        ..short.clone()
    };
    let stored = store.get(&short.record_id).expect("get").expect("stored");
    assert_eq!(stored.seal, altered, "read back as stored");
    assert_ne!(stored.recomputed_digest()[..], stored.seal.digest[..]);
    assert_eq!(
        store.seal_at(&tenant, 1).expect("seal_at"),
        Some(altered.clone())
    );
    assert_eq!(all(&*store, &tenant), [altered]);
    let refused = append_waiting(
        &*store,
        new_record(&tenant, RecordKind::Assessment),
        "k",
        None,
        Box::new(|_, _, _| panic!("no seal after a corrupt head")),
    );
    assert!(
        is_corrupt(refused),
        "no append after a head that is not a digest"
    );
    assert_eq!(sequences(&all(&*store, &tenant)), [1]);

    let other = unique("bank");
    let odd = append(&*store, new_record(&other, RecordKind::Assessment));
    backend.tamper(
        "UPDATE records SET kind = 9 WHERE record_id = $1",
        &odd.record_id,
    );
    assert!(is_corrupt(store.get(&odd.record_id)));
    assert!(is_corrupt(store.list(&other, &Filter::default(), 0, 10)));
}
