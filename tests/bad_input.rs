//! End-to-end bad-input catalogue: each case starts from the valid seed request, breaks one
//! thing (or, in the multi-violation cases, several), sends it to the real server over gRPC,
//! and checks that the server answers INVALID_ARGUMENT naming exactly the field path(s) at
//! fault in the google.rpc.BadRequest details.

mod common;

use common::{TestServer, cny, dec, money, seed_request, violated_fields};
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
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

fn loan(request: &mut pb::AssessRequest) -> &mut pb::LoanTerms {
    request.loan.as_mut().expect("seed request has loan")
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
