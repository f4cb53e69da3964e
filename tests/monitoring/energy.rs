//! Energy in a report: period totals, in place of the plan's lines; missing energy is flagged.

use green_impact::pb;

use crate::common::{TestServer, dec, seed_request, value};
use crate::support::{
    assess, dry, flag_codes, flags, kpi_row, measured, operations, record_id, refused_fields,
    report, row, seed_with_kpis, submit,
};

fn sichuan_electricity(kwh: &str, factor_year: u32) -> pb::EnergyUse {
    pb::EnergyUse {
        name: "aeration fans".to_owned(),
        r#use: Some(pb::energy_use::Use::Electricity(pb::ElectricityUse {
            kwh_per_year: dec(kwh),
            region: pb::GridRegion::CnSichuan as i32,
            factor_year,
        })),
    }
}

/// The plan with 120,000 kWh a year of Sichuan grid electricity (2022 factor 0.1404 t CO2 per
/// MWh): 120 x 0.1404 = 16.848 t a year off the reduction, 973.823253975 - 16.848 =
/// 956.975253975, x 92 / 365 = 241.210201002 -> "241.210" for Q3.
///
/// Q3 reporting 30,000 kWh (a period total, not a year's): 30 x 0.1404 = 4.212 t, achieved
/// 237.156348 - 4.212 = 232.944348 -> "232.944"; variance 232.944 - 241.210 = -8.266,
/// -3.4268 %. Q3 reporting no energy: the plan's line is not assumed, the reduction is the
/// manure's 237.156 and ENERGY_NOT_REPORTED says so.
#[tokio::test]
async fn reported_energy_is_a_period_total_and_missing_energy_is_flagged() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let mut plan_request = seed_with_kpis();
    plan_request.carbon.as_mut().unwrap().project_energy =
        vec![sichuan_electricity("120000", 2022)];
    let plan_id = record_id(&assess(&mut client, plan_request).await.record);

    let mut with_energy = measured(operations(90, "8000", "2600", "2500", "250"));
    with_energy.energy = vec![sichuan_electricity("30000", 2022)];
    let result = submit(
        &mut client,
        dry(report(&plan_id, "2025-07-01", "2025-09-30", with_energy)),
    )
    .await
    .result
    .unwrap();
    assert_eq!(
        row(&result.figures[2]),
        [
            "emission reduction",
            "t CO2e",
            "241.210",
            "232.944",
            "-8.266",
            "-3.4268"
        ]
    );
    assert_eq!(kpi_row(&result.kpis[1]).2, "232.944");
    assert!(result.kpis[1].met);
    assert_eq!(flag_codes(&result), Vec::<&str>::new());

    let result = submit(
        &mut client,
        dry(report(
            &plan_id,
            "2025-07-01",
            "2025-09-30",
            measured(operations(90, "8000", "2600", "2500", "250")),
        )),
    )
    .await
    .result
    .unwrap();
    assert_eq!(row(&result.figures[2])[2..4], ["241.210", "237.156"]);
    assert_eq!(flags(&result), [("ENERGY_NOT_REPORTED", "actual.energy")]);

    // A grid year the plan's factor set lacks, and energy against a plan without carbon.
    let mut bad_year = measured(operations(90, "8000", "2600", "2500", "250"));
    bad_year.energy = vec![
        sichuan_electricity("30000", 2022),
        sichuan_electricity("1", 1999),
    ];
    assert_eq!(
        refused_fields(
            &mut client,
            report(&plan_id, "2025-07-01", "2025-09-30", bad_year)
        )
        .await,
        ["actual.energy[1].electricity.factor_year"]
    );
    let mut no_carbon = seed_request();
    no_carbon.carbon = None;
    let no_carbon_id = record_id(&assess(&mut client, no_carbon).await.record);
    let mut energy = measured(operations(90, "8000", "2600", "2500", "250"));
    energy.energy = vec![sichuan_electricity("30000", 2022)];
    assert_eq!(
        refused_fields(
            &mut client,
            report(&no_carbon_id, "2025-07-01", "2025-09-30", energy)
        )
        .await,
        ["actual.energy"]
    );
    // Without a carbon block there is no reduction row and no achieved reduction.
    let result = submit(
        &mut client,
        dry(report(
            &no_carbon_id,
            "2025-07-01",
            "2025-09-30",
            measured(operations(90, "8000", "2600", "2500", "250")),
        )),
    )
    .await
    .result
    .unwrap();
    let names: Vec<&str> = result.figures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["manure treated", "product made", "cash flow"]);
    assert!(result.achieved_emission_reduction_tco2e.is_none());
    assert!(result.achieved_total_tco2e.is_none());
    assert!(result.kpis.is_empty());
    assert_eq!(value(&result.next_period_annual_rate_pct), "3.45");
}
