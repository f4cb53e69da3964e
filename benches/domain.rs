//! Criterion micro-benchmarks of one assessment's parts, on the seed case: validation, the
//! domain core (schedule, IRR, carbon), presentation, the protobuf encoding (the service's and
//! prost's), and what storing its record costs before the store's commit (compression, digest,
//! signature). Run with `cargo bench --bench domain`; docs/benchmarks.md says what the figures
//! mean.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use prost::Message;

use green_impact::domain::assessment::assess;
use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::domain::lpr::LprTable;
use green_impact::domain::{loan, returns};
use green_impact::grpc::api::ImpactApi;
use green_impact::grpc::response::View;
use green_impact::grpc::{request, response};
use green_impact::pb;
use green_impact::pb::encode_once;
use green_impact::records::{self, NewRecord, RecordKind, ServiceKey};
use green_impact::store::encoding::Stored;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn seed() -> pb::AssessRequest {
    let mut request = green_impact::json::assess_request_from_json(include_str!(
        "../examples/leshan-yaqing.json"
    ))
    .expect("the seed example parses");
    request.dry_run = true;
    request
}

fn benches(c: &mut Criterion) {
    let lpr = LprTable::embedded();
    let library = FactorLibrary::built_in();
    let api = ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in());
    let with_carbon = seed();
    let mut without_carbon = seed();
    without_carbon.carbon = None;

    for (name, view) in [
        (
            "assess/seed BASIC (validate, compute, present)",
            View::Basic,
        ),
        ("assess/seed FULL", View::Full),
        ("assess/seed SELF_CONTAINED", View::SelfContained),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| api.assess_in(black_box(&with_carbon), view).unwrap())
        });
    }
    c.bench_function("assess/seed without carbon", |b| {
        b.iter(|| api.assess(black_box(&without_carbon)).unwrap())
    });

    let (input, presenter) = request::to_domain(&with_carbon, &lpr, &library).unwrap();
    c.bench_function("validate/seed", |b| {
        b.iter(|| request::to_domain(black_box(&with_carbon), &lpr, &library).unwrap())
    });
    c.bench_function("compute/seed (domain core)", |b| {
        b.iter(|| assess(black_box(&input), &lpr).unwrap())
    });
    c.bench_function("compute/loan schedule", |b| {
        b.iter(|| loan::schedule(black_box(&input.loan)).unwrap())
    });
    let assessment = assess(&input, &lpr).unwrap();
    c.bench_function("compute/irr", |b| {
        b.iter(|| {
            returns::annuity_irr(
                black_box(assessment.net_investment_cny),
                black_box(assessment.annual_cash_flow_cny),
                input.appraisal.project_life_years,
            )
            .unwrap()
        })
    });
    c.bench_function("present/seed", |b| {
        b.iter_batched(
            || assessment.clone(),
            |assessment| {
                response::build(
                    &with_carbon,
                    &input,
                    black_box(assessment),
                    &presenter,
                    &lpr,
                    true,
                )
            },
            BatchSize::SmallInput,
        )
    });
    let answer = response::build(&with_carbon, &input, assessment, &presenter, &lpr, true);
    c.bench_function(
        "encode/seed response (EncodeOnce, as the service encodes)",
        |b| b.iter(|| encode_once::to_vec(black_box(&answer))),
    );
    c.bench_function(
        "encode/seed response (prost's encode_to_vec, the same bytes)",
        |b| b.iter(|| black_box(&answer).encode_to_vec()),
    );
    let bytes = answer.encode_to_vec();
    c.bench_function("decode/seed response", |b| {
        b.iter(|| pb::AssessResponse::decode(black_box(bytes.as_slice())).unwrap())
    });
    record_benches(c, with_carbon.encode_to_vec(), bytes);
}

/// A stored seed record's own work: its bytes compressed, its digest, its signature.
fn record_benches(c: &mut Criterion, request: Vec<u8>, response: Vec<u8>) {
    let record = NewRecord {
        record_id: "rec_0190a4f3c2b1d0aa55aa55aa55aa55aa".into(),
        kind: RecordKind::Assessment,
        tenant: "bank".into(),
        created_at: "2026-12-07T10:00:00.000000Z".into(),
        created_unix_micros: 1_796_637_600_000_000,
        methodology_version: "green-impact/1.3.0".into(),
        factor_set: "cn-layers/2025.1".into(),
        subject_record_id: String::new(),
        borrower_id: "borrower".into(),
        project_id: "project".into(),
        methodology_digest: "0".repeat(64),
        factor_set_digest: "0".repeat(64),
        request,
        response,
    };
    c.bench_function(
        "record/compress (request and FULL response, one frame)",
        |b| b.iter(|| Stored::compress(black_box(&record))),
    );
    let digest = |record: &NewRecord| {
        records::digest(
            &record.tenant,
            record.kind,
            &record.subject_record_id,
            7,
            &[0; 32],
            &record.request,
            &record.response,
        )
    };
    c.bench_function("record/digest (SHA-256)", |b| {
        b.iter(|| digest(black_box(&record)))
    });
    let key = ServiceKey::from_seed(&[7; 32]);
    let seal = record.sealed(7, &[0; 32], &digest(&record), &[], key.key_id());
    c.bench_function("record/signature (Ed25519 over the signing text)", |b| {
        b.iter(|| key.sign(&black_box(&seal).signing_text()))
    });
}

criterion_group!(domain, benches);
criterion_main!(domain);
