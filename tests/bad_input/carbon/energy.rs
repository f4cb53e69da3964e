//! Project energy lines: without a use or a name, bad electricity and diesel lines, a grid year
//! the set lacks, the blame at the line's own index, and too many lines.

use green_impact::pb;

use crate::carbon::{carbon, diesel_litres, diesel_tonnes, electricity, with_energy};
use crate::common::{seed_request, violated_fields};
use crate::support::{descriptions, harness};

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
