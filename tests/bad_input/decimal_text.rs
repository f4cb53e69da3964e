//! Decimal text: what is not a decimal under the wire grammar, absent decimal messages, too many
//! decimal places, too many digits, too long a text.

use green_impact::pb;

use crate::common::{cny, dec, loan, seed_request, violated_fields};
use crate::support::{FixedRate, appraisal, descriptions, harness, ops};

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
