//! Flags against the report before: continuity, jumps, capacity and mass balance, and a report
//! for a period before the previous one.

use crate::common::{TestServer, cny, dec, value};
use crate::support::{
    assert_verifies, dry, flag, flags, measured, operations, q3_report, record_id, report, row,
    stored_plan, submit,
};

/// Q3 stored; then, as dry runs against it (8,000 t / 90 days = 88.89 t of manure and 2,600 /
/// 90 = 28.89 t of product per operating day): an overlap, a doubling, intake above capacity,
/// product the dry matter cannot make; then October from the 5th stored with a gap, and both
/// reports verifying, each recomputed against its own previous report.
#[tokio::test]
async fn continuity_jumps_capacity_and_mass_balance_are_flagged_and_reports_verify() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);
    let first = submit(&mut client, q3_report(&plan_id)).await;
    let first_id = record_id(&first.record);

    // Overlap: 2025-09-15..2025-10-15 shares 09-15..09-30 (16 days) with Q3. Same tonnes per
    // operating day (2,400 / 27 = 88.89, 780 / 27 = 28.89), so no jump.
    let overlap = dry(report(
        &plan_id,
        "2025-09-15",
        "2025-10-15",
        measured(operations(27, "2400", "780", "780", "250")),
    ));
    let result = submit(&mut client, overlap).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [("OVERLAPS_PREVIOUS_REPORT", "period_start")]
    );
    assert!(
        flag(&result, "OVERLAPS_PREVIOUS_REPORT")
            .message
            .contains("shares 16 day(s)")
    );

    // Doubling: October, 30 operating days, 30 x 2 x 88.89 = 5,333.333333 t (177.78 t a day,
    // a change of 88.89 > 0.5 x 88.89), product per day unchanged (30 x 28.89 = 866.666667).
    // 177.78 t a day is also above the 90 t capacity.
    let doubled = || {
        dry(report(
            &plan_id,
            "2025-10-01",
            "2025-10-31",
            measured(operations(30, "5333.333333", "866.666667", "866", "250")),
        ))
    };
    let result = submit(&mut client, doubled()).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [
            ("ABOVE_CAPACITY", "actual.manure_fresh_t"),
            ("IMPLAUSIBLE_JUMP", "actual.manure_fresh_t"),
        ]
    );
    assert!(
        flag(&result, "IMPLAUSIBLE_JUMP")
            .message
            .contains("from 88.89 t in the previous report to 177.78 t")
    );
    // A tolerance of 2 (the change may be up to twice the previous figure): no jump.
    let mut tolerant = doubled();
    tolerant.jump_tolerance_fraction = dec("2");
    let result = submit(&mut client, tolerant).await.result.unwrap();
    assert_eq!(value(&result.jump_tolerance_fraction), "2");
    assert_eq!(
        flags(&result),
        [("ABOVE_CAPACITY", "actual.manure_fresh_t")]
    );

    // Above capacity without a jump: 2,730 t over 30 days = 91 t a day > 90.
    let above = dry(report(
        &plan_id,
        "2025-10-01",
        "2025-10-31",
        measured(operations(30, "2730", "860", "860", "250")),
    ));
    let result = submit(&mut client, above).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [("ABOVE_CAPACITY", "actual.manure_fresh_t")]
    );
    assert!(
        flag(&result, "ABOVE_CAPACITY")
            .message
            .contains("91 t a day")
    );

    // Mass balance: 2,640 t over 30 days = 88 t a day x 0.25 = 22 t of dry matter, at most
    // 22 / 0.7 = 31.43 t of product a day, against 1,500 / 30 = 50 t made. With the default
    // tolerance the product per day (28.89 -> 50) is also a jump; with 2 it is not.
    let short = |tolerance: Option<&str>| {
        let mut request = dry(report(
            &plan_id,
            "2025-10-01",
            "2025-10-31",
            measured(operations(30, "2640", "1500", "800", "250")),
        ));
        request.jump_tolerance_fraction = tolerance.and_then(dec);
        request
    };
    let result = submit(&mut client, short(None)).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [
            ("MASS_BALANCE_DOES_NOT_CLOSE", "actual.product_made_t"),
            ("IMPLAUSIBLE_JUMP", "actual.product_made_t"),
        ]
    );
    let result = submit(&mut client, short(Some("2"))).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [("MASS_BALANCE_DOES_NOT_CLOSE", "actual.product_made_t")]
    );
    assert!(
        flag(&result, "MASS_BALANCE_DOES_NOT_CLOSE")
            .message
            .contains("at most 31.43 t of product")
    );

    // None of the dry runs was stored: the second stored report sees Q3 as its previous one.
    //
    // 2025-10-05..2025-10-31, 27 days; 10-01..10-04 (4 days) are in no report. 27 operating
    // days, 2,400 t (88.89 a day, as before), 780 t made, 800 sold at 255, 10,000 CNY of costs.
    //   plan: 32,850 x 27 / 365 = 2,430; 10,950 x 27 / 365 = 810;
    //         973.823253975 x 27 / 365 = 72.036240705; 4,161,000 x 27 / 365 = 307,800
    //   achieved reduction = 237.156348 x 2,400 / 8,000 = 71.1469044 -> "71.147";
    //         variance 71.147 - 72.036 = -0.889, % = 2,400 / 2,430 - 1 = -1.2346 %
    //   cash flow = 800 x 255 + 2,400 x 40 - 10,000 = 204,000 + 96,000 - 10,000 = 290,000;
    //         variance -17,800, -17,800 / 307,800 = -5.7830 %
    //   due: 2025-10-21, 111,263.80; DSCR = 290,000 / 111,263.80 = 2.606418 -> 2.6064
    //   KPIs: 30,000 x 27 / 365 = 2,219.178 <= 2,400 met -10; 900 x 27 / 365 = 66.575 <=
    //         71.147 met -5; next rate 3.3
    let mut october = operations(27, "2400", "780", "800", "255");
    october.manure_dry_matter_fraction = dec("0.25");
    october.operating_costs = cny("10000");
    let second = submit(
        &mut client,
        report(&plan_id, "2025-10-05", "2025-10-31", october),
    )
    .await;
    let result = second.result.as_ref().unwrap();
    assert_eq!(result.period_days, 27);
    assert_eq!(
        flags(result),
        [("GAP_SINCE_PREVIOUS_REPORT", "period_start")]
    );
    assert!(
        flag(result, "GAP_SINCE_PREVIOUS_REPORT")
            .message
            .contains("4 day(s)")
    );
    let rows: Vec<[&str; 6]> = result.figures.iter().map(row).collect();
    assert_eq!(
        rows.iter().map(|r| r[2..].to_vec()).collect::<Vec<_>>(),
        [
            ["2430.000", "2400.000", "-30.000", "-1.2346"],
            ["810.000", "780.000", "-30.000", "-3.7037"],
            ["72.036", "71.147", "-0.889", "-1.2346"],
            ["307800.00", "290000.00", "-17800.00", "-5.7830"],
        ]
    );
    assert_eq!(value(&result.realised_cash_flow_cny), "290000.00");
    assert_eq!(value(&result.debt_service_due_cny), "111263.80");
    assert_eq!(value(&result.realised_dscr), "2.6064");
    assert_eq!(value(&result.next_period_annual_rate_pct), "3.3");
    let second_seal = second.record.clone().unwrap();
    assert_eq!(second_seal.subject_record_id, plan_id);
    assert_eq!(
        second_seal.sequence,
        first.record.as_ref().unwrap().sequence + 1
    );

    // Each recomputes against the report before it: Q3 with none (so still only the two
    // plan-value flags), October with Q3 (so the gap again).
    assert_verifies(&mut client, &first_id).await;
    assert_verifies(&mut client, &second_seal.record_id).await;
    assert_verifies(&mut client, &plan_id).await;
}

/// Reports are expected in order: one that ends before the previous one begins is flagged.
#[tokio::test]
async fn a_report_before_the_previous_one_is_flagged() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);
    submit(&mut client, q3_report(&plan_id)).await;
    let june = dry(report(
        &plan_id,
        "2025-06-01",
        "2025-06-30",
        measured(operations(27, "2400", "780", "780", "250")),
    ));
    let result = submit(&mut client, june).await.result.unwrap();
    assert_eq!(flags(&result), [("PRECEDES_PREVIOUS_REPORT", "period_end")]);
    // Nothing due in June 2025.
    assert!(result.realised_dscr.is_none());
}
