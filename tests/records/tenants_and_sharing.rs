//! Tenants: each sees only its own records, another's ids are not found like unknown ones, ids
//! not shaped like record ids are refused without a lookup, an administrator reads and verifies
//! any tenant's record; the owner shares a record with another tenant, and only the owner.

use green_impact::pb;
use green_impact::pb::stored_record::Content;
use tonic::{Code, Status};

use crate::common::{Cell, backends, random_hex, violated_fields, write_cell};
use crate::support::{Fixture, assert_code, export_ids, failed_checks, ids, set};

#[tokio::test]
async fn a_tenant_sees_only_its_own_records_and_others_ids_are_not_found() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let mine = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let theirs = f.store(&f.other_bank, "leshan-yaqing", "plant-1").await;
        assert_eq!(theirs.tenant, f.other_bank.tenant);
        assert_eq!(theirs.sequence, 1, "each tenant has a chain of its own");
        let unknown = format!("rec_{}", random_hex(16));

        for (who, foreign) in [(&f.bank, &theirs), (&f.other_bank, &mine)] {
            let id = &foreign.record_id;
            let get = assert_code(f.get(who, id).await, Code::NotFound, "another tenant's id");
            let verify = assert_code(f.verify(who, id).await, Code::NotFound, "verify another's");
            let share = assert_code(
                f.share(who, id, &f.exchange.tenant).await,
                Code::NotFound,
                "share another's",
            );
            let get_unknown = assert_code(f.get(who, &unknown).await, Code::NotFound, "unknown id");
            let verify_unknown = assert_code(
                f.verify(who, &unknown).await,
                Code::NotFound,
                "verify unknown",
            );
            // Nothing tells an existing foreign id from one that never existed.
            let shape = |status: &Status, id: &str| status.message().replace(id, "<id>");
            assert_eq!(shape(&get, id), shape(&get_unknown, &unknown));
            assert_eq!(shape(&verify, id), shape(&verify_unknown, &unknown));
            assert_eq!(shape(&share, id), shape(&get_unknown, &unknown));
        }

        for (who, own) in [(&f.bank, &mine), (&f.other_bank, &theirs)] {
            let listed = f.list_all(who, Default::default()).await;
            assert_eq!(ids(&listed), [own.record_id.as_str()]);
            let exported = f.export(who, Default::default()).await.expect("export");
            assert_eq!(export_ids(&exported), [own.record_id.as_str()]);
            let by_borrower = pb::ListAssessmentsRequest {
                borrower_id: "leshan-yaqing".into(),
                ..Default::default()
            };
            assert_eq!(
                ids(&f.list_all(who, by_borrower).await),
                [own.record_id.as_str()]
            );
        }
        assert!(f.list_all(&f.exchange, Default::default()).await.is_empty());
        assert!(
            f.export(&f.exchange, Default::default())
                .await
                .unwrap()
                .is_empty()
        );
    }
}

/// Only `rec_` and 32 lowercase hex digits is a record id; anything else is INVALID_ARGUMENT
/// naming the field, without being looked up: not even a row stored under that very id is found.
#[tokio::test]
async fn ids_not_shaped_like_record_ids_are_refused_without_a_lookup() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let stored = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let hex = &stored.record_id[4..];
        let unknown = format!("rec_{}", random_hex(16));
        assert_code(f.get(&f.bank, &unknown).await, Code::NotFound, "unknown");
        fn malformed_id<T: std::fmt::Debug>(result: Result<T, Status>, what: &str) {
            let status = assert_code(result, Code::InvalidArgument, what);
            assert_eq!(violated_fields(&status), ["record_id"], "{what}");
        }

        let malformed = [
            format!("rec_{}", hex.to_uppercase()),
            format!("REC_{hex}"),
            format!("rec_{}", &hex[1..]),
            format!("rec_{hex}0"),
            format!(" {}", stored.record_id),
            format!("{}\n", stored.record_id),
            format!("rec_{}g", &hex[1..]),
            hex.to_owned(),
            String::new(),
        ];
        for id in &malformed {
            for who in [&f.bank, &f.admin] {
                malformed_id(f.get(who, id).await, &format!("get {id:?}"));
                malformed_id(f.verify(who, id).await, &format!("verify {id:?}"));
            }
            malformed_id(
                f.share(&f.bank, id, &f.exchange.tenant).await,
                &format!("share {id:?}"),
            );
        }

        // A row stored under an id of another shape is never looked up.
        let upper = format!("rec_{}", hex.to_uppercase());
        write_cell(
            &f.backend,
            &stored.record_id,
            "record_id",
            &Cell::Text(upper.clone()),
        );
        for who in [&f.bank, &f.admin] {
            malformed_id(f.get(who, &upper).await, "get the renamed row");
            malformed_id(f.verify(who, &upper).await, "verify the renamed row");
        }
        assert_code(
            f.get(&f.bank, &stored.record_id).await,
            Code::NotFound,
            "the old id is gone",
        );
        write_cell(
            &f.backend,
            &upper,
            "record_id",
            &Cell::Text(stored.record_id.clone()),
        );
        assert_eq!(f.failing(&stored.record_id).await, set(&[]), "renamed back");
    }
}

#[tokio::test]
async fn an_administrator_reads_and_verifies_any_tenants_record() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let record = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let got = f
            .get(&f.admin, &record.record_id)
            .await
            .expect("the admin reads it");
        assert_eq!(got.seal.as_ref(), Some(&record));
        let answer = f
            .verify(&f.admin, &record.record_id)
            .await
            .expect("the admin verifies it");
        assert_eq!(failed_checks(&answer), set(&[]));
        // An administrator still owns nothing it did not store.
        assert_code(
            f.share(&f.admin, &record.record_id, &f.exchange.tenant)
                .await,
            Code::NotFound,
            "the admin shares another's record",
        );
        assert!(f.list_all(&f.admin, Default::default()).await.is_empty());
    }
}

#[tokio::test]
async fn a_shared_record_can_be_read_and_verified_by_the_exchange_but_not_listed() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let shared = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let kept = f.store(&f.bank, "leshan-yaqing", "plant-2").await;

        assert_code(
            f.get(&f.exchange, &shared.record_id).await,
            Code::NotFound,
            "before sharing",
        );
        let answer = f
            .share(&f.bank, &shared.record_id, &f.exchange.tenant)
            .await
            .expect("the owner shares");
        assert_eq!(answer.shared_with, [f.exchange.tenant.as_str()]);
        let again = f
            .share(&f.bank, &shared.record_id, &f.exchange.tenant)
            .await
            .expect("sharing twice is harmless");
        assert_eq!(again.shared_with, [f.exchange.tenant.as_str()]);

        let got = f
            .get(&f.exchange, &shared.record_id)
            .await
            .expect("the exchange reads it");
        assert_eq!(got.seal.as_ref(), Some(&shared));
        assert_eq!(got.shared_with, [f.exchange.tenant.as_str()]);
        assert!(matches!(got.content, Some(Content::Assessment(_))));
        let verified = f
            .verify(&f.exchange, &shared.record_id)
            .await
            .expect("and verifies it");
        assert_eq!(failed_checks(&verified), set(&[]));
        assert_eq!(
            f.get(&f.bank, &shared.record_id).await.unwrap().shared_with,
            [f.exchange.tenant.as_str()],
            "the owner sees whom it shared with"
        );

        // Only that record, only to that tenant, and never in the exchange's own list.
        assert_code(
            f.get(&f.exchange, &kept.record_id).await,
            Code::NotFound,
            "the unshared one",
        );
        assert_code(
            f.get(&f.other_bank, &shared.record_id).await,
            Code::NotFound,
            "a third tenant",
        );
        assert!(f.list_all(&f.exchange, Default::default()).await.is_empty());
        assert!(
            f.export(&f.exchange, Default::default())
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn sharing_is_refused_to_unknown_tenants_and_to_anyone_but_the_owner() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let record = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let id = &record.record_id;

        for with in [
            format!("unknown-{}", random_hex(4)),
            f.bank.tenant.clone(),
            String::new(),
        ] {
            let status = assert_code(
                f.share(&f.bank, id, &with).await,
                Code::InvalidArgument,
                &format!("sharing with {with:?}"),
            );
            assert_eq!(violated_fields(&status), ["with_tenant"]);
        }
        f.share(&f.bank, id, &f.exchange.tenant)
            .await
            .expect("the owner shares");
        for (who, what) in [
            (&f.other_bank, "another bank"),
            (&f.exchange, "the exchange it was shared with"),
            (&f.admin, "the administrator"),
        ] {
            assert_code(
                f.share(who, id, &f.other_bank.tenant).await,
                Code::NotFound,
                &format!("{what} shares the record"),
            );
        }
        let unknown = format!("rec_{}", random_hex(16));
        assert_code(
            f.share(&f.bank, &unknown, &f.exchange.tenant).await,
            Code::NotFound,
            "sharing an unknown record",
        );
        assert_eq!(
            f.get(&f.bank, id).await.unwrap().shared_with,
            [f.exchange.tenant.as_str()],
            "the refused shares left no trace"
        );
        assert_code(
            f.get(&f.other_bank, id).await,
            Code::NotFound,
            "still not the other bank's",
        );
    }
}
