//! The insurer block of an AssessRequest: the site before and after the project, stated
//! minimums with their sources, and HJ 941-2018 levels.

use super::{Checker, Range};
use crate::domain::insurer::{
    DAYS_DP, DISTANCE_DP, ELevel, FacilityCondition, Hj941Grade, Hj941Input, Hj941Medium,
    InsurerInput, MAX_DISTANCE_M, MAX_HJ941_INPUTS, MAX_NUTRIENT_T_PER_YEAR, MAX_Q_RATIO,
    MAX_SOURCE_CHARS, MAX_STORAGE_DAYS, MAX_UNTREATED_STOCK_T, MLevel, QInput, QLevel,
    SiteExposure, StatedMinimum, StorageType,
};
use crate::domain::limits::FINE_DP;
use crate::pb;

const BLOCK: &str = "insurer_exposure";

/// Absent: `Some(None)`; present and valid: `Some(Some(input))`; invalid: `None`, with every
/// violation recorded.
pub(super) fn insurer_exposure(
    check: &mut Checker,
    input: Option<&pb::InsurerExposureInput>,
) -> Option<Option<InsurerInput>> {
    let Some(input) = input else {
        return Some(None);
    };
    let side = |check: &mut Checker, name: &str, site: Option<&pb::SiteExposure>| {
        let path = format!("{BLOCK}.{name}");
        check
            .required(&path, site)
            .and_then(|site| site_exposure(check, &path, site))
    };
    let before = side(check, "before", input.before.as_ref());
    let after = side(check, "after", input.after.as_ref());
    let storage_minimum_days = optional_minimum(
        check,
        "storage_minimum_days",
        input.storage_minimum_days.as_ref(),
        DAYS_DP,
        MAX_STORAGE_DAYS,
    );
    let distance_minimum_m = optional_minimum(
        check,
        "surface_water_minimum_distance_m",
        input.surface_water_minimum_distance_m.as_ref(),
        DISTANCE_DP,
        MAX_DISTANCE_M,
    );
    let field = format!("{BLOCK}.hj941");
    let hj941 = check.list(&field, &input.hj941, (0, MAX_HJ941_INPUTS), hj941_input);
    let mut media_seen = Vec::new();
    for (i, item) in input.hj941.iter().enumerate() {
        if media_seen.contains(&item.medium) && item.medium != 0 {
            check.violation(
                format!("{field}[{i}].medium"),
                "each medium may be graded once: this one appears earlier in the list",
            );
        }
        media_seen.push(item.medium);
    }
    Some(Some(InsurerInput {
        before: before?,
        after: after?,
        storage_minimum_days: storage_minimum_days?,
        surface_water_minimum_distance_m: distance_minimum_m?,
        hj941: hj941?,
    }))
}

fn site_exposure(check: &mut Checker, path: &str, site: &pb::SiteExposure) -> Option<SiteExposure> {
    let decimal = |check: &mut Checker, field: &str, value, dp, high| {
        check.decimal(
            &format!("{path}.{field}"),
            value,
            dp,
            Range::non_negative(high),
        )
    };
    let stock = decimal(
        check,
        "untreated_manure_stock_t",
        site.untreated_manure_stock_t.as_ref(),
        FINE_DP,
        MAX_UNTREATED_STOCK_T,
    );
    let days = decimal(
        check,
        "storage_capacity_days",
        site.storage_capacity_days.as_ref(),
        DAYS_DP,
        MAX_STORAGE_DAYS,
    );
    let storage_type =
        check.enumeration(
            &format!("{path}.storage_type"),
            site.storage_type,
            |t| match t {
                pb::StorageType::Unspecified => None,
                pb::StorageType::OpenPile => Some(StorageType::OpenPile),
                pb::StorageType::CoveredShedImpermeableFloor => {
                    Some(StorageType::CoveredShedImpermeableFloor)
                }
                pb::StorageType::LinedLagoon => Some(StorageType::LinedLagoon),
                pb::StorageType::UnlinedLagoon => Some(StorageType::UnlinedLagoon),
                pb::StorageType::SealedVessel => Some(StorageType::SealedVessel),
            },
        );
    let nitrogen = decimal(
        check,
        "nitrogen_handled_t_per_year",
        site.nitrogen_handled_t_per_year.as_ref(),
        FINE_DP,
        MAX_NUTRIENT_T_PER_YEAR,
    );
    let phosphorus = decimal(
        check,
        "phosphorus_handled_t_per_year",
        site.phosphorus_handled_t_per_year.as_ref(),
        FINE_DP,
        MAX_NUTRIENT_T_PER_YEAR,
    );
    let distance = decimal(
        check,
        "distance_to_surface_water_m",
        site.distance_to_surface_water_m.as_ref(),
        DISTANCE_DP,
        MAX_DISTANCE_M,
    );
    let condition = check.enumeration(
        &format!("{path}.facility_condition"),
        site.facility_condition,
        |c| match c {
            pb::FacilityCondition::Unspecified => None,
            pb::FacilityCondition::Good => Some(FacilityCondition::Good),
            pb::FacilityCondition::Fair => Some(FacilityCondition::Fair),
            pb::FacilityCondition::Poor => Some(FacilityCondition::Poor),
        },
    );
    Some(SiteExposure {
        untreated_manure_stock_t: stock?,
        storage_capacity_days: days?,
        storage_type: storage_type?,
        nitrogen_handled_t_per_year: nitrogen?,
        phosphorus_handled_t_per_year: phosphorus?,
        distance_to_surface_water_m: distance?,
        facility_condition: condition?,
    })
}

/// Absent is fine (`Some(None)`); present must be a valid value with a source.
fn optional_minimum(
    check: &mut Checker,
    name: &str,
    minimum: Option<&pb::StatedMinimum>,
    dp: u32,
    high: i64,
) -> Option<Option<StatedMinimum>> {
    let Some(minimum) = minimum else {
        return Some(None);
    };
    let path = format!("{BLOCK}.{name}");
    let value = check.decimal(
        &format!("{path}.value"),
        minimum.value.as_ref(),
        dp,
        Range::non_negative(high),
    );
    let source = check.text(&format!("{path}.source"), &minimum.source, MAX_SOURCE_CHARS);
    Some(Some(StatedMinimum {
        value: value?,
        source: source?,
    }))
}

fn hj941_input(check: &mut Checker, path: &str, item: &pb::Hj941Input) -> Option<Hj941Input> {
    let medium = check.enumeration(&format!("{path}.medium"), item.medium, |m| match m {
        pb::Hj941Medium::Unspecified => None,
        pb::Hj941Medium::Air => Some(Hj941Medium::Air),
        pb::Hj941Medium::Water => Some(Hj941Medium::Water),
    });
    use pb::hj941_input::Quantity;
    let q = match &item.quantity {
        None => {
            check.violation(
                format!("{path}.quantity"),
                "is required: set q_level or q_ratio",
            );
            None
        }
        Some(Quantity::QLevel(raw)) => check
            .enumeration(&format!("{path}.q_level"), *raw, |q| match q {
                pb::Hj941QLevel::Unspecified => None,
                pb::Hj941QLevel::Q0 => Some(QLevel::Q0),
                pb::Hj941QLevel::Q1 => Some(QLevel::Q1),
                pb::Hj941QLevel::Q2 => Some(QLevel::Q2),
                pb::Hj941QLevel::Q3 => Some(QLevel::Q3),
            })
            .map(QInput::Level),
        Some(Quantity::QRatio(ratio)) => check
            .decimal(
                &format!("{path}.q_ratio"),
                Some(ratio),
                FINE_DP,
                Range::non_negative(MAX_Q_RATIO),
            )
            .map(QInput::Ratio),
    };
    let m = check.enumeration(&format!("{path}.m_level"), item.m_level, |m| match m {
        pb::Hj941MLevel::Unspecified => None,
        pb::Hj941MLevel::M1 => Some(MLevel::M1),
        pb::Hj941MLevel::M2 => Some(MLevel::M2),
        pb::Hj941MLevel::M3 => Some(MLevel::M3),
        pb::Hj941MLevel::M4 => Some(MLevel::M4),
    });
    let e = check.enumeration(&format!("{path}.e_level"), item.e_level, |e| match e {
        pb::Hj941ELevel::Unspecified => None,
        pb::Hj941ELevel::E1 => Some(ELevel::E1),
        pb::Hj941ELevel::E2 => Some(ELevel::E2),
        pb::Hj941ELevel::E3 => Some(ELevel::E3),
    });
    // Optional: UNSPECIFIED means no grade was stated; an undefined number is refused.
    let stated_grade = match pb::Hj941Grade::try_from(item.stated_grade) {
        Ok(pb::Hj941Grade::Unspecified) => Some(None),
        Ok(pb::Hj941Grade::General) => Some(Some(Hj941Grade::General)),
        Ok(pb::Hj941Grade::Larger) => Some(Some(Hj941Grade::Larger)),
        Ok(pb::Hj941Grade::Major) => Some(Some(Hj941Grade::Major)),
        Err(_) => {
            check.violation(
                format!("{path}.stated_grade"),
                format!("unknown enum value {}", item.stated_grade),
            );
            None
        }
    };
    Some(Hj941Input {
        medium: medium?,
        q: q?,
        m: m?,
        e: e?,
        stated_grade: stated_grade?,
    })
}
