//! The insurer's view: a site's pollution exposure before and after the project, what changed,
//! and HJ 941-2018 levels in the standard's notation. The figures are the requester's, exact;
//! the service classifies the storage, takes differences and raises flags, and prices nothing.

use rust_decimal::Decimal;

/// Bounds of the request's insurer block (see proto/greenimpact/v1/views.proto).
pub const MAX_UNTREATED_STOCK_T: i64 = 10_000_000;
pub const MAX_STORAGE_DAYS: i64 = 3_660;
pub const MAX_NUTRIENT_T_PER_YEAR: i64 = 1_000_000;
pub const MAX_DISTANCE_M: i64 = 1_000_000;
pub const MAX_Q_RATIO: i64 = 1_000_000_000;
/// Days and metres are accepted to the hundredth; tonnes and Q to the millionth (FINE_DP).
pub const DAYS_DP: u32 = 2;
pub const DISTANCE_DP: u32 = 2;
/// One HJ 941 input per medium.
pub const MAX_HJ941_INPUTS: usize = 2;
pub const MAX_SOURCE_CHARS: usize = 512;

/// The sources the storage classification rests on, as far as they could be confirmed.
const STORAGE_SOURCES: &str = "the national standards for livestock manure storage \
(GB 18596-2001 畜禽养殖业污染物排放标准, its section on manure residue; HJ/T 81-2001 \
畜禽养殖业污染防治技术规范, section 5 畜禽粪便贮存; GB/T 27622-2011 畜禽粪便贮存设施设计要求) \
ask for an impermeable, rain-proof store; their clause wording was not at hand when this \
version was written. The three requirements are confirmed in the wording of a provincial \
standard for large poultry farms (辽宁省市场监督管理局, 规模化养鸡场管理技术规范 第3部分：\
粪污处理, 6.1.2: 粪污暂存池(场)应满足防渗、防雨、防溢流等要求)";

pub const METHOD: &str = "Every figure is the requester's, before and after the project, echoed \
exactly; the change is after minus before, exact. A storage type is leak-prone when it has no \
impermeable barrier between manure and ground, and covered when it keeps rain out; each type's \
basis is given with it. Flags compare figures with minimums only when the request states them \
with their source: the service holds no national minimum for storage days or for the distance \
to surface water that it could cite. No premium is computed: the insurer prices, this view \
gives the exposure and what changed";

pub const HJ941_NOTE: &str = "HJ 941-2018 (企业突发环境事件风险分级方法) grades an enterprise \
separately for air and for water from Q (risk substances present over their critical \
quantities), M (production process and risk-control level) and E (sensitivity of the \
receptors) through classification matrices, one per E level. Those matrices could not be \
confirmed cell by cell from the sources available when this version was written, so the \
service does not grade: it reports the levels in the standard's notation and echoes a grade \
only when the request states one (read off the standard by the requester). A Q given as a \
ratio is banded at 1, 10 and 100 (Q0 below 1, Q1 from 1, Q2 from 10, Q3 from 100), the bands \
HJ 169-2018 Appendix C uses for the same ratio; HJ 941's own statement of them was not at \
hand either";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageType {
    OpenPile,
    CoveredShedImpermeableFloor,
    LinedLagoon,
    UnlinedLagoon,
    SealedVessel,
}

impl StorageType {
    /// No impermeable barrier between manure and ground.
    pub fn leak_prone(self) -> bool {
        matches!(self, StorageType::OpenPile | StorageType::UnlinedLagoon)
    }

    /// Keeps rain out (roofed or closed).
    pub fn covered(self) -> bool {
        matches!(
            self,
            StorageType::CoveredShedImpermeableFloor | StorageType::SealedVessel
        )
    }

    /// With its article, for sentences.
    pub fn words(self) -> &'static str {
        match self {
            StorageType::OpenPile => "an open pile on bare ground",
            StorageType::CoveredShedImpermeableFloor => "a covered shed with an impermeable floor",
            StorageType::LinedLagoon => "a lined open lagoon",
            StorageType::UnlinedLagoon => "an unlined open lagoon",
            StorageType::SealedVessel => "a sealed vessel",
        }
    }

    /// Why the type is classed as it is, with the sources.
    pub fn basis(self) -> String {
        let why = match self {
            StorageType::OpenPile => {
                "leak-prone and uncovered: manure lies on bare ground with no impermeable \
                 floor, and rain falling on the pile leaves as leachate"
            }
            StorageType::CoveredShedImpermeableFloor => {
                "not leak-prone, covered: an impermeable floor and walls hold manure and \
                 leachate, and the roof keeps rain out"
            }
            StorageType::LinedLagoon => {
                "not leak-prone through its floor (the liner is the impermeable barrier), but \
                 uncovered: rain enters and a full lagoon can overflow"
            }
            StorageType::UnlinedLagoon => {
                "leak-prone and uncovered: liquid manure stands on an earthen floor with no \
                 liner and seeps into the ground; rain enters and it can overflow"
            }
            StorageType::SealedVessel => {
                "not leak-prone, covered: a closed tank or vessel holds manure and liquid"
            }
        };
        format!("{why}. Basis: {STORAGE_SOURCES}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FacilityCondition {
    Poor,
    Fair,
    Good,
}

impl FacilityCondition {
    pub fn word(self) -> &'static str {
        match self {
            FacilityCondition::Good => "good",
            FacilityCondition::Fair => "fair",
            FacilityCondition::Poor => "poor",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            FacilityCondition::Good => {
                "good: floor, liner, walls and roof intact; no seepage or overflow seen at the \
                 last inspection"
            }
            FacilityCondition::Fair => {
                "fair: wear or minor defects (surface cracks, worn liner edges, gutters to \
                 repair) without seepage or overflow"
            }
            FacilityCondition::Poor => {
                "poor: defects that let manure or leachate out or rain in (a cracked floor or \
                 liner, a damaged roof, signs of seepage or overflow)"
            }
        }
    }
}

/// One state of the site, as the request gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteExposure {
    pub untreated_manure_stock_t: Decimal,
    pub storage_capacity_days: Decimal,
    pub storage_type: StorageType,
    pub nitrogen_handled_t_per_year: Decimal,
    pub phosphorus_handled_t_per_year: Decimal,
    pub distance_to_surface_water_m: Decimal,
    pub facility_condition: FacilityCondition,
}

/// A minimum the requester is bound by, with where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct StatedMinimum {
    pub value: Decimal,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hj941Medium {
    Air,
    Water,
}

impl Hj941Medium {
    pub fn zh(self) -> &'static str {
        match self {
            Hj941Medium::Air => "大气",
            Hj941Medium::Water => "水",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum QLevel {
    Q0,
    Q1,
    Q2,
    Q3,
}

impl QLevel {
    /// Q0 below 1, Q1 from 1, Q2 from 10, Q3 from 100 (see HJ941_NOTE for the source).
    pub fn of_ratio(q: Decimal) -> QLevel {
        if q < Decimal::ONE {
            QLevel::Q0
        } else if q < Decimal::TEN {
            QLevel::Q1
        } else if q < Decimal::ONE_HUNDRED {
            QLevel::Q2
        } else {
            QLevel::Q3
        }
    }

    fn code(self) -> &'static str {
        match self {
            QLevel::Q0 => "Q0",
            QLevel::Q1 => "Q1",
            QLevel::Q2 => "Q2",
            QLevel::Q3 => "Q3",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MLevel {
    M1,
    M2,
    M3,
    M4,
}

impl MLevel {
    fn code(self) -> &'static str {
        match self {
            MLevel::M1 => "M1",
            MLevel::M2 => "M2",
            MLevel::M3 => "M3",
            MLevel::M4 => "M4",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ELevel {
    E1,
    E2,
    E3,
}

impl ELevel {
    fn code(self) -> &'static str {
        match self {
            ELevel::E1 => "E1",
            ELevel::E2 => "E2",
            ELevel::E3 => "E3",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hj941Grade {
    General,
    Larger,
    Major,
}

impl Hj941Grade {
    pub fn zh(self) -> &'static str {
        match self {
            Hj941Grade::General => "一般",
            Hj941Grade::Larger => "较大",
            Hj941Grade::Major => "重大",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QInput {
    Level(QLevel),
    Ratio(Decimal),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hj941Input {
    pub medium: Hj941Medium,
    pub q: QInput,
    pub m: MLevel,
    pub e: ELevel,
    pub stated_grade: Option<Hj941Grade>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InsurerInput {
    pub before: SiteExposure,
    pub after: SiteExposure,
    pub storage_minimum_days: Option<StatedMinimum>,
    pub surface_water_minimum_distance_m: Option<StatedMinimum>,
    pub hj941: Vec<Hj941Input>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeakProneChange {
    Removed,
    Introduced,
    StillLeakProne,
    StillNotLeakProne,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionChange {
    Improved,
    Unchanged,
    Worsened,
}

/// after - before, exact.
#[derive(Debug, Clone, PartialEq)]
pub struct ExposureChange {
    pub untreated_manure_stock_t: Decimal,
    pub storage_capacity_days: Decimal,
    pub nitrogen_handled_t_per_year: Decimal,
    pub phosphorus_handled_t_per_year: Decimal,
    pub distance_to_surface_water_m: Decimal,
    pub storage_type_changed: bool,
    pub leak_prone_storage: LeakProneChange,
    pub facility_condition: ConditionChange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposureFlag {
    pub code: &'static str,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hj941Result {
    pub medium: Hj941Medium,
    pub q_level: QLevel,
    /// The ratio the level was read from, when the request gave one.
    pub q_ratio: Option<Decimal>,
    pub m: MLevel,
    pub e: ELevel,
    /// The requester's stated grade; the service does not grade by itself.
    pub stated_grade: Option<Hj941Grade>,
}

impl Hj941Result {
    /// "Q1-M2-E1".
    pub fn levels_code(&self) -> String {
        format!(
            "{}-{}-{}",
            self.q_level.code(),
            self.m.code(),
            self.e.code()
        )
    }

    /// The standard's notation with a stated grade, e.g. "较大-大气（Q1-M2-E1）".
    pub fn grade_code(&self) -> Option<String> {
        self.stated_grade.map(|grade| {
            format!(
                "{}-{}（{}）",
                grade.zh(),
                self.medium.zh(),
                self.levels_code()
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct InsurerView {
    pub before: SiteExposure,
    pub after: SiteExposure,
    pub change: ExposureChange,
    pub flags: Vec<ExposureFlag>,
    pub hj941: Vec<Hj941Result>,
}

pub fn view(input: &InsurerInput) -> InsurerView {
    let (before, after) = (&input.before, &input.after);
    let change = ExposureChange {
        untreated_manure_stock_t: after.untreated_manure_stock_t - before.untreated_manure_stock_t,
        storage_capacity_days: after.storage_capacity_days - before.storage_capacity_days,
        nitrogen_handled_t_per_year: after.nitrogen_handled_t_per_year
            - before.nitrogen_handled_t_per_year,
        phosphorus_handled_t_per_year: after.phosphorus_handled_t_per_year
            - before.phosphorus_handled_t_per_year,
        distance_to_surface_water_m: after.distance_to_surface_water_m
            - before.distance_to_surface_water_m,
        storage_type_changed: after.storage_type != before.storage_type,
        leak_prone_storage: match (
            before.storage_type.leak_prone(),
            after.storage_type.leak_prone(),
        ) {
            (true, false) => LeakProneChange::Removed,
            (false, true) => LeakProneChange::Introduced,
            (true, true) => LeakProneChange::StillLeakProne,
            (false, false) => LeakProneChange::StillNotLeakProne,
        },
        facility_condition: match after.facility_condition.cmp(&before.facility_condition) {
            std::cmp::Ordering::Greater => ConditionChange::Improved,
            std::cmp::Ordering::Equal => ConditionChange::Unchanged,
            std::cmp::Ordering::Less => ConditionChange::Worsened,
        },
    };
    let mut flags = Vec::new();
    for (side, site) in [("before", before), ("after", after)] {
        site_flags(input, side, site, &mut flags);
    }
    change_flags(&change, before, after, &mut flags);
    let hj941 = input
        .hj941
        .iter()
        .map(|h| {
            let (q_level, q_ratio) = match h.q {
                QInput::Level(level) => (level, None),
                QInput::Ratio(q) => (QLevel::of_ratio(q), Some(q)),
            };
            Hj941Result {
                medium: h.medium,
                q_level,
                q_ratio,
                m: h.m,
                e: h.e,
                stated_grade: h.stated_grade,
            }
        })
        .collect();
    InsurerView {
        before: before.clone(),
        after: after.clone(),
        change,
        flags,
        hj941,
    }
}

fn show(value: Decimal) -> String {
    crate::domain::presentation::exact(value)
}

fn site_flags(
    input: &InsurerInput,
    side: &str,
    site: &SiteExposure,
    flags: &mut Vec<ExposureFlag>,
) {
    let path = |field: &str| format!("insurer_exposure.{side}.{field}");
    if let Some(minimum) = &input.storage_minimum_days
        && site.storage_capacity_days < minimum.value
    {
        flags.push(ExposureFlag {
            code: "STORAGE_DAYS_BELOW_STATED_MINIMUM",
            field: path("storage_capacity_days"),
            message: format!(
                "{side} the project the storage holds {} days of manure, below the stated \
                 minimum of {} days ({})",
                show(site.storage_capacity_days),
                show(minimum.value),
                minimum.source
            ),
        });
    }
    if let Some(minimum) = &input.surface_water_minimum_distance_m
        && site.distance_to_surface_water_m < minimum.value
    {
        flags.push(ExposureFlag {
            code: "SURFACE_WATER_DISTANCE_BELOW_STATED_MINIMUM",
            field: path("distance_to_surface_water_m"),
            message: format!(
                "{side} the project the storage is {} m from surface water, closer than the \
                 stated minimum of {} m ({})",
                show(site.distance_to_surface_water_m),
                show(minimum.value),
                minimum.source
            ),
        });
    }
    if site.storage_type.leak_prone() {
        flags.push(ExposureFlag {
            code: "LEAK_PRONE_STORAGE",
            field: path("storage_type"),
            message: format!(
                "{side} the project manure is held in {} with no impermeable barrier to the \
                 ground",
                site.storage_type.words()
            ),
        });
    }
    if !site.storage_type.covered() {
        flags.push(ExposureFlag {
            code: "UNCOVERED_STORAGE",
            field: path("storage_type"),
            message: format!(
                "{side} the project manure is held in {}, open to rain",
                site.storage_type.words()
            ),
        });
    }
    if site.facility_condition == FacilityCondition::Poor {
        flags.push(ExposureFlag {
            code: "FACILITY_IN_POOR_CONDITION",
            field: path("facility_condition"),
            message: format!(
                "{side} the project the storage's condition is {}",
                FacilityCondition::Poor.description()
            ),
        });
    }
}

fn change_flags(
    change: &ExposureChange,
    before: &SiteExposure,
    after: &SiteExposure,
    flags: &mut Vec<ExposureFlag>,
) {
    let after_path = |field: &str| format!("insurer_exposure.after.{field}");
    let rise = |label: &str, unit: &str, from: Decimal, to: Decimal, by: Decimal| {
        format!(
            "{label} rises from {} to {} {unit} ({} {unit})",
            show(from),
            show(to),
            show(by)
        )
    };
    if change.untreated_manure_stock_t > Decimal::ZERO {
        flags.push(ExposureFlag {
            code: "UNTREATED_MANURE_STOCK_INCREASED",
            field: after_path("untreated_manure_stock_t"),
            message: rise(
                "the untreated manure held on site",
                "t",
                before.untreated_manure_stock_t,
                after.untreated_manure_stock_t,
                change.untreated_manure_stock_t,
            ),
        });
    }
    for (code, field, label, from, to, by) in [
        (
            "NITROGEN_HANDLED_INCREASED",
            "nitrogen_handled_t_per_year",
            "the nitrogen handled",
            before.nitrogen_handled_t_per_year,
            after.nitrogen_handled_t_per_year,
            change.nitrogen_handled_t_per_year,
        ),
        (
            "PHOSPHORUS_HANDLED_INCREASED",
            "phosphorus_handled_t_per_year",
            "the phosphorus handled",
            before.phosphorus_handled_t_per_year,
            after.phosphorus_handled_t_per_year,
            change.phosphorus_handled_t_per_year,
        ),
    ] {
        if by > Decimal::ZERO {
            flags.push(ExposureFlag {
                code,
                field: after_path(field),
                message: rise(label, "t a year", from, to, by),
            });
        }
    }
    if change.storage_capacity_days < Decimal::ZERO {
        flags.push(ExposureFlag {
            code: "STORAGE_CAPACITY_REDUCED",
            field: after_path("storage_capacity_days"),
            message: format!(
                "the storage holds {} days of manure after the project, {} before",
                show(after.storage_capacity_days),
                show(before.storage_capacity_days)
            ),
        });
    }
    if change.distance_to_surface_water_m < Decimal::ZERO {
        flags.push(ExposureFlag {
            code: "STORAGE_CLOSER_TO_SURFACE_WATER",
            field: after_path("distance_to_surface_water_m"),
            message: format!(
                "the storage is {} m from surface water after the project, {} m before",
                show(after.distance_to_surface_water_m),
                show(before.distance_to_surface_water_m)
            ),
        });
    }
    if change.facility_condition == ConditionChange::Worsened {
        flags.push(ExposureFlag {
            code: "FACILITY_CONDITION_WORSENED",
            field: after_path("facility_condition"),
            message: format!(
                "the storage's condition goes from {} to {}",
                before.facility_condition.word(),
                after.facility_condition.word()
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    /// An open pile next to a stream before; a covered shed further away after.
    fn input() -> InsurerInput {
        InsurerInput {
            before: SiteExposure {
                untreated_manure_stock_t: dec("1350"),
                storage_capacity_days: dec("15"),
                storage_type: StorageType::OpenPile,
                nitrogen_handled_t_per_year: dec("120.5"),
                phosphorus_handled_t_per_year: dec("40.25"),
                distance_to_surface_water_m: dec("80"),
                facility_condition: FacilityCondition::Poor,
            },
            after: SiteExposure {
                untreated_manure_stock_t: dec("180"),
                storage_capacity_days: dec("2"),
                storage_type: StorageType::CoveredShedImpermeableFloor,
                nitrogen_handled_t_per_year: dec("120.5"),
                phosphorus_handled_t_per_year: dec("40.25"),
                distance_to_surface_water_m: dec("350.5"),
                facility_condition: FacilityCondition::Good,
            },
            storage_minimum_days: None,
            surface_water_minimum_distance_m: None,
            hj941: vec![],
        }
    }

    fn codes(view: &InsurerView) -> Vec<(&str, &str)> {
        view.flags
            .iter()
            .map(|f| (f.code, f.field.as_str()))
            .collect()
    }

    #[test]
    fn each_storage_type_is_classed_with_its_basis() {
        use StorageType::*;
        let classes: Vec<(bool, bool)> = [
            OpenPile,
            CoveredShedImpermeableFloor,
            LinedLagoon,
            UnlinedLagoon,
            SealedVessel,
        ]
        .iter()
        .map(|t| (t.leak_prone(), t.covered()))
        .collect();
        assert_eq!(
            classes,
            [
                (true, false),
                (false, true),
                (false, false),
                (true, false),
                (false, true)
            ]
        );
        for t in [OpenPile, LinedLagoon, SealedVessel] {
            let basis = t.basis();
            assert!(basis.contains("GB 18596-2001"), "{basis}");
            assert!(basis.contains("防渗、防雨、防溢流"), "{basis}");
        }
    }

    #[test]
    fn changes_are_after_minus_before_exactly() {
        let view = view(&input());
        let c = &view.change;
        // 180 - 1350, 2 - 15, 120.5 - 120.5, 40.25 - 40.25, 350.5 - 80.
        assert_eq!(c.untreated_manure_stock_t, dec("-1170"));
        assert_eq!(c.storage_capacity_days, dec("-13"));
        assert_eq!(c.nitrogen_handled_t_per_year, Decimal::ZERO);
        assert_eq!(c.phosphorus_handled_t_per_year, Decimal::ZERO);
        assert_eq!(c.distance_to_surface_water_m, dec("270.5"));
        assert!(c.storage_type_changed);
        assert_eq!(c.leak_prone_storage, LeakProneChange::Removed);
        assert_eq!(c.facility_condition, ConditionChange::Improved);
    }

    #[test]
    fn leak_prone_changes_and_condition_changes_cover_every_case() {
        let mut i = input();
        i.after.storage_type = StorageType::UnlinedLagoon;
        i.after.facility_condition = FacilityCondition::Poor;
        let v = view(&i);
        assert_eq!(v.change.leak_prone_storage, LeakProneChange::StillLeakProne);
        assert_eq!(v.change.facility_condition, ConditionChange::Unchanged);
        i.before.storage_type = StorageType::SealedVessel;
        i.before.facility_condition = FacilityCondition::Fair;
        let v = view(&i);
        assert_eq!(v.change.leak_prone_storage, LeakProneChange::Introduced);
        assert_eq!(v.change.facility_condition, ConditionChange::Worsened);
        i.after.storage_type = StorageType::LinedLagoon;
        assert_eq!(
            view(&i).change.leak_prone_storage,
            LeakProneChange::StillNotLeakProne
        );
        i.after.storage_type = StorageType::SealedVessel;
        assert!(!view(&i).change.storage_type_changed);
    }

    #[test]
    fn without_stated_minimums_only_facts_are_flagged() {
        assert_eq!(
            codes(&view(&input())),
            [
                ("LEAK_PRONE_STORAGE", "insurer_exposure.before.storage_type"),
                ("UNCOVERED_STORAGE", "insurer_exposure.before.storage_type"),
                (
                    "FACILITY_IN_POOR_CONDITION",
                    "insurer_exposure.before.facility_condition"
                ),
                (
                    "STORAGE_CAPACITY_REDUCED",
                    "insurer_exposure.after.storage_capacity_days"
                ),
            ]
        );
    }

    #[test]
    fn stated_minimums_flag_each_side_below_them_with_their_source() {
        let mut i = input();
        i.storage_minimum_days = Some(StatedMinimum {
            value: dec("15"),
            source: "the farm's discharge permit, clause 4".into(),
        });
        i.surface_water_minimum_distance_m = Some(StatedMinimum {
            value: dec("350.5"),
            source: "the insurer's guideline".into(),
        });
        let v = view(&i);
        let stated: Vec<&ExposureFlag> = v
            .flags
            .iter()
            .filter(|f| f.code.ends_with("BELOW_STATED_MINIMUM"))
            .collect();
        // Before: 15 days is not below 15, 80 m is below 350.5; after: 2 days is below 15,
        // 350.5 m is not below 350.5.
        assert_eq!(stated.len(), 2, "{stated:?}");
        assert_eq!(
            stated[0].field,
            "insurer_exposure.before.distance_to_surface_water_m"
        );
        assert!(stated[0].message.contains("80 m"), "{}", stated[0].message);
        assert!(stated[0].message.contains("the insurer's guideline"));
        assert_eq!(
            stated[1].field,
            "insurer_exposure.after.storage_capacity_days"
        );
        assert!(
            stated[1].message.contains("2 days"),
            "{}",
            stated[1].message
        );
        assert!(stated[1].message.contains("discharge permit"));
    }

    #[test]
    fn rising_exposure_is_flagged_on_the_after_side() {
        let mut i = input();
        i.after.untreated_manure_stock_t = dec("1350.5");
        i.after.nitrogen_handled_t_per_year = dec("130");
        i.after.distance_to_surface_water_m = dec("79.99");
        i.after.facility_condition = FacilityCondition::Poor;
        i.before.facility_condition = FacilityCondition::Good;
        let v = view(&i);
        let found: Vec<&str> = v.flags.iter().map(|f| f.code).collect();
        for code in [
            "UNTREATED_MANURE_STOCK_INCREASED",
            "NITROGEN_HANDLED_INCREASED",
            "STORAGE_CLOSER_TO_SURFACE_WATER",
            "FACILITY_CONDITION_WORSENED",
        ] {
            assert!(found.contains(&code), "{code} in {found:?}");
        }
        assert!(!found.contains(&"PHOSPHORUS_HANDLED_INCREASED"));
        let nitrogen = v
            .flags
            .iter()
            .find(|f| f.code == "NITROGEN_HANDLED_INCREASED")
            .unwrap();
        assert_eq!(
            nitrogen.message,
            "the nitrogen handled rises from 120.5 to 130 t a year (9.5 t a year)"
        );
    }

    #[test]
    fn q_ratios_are_banded_at_one_ten_and_a_hundred() {
        let cases = [
            ("0", QLevel::Q0),
            ("0.999999", QLevel::Q0),
            ("1", QLevel::Q1),
            ("9.999999", QLevel::Q1),
            ("10", QLevel::Q2),
            ("99.999999", QLevel::Q2),
            ("100", QLevel::Q3),
            ("1000000000", QLevel::Q3),
        ];
        for (q, level) in cases {
            assert_eq!(QLevel::of_ratio(dec(q)), level, "Q = {q}");
        }
    }

    #[test]
    fn hj941_levels_are_written_in_the_standards_notation_and_never_graded_alone() {
        let mut i = input();
        i.hj941 = vec![
            Hj941Input {
                medium: Hj941Medium::Air,
                q: QInput::Ratio(dec("12.5")),
                m: MLevel::M2,
                e: ELevel::E1,
                stated_grade: Some(Hj941Grade::Larger),
            },
            Hj941Input {
                medium: Hj941Medium::Water,
                q: QInput::Level(QLevel::Q0),
                m: MLevel::M4,
                e: ELevel::E3,
                stated_grade: None,
            },
        ];
        let v = view(&i);
        let air = &v.hj941[0];
        assert_eq!(air.q_level, QLevel::Q2);
        assert_eq!(air.q_ratio, Some(dec("12.5")));
        assert_eq!(air.levels_code(), "Q2-M2-E1");
        assert_eq!(air.grade_code().as_deref(), Some("较大-大气（Q2-M2-E1）"));
        let water = &v.hj941[1];
        assert_eq!(water.q_ratio, None);
        assert_eq!(water.levels_code(), "Q0-M4-E3");
        assert_eq!(water.stated_grade, None);
        assert_eq!(water.grade_code(), None);
    }
}
