//! What a stored assessment is: sealed, chained after the tenant's last record, read back as it
//! was sent and answered (a dry run stores nothing); a third party verifies it offline with the
//! public key alone; VerifyAssessment passes all four checks on fresh records.

use ed25519_dalek::{Signature, VerifyingKey};
use green_impact::pb;
use green_impact::pb::stored_record::Content;
use green_impact::records::{self, RecordKind, ServiceKey};
use prost::Message;
use sha2::{Digest, Sha256};

use crate::common::backends;
use crate::support::{
    Fixture, detail, export_ids, failed_checks, hex_array, ids, request_for, seal_of, set,
};

/// The digest as GetServiceKey's canonical_encoding describes it, written from that text alone.
fn digest_from_the_description(seal: &pb::RecordSeal, request: &[u8], response: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"green-impact/record/v1");
    for text in [
        seal.tenant.as_str(),
        "assessment",
        seal.subject_record_id.as_str(),
    ] {
        hasher.update((text.len() as u64).to_be_bytes());
        hasher.update(text.as_bytes());
    }
    hasher.update(seal.sequence.to_be_bytes());
    hasher.update(hex_array::<32>(&seal.previous_digest_sha256));
    for bytes in [request, response] {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    hex::encode(hasher.finalize())
}

/// The signing text as the description gives it: a header line, then one name=value line per
/// seal field but the signature, in the order the description lists them.
fn signing_text_from_the_description(seal: &pb::RecordSeal) -> String {
    let fields = [
        ("record_id", seal.record_id.clone()),
        ("kind", "assessment".to_owned()),
        ("tenant", seal.tenant.clone()),
        ("sequence", seal.sequence.to_string()),
        ("created_at", seal.created_at.clone()),
        ("created_unix_micros", seal.created_unix_micros.to_string()),
        ("methodology_version", seal.methodology_version.clone()),
        ("factor_set", seal.factor_set.clone()),
        ("subject_record_id", seal.subject_record_id.clone()),
        ("borrower_id", seal.borrower_id.clone()),
        ("project_id", seal.project_id.clone()),
        ("digest_sha256", seal.digest_sha256.clone()),
        (
            "previous_digest_sha256",
            seal.previous_digest_sha256.clone(),
        ),
        ("key_id", seal.key_id.clone()),
        (
            "methodology_digest_sha256",
            seal.methodology_digest_sha256.clone(),
        ),
        (
            "factor_set_digest_sha256",
            seal.factor_set_digest_sha256.clone(),
        ),
    ];
    let mut text = String::from("green-impact/seal/v2\n");
    for (name, value) in fields {
        text.push_str(&format!("{name}={value}\n"));
    }
    text
}

fn assert_lower_hex(text: &str, digits: usize, what: &str) {
    assert!(
        text.len() == digits
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{what} is {digits} lowercase hex digits: {text:?}"
    );
}

#[tokio::test]
async fn assess_stores_a_sealed_chained_record_and_a_dry_run_stores_nothing() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let key = f.service_key(&f.bank).await;

        let first_request = request_for("leshan-yaqing-a", "plant-1");
        let first = f.assess(&f.bank, first_request.clone()).await;
        let s1 = first.record.clone().expect("the first record's seal");
        assert!(s1.record_id.starts_with("rec_"), "{}", s1.record_id);
        assert_lower_hex(&s1.record_id[4..], 32, "the record id after rec_");
        assert_eq!(s1.kind, pb::RecordKind::Assessment as i32);
        assert_eq!(s1.tenant, f.bank.tenant);
        assert_eq!(s1.sequence, 1);
        assert_eq!(s1.previous_digest_sha256, "0".repeat(64));
        assert_eq!(s1.key_id, key.key_id);
        assert_eq!(s1.methodology_version, first.methodology_version);
        assert_eq!(s1.factor_set, first.factor_set);
        assert_eq!(s1.subject_record_id, "");
        assert_lower_hex(&s1.digest_sha256, 64, "the digest");
        assert_lower_hex(&s1.signature_ed25519, 128, "the signature");
        assert!(
            s1.created_at.ends_with('Z')
                && s1.created_at.len() == "2026-01-01T00:00:00.000000Z".len(),
            "RFC 3339 UTC with microseconds: {}",
            s1.created_at
        );
        let created = humantime::parse_rfc3339(&s1.created_at).expect("created_at is RFC 3339");
        let micros = created
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_micros();
        assert_eq!(
            i128::from(s1.created_unix_micros),
            micros as i128,
            "created_unix_micros is created_at"
        );
        assert_eq!(
            (s1.borrower_id.as_str(), s1.project_id.as_str()),
            ("leshan-yaqing-a", "plant-1"),
            "the seal names the request's borrower and project"
        );

        let second_request = request_for("leshan-yaqing-b", "plant-1");
        let second = f.assess(&f.bank, second_request.clone()).await;
        let s2 = second.record.clone().expect("the second record's seal");
        assert_ne!(s2.record_id, s1.record_id);
        assert_eq!(s2.sequence, 2);
        assert_eq!(s2.previous_digest_sha256, s1.digest_sha256);
        assert_eq!(s2.key_id, key.key_id);
        assert_eq!(s2.tenant, f.bank.tenant);

        // What was stored is what was sent and answered.
        let stored = f
            .get_in(&f.bank, &s1.record_id, pb::AssessmentView::Basic)
            .await
            .expect("get the first record");
        assert_eq!(stored.seal.as_ref(), Some(&s1));
        assert!(stored.shared_with.is_empty());
        let Some(Content::Assessment(assessment)) = stored.content else {
            panic!(
                "an assessment record holds an assessment: {:?}",
                stored.content
            );
        };
        assert_eq!(assessment.request.as_ref(), Some(&first_request));
        let mut answered = first.clone();
        answered.record = None;
        assert_eq!(
            assessment.response.as_ref(),
            Some(&answered),
            "in the view it was answered in"
        );

        // A dry run answers the same and stores nothing.
        let listed = ids(&f.list_all(&f.bank, Default::default()).await);
        assert_eq!(listed, [s1.record_id.clone(), s2.record_id.clone()]);
        let dry = f
            .assess(
                &f.bank,
                pb::AssessRequest {
                    dry_run: true,
                    ..second_request.clone()
                },
            )
            .await;
        assert_eq!(dry.record, None, "a dry run has no seal");
        let mut second_unsealed = second.clone();
        second_unsealed.record = None;
        assert_eq!(
            dry, second_unsealed,
            "a dry run answers as the stored run did"
        );
        assert_eq!(
            ids(&f.list_all(&f.bank, Default::default()).await),
            listed,
            "a dry run lists nothing new"
        );
        let exported = f.export(&f.bank, Default::default()).await.expect("export");
        assert_eq!(
            export_ids(&exported),
            listed,
            "a dry run exports nothing new"
        );

        // ... and leaves no gap in the chain.
        let s3 = f.store(&f.bank, "leshan-yaqing-c", "plant-1").await;
        assert_eq!(s3.sequence, 3);
        assert_eq!(s3.previous_digest_sha256, s2.digest_sha256);
    }
}

#[tokio::test]
async fn a_third_party_verifies_a_record_offline_with_the_public_key_alone() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let s1 = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let s2 = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let key = f.service_key(&f.exchange).await;
        assert!(key.canonical_encoding.contains("green-impact/record/v1"));
        assert!(key.canonical_encoding.contains("green-impact/seal/v2"));
        assert!(
            key.canonical_encoding.contains("green-impact/seal/v1"),
            "the description still says how records sealed before v2 verify"
        );
        let public = VerifyingKey::from_bytes(&hex_array(&key.public_key_ed25519))
            .expect("an Ed25519 public key");
        assert_eq!(
            key.key_id,
            hex::encode(&Sha256::digest(public.as_bytes())[..8]),
            "the key id is the first 16 hex digits of SHA-256 of the public key"
        );
        assert_eq!(public, ServiceKey::from_seed(&f.seed).public_key());

        for sealed in [&s1, &s2] {
            let record = f
                .get_in(&f.bank, &sealed.record_id, pb::AssessmentView::Full)
                .await
                .expect("get");
            let seal = record.seal.expect("seal");
            assert_eq!(&seal, sealed);
            let Some(Content::Assessment(assessment)) = record.content else {
                panic!("an assessment record holds an assessment");
            };
            // The bytes the digest covers: canonical protobuf of the request and of the
            // response in its FULL view without its record field.
            let request = assessment.request.expect("request").encode_to_vec();
            let mut response = assessment.response.expect("response");
            response.record = None;
            let response = response.encode_to_vec();

            let digest = records::digest(
                &seal.tenant,
                RecordKind::Assessment,
                &seal.subject_record_id,
                seal.sequence,
                &hex_array::<32>(&seal.previous_digest_sha256),
                &request,
                &response,
            );
            assert_eq!(
                hex::encode(digest),
                seal.digest_sha256,
                "the digest recomputes"
            );
            assert_eq!(
                digest_from_the_description(&seal, &request, &response),
                seal.digest_sha256,
                "the published description of the digest is the digest"
            );

            let text = signing_text_from_the_description(&seal);
            assert_eq!(
                text,
                seal_of(&seal).signing_text(),
                "the published signing text"
            );
            assert_eq!(seal.key_id, key.key_id);
            let signature = Signature::from_bytes(&hex_array(&seal.signature_ed25519));
            public
                .verify_strict(text.as_bytes(), &signature)
                .expect("the signature verifies under the service's public key");

            // Any other seal would not.
            let moved = text.replace(
                &format!("\nsequence={}\n", seal.sequence),
                &format!("\nsequence={}\n", seal.sequence + 1),
            );
            assert_ne!(moved, text);
            assert!(public.verify_strict(moved.as_bytes(), &signature).is_err());
            let other_tenant = text.replace(&seal.tenant, &f.other_bank.tenant);
            assert!(
                public
                    .verify_strict(other_tenant.as_bytes(), &signature)
                    .is_err()
            );
        }
        // And the chain links offline too.
        assert_eq!(s2.previous_digest_sha256, s1.digest_sha256);
    }
}

#[tokio::test]
async fn verify_assessment_passes_all_four_checks_on_fresh_records() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let mut seals = Vec::new();
        for project in ["plant-1", "plant-2", "plant-3"] {
            seals.push(f.store(&f.bank, "leshan-yaqing", project).await);
        }
        for (i, seal) in seals.iter().enumerate() {
            let answer = f.verify(&f.bank, &seal.record_id).await.expect("verify");
            assert_eq!(failed_checks(&answer), set(&[]), "{answer:?}");
            assert!(answer.verified);
            assert_eq!(answer.seal.as_ref(), Some(seal));
            assert!(detail(&answer, "digest").contains(&seal.digest_sha256));
            assert!(detail(&answer, "signature").contains(&seal.key_id));
            if i > 0 {
                assert!(
                    detail(&answer, "chain_link").contains(&seals[i - 1].record_id),
                    "{}",
                    detail(&answer, "chain_link")
                );
            }
        }
    }
}
