//! How `data/zstd/green-impact-1.3.0.dict` was made: the protobuf bytes of requests and their
//! FULL responses, one after the other (a zstd "raw content" dictionary: a compressor finds in
//! it the field tags, enum numbers and texts that every record of the methodology repeats).
//! The requests are the project's examples with their figures changed (another farm's size,
//! prices, loan and manure systems), so that the dictionary holds the shape of a record and
//! not the seed's own figures: the seed compresses against it as any other farm would. It is
//! shipped once and never remade: records compressed against it need these very bytes
//! (`store::encoding` holds its digest).
//!
//! `cargo run --example zstd-dictionary -- OUT` writes it to OUT and prints, for the examples
//! themselves (not in the dictionary), their bytes raw and compressed against it.

use std::io::Write;

use prost::Message;

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::domain::lpr::LprTable;
use green_impact::grpc::api::ImpactApi;
use green_impact::grpc::response::View;
use green_impact::json;
use green_impact::pb;

type Variant = fn(pb::AssessRequest) -> pb::AssessRequest;

fn decimal(value: &str) -> Option<pb::Decimal> {
    Some(pb::Decimal {
        value: value.to_owned(),
    })
}

/// Other farms, each a few figures away from the example, with their own ids and assumptions.
const VARIANTS: &[Variant] = &[
    |mut r| {
        r.borrower_id = "sample-farm-a".into();
        r.project_id = "sample-project-a".into();
        r.stated_assumptions = vec!["Figures from the borrower's 2025 accounts.".into()];
        let operations = r.operations.as_mut().unwrap();
        operations.manure_fresh_t_per_day = decimal("45.5");
        operations.operating_days_per_year = 330;
        operations.product_output = Some(pb::operating_data::ProductOutput::ProductTPerYear(
            decimal("4875.25").unwrap(),
        ));
        r.loan.as_mut().unwrap().rate = Some(pb::loan_terms::Rate::FixedAnnualRatePct(
            decimal("4.15").unwrap(),
        ));
        r
    },
    |mut r| {
        r.borrower_id = "sample-farm-b".into();
        r.project_id = "sample-project-b".into();
        r.stated_assumptions = vec![
            "Loan terms as offered by the lender.".into(),
            "Dry-matter fraction from a laboratory analysis.".into(),
        ];
        let loan = r.loan.as_mut().unwrap();
        loan.principal = Some(pb::Money {
            currency_code: "CNY".into(),
            amount: decimal("1250000"),
        });
        loan.term_months = 60;
        loan.repayment_method = pb::RepaymentMethod::EqualPrincipal as i32;
        let operations = r.operations.as_mut().unwrap();
        operations.manure_fresh_t_per_day = decimal("132");
        operations.manure_dry_matter_fraction = decimal("0.31");
        if let Some(carbon) = r.carbon.as_mut()
            && let Some(manure) = carbon.manure_management.as_mut()
        {
            manure.baseline_system = pb::ManureSystem::UncoveredAnaerobicLagoon as i32;
            manure.project_system = pb::ManureSystem::CompostingIntensiveWindrow as i32;
        }
        r
    },
];

const EXAMPLES: &[&str] = &[
    "examples/leshan-yaqing-insurer.json",
    "examples/leshan-yaqing.json",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: zstd-dictionary OUT")?;
    let api = ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in());
    let mut examples = Vec::new();
    let mut dictionary = Vec::new();
    for path in EXAMPLES {
        let example = json::assess_request_from_json(&std::fs::read_to_string(path)?)?;
        for variant in VARIANTS {
            let request = variant(example.clone());
            let response = api
                .assess_in(&request, View::Full)
                .map_err(|status| format!("{path}: {}", status.message()))?;
            dictionary.extend(request.encode_to_vec());
            dictionary.extend(response.encode_to_vec());
        }
        let response = api
            .assess_in(&example, View::Full)
            .map_err(|status| format!("{path}: {}", status.message()))?;
        examples.push((path, example.encode_to_vec(), response.encode_to_vec()));
    }
    std::fs::File::create(&out)?.write_all(&dictionary)?;
    println!("{out}: {} bytes", dictionary.len());
    let mut compressor = zstd::bulk::Compressor::with_dictionary(3, &dictionary)?;
    for (path, request, response) in &examples {
        println!(
            "{path}: request {} -> {} bytes, FULL response {} -> {} bytes",
            request.len(),
            compressor.compress(request)?.len(),
            response.len(),
            compressor.compress(response)?.len()
        );
    }
    Ok(())
}
