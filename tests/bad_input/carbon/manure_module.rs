//! The manure module: unknown and unspecified carbon enums, the productivity reason, systems
//! for the wrong species, species without defaults, and the VS and N fractions.

use green_impact::pb;

use crate::carbon::{carbon, electricity, manure, swine, with_energy};
use crate::common::{dec, seed_request, violated_fields};
use crate::support::{descriptions, harness};

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
