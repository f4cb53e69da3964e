//! The methodology's words for every kind of trace step: equation, formula, each input's
//! symbol, unit and (where fixed) reference, and the result's unit. They are the same in every
//! estimate of one methodology version, so an answer may name a step's template by id and
//! leave these texts out; `GetMethodology` serves them, and a record pins them by digest.
//! Changing any text here changes what stored records mean: it needs a new methodology
//! version (a test holds the digest of these texts for the current one).

use super::trace::{StepTemplate, TemplateInput};

const fn input(symbol: &'static str, unit: &'static str, reference: &'static str) -> TemplateInput {
    TemplateInput {
        symbol,
        unit,
        reference,
    }
}

// Inputs several steps share, written once.
const CO2_PER_C: TemplateInput = input(
    "44/12",
    "t CO2 per t C",
    "molecular mass ratio, applied as x 44 then / 12",
);
const NITROGEN: TemplateInput = input("N_t", "t N per year", "manure.nitrogen");
const N2O_PER_N2O_N: TemplateInput = input(
    "44/28",
    "t N2O per t N2O-N",
    "molecular mass ratio, applied as x 44 then / 28",
);
const PRODUCT: TemplateInput = input("P_t", "t product per year", "operations.product_output");
const SUBSTITUTION_RATIO: TemplateInput = input(
    "SR",
    "",
    "carbon.fertilizer_substitution.substitution_ratio",
);
const VOLATILE_SOLIDS: TemplateInput = input(
    "VS_t",
    "t volatile solids per year",
    "manure.volatile_solids",
);
const B0: TemplateInput = input("B0", "m3 CH4 per kg VS", "");
const CH4_DENSITY: TemplateInput = input(
    "0.67",
    "kg CH4 per m3 CH4",
    "IPCC 2019 Eq. 10.23 conversion factor",
);
const EF4: TemplateInput = input("EF4", "kg N2O-N per kg NH3-N + NOx-N volatilised", "");
const EF5: TemplateInput = input("EF5", "kg N2O-N per kg N leached", "ef5");
const DIESEL_NCV: TemplateInput = input("NCV", "GJ per t", "diesel.net_calorific_value");
const DIESEL_CARBON_CONTENT: TemplateInput = input("CC", "t C per TJ", "diesel.carbon_content");
const GJ_PER_TJ: TemplateInput = input("1000", "GJ per TJ", "unit conversion");
const DIESEL_OXIDATION: TemplateInput = input(
    "OF",
    "fraction of carbon oxidised",
    "diesel.oxidation_fraction",
);

pub static MANURE_FRESH: StepTemplate = StepTemplate {
    id: "manure.fresh",
    equation: "annual activity data",
    expression: "M_t = M_t_per_day x days",
    inputs: &[
        input(
            "M_t_per_day",
            "t fresh manure per operating day",
            "operations.manure_fresh_t_per_day",
        ),
        input(
            "days",
            "operating days per year",
            "operations.operating_days_per_year",
        ),
    ],
    result_unit: "t fresh manure per year",
};

pub static MANURE_DRY_MATTER: StepTemplate = StepTemplate {
    id: "manure.dry_matter",
    equation: "mass balance",
    expression: "DM_t = M_t x DM",
    inputs: &[
        input("M_t", "t fresh manure per year", "manure.fresh"),
        input(
            "DM",
            "t dry matter per t fresh manure",
            "operations.manure_dry_matter_fraction",
        ),
    ],
    result_unit: "t manure dry matter per year",
};

pub static MANURE_VOLATILE_SOLIDS: StepTemplate = StepTemplate {
    id: "manure.volatile_solids",
    equation: "IPCC 2019 Vol. 4 Ch. 10 Eq. 10.23 input (VS measured, not Eq. 10.24)",
    expression: "VS_t = DM_t x VS_DM",
    inputs: &[
        input("DM_t", "t manure dry matter per year", "manure.dry_matter"),
        input(
            "VS_DM",
            "kg volatile solids per kg manure dry matter",
            "carbon.manure_management.volatile_solids_fraction_of_dry_matter",
        ),
    ],
    result_unit: "t volatile solids per year",
};

pub static MANURE_NITROGEN: StepTemplate = StepTemplate {
    id: "manure.nitrogen",
    equation: "nitrogen managed (measured content)",
    expression: "N_t = mass_t x N_frac",
    inputs: &[
        input(
            "mass_t",
            "t manure dry matter per year",
            "manure.dry_matter",
        ),
        input(
            "N_frac",
            "kg N per kg manure dry matter",
            "carbon.manure_management.nitrogen_fraction_of_dry_matter",
        ),
    ],
    result_unit: "t N per year",
};

pub static MANURE_CH4: StepTemplate = StepTemplate {
    id: "manure.ch4",
    equation: "IPCC 2019 Vol. 4 Ch. 10 Eq. 10.23",
    expression: "CH4_t = VS_t x B0 x 0.67 x MCF",
    inputs: &[
        VOLATILE_SOLIDS,
        B0,
        CH4_DENSITY,
        input("MCF", "fraction of B0 realised (MCF)", ""),
    ],
    result_unit: "t CH4 per year",
};

pub static MANURE_N2O_DIRECT: StepTemplate = StepTemplate {
    id: "manure.n2o_direct",
    equation: "IPCC 2019 Vol. 4 Ch. 10 Eq. 10.25",
    expression: "N2O_t = N_t x EF3 x 44/28",
    inputs: &[
        NITROGEN,
        input("EF3", "kg N2O-N per kg N managed", ""),
        N2O_PER_N2O_N,
    ],
    result_unit: "t N2O per year",
};

pub static MANURE_N2O_VOLATILISATION: StepTemplate = StepTemplate {
    id: "manure.n2o_volatilisation",
    equation: "IPCC 2019 Vol. 4 Ch. 10 Eq. 10.26 and 10.27",
    expression: "N2O_t = N_t x FracGasMS x EF4 x 44/28",
    inputs: &[
        NITROGEN,
        input(
            "FracGasMS",
            "kg N volatilised (NH3-N + NOx-N) per kg N managed",
            "",
        ),
        EF4,
        N2O_PER_N2O_N,
    ],
    result_unit: "t N2O per year",
};

pub static MANURE_N2O_LEACHING: StepTemplate = StepTemplate {
    id: "manure.n2o_leaching",
    equation: "IPCC 2019 Vol. 4 Ch. 10 Eq. 10.28 and 10.29",
    expression: "N2O_t = N_t x FracLeachMS x EF5 x 44/28",
    inputs: &[
        NITROGEN,
        input("FracLeachMS", "kg N leached per kg N managed", ""),
        EF5,
        N2O_PER_N2O_N,
    ],
    result_unit: "t N2O per year",
};

pub static CO2E_CH4: StepTemplate = StepTemplate {
    id: "co2e.ch4",
    equation: "IPCC AR 100-year global warming potential",
    expression: "CO2e_t = gas_t x GWP",
    inputs: &[
        input("gas_t", "t CH4 per year", ""),
        input("GWP", "t CO2e per t CH4 (100-year GWP)", ""),
    ],
    result_unit: "t CO2e per year",
};

pub static CO2E_N2O: StepTemplate = StepTemplate {
    id: "co2e.n2o",
    equation: "IPCC AR 100-year global warming potential",
    expression: "CO2e_t = gas_t x GWP",
    inputs: &[
        input("gas_t", "t N2O per year", ""),
        input("GWP", "t CO2e per t N2O (100-year GWP)", ""),
    ],
    result_unit: "t CO2e per year",
};

pub static REDUCTION_MANURE_CH4: StepTemplate = StepTemplate {
    id: "reduction.manure.ch4",
    equation: "IPCC 2019 Vol. 4 Ch. 10 Eq. 10.23, baseline minus project",
    expression: "dCH4_t = VS_t x B0 x 0.67 x (MCF_baseline - MCF_project)",
    inputs: &[
        VOLATILE_SOLIDS,
        B0,
        CH4_DENSITY,
        input("MCF_baseline", "fraction of B0 realised (MCF)", ""),
        input("MCF_project", "fraction of B0 realised (MCF)", ""),
    ],
    result_unit: "t CH4 per year",
};

pub static REDUCTION_MANURE_N2O: StepTemplate = StepTemplate {
    id: "reduction.manure.n2o",
    equation: "IPCC 2019 Vol. 4 Ch. 10 Eq. 10.25 to 10.29, baseline minus project",
    expression: "dN2O_t = N_t x ((EF3_b - EF3_p) + EF4 x (FracGas_b - FracGas_p) + EF5 x (FracLeach_b - FracLeach_p)) x 44/28",
    inputs: &[
        NITROGEN,
        input("EF3_b", "kg N2O-N per kg N managed", ""),
        input("EF3_p", "kg N2O-N per kg N managed", ""),
        EF4,
        input(
            "FracGas_b",
            "kg N volatilised (NH3-N + NOx-N) per kg N managed",
            "",
        ),
        input(
            "FracGas_p",
            "kg N volatilised (NH3-N + NOx-N) per kg N managed",
            "",
        ),
        EF5,
        input("FracLeach_b", "kg N leached per kg N managed", ""),
        input("FracLeach_p", "kg N leached per kg N managed", ""),
        N2O_PER_N2O_N,
    ],
    result_unit: "t N2O per year",
};

pub static ENERGY_ELECTRICITY: StepTemplate = StepTemplate {
    id: "energy.electricity",
    equation: "grid electricity, location-based average factor",
    expression: "CO2_t = E_kWh / 1000 x EF_grid",
    inputs: &[
        input("E_kWh", "kWh per year", ""),
        input("1000", "kWh per MWh", "unit conversion"),
        input("EF_grid", "t CO2 per MWh", ""),
    ],
    result_unit: "t CO2 per year",
};

pub static ENERGY_DIESEL_TONNES: StepTemplate = StepTemplate {
    id: "energy.diesel_tonnes",
    equation: "fuel combustion, NDRC enterprise GHG accounting guidelines",
    expression: "CO2_t = D_t x NCV x CC / 1000 x OF x 44/12",
    inputs: &[
        input("D_t", "t diesel per year", ""),
        DIESEL_NCV,
        DIESEL_CARBON_CONTENT,
        GJ_PER_TJ,
        DIESEL_OXIDATION,
        CO2_PER_C,
    ],
    result_unit: "t CO2 per year",
};

pub static ENERGY_DIESEL_LITRES: StepTemplate = StepTemplate {
    id: "energy.diesel_litres",
    equation: "fuel combustion, NDRC enterprise GHG accounting guidelines",
    expression: "CO2_t = D_t x NCV x CC / 1000 x OF x 44/12",
    inputs: &[
        input("D_L", "L diesel per year", ""),
        input("rho", "kg per L", ""),
        DIESEL_NCV,
        DIESEL_CARBON_CONTENT,
        GJ_PER_TJ,
        DIESEL_OXIDATION,
        CO2_PER_C,
    ],
    result_unit: "t CO2 per year",
};

pub static AVOIDED_FERTILIZER_N: StepTemplate = StepTemplate {
    id: "avoided.fertilizer.n",
    equation: "avoided mineral fertilizer manufacture (Chen et al. 2015 factors)",
    expression: "CO2e_t = P_t x f_nutrient x SR x EF_CE x 44/12",
    inputs: &[
        PRODUCT,
        input(
            "f_nutrient",
            "t nutrient per t product as sold",
            "carbon.fertilizer_substitution.product_nitrogen_fraction",
        ),
        SUBSTITUTION_RATIO,
        input(
            "EF_CE",
            "t carbon equivalent (CE) per t N",
            "fertilizer_production_tce.n",
        ),
        CO2_PER_C,
    ],
    result_unit: "t CO2e per year",
};

pub static AVOIDED_FERTILIZER_P2O5: StepTemplate = StepTemplate {
    id: "avoided.fertilizer.p2o5",
    equation: "avoided mineral fertilizer manufacture (Chen et al. 2015 factors)",
    expression: "CO2e_t = P_t x f_nutrient x SR x EF_CE x 44/12",
    inputs: &[
        PRODUCT,
        input(
            "f_nutrient",
            "t nutrient per t product as sold",
            "carbon.fertilizer_substitution.product_p2o5_fraction",
        ),
        SUBSTITUTION_RATIO,
        input(
            "EF_CE",
            "t carbon equivalent (CE) per t P2O5",
            "fertilizer_production_tce.p2o5",
        ),
        CO2_PER_C,
    ],
    result_unit: "t CO2e per year",
};

pub static AVOIDED_FERTILIZER_K2O: StepTemplate = StepTemplate {
    id: "avoided.fertilizer.k2o",
    equation: "avoided mineral fertilizer manufacture (Chen et al. 2015 factors)",
    expression: "CO2e_t = P_t x f_nutrient x SR x EF_CE x 44/12",
    inputs: &[
        PRODUCT,
        input(
            "f_nutrient",
            "t nutrient per t product as sold",
            "carbon.fertilizer_substitution.product_k2o_fraction",
        ),
        SUBSTITUTION_RATIO,
        input(
            "EF_CE",
            "t carbon equivalent (CE) per t K2O",
            "fertilizer_production_tce.k2o",
        ),
        CO2_PER_C,
    ],
    result_unit: "t CO2e per year",
};

/// Every template of this methodology version, in the order a full estimate records them.
pub static STEP_TEMPLATES: &[&StepTemplate] = &[
    &MANURE_FRESH,
    &MANURE_DRY_MATTER,
    &MANURE_VOLATILE_SOLIDS,
    &MANURE_NITROGEN,
    &MANURE_CH4,
    &MANURE_N2O_DIRECT,
    &MANURE_N2O_VOLATILISATION,
    &MANURE_N2O_LEACHING,
    &CO2E_CH4,
    &CO2E_N2O,
    &REDUCTION_MANURE_CH4,
    &REDUCTION_MANURE_N2O,
    &ENERGY_ELECTRICITY,
    &ENERGY_DIESEL_TONNES,
    &ENERGY_DIESEL_LITRES,
    &AVOIDED_FERTILIZER_N,
    &AVOIDED_FERTILIZER_P2O5,
    &AVOIDED_FERTILIZER_K2O,
];
