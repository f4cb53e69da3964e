//! Bad input refused with its field paths: reports, KPIs on Assess, and an assessment id that
//! names no stored assessment.

use green_impact::pb;
use tonic::Code;

use crate::common::{TestServer, cny, dec, money, violated_fields};
use crate::support::{
    assess, bad_fields, descriptions, dry, q3_report, record_id, refused_fields, seed_with_kpis,
    stored_plan, stored_report_count, submit, submit_refused,
};

#[tokio::test]
async fn bad_reports_are_refused_with_their_field_paths() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);
    let base = || q3_report(&plan_id);
    let with_actual = |change: &dyn Fn(&mut pb::ActualOperations)| {
        let mut request = q3_report(&plan_id);
        change(request.actual.as_mut().unwrap());
        request
    };

    let mut request = base();
    request.period_end = "2025-06-30".to_owned();
    assert_eq!(refused_fields(&mut client, request).await, ["period_end"]);

    // 2024-01-01..2025-01-01 is 367 days (2024 is a leap year).
    let mut request = base();
    request.period_start = "2024-01-01".to_owned();
    request.period_end = "2025-01-01".to_owned();
    let status = submit_refused(&mut client, request).await;
    assert_eq!(bad_fields(&status), ["period_end"]);
    assert!(
        descriptions(&status)[0].contains("at most 366 days")
            && descriptions(&status)[0].contains("got 367"),
        "{:?}",
        descriptions(&status)
    );

    let mut request = base();
    request.period_start = "2025-7-01".to_owned();
    request.period_end = "2025-02-30".to_owned();
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["period_end", "period_start"]
    );
    let mut request = base();
    request.period_start = String::new();
    assert_eq!(refused_fields(&mut client, request).await, ["period_start"]);

    for days in [0, 93] {
        let request = with_actual(&|a| a.operating_days = days);
        assert_eq!(
            refused_fields(&mut client, request).await,
            ["actual.operating_days"],
            "operating days {days}"
        );
    }
    // 92 (every day of the period) is allowed.
    submit(&mut client, dry(with_actual(&|a| a.operating_days = 92))).await;

    for manure in ["-1", "0", "abc", "1.0000001", ""] {
        let request = with_actual(&|a| a.manure_fresh_t = dec(manure));
        assert_eq!(
            refused_fields(&mut client, request).await,
            ["actual.manure_fresh_t"],
            "manure {manure:?}"
        );
    }
    let request = with_actual(&|a| a.manure_fresh_t = None);
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["actual.manure_fresh_t"]
    );

    let request = with_actual(&|a| a.realised_value_per_t_product = money("USD", "250"));
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["actual.realised_value_per_t_product.currency_code"]
    );

    let mut request = base();
    request.actual = None;
    assert_eq!(refused_fields(&mut client, request).await, ["actual"]);

    let request = with_actual(&|a| {
        a.energy = vec![pb::EnergyUse {
            name: "aeration fans".to_owned(),
            r#use: Some(pb::energy_use::Use::Electricity(pb::ElectricityUse {
                kwh_per_year: dec("12000"),
                region: 999,
                factor_year: 0,
            })),
        }]
    });
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["actual.energy[0].electricity.region"]
    );

    let mut request = base();
    request.jump_tolerance_fraction = dec("10.5");
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["jump_tolerance_fraction"]
    );

    // Every violation at once.
    let mut request = with_actual(&|a| {
        a.operating_days = 0;
        a.manure_fresh_t = dec("-5");
        a.product_sold_t = None;
        a.operating_costs = cny("-1");
    });
    request.period_end = "2025-06-30".to_owned();
    assert_eq!(
        refused_fields(&mut client, request).await,
        [
            "actual.manure_fresh_t",
            "actual.operating_costs.amount",
            "actual.operating_days",
            "actual.product_sold_t",
            "period_end",
        ]
    );

    // Nothing refused was stored.
    assert_eq!(stored_report_count(&mut client).await, 0);
}

#[tokio::test]
async fn the_assessment_id_must_name_a_stored_assessment() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);

    let unknown = format!("rec_{}", "0".repeat(32));
    let status = submit_refused(&mut client, q3_report(&unknown)).await;
    assert_eq!(status.code(), Code::NotFound, "{unknown:?}: {status:?}");
    let status = submit_refused(&mut client, q3_report("")).await;
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert_eq!(violated_fields(&status), ["assessment_record_id"]);

    let report_id = record_id(&submit(&mut client, q3_report(&plan_id)).await.record);
    assert_eq!(
        refused_fields(&mut client, q3_report(&report_id)).await,
        ["assessment_record_id"]
    );
}

#[tokio::test]
async fn bad_kpis_are_refused_on_assess_with_their_field_paths() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let refused = |status: Result<tonic::Response<pb::AssessResponse>, tonic::Status>| match status
    {
        Ok(response) => panic!("expected an error, got {:?}", response.into_inner()),
        Err(status) => bad_fields(&status),
    };

    let mut request = seed_with_kpis();
    request.kpis[0].metric = pb::KpiMetric::Unspecified as i32;
    assert_eq!(refused(client.assess(request).await), ["kpis[0].metric"]);

    let mut request = seed_with_kpis();
    request.kpis[0].annual_target = dec("0");
    assert_eq!(
        refused(client.assess(request).await),
        ["kpis[0].annual_target"]
    );

    let mut request = seed_with_kpis();
    request.kpis[1].rate_step_bps_if_met = 2000;
    request.kpis[1].rate_step_bps_if_missed = -1001;
    assert_eq!(
        refused(client.assess(request).await),
        [
            "kpis[1].rate_step_bps_if_met",
            "kpis[1].rate_step_bps_if_missed"
        ]
    );

    // The emission KPI (kpis[1]) cannot be measured without the carbon block.
    let mut request = seed_with_kpis();
    request.carbon = None;
    assert_eq!(refused(client.assess(request).await), ["kpis[1].metric"]);

    let mut request = seed_with_kpis();
    request.kpis[0].metric = 42;
    request.kpis[0].name = String::new();
    request.kpis[1].annual_target = None;
    assert_eq!(
        refused(client.assess(request).await),
        ["kpis[0].metric", "kpis[0].name", "kpis[1].annual_target"]
    );

    // The limits themselves are allowed: +-1,000 bps, a target of 0.000001.
    let mut request = seed_with_kpis();
    request.dry_run = true;
    request.kpis[0].rate_step_bps_if_met = -1000;
    request.kpis[0].rate_step_bps_if_missed = 1000;
    request.kpis[1].annual_target = dec("0.000001");
    let response = assess(&mut client, request).await;
    assert!(response.record.is_none());
}
