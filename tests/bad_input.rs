//! End-to-end bad-input catalogue: each case starts from the valid seed request, breaks one
//! thing (or, in the multi-violation cases, several), sends it to the real server over gRPC,
//! and checks that the server answers INVALID_ARGUMENT naming exactly the field path(s) at
//! fault in the google.rpc.BadRequest details.

mod common;

use common::{TestServer, cny, dec, loan, money, seed_request, violated_fields};
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use rust_decimal::Decimal;
use tonic::transport::Channel;
use tonic_types::StatusExt;

/// A running server and a client connected to it; the server stops when this is dropped.
struct Harness {
    _server: TestServer,
    client: ImpactServiceClient<Channel>,
}

async fn harness() -> Harness {
    let server = TestServer::start().await;
    let client = server.client().await;
    Harness {
        _server: server,
        client,
    }
}

impl Harness {
    /// Sends `request`, expects it refused, checks the status is well formed, and returns the
    /// violated field paths in the order the server reported them.
    async fn reject(&mut self, request: pb::AssessRequest) -> Vec<String> {
        let status = self.reject_status(request).await;
        violated_fields(&status)
    }

    async fn reject_status(&mut self, request: pb::AssessRequest) -> tonic::Status {
        match self.client.assess(request).await {
            Ok(response) => panic!(
                "expected INVALID_ARGUMENT, the request was accepted: {:?}",
                response.get_ref().loan.as_ref().map(|l| l.period_count)
            ),
            Err(status) => {
                assert_well_formed(&status);
                status
            }
        }
    }

    /// Sends `request` and expects it to be accepted.
    async fn accept(&mut self, request: pb::AssessRequest, what: &str) -> pb::AssessResponse {
        match self.client.assess(request).await {
            Ok(response) => response.into_inner(),
            Err(status) => panic!("{what}: expected success, got {status:?}"),
        }
    }

    /// Refuses `request` with exactly one violation, on `field`.
    async fn expect_only(&mut self, request: pb::AssessRequest, field: &str, case: &str) {
        let fields = self.reject(request).await;
        assert_eq!(fields, [field], "case: {case}");
    }
}

/// INVALID_ARGUMENT with BadRequest details, every violation has a field path and a non-empty
/// description, and nothing leaks a panic.
fn assert_well_formed(status: &tonic::Status) {
    assert_eq!(
        status.code(),
        tonic::Code::InvalidArgument,
        "status: {status:?}"
    );
    assert!(
        !status.message().to_lowercase().contains("panic"),
        "status message mentions a panic: {status:?}"
    );
    let bad_request = status
        .get_details_bad_request()
        .expect("BadRequest details present");
    assert!(
        !bad_request.field_violations.is_empty(),
        "INVALID_ARGUMENT without any field violation: {status:?}"
    );
    for violation in &bad_request.field_violations {
        assert!(
            !violation.field.trim().is_empty(),
            "violation without a field path: {violation:?}"
        );
        assert!(
            !violation.description.trim().is_empty(),
            "violation of {} has an empty description",
            violation.field
        );
        assert!(
            !violation.description.to_lowercase().contains("panic"),
            "violation description mentions a panic: {violation:?}"
        );
    }
}

fn descriptions(status: &tonic::Status) -> Vec<(String, String)> {
    status
        .get_details_bad_request()
        .expect("BadRequest details present")
        .field_violations
        .into_iter()
        .map(|v| (v.field, v.description))
        .collect()
}

fn sorted(mut fields: Vec<String>) -> Vec<String> {
    fields.sort();
    fields
}

fn ops(request: &mut pb::AssessRequest) -> &mut pb::OperatingData {
    request
        .operations
        .as_mut()
        .expect("seed request has operations")
}

fn appraisal(request: &mut pb::AssessRequest) -> &mut pb::ProjectAppraisal {
    request
        .appraisal
        .as_mut()
        .expect("seed request has appraisal")
}

fn named(name: &str, amount: &str) -> pb::NamedMoney {
    pb::NamedMoney {
        name: name.to_owned(),
        amount: cny(amount),
    }
}

fn operating_cost(name: &str, amount: Option<pb::operating_cost::Amount>) -> pb::OperatingCost {
    pb::OperatingCost {
        name: name.to_owned(),
        amount,
    }
}

/// The seed request with its rate quoted as LPR + spread instead of fixed.
fn lpr_request(tenor: pb::LprTenor, spread_bps: i32, fixing_date: &str) -> pb::AssessRequest {
    let mut request = seed_request();
    loan(&mut request).rate = Some(pb::loan_terms::Rate::LprLinked(pb::LprLinkedRate {
        tenor: tenor as i32,
        spread_bps,
        fixing_date: fixing_date.to_owned(),
    }));
    request
}

fn with_presentation(
    money_dp: Option<u32>,
    ratio_dp: Option<u32>,
    rounding_rule: i32,
) -> pb::AssessRequest {
    let mut request = seed_request();
    request.presentation = Some(pb::PresentationRules {
        money_dp,
        ratio_dp,
        rounding_rule,
        emissions_dp: None,
    });
    request
}

/// Texts that are not decimals under the wire grammar `-?[0-9]+(\.[0-9]+)?`.
const NOT_DECIMALS: &[&str] = &[
    "",
    "1e5",
    "1E5",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "+1",
    " 1",
    "1 ",
    "1,000",
    "1_000",
    "١٢٣",
    "１２３",
    ".5",
    "5.",
    "--1",
    "-",
    ".",
    "0x10",
    "1.2.3",
    "12\u{0}",
];

// ---------------------------------------------------------------------------------------------
// Positive controls: the catalogue would pass against a server that refuses everything.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unmodified_seed_request_is_accepted() {
    let mut h = harness().await;
    let response = h.accept(seed_request(), "seed request").await;
    assert_eq!(response.borrower_id, "leshan-yaqing-agri-husbandry");
    assert_eq!(response.currency_code, "CNY");
    let schedule = response.loan.expect("loan schedule present");
    assert_eq!(schedule.period_count, 36);
    assert_eq!(schedule.periods.len(), 36);
}

#[tokio::test]
async fn inclusive_bounds_and_optional_defaults_are_accepted() {
    let mut h = harness().await;
    let mut cases: Vec<(&str, pb::AssessRequest)> = Vec::new();

    let mut r = seed_request();
    ops(&mut r).manure_dry_matter_fraction = dec("1");
    cases.push(("dry matter fraction 1", r));

    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = 366;
    cases.push(("366 operating days", r));

    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = 1;
    cases.push(("1 operating day", r));

    let mut r = seed_request();
    loan(&mut r).fixed_annual_rate_pct_mut("100");
    cases.push(("fixed rate 100%", r));

    let mut r = seed_request();
    loan(&mut r).fixed_annual_rate_pct_mut("0");
    cases.push(("fixed rate 0%", r));

    let mut r = seed_request();
    loan(&mut r).term_months = 600;
    cases.push(("term 600 months", r));

    let mut r = seed_request();
    loan(&mut r).grace_months = 35;
    cases.push(("grace 35 of 36 months", r));

    cases.push((
        "LPR fixed on the first announcement day",
        lpr_request(pb::LprTenor::LprTenor1y, 50, "2019-08-20"),
    ));
    cases.push((
        "LPR 5Y+ with a negative spread",
        lpr_request(pb::LprTenor::LprTenor5yPlus, -100, "2025-06-01"),
    ));

    cases.push((
        "money_dp 4, ratio_dp 10",
        with_presentation(Some(4), Some(10), 3),
    ));
    cases.push((
        "money_dp 0, ratio_dp 0",
        with_presentation(Some(0), Some(0), 2),
    ));
    cases.push((
        "presentation present, every field absent",
        with_presentation(None, None, 0),
    ));

    let mut r = seed_request();
    r.borrower_id = "养".repeat(128);
    cases.push(("128-character CJK borrower id", r));

    let mut r = seed_request();
    ops(&mut r).fertilizer_value = Some(pb::FertilizerValue {
        kind: pb::FertilizerValueKind::UnitMargin as i32,
        per_t_product: cny("-260"),
    });
    cases.push(("negative unit margin", r));

    let mut r = seed_request();
    appraisal(&mut r).dscr_hurdle = None;
    cases.push(("no DSCR hurdle", r));

    let mut r = seed_request();
    let o = ops(&mut r);
    o.operating_costs = (0..64)
        .map(|i| {
            operating_cost(
                &format!("cost {i}"),
                Some(pb::operating_cost::Amount::PerYear(
                    cny("1.01").expect("money"),
                )),
            )
        })
        .collect();
    o.annual_operating_subsidies = (0..64)
        .map(|i| named(&format!("subsidy {i}"), "2"))
        .collect();
    cases.push(("64 cost lines and 64 subsidy lines", r));

    for (what, request) in cases {
        h.accept(request, what).await;
    }
}

/// Helper so the bound cases above read as one line each.
trait FixedRate {
    fn fixed_annual_rate_pct_mut(&mut self, pct: &str);
}

impl FixedRate for pb::LoanTerms {
    fn fixed_annual_rate_pct_mut(&mut self, pct: &str) {
        self.rate = Some(pb::loan_terms::Rate::FixedAnnualRatePct(pb::Decimal {
            value: pct.to_owned(),
        }));
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Throughput
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn zero_manure_throughput_is_refused() {
    let mut h = harness().await;
    for value in ["0", "0.000000", "-0"] {
        let mut r = seed_request();
        ops(&mut r).manure_fresh_t_per_day = dec(value);
        h.expect_only(r, "operations.manure_fresh_t_per_day", value)
            .await;
    }
}

#[tokio::test]
async fn negative_manure_throughput_is_refused() {
    let mut h = harness().await;
    for value in ["-5", "-0.000001"] {
        let mut r = seed_request();
        ops(&mut r).manure_fresh_t_per_day = dec(value);
        h.expect_only(r, "operations.manure_fresh_t_per_day", value)
            .await;
    }
}

#[tokio::test]
async fn manure_throughput_above_limit_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).manure_fresh_t_per_day = dec("100000.000001");
    h.expect_only(r, "operations.manure_fresh_t_per_day", "100000.000001")
        .await;
}

#[tokio::test]
async fn zero_or_negative_product_output_is_refused() {
    let mut h = harness().await;
    use pb::operating_data::ProductOutput;
    for value in ["0", "-1"] {
        let mut r = seed_request();
        ops(&mut r).product_output = Some(ProductOutput::ProductTPerYear(pb::Decimal {
            value: value.to_owned(),
        }));
        h.expect_only(r, "operations.product_t_per_year", value)
            .await;
        let mut r = seed_request();
        ops(&mut r).product_output = Some(ProductOutput::ProductTPerDay(pb::Decimal {
            value: value.to_owned(),
        }));
        h.expect_only(r, "operations.product_t_per_day", value)
            .await;
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Operating days
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn operating_days_367_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = 367;
    h.expect_only(r, "operations.operating_days_per_year", "367")
        .await;
}

#[tokio::test]
async fn operating_days_zero_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = 0;
    h.expect_only(r, "operations.operating_days_per_year", "0")
        .await;
}

#[tokio::test]
async fn operating_days_u32_max_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = u32::MAX;
    h.expect_only(r, "operations.operating_days_per_year", "u32::MAX")
        .await;
}

// ---------------------------------------------------------------------------------------------
// 3. Fractions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn dry_matter_fraction_outside_zero_to_one_is_refused() {
    let mut h = harness().await;
    for value in ["1.2", "0", "-0.25", "1.000001", "25"] {
        let mut r = seed_request();
        ops(&mut r).manure_dry_matter_fraction = dec(value);
        h.expect_only(r, "operations.manure_dry_matter_fraction", value)
            .await;
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Rates
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn fixed_rate_above_100_pct_is_refused() {
    let mut h = harness().await;
    for value in ["100.5", "100.000001", "1000"] {
        let mut r = seed_request();
        loan(&mut r).fixed_annual_rate_pct_mut(value);
        h.expect_only(r, "loan.fixed_annual_rate_pct", value).await;
    }
}

#[tokio::test]
async fn negative_fixed_rate_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).fixed_annual_rate_pct_mut("-0.01");
    h.expect_only(r, "loan.fixed_annual_rate_pct", "-0.01")
        .await;
}

#[tokio::test]
async fn lpr_spread_that_lifts_rate_above_100_pct_is_refused() {
    let mut h = harness().await;
    // 1Y LPR in force on 2025-06-01 is 3.00%; +98.00 points gives 101.00%.
    let status = h
        .reject_status(lpr_request(pb::LprTenor::LprTenor1y, 9800, "2025-06-01"))
        .await;
    assert_eq!(violated_fields(&status), ["loan.lpr_linked.spread_bps"]);
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("101"),
        "the description should give the resulting rate: {description}"
    );
}

#[tokio::test]
async fn lpr_spread_that_drops_rate_below_zero_is_refused() {
    let mut h = harness().await;
    // 1Y LPR 3.00% - 4.00 points = -1.00%.
    let fields = h
        .reject(lpr_request(pb::LprTenor::LprTenor1y, -400, "2025-06-01"))
        .await;
    assert_eq!(fields, ["loan.lpr_linked.spread_bps"]);
}

#[tokio::test]
async fn lpr_spread_beyond_10000_bps_is_refused() {
    let mut h = harness().await;
    for spread in [10_001, -10_001, 20_000, i32::MAX] {
        let fields = h
            .reject(lpr_request(pb::LprTenor::LprTenor1y, spread, "2025-06-01"))
            .await;
        assert!(
            fields.contains(&"loan.lpr_linked.spread_bps".to_owned()),
            "spread {spread}: {fields:?}"
        );
        assert!(
            fields.iter().all(|f| f == "loan.lpr_linked.spread_bps"),
            "spread {spread}: nothing but the spread is wrong: {fields:?}"
        );
    }
}

#[tokio::test]
async fn lpr_spread_i32_min_is_refused_without_panicking() {
    let mut h = harness().await;
    let fields = h
        .reject(lpr_request(
            pb::LprTenor::LprTenor1y,
            i32::MIN,
            "2025-06-01",
        ))
        .await;
    assert_eq!(fields, ["loan.lpr_linked.spread_bps"]);
}

#[tokio::test]
async fn lpr_tenor_unspecified_or_unknown_is_refused() {
    let mut h = harness().await;
    for tenor in [0, 3, -1] {
        let mut r = lpr_request(pb::LprTenor::LprTenor1y, 50, "2025-06-01");
        if let Some(pb::loan_terms::Rate::LprLinked(lpr)) = &mut loan(&mut r).rate {
            lpr.tenor = tenor;
        }
        h.expect_only(r, "loan.lpr_linked.tenor", &format!("tenor {tenor}"))
            .await;
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Term and grace
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn term_zero_months_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).term_months = 0;
    h.expect_only(r, "loan.term_months", "0").await;
}

#[tokio::test]
async fn term_601_months_is_refused() {
    let mut h = harness().await;
    for term in [601, u32::MAX] {
        let mut r = seed_request();
        loan(&mut r).term_months = term;
        h.expect_only(r, "loan.term_months", &term.to_string())
            .await;
    }
}

#[tokio::test]
async fn quarterly_term_not_a_whole_number_of_quarters_is_refused() {
    let mut h = harness().await;
    for term in [37, 1, 599] {
        let mut r = seed_request();
        let l = loan(&mut r);
        l.repayment_frequency = pb::RepaymentFrequency::Quarterly as i32;
        l.term_months = term;
        h.expect_only(r, "loan.term_months", &format!("quarterly, {term} months"))
            .await;
    }
    // Control: 36 months is twelve quarters.
    let mut r = seed_request();
    loan(&mut r).repayment_frequency = pb::RepaymentFrequency::Quarterly as i32;
    h.accept(r, "quarterly, 36 months").await;
}

#[tokio::test]
async fn annual_term_not_a_whole_number_of_years_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    let l = loan(&mut r);
    l.repayment_frequency = pb::RepaymentFrequency::Annual as i32;
    l.term_months = 30;
    h.expect_only(r, "loan.term_months", "annual, 30 months")
        .await;
}

#[tokio::test]
async fn grace_months_not_less_than_term_is_refused() {
    let mut h = harness().await;
    for grace in [36, 37, 600, u32::MAX] {
        let mut r = seed_request();
        loan(&mut r).grace_months = grace;
        h.expect_only(r, "loan.grace_months", &format!("grace {grace} of 36"))
            .await;
    }
}

#[tokio::test]
async fn grace_months_not_a_whole_number_of_periods_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    let l = loan(&mut r);
    l.repayment_frequency = pb::RepaymentFrequency::Quarterly as i32;
    l.grace_months = 2;
    h.expect_only(r, "loan.grace_months", "quarterly, grace 2")
        .await;
}

// ---------------------------------------------------------------------------------------------
// 6. Decimal text
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unparseable_decimals_are_refused_on_every_kind_of_field() {
    let mut h = harness().await;
    type Setter = fn(&mut pb::AssessRequest, &str);
    let fields: [(&str, Setter); 6] = [
        ("operations.manure_fresh_t_per_day", |r, v| {
            ops(r).manure_fresh_t_per_day = dec(v)
        }),
        ("loan.principal.amount", |r, v| {
            loan(r).principal = cny(v);
        }),
        ("loan.fixed_annual_rate_pct", |r, v| {
            loan(r).fixed_annual_rate_pct_mut(v);
        }),
        (
            "operations.fertilizer_value.per_t_product.amount",
            |r, v| {
                ops(r)
                    .fertilizer_value
                    .as_mut()
                    .expect("fertilizer value")
                    .per_t_product = cny(v);
            },
        ),
        ("appraisal.capex[0].amount.amount", |r, v| {
            appraisal(r).capex[0].amount = cny(v);
        }),
        ("appraisal.dscr_hurdle", |r, v| {
            appraisal(r).dscr_hurdle = dec(v)
        }),
    ];
    for (field, set) in fields {
        for text in NOT_DECIMALS {
            let mut r = seed_request();
            set(&mut r, text);
            h.expect_only(r, field, &format!("{field} = {text:?}"))
                .await;
        }
    }
}

#[tokio::test]
async fn absent_decimal_message_is_refused_as_required() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).manure_fresh_t_per_day = None;
    h.expect_only(r, "operations.manure_fresh_t_per_day", "absent")
        .await;
    let mut r = seed_request();
    loan(&mut r).principal = Some(pb::Money {
        currency_code: "CNY".to_owned(),
        amount: None,
    });
    h.expect_only(r, "loan.principal.amount", "principal without amount")
        .await;
}

#[tokio::test]
async fn principal_with_more_than_two_decimal_places_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).principal = cny("3800000.001");
    let status = h.reject_status(r).await;
    assert_eq!(violated_fields(&status), ["loan.principal.amount"]);
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("decimal places"),
        "description should say why: {description}"
    );
    // Trailing zeros count as places too: refused, never rounded.
    let mut r = seed_request();
    loan(&mut r).principal = cny("3800000.000");
    h.expect_only(r, "loan.principal.amount", "3800000.000")
        .await;
}

#[tokio::test]
async fn fine_fields_with_more_than_six_decimal_places_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).manure_dry_matter_fraction = dec("0.2500001");
    h.expect_only(r, "operations.manure_dry_matter_fraction", "7 dp")
        .await;
    let mut r = seed_request();
    loan(&mut r).fixed_annual_rate_pct_mut("3.4500001");
    h.expect_only(r, "loan.fixed_annual_rate_pct", "7 dp").await;
    let mut r = seed_request();
    appraisal(&mut r).dscr_hurdle = dec("1.25001");
    h.expect_only(r, "appraisal.dscr_hurdle", "5 dp").await;
}

#[tokio::test]
async fn forty_digit_number_is_refused() {
    let mut h = harness().await;
    let forty = "1234567890123456789012345678901234567890";
    assert_eq!(forty.len(), 40);
    for text in [
        forty.to_owned(),
        format!("{forty}1"),
        "99999999999999999999999999999".to_owned(),
        format!("0.{}", "0".repeat(38)),
    ] {
        let mut r = seed_request();
        ops(&mut r).manure_fresh_t_per_day = dec(&text);
        h.expect_only(r, "operations.manure_fresh_t_per_day", &text)
            .await;
        let mut r = seed_request();
        loan(&mut r).principal = cny(&text);
        h.expect_only(r, "loan.principal.amount", &text).await;
    }
}

#[tokio::test]
async fn very_long_decimal_text_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).manure_fresh_t_per_day = dec(&"9".repeat(100_000));
    h.expect_only(r, "operations.manure_fresh_t_per_day", "100k digits")
        .await;
}

// ---------------------------------------------------------------------------------------------
// 7. Enums
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_repayment_method_is_refused() {
    let mut h = harness().await;
    for value in [99, 4, -1, i32::MAX, i32::MIN] {
        let mut r = seed_request();
        loan(&mut r).repayment_method = value;
        h.expect_only(r, "loan.repayment_method", &value.to_string())
            .await;
    }
}

#[tokio::test]
async fn unknown_repayment_frequency_is_refused() {
    let mut h = harness().await;
    for value in [42, 5, -3] {
        let mut r = seed_request();
        loan(&mut r).repayment_frequency = value;
        h.expect_only(r, "loan.repayment_frequency", &value.to_string())
            .await;
    }
}

#[tokio::test]
async fn unknown_cash_flow_basis_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).cash_flow_basis = 7;
    h.expect_only(r, "appraisal.cash_flow_basis", "7").await;
}

#[tokio::test]
async fn unknown_fertilizer_value_kind_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r)
        .fertilizer_value
        .as_mut()
        .expect("fertilizer")
        .kind = 3;
    h.expect_only(r, "operations.fertilizer_value.kind", "3")
        .await;
}

#[tokio::test]
async fn unknown_rounding_rule_is_refused() {
    let mut h = harness().await;
    for value in [9, 4, -1] {
        h.expect_only(
            with_presentation(None, None, value),
            "presentation.rounding_rule",
            &value.to_string(),
        )
        .await;
    }
}

#[tokio::test]
async fn unspecified_required_enums_are_refused() {
    let mut h = harness().await;

    let mut r = seed_request();
    loan(&mut r).repayment_method = pb::RepaymentMethod::Unspecified as i32;
    h.expect_only(r, "loan.repayment_method", "method 0").await;

    let mut r = seed_request();
    loan(&mut r).repayment_frequency = pb::RepaymentFrequency::Unspecified as i32;
    h.expect_only(r, "loan.repayment_frequency", "frequency 0")
        .await;

    let mut r = seed_request();
    appraisal(&mut r).cash_flow_basis = pb::CashFlowBasis::Unspecified as i32;
    h.expect_only(r, "appraisal.cash_flow_basis", "basis 0")
        .await;

    let mut r = seed_request();
    ops(&mut r)
        .fertilizer_value
        .as_mut()
        .expect("fertilizer")
        .kind = pb::FertilizerValueKind::Unspecified as i32;
    h.expect_only(r, "operations.fertilizer_value.kind", "kind 0")
        .await;
}

// ---------------------------------------------------------------------------------------------
// 8. Missing required fields
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn missing_loan_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.loan = None;
    h.expect_only(r, "loan", "no loan").await;
}

#[tokio::test]
async fn missing_operations_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.operations = None;
    h.expect_only(r, "operations", "no operations").await;
}

#[tokio::test]
async fn missing_appraisal_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.appraisal = None;
    h.expect_only(r, "appraisal", "no appraisal").await;
}

#[tokio::test]
async fn missing_principal_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).principal = None;
    h.expect_only(r, "loan.principal", "no principal").await;
}

#[tokio::test]
async fn missing_rate_oneof_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).rate = None;
    h.expect_only(r, "loan.rate", "no rate").await;
}

#[tokio::test]
async fn missing_product_output_oneof_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).product_output = None;
    h.expect_only(r, "operations.product_output", "no product output")
        .await;
}

#[tokio::test]
async fn missing_fertilizer_value_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).fertilizer_value = None;
    h.expect_only(r, "operations.fertilizer_value", "no fertilizer value")
        .await;
}

#[tokio::test]
async fn missing_baseline_cost_and_total_investment_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).baseline_treatment_cost_per_t_fresh_manure = None;
    h.expect_only(
        r,
        "operations.baseline_treatment_cost_per_t_fresh_manure",
        "no baseline cost",
    )
    .await;
    let mut r = seed_request();
    appraisal(&mut r).total_project_investment = None;
    h.expect_only(r, "appraisal.total_project_investment", "no investment")
        .await;
}

#[tokio::test]
async fn empty_capex_list_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).capex.clear();
    h.expect_only(r, "appraisal.capex", "no capex").await;
}

#[tokio::test]
async fn empty_borrower_and_project_ids_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.borrower_id.clear();
    h.expect_only(r, "borrower_id", "empty borrower id").await;
    let mut r = seed_request();
    r.project_id.clear();
    h.expect_only(r, "project_id", "empty project id").await;
}

#[tokio::test]
async fn overlong_or_control_character_ids_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.borrower_id = "x".repeat(129);
    h.expect_only(r, "borrower_id", "129 chars").await;
    let mut r = seed_request();
    r.project_id = "project\u{1b}[31m".to_owned();
    h.expect_only(r, "project_id", "ESC").await;
}

#[tokio::test]
async fn missing_discount_rate_and_zero_project_life_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).discount_rate_pct = None;
    h.expect_only(r, "appraisal.discount_rate_pct", "no discount rate")
        .await;
    for life in [0, 31] {
        let mut r = seed_request();
        appraisal(&mut r).project_life_years = life;
        h.expect_only(r, "appraisal.project_life_years", &life.to_string())
            .await;
    }
}

#[tokio::test]
async fn completely_empty_request_reports_every_top_level_requirement() {
    let mut h = harness().await;
    let fields = h.reject(pb::AssessRequest::default()).await;
    assert_eq!(
        sorted(fields),
        sorted(
            [
                "borrower_id",
                "project_id",
                "loan",
                "operations",
                "appraisal"
            ]
            .map(String::from)
            .to_vec()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// 9. Currencies
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn baseline_cost_in_a_different_currency_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).baseline_treatment_cost_per_t_fresh_manure = money("USD", "40");
    let status = h.reject_status(r).await;
    assert_eq!(
        violated_fields(&status),
        ["operations.baseline_treatment_cost_per_t_fresh_manure.currency_code"]
    );
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("USD") && description.contains("CNY"),
        "description should name both currencies: {description}"
    );
}

#[tokio::test]
async fn capex_line_in_a_different_currency_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).capex[0].amount = money("EUR", "3800000.00");
    h.expect_only(r, "appraisal.capex[0].amount.currency_code", "EUR capex")
        .await;
}

#[tokio::test]
async fn unsupported_principal_currency_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).principal = money("USD", "3800000.00");
    let status = h.reject_status(r).await;
    let fields = violated_fields(&status);
    // The CNY amounts are not blamed for the principal's unsupported currency.
    assert_eq!(fields, ["loan.principal.currency_code"]);
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("USD"),
        "description should name the currency: {description}"
    );
}

#[tokio::test]
async fn whole_request_in_an_unsupported_currency_reports_it_once() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).principal = money("USD", "3800000.00");
    let o = ops(&mut r);
    o.baseline_treatment_cost_per_t_fresh_manure = money("USD", "40");
    o.fertilizer_value
        .as_mut()
        .expect("fertilizer")
        .per_t_product = money("USD", "260");
    let a = appraisal(&mut r);
    a.total_project_investment = money("USD", "3800000.00");
    a.capex[0].amount = money("USD", "3800000.00");
    h.expect_only(r, "loan.principal.currency_code", "all USD")
        .await;
}

#[tokio::test]
async fn malformed_currency_codes_are_refused() {
    let mut h = harness().await;
    for code in ["cny", "", "CN", "CNYY", "C1Y", "ＣＮＹ", " CNY"] {
        let mut r = seed_request();
        loan(&mut r).principal = money(code, "3800000.00");
        h.expect_only(r, "loan.principal.currency_code", &format!("{code:?}"))
            .await;
    }
}

// ---------------------------------------------------------------------------------------------
// 10. Several violations at once
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn independent_violations_are_all_reported_in_one_status() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.borrower_id.clear();
    loan(&mut r).principal = cny("-1");
    loan(&mut r).term_months = 0;
    ops(&mut r).manure_fresh_t_per_day = dec("abc");
    ops(&mut r).operating_days_per_year = 400;
    appraisal(&mut r).capex.clear();
    appraisal(&mut r).cash_flow_basis = 99;
    r.presentation = Some(pb::PresentationRules {
        money_dp: Some(5),
        ratio_dp: None,
        rounding_rule: 0,
        emissions_dp: None,
    });
    let status = h.reject_status(r).await;
    let expected = [
        "borrower_id",
        "loan.principal.amount",
        "loan.term_months",
        "operations.manure_fresh_t_per_day",
        "operations.operating_days_per_year",
        "appraisal.capex",
        "appraisal.cash_flow_basis",
        "presentation.money_dp",
    ];
    assert_eq!(
        sorted(violated_fields(&status)),
        sorted(expected.map(String::from).to_vec())
    );
    assert!(
        status.message().contains(&expected.len().to_string()),
        "the message should count the violations: {}",
        status.message()
    );
}

#[tokio::test]
async fn violations_in_every_section_are_reported_together() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).fixed_annual_rate_pct_mut("100.5");
    ops(&mut r).manure_dry_matter_fraction = dec("1.2");
    ops(&mut r).baseline_treatment_cost_per_t_fresh_manure = money("USD", "40");
    appraisal(&mut r).discount_rate_pct = dec("NaN");
    r.presentation = Some(pb::PresentationRules {
        money_dp: None,
        ratio_dp: Some(11),
        rounding_rule: 0,
        emissions_dp: None,
    });
    let fields = h.reject(r).await;
    assert_eq!(
        sorted(fields),
        sorted(
            [
                "loan.fixed_annual_rate_pct",
                "operations.manure_dry_matter_fraction",
                "operations.baseline_treatment_cost_per_t_fresh_manure.currency_code",
                "appraisal.discount_rate_pct",
                "presentation.ratio_dp",
            ]
            .map(String::from)
            .to_vec()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// 11. Dates
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn impossible_or_malformed_first_payment_dates_are_refused() {
    let mut h = harness().await;
    for text in [
        "2025-02-30",
        "2025/01/01",
        "2025-13-01",
        "2025-00-10",
        "2025-1-01",
        "20250101",
        "2025-01-01T00:00:00Z",
        "1899-12-31",
        "2201-01-01",
        "2025-02-29",
        "",
        "２０２５-01-01",
    ] {
        let mut r = seed_request();
        loan(&mut r).first_payment_date = text.to_owned();
        h.expect_only(r, "loan.first_payment_date", &format!("{text:?}"))
            .await;
    }
}

#[tokio::test]
async fn lpr_fixing_date_before_first_announcement_is_refused() {
    let mut h = harness().await;
    for date in ["2019-08-19", "2000-01-01", "1900-01-01"] {
        h.expect_only(
            lpr_request(pb::LprTenor::LprTenor1y, 50, date),
            "loan.lpr_linked.fixing_date",
            date,
        )
        .await;
    }
}

#[tokio::test]
async fn malformed_lpr_fixing_date_is_refused() {
    let mut h = harness().await;
    for date in ["", "2025-06-31", "2025.06.01"] {
        h.expect_only(
            lpr_request(pb::LprTenor::LprTenor5yPlus, 50, date),
            "loan.lpr_linked.fixing_date",
            &format!("{date:?}"),
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// 12. Line items
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn operating_cost_without_amount_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_costs = vec![operating_cost("electricity", None)];
    h.expect_only(r, "operations.operating_costs[0].amount", "no amount")
        .await;
}

#[tokio::test]
async fn negative_per_tonne_product_cost_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_costs = vec![
        operating_cost(
            "packaging",
            Some(pb::operating_cost::Amount::PerTProduct(
                cny("12").expect("money"),
            )),
        ),
        operating_cost(
            "bagging",
            Some(pb::operating_cost::Amount::PerTProduct(
                cny("-3.5").expect("money"),
            )),
        ),
    ];
    h.expect_only(
        r,
        "operations.operating_costs[1].per_t_product.amount",
        "negative per t product",
    )
    .await;
}

#[tokio::test]
async fn operating_cost_amounts_out_of_range_or_precision_are_refused() {
    let mut h = harness().await;
    use pb::operating_cost::Amount;
    let cases: [(Amount, &str); 4] = [
        (
            Amount::PerYear(cny("1.001").expect("money")),
            "operations.operating_costs[0].per_year.amount",
        ),
        (
            Amount::PerYear(cny("100000000000.01").expect("money")),
            "operations.operating_costs[0].per_year.amount",
        ),
        (
            Amount::PerTFreshManure(cny("1000000.000001").expect("money")),
            "operations.operating_costs[0].per_t_fresh_manure.amount",
        ),
        (
            Amount::PerTFreshManure(money("USD", "1").expect("money")),
            "operations.operating_costs[0].per_t_fresh_manure.currency_code",
        ),
    ];
    for (amount, field) in cases {
        let mut r = seed_request();
        ops(&mut r).operating_costs = vec![operating_cost("line", Some(amount))];
        h.expect_only(r, field, field).await;
    }
}

#[tokio::test]
async fn more_than_64_subsidy_lines_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).annual_operating_subsidies = (0..65)
        .map(|i| named(&format!("subsidy {i}"), "1"))
        .collect();
    h.expect_only(r, "operations.annual_operating_subsidies", "65 lines")
        .await;
}

#[tokio::test]
async fn more_than_64_cost_and_capex_lines_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_costs = (0..65)
        .map(|i| {
            operating_cost(
                &format!("cost {i}"),
                Some(pb::operating_cost::Amount::PerYear(
                    cny("1").expect("money"),
                )),
            )
        })
        .collect();
    h.expect_only(r, "operations.operating_costs", "65 costs")
        .await;
    let mut r = seed_request();
    appraisal(&mut r).capex = (0..65).map(|i| named(&format!("item {i}"), "1")).collect();
    h.expect_only(r, "appraisal.capex", "65 capex").await;
}

#[tokio::test]
async fn line_names_with_control_characters_are_refused() {
    let mut h = harness().await;
    for name in ["bad\nname", "tab\there", "nul\u{0}", "\u{7f}", "c1\u{85}"] {
        let mut r = seed_request();
        ops(&mut r).operating_costs = vec![operating_cost(
            name,
            Some(pb::operating_cost::Amount::PerYear(
                cny("100").expect("money"),
            )),
        )];
        h.expect_only(
            r,
            "operations.operating_costs[0].name",
            &format!("{name:?}"),
        )
        .await;
        let mut r = seed_request();
        appraisal(&mut r).capex_subsidies = vec![named(name, "10")];
        h.expect_only(r, "appraisal.capex_subsidies[0].name", &format!("{name:?}"))
            .await;
    }
}

#[tokio::test]
async fn empty_or_overlong_line_names_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).capex[0].name.clear();
    h.expect_only(r, "appraisal.capex[0].name", "empty").await;
    let mut r = seed_request();
    appraisal(&mut r).capex[0].name = "n".repeat(129);
    h.expect_only(r, "appraisal.capex[0].name", "129 chars")
        .await;
}

#[tokio::test]
async fn subsidy_line_without_amount_or_negative_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).annual_operating_subsidies = vec![pb::NamedMoney {
        name: "county grant".to_owned(),
        amount: None,
    }];
    h.expect_only(
        r,
        "operations.annual_operating_subsidies[0].amount",
        "no amount",
    )
    .await;
    let mut r = seed_request();
    ops(&mut r).annual_operating_subsidies = vec![named("county grant", "-1")];
    h.expect_only(
        r,
        "operations.annual_operating_subsidies[0].amount.amount",
        "negative",
    )
    .await;
}

#[tokio::test]
async fn negative_fertilizer_price_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).fertilizer_value = Some(pb::FertilizerValue {
        kind: pb::FertilizerValueKind::Price as i32,
        per_t_product: cny("-1"),
    });
    h.expect_only(
        r,
        "operations.fertilizer_value.per_t_product.amount",
        "negative price",
    )
    .await;
}

#[tokio::test]
async fn too_many_or_bad_stated_assumptions_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.stated_assumptions = (0..33).map(|i| format!("assumption {i}")).collect();
    h.expect_only(r, "stated_assumptions", "33 assumptions")
        .await;
    let mut r = seed_request();
    r.stated_assumptions[2] = "line one\rline two".to_owned();
    h.expect_only(r, "stated_assumptions[2]", "CR").await;
    let mut r = seed_request();
    r.stated_assumptions[0] = "a".repeat(513);
    h.expect_only(r, "stated_assumptions[0]", "513 chars").await;
    let mut r = seed_request();
    r.stated_assumptions.push(String::new());
    let index = r.stated_assumptions.len() - 1;
    h.expect_only(r, &format!("stated_assumptions[{index}]"), "empty")
        .await;
}

// ---------------------------------------------------------------------------------------------
// 13. Presentation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn money_dp_5_is_refused() {
    let mut h = harness().await;
    for dp in [5, u32::MAX] {
        h.expect_only(
            with_presentation(Some(dp), None, 0),
            "presentation.money_dp",
            &dp.to_string(),
        )
        .await;
    }
}

#[tokio::test]
async fn ratio_dp_11_is_refused() {
    let mut h = harness().await;
    for dp in [11, 28] {
        h.expect_only(
            with_presentation(None, Some(dp), 0),
            "presentation.ratio_dp",
            &dp.to_string(),
        )
        .await;
    }
}

#[tokio::test]
async fn all_presentation_violations_are_reported_together() {
    let mut h = harness().await;
    let fields = h.reject(with_presentation(Some(5), Some(11), 9)).await;
    assert_eq!(
        fields,
        [
            "presentation.money_dp",
            "presentation.ratio_dp",
            "presentation.rounding_rule"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// 14. Carbon: helpers
// ---------------------------------------------------------------------------------------------

fn carbon(request: &mut pb::AssessRequest) -> &mut pb::CarbonInput {
    request.carbon.as_mut().expect("seed request has carbon")
}

fn manure(request: &mut pb::AssessRequest) -> &mut pb::ManureManagementInput {
    carbon(request)
        .manure_management
        .as_mut()
        .expect("seed request has manure management")
}

fn factor_override(factor_id: &str, value: &str, reason: &str) -> pb::FactorOverride {
    pb::FactorOverride {
        factor_id: factor_id.to_owned(),
        value: dec(value),
        reason: reason.to_owned(),
    }
}

/// The seed request with one override.
fn with_override(factor_id: &str, value: &str) -> pb::AssessRequest {
    let mut request = seed_request();
    carbon(&mut request).factor_overrides =
        vec![factor_override(factor_id, value, "lab analysis, 2025")];
    request
}

fn electricity(kwh: &str, region: i32, factor_year: u32) -> Option<pb::energy_use::Use> {
    Some(pb::energy_use::Use::Electricity(pb::ElectricityUse {
        kwh_per_year: dec(kwh),
        region,
        factor_year,
    }))
}

fn diesel_tonnes(tonnes: &str) -> Option<pb::energy_use::Use> {
    Some(pb::energy_use::Use::DieselTPerYear(pb::Decimal {
        value: tonnes.to_owned(),
    }))
}

fn diesel_litres(litres: &str, density: Option<&str>) -> Option<pb::energy_use::Use> {
    Some(pb::energy_use::Use::DieselLitres(pb::DieselLitres {
        litres_per_year: dec(litres),
        density_kg_per_l: density.and_then(dec),
    }))
}

/// The seed request with one energy line.
fn with_energy(name: &str, r#use: Option<pb::energy_use::Use>) -> pb::AssessRequest {
    let mut request = seed_request();
    carbon(&mut request).project_energy = vec![pb::EnergyUse {
        name: name.to_owned(),
        r#use,
    }];
    request
}

/// A valid fertilizer substitution block: 2% N, 1.5% P2O5, 1% K2O, half substituted.
fn fertilizer() -> pb::FertilizerSubstitutionInput {
    pb::FertilizerSubstitutionInput {
        product_nitrogen_fraction: dec("0.02"),
        product_p2o5_fraction: dec("0.015"),
        product_k2o_fraction: dec("0.01"),
        substitution_ratio: dec("0.5"),
        substitution_ratio_basis: "buyers' survey, 2025".to_owned(),
    }
}

/// The seed request with fertilizer substitution on, after `edit`.
fn with_fertilizer(edit: impl FnOnce(&mut pb::FertilizerSubstitutionInput)) -> pb::AssessRequest {
    let mut request = seed_request();
    let mut f = fertilizer();
    edit(&mut f);
    carbon(&mut request).fertilizer_substitution = Some(f);
    request
}

fn amendment(name: &str, fresh_t_per_day: &str, dry_matter_fraction: &str) -> pb::Amendment {
    pb::Amendment {
        name: name.to_owned(),
        fresh_t_per_day: dec(fresh_t_per_day),
        dry_matter_fraction: dec(dry_matter_fraction),
    }
}

fn with_emissions_dp(emissions_dp: u32) -> pb::AssessRequest {
    let mut request = seed_request();
    request.presentation = Some(pb::PresentationRules {
        money_dp: None,
        ratio_dp: None,
        rounding_rule: 0,
        emissions_dp: Some(emissions_dp),
    });
    request
}

/// A presented decimal as a number, so "7.5" and "7.5000" compare equal.
fn number(decimal: &Option<pb::Decimal>) -> Decimal {
    common::value(decimal)
        .parse()
        .unwrap_or_else(|e| panic!("{decimal:?} is not a decimal: {e}"))
}

fn swine(request: &mut pb::AssessRequest) {
    manure(request).species = pb::Species::Swine as i32;
}

// ---------------------------------------------------------------------------------------------
// 15. Carbon: positive controls
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn seed_carbon_block_is_accepted_with_defaults_flagged() {
    let mut h = harness().await;
    let response = h.accept(seed_request(), "seed request").await;
    let carbon = response.carbon.expect("carbon block present");
    assert_eq!(carbon.factor_set, "ipcc2019-cn/2026.1");
    assert_eq!(response.factor_set, "ipcc2019-cn/2026.1");
    let default_ids: Vec<&str> = carbon
        .factors_used
        .iter()
        .filter(|f| f.origin == pb::FactorOrigin::DefaultForMissingInput as i32)
        .map(|f| f.factor_id.as_str())
        .collect();
    assert_eq!(
        sorted(default_ids.iter().map(|s| s.to_string()).collect()),
        ["n_fraction_of_dm.layers", "vs_fraction_of_dm.layers"]
    );
    assert!(
        carbon
            .factors_used
            .iter()
            .any(|f| f.factor_id == "ef4.wet_climate"),
        "warm temperate moist takes the wet-climate EF4"
    );
}

#[tokio::test]
async fn override_of_a_factor_the_set_lacks_is_accepted_and_used() {
    let mut h = harness().await;
    let mut r = with_energy(
        "aeration fans",
        electricity("250000", pb::GridRegion::CnSichuan as i32, 2019),
    );
    carbon(&mut r).factor_overrides = vec![factor_override(
        "grid.sichuan.2019",
        "0.1031",
        "Sichuan provincial grid factor 2019, MEE notice",
    )];
    let response = h.accept(r, "grid.sichuan.2019 override").await;
    let carbon = response.carbon.expect("carbon block present");
    let grid = carbon
        .factors_used
        .iter()
        .find(|f| f.factor_id == "grid.sichuan.2019")
        .expect("the overridden grid factor is used");
    assert_eq!(grid.origin, pb::FactorOrigin::Override as i32);
    assert_eq!(common::value(&grid.value), "0.1031");
    assert!(
        !response
            .warnings
            .iter()
            .any(|w| w.code == "FACTOR_OVERRIDE_UNUSED"),
        "the override is used: {:?}",
        response.warnings
    );
}

#[tokio::test]
async fn tropical_montane_zone_uses_the_aggregated_ef4() {
    let mut h = harness().await;
    let mut r = seed_request();
    manure(&mut r).climate_zone = pb::ClimateZone::TropicalMontane as i32;
    let response = h.accept(r, "tropical montane").await;
    let ids: Vec<String> = response
        .carbon
        .expect("carbon block present")
        .factors_used
        .into_iter()
        .map(|f| f.factor_id)
        .collect();
    assert!(ids.contains(&"ef4.aggregated".to_owned()), "{ids:?}");
    assert!(
        !ids.iter()
            .any(|id| id == "ef4.wet_climate" || id == "ef4.dry_climate"),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"mcf.solid_storage.tropical_montane".to_owned()),
        "{ids:?}"
    );
}

#[tokio::test]
async fn straw_amendment_makes_the_seed_mass_balance_close() {
    let mut h = harness().await;
    // Control: a 30% composting loss leaves 15.75 t of the 22.5 t dry matter, short of the
    // 21 t that 30 t of product at 30% moisture holds.
    let mut r = seed_request();
    ops(&mut r).composting_dry_matter_loss_fraction = dec("0.3");
    let response = h.accept(r, "30% loss, no amendment").await;
    let balance = response.mass_balance.expect("mass balance present");
    assert!(!balance.closes);
    assert_eq!(
        number(&balance.dry_matter_shortfall_t_per_day),
        Decimal::new(75, 1)
    );
    assert!(
        response
            .warnings
            .iter()
            .any(|w| w.code == "MASS_BALANCE_DOES_NOT_CLOSE")
    );

    // 9 t of straw at 85% dry matter adds 7.65 t: 30.15 t in, 21.105 t out, enough.
    let mut r = seed_request();
    let o = ops(&mut r);
    o.composting_dry_matter_loss_fraction = dec("0.3");
    o.amendments = vec![amendment("wheat straw", "9", "0.85")];
    let response = h.accept(r, "30% loss, 9 t straw").await;
    let balance = response.mass_balance.expect("mass balance present");
    assert!(balance.closes, "{balance:?}");
    assert_eq!(
        number(&balance.amendments_dry_matter_t_per_day),
        Decimal::new(765, 2)
    );
    assert_eq!(
        number(&balance.dry_matter_shortfall_t_per_day),
        Decimal::ZERO
    );
    assert!(
        !response
            .warnings
            .iter()
            .any(|w| w.code == "MASS_BALANCE_DOES_NOT_CLOSE"),
        "{:?}",
        response.warnings
    );
}

#[tokio::test]
async fn carbon_inclusive_bounds_and_full_modules_are_accepted() {
    let mut h = harness().await;
    let mut cases: Vec<(&str, pb::AssessRequest)> = Vec::new();

    let mut r = seed_request();
    swine(&mut r);
    let m = manure(&mut r);
    m.volatile_solids_fraction_of_dry_matter = dec("1");
    m.nitrogen = Some(
        pb::manure_management_input::Nitrogen::NitrogenFractionOfDryMatter(pb::Decimal {
            value: "0.2".to_owned(),
        }),
    );
    cases.push(("swine with measured VS 1 and N 0.2", r));

    let mut r = seed_request();
    swine(&mut r);
    carbon(&mut r).factor_overrides = vec![
        factor_override("vs_fraction_of_dm.swine", "0.8", "lab analysis"),
        factor_override("n_fraction_of_dm.swine", "0.04", "lab analysis"),
    ];
    cases.push(("swine defaults supplied as overrides", r));

    let mut r = seed_request();
    ops(&mut r).composting_dry_matter_loss_fraction = dec("0.9999");
    cases.push(("composting loss 0.9999", r));

    let mut r = seed_request();
    ops(&mut r).composting_dry_matter_loss_fraction = dec("0");
    cases.push(("composting loss 0", r));

    cases.push(("emissions_dp 0", with_emissions_dp(0)));
    cases.push(("emissions_dp 6", with_emissions_dp(6)));

    let mut r = with_fertilizer(|f| {
        f.product_nitrogen_fraction = dec("0.5");
        f.product_p2o5_fraction = dec("0.3");
        f.product_k2o_fraction = dec("0.2");
        f.substitution_ratio = dec("1");
    });
    carbon(&mut r).project_energy = vec![
        pb::EnergyUse {
            name: "fans".to_owned(),
            r#use: electricity("1", pb::GridRegion::CnNational as i32, 0),
        },
        pb::EnergyUse {
            name: "loader".to_owned(),
            r#use: diesel_litres("1000", Some("0.7")),
        },
        pb::EnergyUse {
            name: "haulage".to_owned(),
            r#use: diesel_litres("1000", Some("1")),
        },
    ];
    cases.push(("N + P2O5 + K2O exactly 1, ratio 1, three energy lines", r));

    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![
        factor_override("ef3.composting_in_vessel", "0", "measured: no direct N2O"),
        factor_override(
            "mcf.composting_in_vessel.warm_temperate_moist",
            "1",
            "worst case",
        ),
        factor_override("b0.layers.low", "0.3", "feed analysis"),
    ];
    cases.push(("overrides at their physical bounds", r));

    let mut r = seed_request();
    let c = carbon(&mut r);
    c.factor_set = "ipcc2019-cn/2026.1".to_owned();
    c.gwp_set = pb::GwpSet::Ar4 as i32;
    cases.push(("factor set named, GWP AR4", r));

    let mut r = seed_request();
    carbon(&mut r).gwp_set = pb::GwpSet::Unspecified as i32;
    cases.push(("GWP set unspecified means AR6", r));

    let mut r = seed_request();
    carbon(&mut r).manure_management = None;
    carbon(&mut r).project_energy = vec![pb::EnergyUse {
        name: "fans".to_owned(),
        r#use: diesel_tonnes("12.5"),
    }];
    cases.push(("energy module alone", r));

    let mut r = seed_request();
    carbon(&mut r).factor_overrides = (0..64)
        .map(|i| factor_override(&mcf_id(i), "0.01", "site study"))
        .collect();
    carbon(&mut r).project_energy = (0..64)
        .map(|i| pb::EnergyUse {
            name: format!("line {i}"),
            r#use: diesel_tonnes("1"),
        })
        .collect();
    ops(&mut r).amendments = (0..64)
        .map(|i| amendment(&format!("straw {i}"), "0.1", "0.85"))
        .collect();
    cases.push(("64 overrides, 64 energy lines, 64 amendments", r));

    for (what, request) in cases {
        h.accept(request, what).await;
    }
}

/// The `i`-th of the 80 well-formed MCF ids (8 systems x 10 zones).
fn mcf_id(i: usize) -> String {
    const SYSTEMS: [&str; 8] = [
        "solid_storage",
        "daily_spread",
        "uncovered_anaerobic_lagoon",
        "composting_in_vessel",
        "composting_static_pile",
        "composting_intensive_windrow",
        "composting_passive_windrow",
        "poultry_manure_without_litter",
    ];
    const ZONES: [&str; 10] = [
        "cool_temperate_moist",
        "cool_temperate_dry",
        "boreal_moist",
        "boreal_dry",
        "warm_temperate_moist",
        "warm_temperate_dry",
        "tropical_montane",
        "tropical_wet",
        "tropical_moist",
        "tropical_dry",
    ];
    format!("mcf.{}.{}", SYSTEMS[i / 10], ZONES[i % 10])
}

// ---------------------------------------------------------------------------------------------
// 16. Carbon: factor overrides
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn override_of_an_unknown_factor_id_is_refused() {
    let mut h = harness().await;
    for id in [
        "b0.layers.medium",
        "ef6",
        "",
        "B0.layers.low",
        "grid.mars.2022",
        "grid.sichuan.22",
        "grid.sichuan.1989",
        "b0.layers.low.",
        " b0.layers.low",
        "mcf.solid_storage",
        "frac_gas_ms.layers.solid_storage",
    ] {
        h.expect_only(
            with_override(id, "0.2"),
            "carbon.factor_overrides[0].factor_id",
            &format!("{id:?}"),
        )
        .await;
    }
}

#[tokio::test]
async fn unknown_override_id_is_blamed_at_its_own_index() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![
        factor_override("b0.layers.low", "0.25", "feed analysis"),
        factor_override("ef3.solid_storage", "0.01", "same as the set"),
        factor_override("b0.layers.medium", "0.25", "feed analysis"),
    ];
    h.expect_only(r, "carbon.factor_overrides[2].factor_id", "third unknown")
        .await;
}

#[tokio::test]
async fn override_outside_physical_bounds_is_refused() {
    let mut h = harness().await;
    for (id, value) in [
        ("mcf.solid_storage.warm_temperate_moist", "1.5"),
        ("mcf.solid_storage.warm_temperate_moist", "-0.0000000001"),
        ("ef3.solid_storage", "-0.01"),
        ("frac_gas_ms.poultry.solid_storage", "2"),
        ("frac_leach_ms.poultry.composting_in_vessel", "1.0000000001"),
        ("ef4.wet_climate", "1.1"),
        ("ef5", "-1"),
        ("b0.layers.low", "-0.1"),
        ("vs_fraction_of_dm.layers", "1.01"),
        ("fertilizer_production_tce.n", "-2"),
        ("grid.sichuan.2022", "-0.1"),
        ("diesel.net_calorific_value", "0"),
        ("diesel.carbon_content", "-20.2"),
        ("diesel.oxidation_fraction", "1.02"),
    ] {
        h.expect_only(
            with_override(id, value),
            "carbon.factor_overrides[0].value",
            &format!("{id} = {value}"),
        )
        .await;
    }
}

#[tokio::test]
async fn override_outside_physical_bounds_names_the_bounds() {
    let mut h = harness().await;
    let status = h
        .reject_status(with_override(
            "mcf.solid_storage.warm_temperate_moist",
            "1.5",
        ))
        .await;
    assert_eq!(
        violated_fields(&status),
        ["carbon.factor_overrides[0].value"]
    );
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("fraction") && description.contains("1.5"),
        "the description should give the bounds and the value: {description}"
    );
}

#[tokio::test]
async fn override_of_a_fixed_factor_is_refused() {
    let mut h = harness().await;
    for id in [
        "gwp.ar6.ch4",
        "gwp.ar6.n2o",
        "gwp.ar4.ch4",
        "product.max_moisture_fraction",
    ] {
        h.expect_only(
            with_override(id, "0.3"),
            "carbon.factor_overrides[0].factor_id",
            id,
        )
        .await;
    }
    let status = h.reject_status(with_override("gwp.ar6.ch4", "30")).await;
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("fixed"),
        "description should say why: {description}"
    );
}

#[tokio::test]
async fn duplicate_override_id_is_refused_on_the_repeat() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![
        factor_override("b0.layers.low", "0.25", "feed analysis"),
        factor_override("ef3.solid_storage", "0.01", "same as the set"),
        factor_override("b0.layers.low", "0.26", "second analysis"),
    ];
    h.expect_only(r, "carbon.factor_overrides[2].factor_id", "repeat of [0]")
        .await;

    // Each further repeat is blamed on its own index; the first occurrence never is.
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = (0..3)
        .map(|_| factor_override("ef5", "0.011", "repeat"))
        .collect();
    let fields = h.reject(r).await;
    assert_eq!(
        fields,
        [
            "carbon.factor_overrides[1].factor_id",
            "carbon.factor_overrides[2].factor_id"
        ]
    );
}

#[tokio::test]
async fn override_with_a_malformed_value_is_refused() {
    let mut h = harness().await;
    for value in [
        "1e-3",
        "NaN",
        "",
        "0.25 ",
        "+0.25",
        "0.12345678901",
        "1000000.1",
    ] {
        h.expect_only(
            with_override("b0.layers.low", value),
            "carbon.factor_overrides[0].value",
            &format!("{value:?}"),
        )
        .await;
    }
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![pb::FactorOverride {
        factor_id: "b0.layers.low".to_owned(),
        value: None,
        reason: "feed analysis".to_owned(),
    }];
    h.expect_only(r, "carbon.factor_overrides[0].value", "absent value")
        .await;
}

#[tokio::test]
async fn override_without_a_usable_reason_is_refused() {
    let mut h = harness().await;
    for reason in [String::new(), "x".repeat(513), "line\nbreak".to_owned()] {
        let mut r = seed_request();
        carbon(&mut r).factor_overrides = vec![factor_override("b0.layers.low", "0.25", &reason)];
        h.expect_only(
            r,
            "carbon.factor_overrides[0].reason",
            &format!("reason of {} chars", reason.chars().count()),
        )
        .await;
    }
}

#[tokio::test]
async fn override_with_every_part_wrong_reports_each_part() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![factor_override("b0.layers.medium", "abc", "")];
    let fields = h.reject(r).await;
    assert_eq!(
        fields,
        [
            "carbon.factor_overrides[0].factor_id",
            "carbon.factor_overrides[0].value",
            "carbon.factor_overrides[0].reason"
        ]
    );
}

#[tokio::test]
async fn more_than_64_overrides_are_refused_on_the_list() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = (0..65)
        .map(|i| factor_override(&mcf_id(i), "0.01", "site study"))
        .collect();
    h.expect_only(r, "carbon.factor_overrides", "65 distinct overrides")
        .await;
}

// ---------------------------------------------------------------------------------------------
// 17. Carbon: enums and the manure module
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_carbon_enum_numbers_are_refused() {
    let mut h = harness().await;
    type Setter = fn(&mut pb::AssessRequest, i32);
    let fields: [(&str, Setter); 7] = [
        ("carbon.manure_management.species", |r, v| {
            manure(r).species = v
        }),
        ("carbon.manure_management.productivity", |r, v| {
            manure(r).productivity = v
        }),
        ("carbon.manure_management.climate_zone", |r, v| {
            manure(r).climate_zone = v
        }),
        ("carbon.manure_management.baseline_system", |r, v| {
            manure(r).baseline_system = v
        }),
        ("carbon.manure_management.project_system", |r, v| {
            manure(r).project_system = v
        }),
        ("carbon.gwp_set", |r, v| carbon(r).gwp_set = v),
        ("carbon.project_energy[0].electricity.region", |r, v| {
            carbon(r).project_energy = vec![pb::EnergyUse {
                name: "fans".to_owned(),
                r#use: electricity("1000", v, 0),
            }];
        }),
    ];
    for (field, set) in fields {
        for value in [99, -1, i32::MAX, i32::MIN] {
            let mut r = seed_request();
            set(&mut r, value);
            h.expect_only(r, field, &format!("{field} = {value}")).await;
        }
    }
    // One past the last defined value of each.
    for (field, set, first_unknown) in [
        (fields[0].0, fields[0].1, 5),
        (fields[1].0, fields[1].1, 3),
        (fields[2].0, fields[2].1, 11),
        (fields[3].0, fields[3].1, 9),
        (fields[5].0, fields[5].1, 4),
        (fields[6].0, fields[6].1, 4),
    ] {
        let mut r = seed_request();
        set(&mut r, first_unknown);
        h.expect_only(r, field, &format!("{field} = {first_unknown}"))
            .await;
    }
}

#[tokio::test]
async fn unspecified_required_carbon_enums_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    manure(&mut r).species = pb::Species::Unspecified as i32;
    h.expect_only(r, "carbon.manure_management.species", "species 0")
        .await;

    let mut r = seed_request();
    manure(&mut r).productivity = pb::Productivity::Unspecified as i32;
    h.expect_only(r, "carbon.manure_management.productivity", "productivity 0")
        .await;

    let mut r = seed_request();
    manure(&mut r).climate_zone = pb::ClimateZone::Unspecified as i32;
    h.expect_only(r, "carbon.manure_management.climate_zone", "zone 0")
        .await;

    let mut r = seed_request();
    manure(&mut r).baseline_system = pb::ManureSystem::Unspecified as i32;
    h.expect_only(r, "carbon.manure_management.baseline_system", "baseline 0")
        .await;

    let mut r = seed_request();
    manure(&mut r).project_system = pb::ManureSystem::Unspecified as i32;
    h.expect_only(r, "carbon.manure_management.project_system", "project 0")
        .await;

    h.expect_only(
        with_energy(
            "fans",
            electricity("1000", pb::GridRegion::Unspecified as i32, 0),
        ),
        "carbon.project_energy[0].electricity.region",
        "region 0",
    )
    .await;

    // Every required manure enum left UNSPECIFIED at once: each is named.
    let mut r = seed_request();
    carbon(&mut r).manure_management = Some(pb::ManureManagementInput {
        productivity_reason: "Tier 1 default".to_owned(),
        ..Default::default()
    });
    let fields = h.reject(r).await;
    assert_eq!(
        fields,
        [
            "carbon.manure_management.species",
            "carbon.manure_management.productivity",
            "carbon.manure_management.climate_zone",
            "carbon.manure_management.baseline_system",
            "carbon.manure_management.project_system",
        ]
    );
}

#[tokio::test]
async fn empty_or_bad_productivity_reason_is_refused() {
    let mut h = harness().await;
    for reason in [String::new(), "r".repeat(513), "tab\there".to_owned()] {
        let mut r = seed_request();
        manure(&mut r).productivity_reason = reason.clone();
        h.expect_only(
            r,
            "carbon.manure_management.productivity_reason",
            &format!("{} chars", reason.chars().count()),
        )
        .await;
    }
}

#[tokio::test]
async fn poultry_only_system_for_other_species_is_refused() {
    let mut h = harness().await;
    let poultry = pb::ManureSystem::PoultryManureWithoutLitter as i32;

    let mut r = seed_request();
    swine(&mut r);
    manure(&mut r).baseline_system = poultry;
    h.expect_only(
        r,
        "carbon.manure_management.baseline_system",
        "swine, poultry baseline",
    )
    .await;

    let mut r = seed_request();
    swine(&mut r);
    manure(&mut r).project_system = poultry;
    h.expect_only(
        r,
        "carbon.manure_management.project_system",
        "swine, poultry project",
    )
    .await;

    let mut r = seed_request();
    let m = manure(&mut r);
    m.species = pb::Species::DairyCattle as i32;
    m.baseline_system = poultry;
    m.project_system = poultry;
    let fields = h.reject(r).await;
    assert_eq!(
        fields,
        [
            "carbon.manure_management.baseline_system",
            "carbon.manure_management.project_system"
        ]
    );

    // Control: the system is fine for layers and broilers (whose VS and N the set lacks).
    for species in [pb::Species::Layers, pb::Species::Broilers] {
        let mut r = seed_request();
        let m = manure(&mut r);
        m.species = species as i32;
        m.baseline_system = poultry;
        m.volatile_solids_fraction_of_dry_matter = dec("0.7");
        m.nitrogen = Some(
            pb::manure_management_input::Nitrogen::NitrogenFractionOfDryMatter(pb::Decimal {
                value: "0.02".to_owned(),
            }),
        );
        h.accept(r, &format!("{species:?}, poultry baseline")).await;
    }
}

#[tokio::test]
async fn species_without_default_vs_and_n_is_refused_on_both_fields() {
    let mut h = harness().await;
    for species in [pb::Species::Swine, pb::Species::DairyCattle] {
        let mut r = seed_request();
        manure(&mut r).species = species as i32;
        if species == pb::Species::DairyCattle {
            // The set has no poultry-only system factors for cattle; use shared systems.
            manure(&mut r).project_system = pb::ManureSystem::CompostingStaticPile as i32;
        }
        let status = h.reject_status(r).await;
        assert_eq!(
            violated_fields(&status),
            [
                "carbon.manure_management.volatile_solids_fraction_of_dry_matter",
                "carbon.manure_management.nitrogen"
            ],
            "{species:?}"
        );
        for (field, description) in descriptions(&status) {
            assert!(
                description.contains("factor_overrides"),
                "{field}: the description should say how to supply it: {description}"
            );
        }
    }

    // Only the missing one is named when the other is measured.
    let mut r = seed_request();
    swine(&mut r);
    manure(&mut r).volatile_solids_fraction_of_dry_matter = dec("0.8");
    h.expect_only(r, "carbon.manure_management.nitrogen", "swine, VS given")
        .await;

    let mut r = seed_request();
    swine(&mut r);
    manure(&mut r).nitrogen = Some(
        pb::manure_management_input::Nitrogen::NitrogenFractionOfFreshManure(pb::Decimal {
            value: "0.008".to_owned(),
        }),
    );
    h.expect_only(
        r,
        "carbon.manure_management.volatile_solids_fraction_of_dry_matter",
        "swine, N given",
    )
    .await;
}

#[tokio::test]
async fn volatile_solids_fraction_outside_zero_to_one_is_refused() {
    let mut h = harness().await;
    for value in ["0", "1.5", "abc", "-0.7", "1.000001", "0.7000001", ""] {
        let mut r = seed_request();
        manure(&mut r).volatile_solids_fraction_of_dry_matter = dec(value);
        h.expect_only(
            r,
            "carbon.manure_management.volatile_solids_fraction_of_dry_matter",
            &format!("{value:?}"),
        )
        .await;
    }
}

#[tokio::test]
async fn nitrogen_fraction_outside_its_range_is_refused() {
    let mut h = harness().await;
    use pb::manure_management_input::Nitrogen;
    for value in ["0.3", "0.200001", "0", "-0.01", "0.0163001", "1e-2"] {
        let mut r = seed_request();
        manure(&mut r).nitrogen = Some(Nitrogen::NitrogenFractionOfDryMatter(pb::Decimal {
            value: value.to_owned(),
        }));
        h.expect_only(
            r,
            "carbon.manure_management.nitrogen_fraction_of_dry_matter",
            value,
        )
        .await;
        let mut r = seed_request();
        manure(&mut r).nitrogen = Some(Nitrogen::NitrogenFractionOfFreshManure(pb::Decimal {
            value: value.to_owned(),
        }));
        h.expect_only(
            r,
            "carbon.manure_management.nitrogen_fraction_of_fresh_manure",
            value,
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// 18. Carbon: factor set, modules
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_factor_set_is_refused() {
    let mut h = harness().await;
    for name in [
        "ipcc2019-cn/2025.9",
        "ipcc2019-cn",
        "ipcc2019-cn/",
        "/2026.1",
        " ipcc2019-cn/2026.1",
        "IPCC2019-CN/2026.1",
        "ipcc2019-cn/2026.1/",
    ] {
        let mut r = seed_request();
        carbon(&mut r).factor_set = name.to_owned();
        let status = h.reject_status(r).await;
        assert_eq!(violated_fields(&status), ["carbon.factor_set"], "{name:?}");
        let (_, description) = &descriptions(&status)[0];
        assert!(
            description.contains("ipcc2019-cn/2026.1"),
            "the description should list the known sets: {description}"
        );
    }
}

#[tokio::test]
async fn carbon_with_no_module_on_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.carbon = Some(pb::CarbonInput::default());
    h.expect_only(r, "carbon", "empty carbon").await;

    // Overrides and a GWP set alone turn on nothing.
    let mut r = seed_request();
    let c = carbon(&mut r);
    c.manure_management = None;
    c.gwp_set = pb::GwpSet::Ar5 as i32;
    c.factor_overrides = vec![factor_override("b0.layers.low", "0.25", "feed analysis")];
    h.expect_only(r, "carbon", "overrides only").await;
}

#[tokio::test]
async fn bad_fertilizer_fractions_are_refused() {
    let mut h = harness().await;
    h.expect_only(
        with_fertilizer(|f| f.product_nitrogen_fraction = dec("1.5")),
        "carbon.fertilizer_substitution.product_nitrogen_fraction",
        "N 1.5",
    )
    .await;
    h.expect_only(
        with_fertilizer(|f| f.product_p2o5_fraction = dec("-0.01")),
        "carbon.fertilizer_substitution.product_p2o5_fraction",
        "P2O5 -0.01",
    )
    .await;
    h.expect_only(
        with_fertilizer(|f| f.product_k2o_fraction = dec("0.0100001")),
        "carbon.fertilizer_substitution.product_k2o_fraction",
        "K2O 7 dp",
    )
    .await;
    h.expect_only(
        with_fertilizer(|f| f.product_k2o_fraction = None),
        "carbon.fertilizer_substitution.product_k2o_fraction",
        "K2O absent",
    )
    .await;
    // Each within 0..1, together more than the whole product.
    let status = h
        .reject_status(with_fertilizer(|f| {
            f.product_nitrogen_fraction = dec("0.5");
            f.product_p2o5_fraction = dec("0.4");
            f.product_k2o_fraction = dec("0.100001");
        }))
        .await;
    assert_eq!(
        violated_fields(&status),
        ["carbon.fertilizer_substitution.product_nitrogen_fraction"]
    );
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("1.000001"),
        "the description should give the sum: {description}"
    );
}

#[tokio::test]
async fn bad_substitution_ratio_or_basis_is_refused() {
    let mut h = harness().await;
    for (case, ratio) in [
        ("absent", None),
        ("1.5", dec("1.5")),
        ("-0.1", dec("-0.1")),
        ("5 dp", dec("0.12345")),
        ("NaN", dec("NaN")),
    ] {
        h.expect_only(
            with_fertilizer(|f| f.substitution_ratio = ratio),
            "carbon.fertilizer_substitution.substitution_ratio",
            case,
        )
        .await;
    }
    for basis in [String::new(), "b".repeat(513), "a\u{0}b".to_owned()] {
        h.expect_only(
            with_fertilizer(|f| f.substitution_ratio_basis = basis.clone()),
            "carbon.fertilizer_substitution.substitution_ratio_basis",
            &format!("basis of {} chars", basis.chars().count()),
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// 19. Carbon: project energy
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn energy_line_without_use_or_name_is_refused() {
    let mut h = harness().await;
    h.expect_only(
        with_energy("fans", None),
        "carbon.project_energy[0].use",
        "no use",
    )
    .await;
    h.expect_only(
        with_energy("", diesel_tonnes("2")),
        "carbon.project_energy[0].name",
        "empty name",
    )
    .await;
    h.expect_only(
        with_energy(&"n".repeat(129), diesel_tonnes("2")),
        "carbon.project_energy[0].name",
        "129-char name",
    )
    .await;
    let fields = h.reject(with_energy("", None)).await;
    assert_eq!(
        fields,
        [
            "carbon.project_energy[0].name",
            "carbon.project_energy[0].use"
        ]
    );
}

#[tokio::test]
async fn bad_electricity_lines_are_refused() {
    let mut h = harness().await;
    let sichuan = pb::GridRegion::CnSichuan as i32;
    for kwh in ["0", "-1", "10000000000.000001", "1.0000001", "1e6", ""] {
        h.expect_only(
            with_energy("fans", electricity(kwh, sichuan, 0)),
            "carbon.project_energy[0].electricity.kwh_per_year",
            &format!("kWh {kwh:?}"),
        )
        .await;
    }
    for year in [1800, 1989, 2101, u32::MAX] {
        h.expect_only(
            with_energy("fans", electricity("1000", sichuan, year)),
            "carbon.project_energy[0].electricity.factor_year",
            &format!("year {year}"),
        )
        .await;
    }
}

#[tokio::test]
async fn electricity_year_the_set_lacks_is_refused_as_a_missing_factor() {
    let mut h = harness().await;
    // A well-formed year for which the built-in set has no Sichuan (or Southwest) factor.
    for (region, year) in [
        (pb::GridRegion::CnSichuan, 2019),
        (pb::GridRegion::CnSouthwest, 2021),
        (pb::GridRegion::CnNational, 2100),
    ] {
        let status = h
            .reject_status(with_energy(
                "fans",
                electricity("1000", region as i32, year),
            ))
            .await;
        let fields = violated_fields(&status);
        assert_eq!(fields.len(), 1, "{region:?} {year}: {fields:?}");
        assert_eq!(
            fields[0], "carbon.project_energy[0].electricity.factor_year",
            "{region:?} {year}"
        );
        let (_, description) = &descriptions(&status)[0];
        let id = format!(
            "grid.{}.{year}",
            match region {
                pb::GridRegion::CnSichuan => "sichuan",
                pb::GridRegion::CnSouthwest => "southwest",
                _ => "national",
            }
        );
        assert!(
            description.contains(&id),
            "the description should name {id}: {description}"
        );
    }
}

#[tokio::test]
async fn bad_diesel_lines_are_refused() {
    let mut h = harness().await;
    for tonnes in ["-1", "0", "1000000.000001", "0.0000001"] {
        h.expect_only(
            with_energy("loader", diesel_tonnes(tonnes)),
            "carbon.project_energy[0].diesel_t_per_year",
            tonnes,
        )
        .await;
    }
    for (case, density) in [
        ("density 0.5", Some("0.5")),
        ("density 1.01", Some("1.01")),
        ("density 0.6999999", Some("0.6999999")),
        ("no density", None),
    ] {
        h.expect_only(
            with_energy("loader", diesel_litres("1000", density)),
            "carbon.project_energy[0].diesel_litres.density_kg_per_l",
            case,
        )
        .await;
    }
    for litres in ["0", "1000000000.5", "-3"] {
        h.expect_only(
            with_energy("loader", diesel_litres(litres, Some("0.84"))),
            "carbon.project_energy[0].diesel_litres.litres_per_year",
            litres,
        )
        .await;
    }
}

#[tokio::test]
async fn bad_energy_line_is_blamed_at_its_own_index() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).project_energy = vec![
        pb::EnergyUse {
            name: "fans".to_owned(),
            r#use: electricity("1000", pb::GridRegion::CnNational as i32, 0),
        },
        pb::EnergyUse {
            name: "loader".to_owned(),
            r#use: diesel_litres("1000", Some("0.5")),
        },
    ];
    h.expect_only(
        r,
        "carbon.project_energy[1].diesel_litres.density_kg_per_l",
        "second line",
    )
    .await;
}

#[tokio::test]
async fn more_than_64_energy_lines_are_refused_on_the_list() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).project_energy = (0..65)
        .map(|i| pb::EnergyUse {
            name: format!("line {i}"),
            r#use: diesel_tonnes("1"),
        })
        .collect();
    h.expect_only(r, "carbon.project_energy", "65 lines").await;
}

// ---------------------------------------------------------------------------------------------
// 20. Mass balance: amendments and composting loss
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bad_amendments_are_refused() {
    let mut h = harness().await;
    let cases = [
        (amendment("", "5", "0.85"), "operations.amendments[0].name"),
        (
            amendment(&"s".repeat(129), "5", "0.85"),
            "operations.amendments[0].name",
        ),
        (
            amendment("straw\n", "5", "0.85"),
            "operations.amendments[0].name",
        ),
        (
            amendment("straw", "0", "0.85"),
            "operations.amendments[0].fresh_t_per_day",
        ),
        (
            amendment("straw", "-5", "0.85"),
            "operations.amendments[0].fresh_t_per_day",
        ),
        (
            amendment("straw", "100000.000001", "0.85"),
            "operations.amendments[0].fresh_t_per_day",
        ),
        (
            amendment("straw", "5", "1.2"),
            "operations.amendments[0].dry_matter_fraction",
        ),
        (
            amendment("straw", "5", "0"),
            "operations.amendments[0].dry_matter_fraction",
        ),
        (
            amendment("straw", "5", "0.8500001"),
            "operations.amendments[0].dry_matter_fraction",
        ),
        (
            pb::Amendment {
                name: "straw".to_owned(),
                fresh_t_per_day: None,
                dry_matter_fraction: dec("0.85"),
            },
            "operations.amendments[0].fresh_t_per_day",
        ),
        (
            pb::Amendment {
                name: "straw".to_owned(),
                fresh_t_per_day: dec("5"),
                dry_matter_fraction: None,
            },
            "operations.amendments[0].dry_matter_fraction",
        ),
    ];
    for (item, field) in cases {
        let case = format!("{item:?}");
        let mut r = seed_request();
        ops(&mut r).amendments = vec![item];
        h.expect_only(r, field, &case).await;
    }

    // The index is the bad item's; all of one item's faults are reported.
    let mut r = seed_request();
    ops(&mut r).amendments = vec![amendment("straw", "5", "0.85"), amendment("", "0", "1.2")];
    let fields = h.reject(r).await;
    assert_eq!(
        fields,
        [
            "operations.amendments[1].name",
            "operations.amendments[1].fresh_t_per_day",
            "operations.amendments[1].dry_matter_fraction"
        ]
    );
}

#[tokio::test]
async fn more_than_64_amendments_are_refused_on_the_list() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).amendments = (0..65)
        .map(|i| amendment(&format!("straw {i}"), "0.1", "0.85"))
        .collect();
    h.expect_only(r, "operations.amendments", "65 amendments")
        .await;
}

#[tokio::test]
async fn amendments_are_checked_without_a_carbon_block() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.carbon = None;
    ops(&mut r).amendments = vec![amendment("straw", "5", "1.2")];
    h.expect_only(
        r,
        "operations.amendments[0].dry_matter_fraction",
        "no carbon, bad amendment",
    )
    .await;
}

#[tokio::test]
async fn composting_loss_outside_its_range_is_refused() {
    let mut h = harness().await;
    for value in ["1", "-0.1", "0.12345", "0.99999", "-0", "abc", ""] {
        let mut r = seed_request();
        ops(&mut r).composting_dry_matter_loss_fraction = dec(value);
        // "-0" is zero, a valid loss: skip it as a refusal case, accept it below.
        if value == "-0" {
            h.accept(r, "loss -0").await;
            continue;
        }
        h.expect_only(
            r,
            "operations.composting_dry_matter_loss_fraction",
            &format!("{value:?}"),
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// 21. Presentation of emissions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn emissions_dp_above_6_is_refused() {
    let mut h = harness().await;
    for dp in [7, 28, u32::MAX] {
        h.expect_only(
            with_emissions_dp(dp),
            "presentation.emissions_dp",
            &dp.to_string(),
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// 22. Carbon: several violations at once
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn carbon_violations_are_all_reported_in_one_status() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).amendments = vec![amendment("", "5", "0.85")];
    ops(&mut r).composting_dry_matter_loss_fraction = dec("1");
    r.presentation = Some(pb::PresentationRules {
        money_dp: None,
        ratio_dp: None,
        rounding_rule: 0,
        emissions_dp: Some(7),
    });
    let c = carbon(&mut r);
    c.factor_set = "ipcc2019-cn/1999.1".to_owned();
    c.gwp_set = 99;
    c.fertilizer_substitution = Some(pb::FertilizerSubstitutionInput {
        substitution_ratio: dec("1.5"),
        ..fertilizer()
    });
    c.project_energy = vec![pb::EnergyUse {
        name: "fans".to_owned(),
        r#use: None,
    }];
    c.factor_overrides = vec![
        factor_override("ef6", "0.1", "typo"),
        factor_override("ef3.solid_storage", "-0.01", "sign error"),
    ];
    let m = manure(&mut r);
    m.species = pb::Species::Swine as i32;
    m.baseline_system = pb::ManureSystem::PoultryManureWithoutLitter as i32;
    m.productivity_reason.clear();
    m.volatile_solids_fraction_of_dry_matter = dec("1.5");
    let status = h.reject_status(r).await;
    let expected = [
        "presentation.emissions_dp",
        "operations.amendments[0].name",
        "operations.composting_dry_matter_loss_fraction",
        "carbon.factor_set",
        "carbon.gwp_set",
        "carbon.manure_management.productivity_reason",
        "carbon.manure_management.volatile_solids_fraction_of_dry_matter",
        "carbon.manure_management.baseline_system",
        "carbon.fertilizer_substitution.substitution_ratio",
        "carbon.project_energy[0].use",
        "carbon.factor_overrides[0].factor_id",
        "carbon.factor_overrides[1].value",
    ];
    assert_eq!(
        sorted(violated_fields(&status)),
        sorted(expected.map(String::from).to_vec())
    );
    assert!(
        status.message().contains(&expected.len().to_string()),
        "the message should count the violations: {}",
        status.message()
    );
}

#[tokio::test]
async fn carbon_and_economics_violations_are_reported_together() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).term_months = 0;
    ops(&mut r).manure_dry_matter_fraction = dec("1.2");
    manure(&mut r).climate_zone = 0;
    carbon(&mut r).factor_overrides = vec![factor_override("gwp.ar6.ch4", "30", "newer IPCC")];
    let fields = h.reject(r).await;
    assert_eq!(
        sorted(fields),
        sorted(
            [
                "loan.term_months",
                "operations.manure_dry_matter_fraction",
                "carbon.manure_management.climate_zone",
                "carbon.factor_overrides[0].factor_id",
            ]
            .map(String::from)
            .to_vec()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// 23. Valid extremes the carbon block must answer without failing
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn tiny_positive_reduction_is_answered_without_panicking() {
    let mut h = harness().await;
    // Only fertilizer substitution, every factor of it at its smallest valid value: the total
    // reduction is about 3.7e-26 t CO2e a year, positive, and the levelised cost over it
    // (about -8.6e5 CNY a year) does not fit a Decimal.
    let mut r = with_fertilizer(|f| {
        f.product_nitrogen_fraction = dec("0.000001");
        f.product_p2o5_fraction = dec("0");
        f.product_k2o_fraction = dec("0");
        f.substitution_ratio = dec("0.0001");
    });
    ops(&mut r).product_output = Some(pb::operating_data::ProductOutput::ProductTPerYear(
        pb::Decimal {
            value: "0.000001".to_owned(),
        },
    ));
    let c = carbon(&mut r);
    c.manure_management = None;
    c.factor_overrides = vec![factor_override(
        "fertilizer_production_tce.n",
        "0.0000000001",
        "smallest positive override",
    )];
    let response = h.accept(r, "tiny positive reduction").await;
    assert!(response.carbon.is_some());
}
