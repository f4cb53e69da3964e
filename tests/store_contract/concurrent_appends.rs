//! Appends racing on one tenant, through one store or two replicas, keep one whole chain.

use std::collections::BTreeSet;

use green_impact::records::{RecordKind, Seal};
use green_impact::store::Store;

use crate::backends::Backend;
use crate::support::{
    APPENDS_PER_THREAD, THREADS, all, append, assert_sound_chain, new_record, on_threads, unique,
};

/// Appends racing on one tenant through `replicas` stores on one database: the chain must come
/// out whole, with no sequence taken twice or skipped and every link right.
fn concurrent_appends_keep_one_chain(backend: &dyn Backend, replicas: usize) {
    let stores: Vec<Box<dyn Store>> = (0..replicas).map(|_| backend.open()).collect();
    let tenant = unique("busy-bank");
    let returned: Vec<Seal> = on_threads(|thread, _| {
        append(
            &*stores[thread % replicas],
            new_record(&tenant, RecordKind::Assessment),
        )
    });
    let total = THREADS * APPENDS_PER_THREAD;
    let taken: BTreeSet<u64> = returned.iter().map(|seal| seal.sequence).collect();
    assert_eq!(
        taken,
        (1..=total as u64).collect(),
        "each sequence given exactly once"
    );
    for store in &stores {
        let chain = all(&**store, &tenant);
        assert_eq!(chain.len(), total);
        let mut by_sequence = returned.clone();
        by_sequence.sort_by_key(|seal| seal.sequence);
        assert_eq!(chain, by_sequence, "what was returned is what was stored");
        assert_sound_chain(&**store, &chain);
    }
}

pub fn concurrent_appends_through_one_store_keep_one_chain(backend: &dyn Backend) {
    concurrent_appends_keep_one_chain(backend, 1);
}

pub fn concurrent_appends_through_two_replicas_keep_one_chain(backend: &dyn Backend) {
    concurrent_appends_keep_one_chain(backend, 2);
}
