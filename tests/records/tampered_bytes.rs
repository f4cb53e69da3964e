//! Stored bytes changed behind the service's back: one changed byte fails the check that covers
//! it, bytes that no longer decode are DATA_LOSS to GetAssessment and unverified, and digests and
//! signatures of the wrong width are reported by VerifyAssessment.

use tonic::Code;

use crate::common::{
    Cell, alter_cell, backends, bearer, damage_stored_payload, read_cell, write_cell,
};
use crate::support::{
    Fixture, assert_code, detail, failed_checks, ids, request_for, seal_ids, set,
};

/// Changes the first byte of the first occurrence of `needle` to another digit.
fn change_digit_of(needle: &'static [u8]) -> impl FnOnce(&mut Cell) {
    move |cell| {
        let Cell::Bytes(bytes) = cell else {
            panic!("a blob column")
        };
        let at = bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap_or_else(|| {
                panic!(
                    "{:?} is in the stored bytes",
                    String::from_utf8_lossy(needle)
                )
            });
        bytes[at] = if bytes[at] == b'9' {
            b'8'
        } else {
            bytes[at] + 1
        };
    }
}

fn flip_first_byte(cell: &mut Cell) {
    let Cell::Bytes(bytes) = cell else {
        panic!("a blob column")
    };
    bytes[0] ^= 0x01;
}

/// Changes the last digit of the microseconds, before the Z.
fn change_last_digit(cell: &mut Cell) {
    let Cell::Text(text) = cell else {
        panic!("a text column")
    };
    let mut bytes = std::mem::take(text).into_bytes();
    let at = bytes.len() - 2;
    assert!(
        bytes[at].is_ascii_digit(),
        "created_at ends in a digit and Z"
    );
    bytes[at] = if bytes[at] == b'9' {
        b'8'
    } else {
        bytes[at] + 1
    };
    *text = String::from_utf8(bytes).expect("ASCII");
}

/// A column of the middle of three records, how to change it, the checks that then fail on
/// it, and those that fail on the next record.
type Tampering = (
    &'static str,
    Box<dyn FnOnce(&mut Cell)>,
    &'static [&'static str],
    &'static [&'static str],
);

#[tokio::test]
async fn one_changed_byte_fails_the_check_that_covers_it() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let first = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let middle = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let last = f.store(&f.bank, "leshan-yaqing", "plant-3").await;

        let cases: Vec<Tampering> = vec![
            (
                "request",
                Box::new(change_digit_of(b"3800000.00")),
                &["digest", "recomputation"],
                &[],
            ),
            (
                "response",
                Box::new(change_digit_of(b"1314000.00")),
                &["digest", "recomputation"],
                &[],
            ),
            (
                "digest",
                Box::new(flip_first_byte),
                &["digest", "signature"],
                &["chain_link"],
            ),
            (
                "previous_digest",
                Box::new(flip_first_byte),
                &["digest", "signature", "chain_link"],
                &[],
            ),
            ("signature", Box::new(flip_first_byte), &["signature"], &[]),
            (
                "created_at",
                Box::new(change_last_digit),
                &["signature"],
                &[],
            ),
        ];
        for (column, change, on_middle, on_next) in cases {
            let original = alter_cell(&f.backend, &middle.record_id, column, change);

            let answer = f.verify(&f.bank, &middle.record_id).await.expect("verify");
            assert!(!answer.verified, "{column} changed: {answer:?}");
            assert_eq!(
                failed_checks(&answer),
                set(on_middle),
                "{column} changed: {answer:?}"
            );
            for name in on_middle {
                let detail = detail(&answer, name);
                let names_it = match *name {
                    "digest" => detail.contains(&middle.digest_sha256) || column == "digest",
                    "signature" => detail.contains("signature"),
                    "chain_link" => detail.contains("digest"),
                    _ => !detail.is_empty(),
                };
                assert!(names_it, "{column} changed, {name}: {detail}");
            }
            let next = f.verify(&f.bank, &last.record_id).await.expect("verify");
            assert_eq!(
                failed_checks(&next),
                set(on_next),
                "{column} changed, next: {next:?}"
            );
            if !on_next.is_empty() {
                assert!(
                    detail(&next, "chain_link").contains(&middle.record_id),
                    "{}",
                    detail(&next, "chain_link")
                );
            }
            assert_eq!(
                failed_checks(&f.verify(&f.bank, &first.record_id).await.unwrap()),
                set(&[])
            );

            // Put back, everything verifies again.
            write_cell(&f.backend, &middle.record_id, column, &original);
            for seal in [&first, &middle, &last] {
                let answer = f.verify(&f.bank, &seal.record_id).await.expect("verify");
                assert!(answer.verified, "{column} restored: {answer:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_record_whose_bytes_no_longer_decode_is_data_loss_to_get_and_unverified() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let first = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let second = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let third = f.store(&f.bank, "leshan-yaqing", "plant-3").await;

        // A length-delimited field 1 promising 127 bytes that are not there.
        let truncated = Cell::Bytes(vec![0x0a, 0x7f]);
        write_cell(&f.backend, &second.record_id, "request", &truncated);
        write_cell(&f.backend, &third.record_id, "response", &truncated);

        for (seal, what) in [(&second, "request"), (&third, "response")] {
            let status = assert_code(
                f.get(&f.bank, &seal.record_id).await,
                Code::DataLoss,
                &format!("get with an undecodable {what}"),
            );
            assert!(status.message().contains(&seal.record_id), "{status:?}");
            let answer = f
                .verify(&f.bank, &seal.record_id)
                .await
                .unwrap_or_else(|status| {
                    panic!("verify answers for an undecodable {what}: {status:?}")
                });
            assert!(!answer.verified);
            assert_eq!(
                failed_checks(&answer),
                set(&["digest", "recomputation"]),
                "undecodable {what}: {answer:?}"
            );
        }
        assert!(
            detail(
                &f.verify(&f.bank, &second.record_id).await.unwrap(),
                "recomputation"
            )
            .contains("decode")
        );

        // The server carries on: the intact record reads and verifies, the list lists.
        f.get(&f.bank, &first.record_id)
            .await
            .expect("the intact record");
        assert_eq!(f.failing(&first.record_id).await, set(&[]));
        assert_eq!(
            ids(&f.list_all(&f.bank, Default::default()).await),
            [
                first.record_id.clone(),
                second.record_id.clone(),
                third.record_id.clone()
            ]
        );
        assert_code(
            f.export(&f.bank, Default::default()).await,
            Code::DataLoss,
            "an export reaching an undecodable record",
        );
    }
}

/// The store keeps a record's bytes compressed: a bit flipped in the compressed bytes, where
/// nobody can aim it at a figure, still fails the checks that cover them and leaves the rest of
/// the chain sound.
#[tokio::test]
async fn damaged_compressed_bytes_fail_the_digest_and_the_recomputation() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let first = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let second = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        damage_stored_payload(&f.backend, &first.record_id, "response");
        let answer = f.verify(&f.bank, &first.record_id).await.expect("verify");
        assert!(!answer.verified);
        assert_eq!(
            failed_checks(&answer),
            set(&["digest", "recomputation"]),
            "{answer:?}"
        );
        assert_eq!(f.failing(&second.record_id).await, set(&[]));
    }
}

/// Shortens a blob by one byte.
fn drop_last_byte(cell: &mut Cell) {
    let Cell::Bytes(bytes) = cell else {
        panic!("a blob column")
    };
    bytes.pop();
}

/// Lengthens a blob by one byte.
fn add_a_byte(cell: &mut Cell) {
    let Cell::Bytes(bytes) = cell else {
        panic!("a blob column")
    };
    bytes.push(0);
}

fn empty_blob(cell: &mut Cell) {
    *cell = Cell::Bytes(Vec::new());
}

/// A digest or signature column of the wrong width, as an edit behind the service's back can
/// leave it: VerifyAssessment answers verified=false with the checks that fail, on the record
/// and on the next one's chain link, instead of DATA_LOSS; GetAssessment serves the row as
/// stored; and nothing is chained onto a head whose digest is not one.
#[tokio::test]
async fn stored_digests_and_signatures_of_the_wrong_width_are_reported_by_verify() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let first = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let middle = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let last = f.store(&f.bank, "leshan-yaqing", "plant-3").await;
        let seals = [&first, &middle, &last];

        // The column, which record (index into seals, not the last), how it is changed, the
        // checks that then fail on that record and those that fail on the next.
        type Width = (
            &'static str,
            usize,
            (&'static str, fn(&mut Cell)),
            &'static [&'static str],
            &'static [&'static str],
        );
        let shorter: (&str, fn(&mut Cell)) = ("one byte shorter", drop_last_byte);
        let longer: (&str, fn(&mut Cell)) = ("one byte longer", add_a_byte);
        let empty: (&str, fn(&mut Cell)) = ("empty", empty_blob);
        let cases: [Width; 8] = [
            (
                "digest",
                1,
                shorter,
                &["digest", "signature"],
                &["chain_link"],
            ),
            (
                "digest",
                1,
                longer,
                &["digest", "signature"],
                &["chain_link"],
            ),
            (
                "digest",
                1,
                empty,
                &["digest", "signature"],
                &["chain_link"],
            ),
            (
                "previous_digest",
                1,
                shorter,
                &["digest", "signature", "chain_link"],
                &[],
            ),
            (
                "previous_digest",
                0,
                longer,
                &["digest", "signature", "chain_link"],
                &[],
            ),
            ("signature", 1, shorter, &["signature"], &[]),
            ("signature", 1, longer, &["signature"], &[]),
            ("signature", 0, empty, &["signature"], &[]),
        ];
        for (column, index, (how, change), on_it, on_next) in cases {
            let (altered, next) = (seals[index], seals[index + 1]);
            let what = format!("{column} of record {} {how}", altered.sequence);
            let original = alter_cell(&f.backend, &altered.record_id, column, change);
            let stored = read_cell(&f.backend, &altered.record_id, column).bytes();

            let answer = f
                .verify(&f.bank, &altered.record_id)
                .await
                .unwrap_or_else(|status| panic!("{what}: verify answers: {status:?}"));
            assert!(!answer.verified, "{what}: {answer:?}");
            assert_eq!(failed_checks(&answer), set(on_it), "{what}: {answer:?}");
            if column != "signature" {
                assert!(
                    detail(&answer, "digest").contains("malformed"),
                    "{what}: {}",
                    detail(&answer, "digest")
                );
            }
            let seal = answer.seal.as_ref().expect("the seal verified");
            let shown = match column {
                "digest" => &seal.digest_sha256,
                "previous_digest" => &seal.previous_digest_sha256,
                _ => &seal.signature_ed25519,
            };
            assert_eq!(shown, &hex::encode(&stored), "{what}: the seal as stored");
            let got = f
                .get(&f.bank, &altered.record_id)
                .await
                .unwrap_or_else(|status| panic!("{what}: get serves the row: {status:?}"));
            assert_eq!(got.seal, answer.seal, "{what}");

            let next_answer = f
                .verify(&f.bank, &next.record_id)
                .await
                .unwrap_or_else(|status| panic!("{what}: verify the next: {status:?}"));
            assert_eq!(
                failed_checks(&next_answer),
                set(on_next),
                "{what}, next: {next_answer:?}"
            );
            if !on_next.is_empty() {
                assert!(
                    detail(&next_answer, "chain_link").contains(&altered.record_id),
                    "{what}: {}",
                    detail(&next_answer, "chain_link")
                );
            }

            write_cell(&f.backend, &altered.record_id, column, &original);
            for seal in seals {
                let answer = f.verify(&f.bank, &seal.record_id).await.expect("verify");
                assert!(answer.verified, "{what} restored: {answer:?}");
            }
        }

        // The head's digest is what the next record would link to: with it malformed the
        // service stores nothing more in the chain, and still says what is wrong.
        let original = alter_cell(&f.backend, &last.record_id, "digest", drop_last_byte);
        let refused = f
            .client()
            .assess(bearer(
                &f.bank.token,
                request_for("leshan-yaqing", "plant-4"),
            ))
            .await;
        let status = assert_code(refused, Code::DataLoss, "assess after a malformed head");
        assert!(status.message().contains("VerifyAssessment"), "{status:?}");
        assert_eq!(
            f.failing(&last.record_id).await,
            set(&["digest", "signature"])
        );
        assert_eq!(
            ids(&f.list_all(&f.bank, Default::default()).await),
            seal_ids(&seals),
            "nothing stored"
        );
        write_cell(&f.backend, &last.record_id, "digest", &original);
        let fourth = f.store(&f.bank, "leshan-yaqing", "plant-4").await;
        assert_eq!(
            (fourth.sequence, &fourth.previous_digest_sha256),
            (4, &last.digest_sha256)
        );
    }
}
