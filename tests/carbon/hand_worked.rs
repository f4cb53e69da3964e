//! A request worked by hand from the IPCC equations: every trace step, line and total the server
//! gives is the hand-worked one.

use green_impact::pb;

use crate::common::{TestServer, assert_carbon_parts_sum, assess, decimal, ends};
use crate::support::{
    BUILT_IN_SET, assert_step, d, factor_use, hand_worked_request, step, warning_codes,
};

/// The presented low, central and high, as written (fixed decimal places).
fn shown(b: &Option<pb::Bounds>) -> [&str; 3] {
    let b = b.as_ref().expect("bounds present");
    [&b.low, &b.central, &b.high].map(|v| v.as_ref().expect("present").value.as_str())
}

// The hand-worked example. Inputs: 10 t fresh manure a day x 100 operating days; dry matter
// 0.25; VS 0.7 of DM; N 0.02 of DM; product 3 t a day; layers, high productivity, warm
// temperate moist; solid storage -> composting, static pile; AR5 (CH4 28, N2O 265).
//
// Activity data
//   M    = 10 x 100             = 1000 t fresh manure
//   DM   = 1000 x 0.25          = 250 t
//   VS   = 250 x 0.7            = 175 t
//   N    = 250 x 0.02           = 5 t
//   P    = 3 x 100              = 300 t product
//
// Factors (IPCC 2019 Vol. 4 Ch. 10 / Ch. 11, as in ipcc2019-cn/2026.1)
//   B0 layers high 0.39 (0.3315 .. 0.4485); MCF solid storage 0.04, static pile 0.02 (no range)
//   EF3 0.01 / 0.01; FracGas poultry 0.40 / 0.65; FracLeach 0.02 / 0.06 (no ranges)
//   EF4 wet 0.014 (0.011 .. 0.017); EF5 0.011 (0 .. 0.020)
//
// CH4, Eq. 10.23: CH4 = VS x B0 x 0.67 x MCF
//   baseline: 175 x 0.39 x 0.67 x 0.04 = 68.25 x 0.67 x 0.04 = 45.7275 x 0.04 = 1.8291
//             low 175 x 0.3315 x 0.67 x 0.04 = 1.554735; high 175 x 0.4485 x ... = 2.103465
//   project:  45.7275 x 0.02 = 0.91455 (low 0.7773675, high 1.0517325)
// Direct N2O, Eq. 10.25: N x EF3 x 44/28
//   both:     5 x 0.01 x 44/28 = 2.2/28 = 0.0785714285714285714285...
// Volatilised N2O, Eq. 10.26-27: N x FracGas x EF4 x 44/28
//   baseline: 5 x 0.40 x 0.014 = 0.028; x 44/28 = 1.232/28 = 0.044
//             low 5 x 0.40 x 0.011 = 0.022 -> 0.968/28 = 0.0345714285714...
//             high 5 x 0.40 x 0.017 = 0.034 -> 1.496/28 = 0.0534285714285...
//   project:  5 x 0.65 x 0.014 = 0.0455 -> 2.002/28 = 0.0715
//             low 0.03575 -> 1.573/28 = 0.0561785714285...; high 0.05525 -> 2.431/28 = 0.0868214285714...
// Leached N2O, Eq. 10.28-29: N x FracLeach x EF5 x 44/28
//   baseline: 5 x 0.02 x 0.011 = 0.0011 -> 0.0484/28 = 0.00172857142857...
//             low 0 (EF5 0); high 5 x 0.02 x 0.020 = 0.002 -> 0.088/28 = 0.00314285714285...
//   project:  5 x 0.06 x 0.011 = 0.0033 -> 0.1452/28 = 0.00518571428571...
//             low 0; high 0.006 -> 0.264/28 = 0.00942857142857...
// CO2e lines (x 28 for CH4, x 265 for N2O)
//   baseline CH4 51.2148 (43.53258 .. 58.89702); direct 583/28 = 20.8214285714...
//            volatilised 11.66 (256.52/28 = 9.1614285714... .. 396.44/28 = 14.1585714285...)
//            leached 12.826/28 = 0.45807142857... (0 .. 23.32/28 = 0.83285714285...)
//   project  CH4 25.6074 (21.76629 .. 29.44851); direct 20.8214285714...
//            volatilised 18.9475 (416.845/28 = 14.8873214285... .. 644.215/28 = 23.0076785714...)
//            leached 38.478/28 = 1.37421428571... (0 .. 69.96/28 = 2.49857142857...)
// Reduction, difference form (each ranged factor enters once):
//   dCH4 = VS x B0 x 0.67 x (0.04 - 0.02) = 0.91455
//          low 175 x 0.3315 x 0.67 x 0.02 = 0.7773675, high 1.0517325
//          (not baseline.low - project.high = 1.554735 - 1.0517325 = 0.5030025)
//   dN2O = N x ((0.01 - 0.01) + EF4 x (0.40 - 0.65) + EF5 x (0.02 - 0.06)) x 44/28
//          central 5 x (-0.0035 - 0.00044) = -0.0197 -> -0.8668/28 = -0.0309571428571...
//          low (EF4 0.017, EF5 0.020) 5 x (-0.00425 - 0.0008) = -0.02525 -> -1.111/28
//                                   = -0.0396785714285...
//          high (EF4 0.011, EF5 0) 5 x (-0.00275) = -0.01375 -> -0.605/28 = -0.0216071428571...
//   in CO2e: CH4 25.6074 (21.76629 .. 29.44851); N2O -229.702/28 = -8.2036428571...
//            (-294.415/28 = -10.5148214285... .. -160.325/28 = -5.7258928571...)
//   manure management = 17.4037571428... (11.2514685714... .. 23.7226171428...)
// Project energy
//   electricity 10000 kWh / 1000 x 0.1404 = 1.404 t CO2
//   diesel 1000 L x 0.84 kg/L / 1000 = 0.84 t; x 42.652 GJ/t = 35.82768 GJ; x 20.2 t C/TJ / 1000
//          = 0.723719136 t C; x 0.98 = 0.70924475328; x 44/12 = 31.20676914432/12 = 2.60056409536
//   energy = 4.00456409536 (no ranges)
// Avoided fertilizer manufacture: P x fraction x 0.5 x tCE x 44/12
//   N    300 x 0.015 x 0.5 = 2.25 t x 2.116 = 4.761 tC x 44/12 = 17.457
//   P2O5 300 x 0.01 x 0.5 = 1.5 t x 0.636 = 0.954 tC x 44/12 = 3.498
//   K2O  1.5 t x 0.180 = 0.27 tC x 44/12 = 0.99
//   avoided = 21.945
// Emission reduction = manure management - energy = 13.3991930474971428...
//                      (7.2469044760685714... .. 19.7180530474971428...)
// Total = + avoided = 35.3441930474971428... (29.1919044760685714... .. 41.6630530474971428...)
//
// Presented at 6 dp (half away from zero). Each table of parts is allocated to its shown
// total: the centrals first, then each part's distance to its low (and to its high) among the
// parts that have a range, so an exact part shows one value.
//   total 29.191904 / 35.344193 / 41.663053; avoided 21.945000 is exact, so emission reduction
//   takes the whole distances: 13.399193 - (35.344193 - 29.191904) = 7.246904 and
//   13.399193 + 6.318860 = 19.718053. Energy is exact, so manure management is 17.403757 and
//   11.251468 / 23.722617. Of the gases, CH4's distances 3.841110 (exact) leave N2O
//   6.152289 - 3.841110 = 2.311179 below: -8.203643 - 2.311179 = -10.514822.
//   Baseline central 84.154300, project manure central 66.750543 (their difference is the
//   manure central 17.403757); project totals add the energy 4.004564.
//   Baseline low: the distance 84.154300 - 73.515437 = 10.638863 is shared by CH4 7.682220,
//   volatilised N2O 2.4985714... -> 2.498571 and leached 0.4580714... -> 0.458071, one unit
//   short; the two N2O lines are rounded down by the same 3/7 unit, the tie goes to the
//   earlier, so volatilised takes 2.498572 and shows 11.660000 - 2.498572 = 9.161428. Direct
//   N2O has no range and shows 20.821429 at every end.
#[tokio::test]
async fn a_request_worked_by_hand_from_the_ipcc_equations_gets_the_same_figures() {
    let server = TestServer::start().await;
    let response = assess(&server, hand_worked_request()).await;
    let carbon = response.carbon.as_ref().expect("carbon block");
    assert_eq!(carbon.factor_set, BUILT_IN_SET);
    assert_eq!(carbon.gwp_set, pb::GwpSet::Ar5 as i32);
    assert_eq!(decimal(&carbon.gwp_ch4), d("28"));
    assert_eq!(decimal(&carbon.gwp_n2o), d("265"));

    let ids: Vec<&str> = carbon.trace.iter().map(|s| s.step.as_str()).collect();
    let mut expected_ids = vec![
        "manure.fresh",
        "manure.dry_matter",
        "manure.volatile_solids",
        "manure.nitrogen",
    ];
    let lines = [
        "manure.ch4",
        "manure.n2o_direct",
        "manure.n2o_volatilisation",
        "manure.n2o_leaching",
    ];
    let scenario_ids: Vec<String> = ["baseline", "project"]
        .iter()
        .flat_map(|s| {
            let masses = lines.iter().map(move |l| format!("{s}.{l}"));
            let co2e = lines.iter().map(move |l| format!("{s}.{l}.co2e"));
            masses.chain(co2e)
        })
        .collect();
    expected_ids.extend(scenario_ids.iter().map(String::as_str));
    expected_ids.extend([
        "reduction.manure.ch4",
        "reduction.manure.n2o",
        "reduction.manure.ch4.co2e",
        "reduction.manure.n2o.co2e",
        "project.energy[0]",
        "project.energy[1]",
        "avoided.fertilizer.n",
        "avoided.fertilizer.p2o5",
        "avoided.fertilizer.k2o",
    ]);
    let mut sorted_ids = ids.clone();
    sorted_ids.sort_unstable();
    expected_ids.sort_unstable();
    assert_eq!(sorted_ids, expected_ids, "every step, each once");
    // In computation order: a step cites only steps recorded before it.
    for (i, s) in carbon.trace.iter().enumerate() {
        for input in &s.inputs {
            if input.origin == pb::TraceInputOrigin::Step as i32 {
                assert!(
                    ids[..i].contains(&input.reference.as_str()),
                    "{} cites {} before it is computed",
                    s.step,
                    input.reference
                );
            }
        }
    }

    let worked: &[(&str, [&str; 3])] = &[
        ("manure.fresh", ["1000", "1000", "1000"]),
        ("manure.dry_matter", ["250", "250", "250"]),
        ("manure.volatile_solids", ["175", "175", "175"]),
        ("manure.nitrogen", ["5", "5", "5"]),
        ("baseline.manure.ch4", ["1.554735", "1.8291", "2.103465"]),
        (
            "baseline.manure.n2o_direct",
            [
                "0.07857142857142857143",
                "0.07857142857142857143",
                "0.07857142857142857143",
            ],
        ),
        (
            "baseline.manure.n2o_volatilisation",
            ["0.03457142857142857143", "0.044", "0.05342857142857142857"],
        ),
        (
            "baseline.manure.n2o_leaching",
            ["0", "0.00172857142857142857", "0.00314285714285714286"],
        ),
        ("project.manure.ch4", ["0.7773675", "0.91455", "1.0517325"]),
        (
            "project.manure.n2o_direct",
            [
                "0.07857142857142857143",
                "0.07857142857142857143",
                "0.07857142857142857143",
            ],
        ),
        (
            "project.manure.n2o_volatilisation",
            ["0.05617857142857142857", "0.0715", "0.08682142857142857143"],
        ),
        (
            "project.manure.n2o_leaching",
            ["0", "0.00518571428571428571", "0.00942857142857142857"],
        ),
        (
            "baseline.manure.ch4.co2e",
            ["43.53258", "51.2148", "58.89702"],
        ),
        (
            "baseline.manure.n2o_direct.co2e",
            [
                "20.82142857142857142857",
                "20.82142857142857142857",
                "20.82142857142857142857",
            ],
        ),
        (
            "baseline.manure.n2o_volatilisation.co2e",
            ["9.16142857142857142857", "11.66", "14.15857142857142857143"],
        ),
        (
            "baseline.manure.n2o_leaching.co2e",
            ["0", "0.45807142857142857143", "0.83285714285714285714"],
        ),
        (
            "project.manure.ch4.co2e",
            ["21.76629", "25.6074", "29.44851"],
        ),
        (
            "project.manure.n2o_direct.co2e",
            [
                "20.82142857142857142857",
                "20.82142857142857142857",
                "20.82142857142857142857",
            ],
        ),
        (
            "project.manure.n2o_volatilisation.co2e",
            [
                "14.88732142857142857143",
                "18.9475",
                "23.00767857142857142857",
            ],
        ),
        (
            "project.manure.n2o_leaching.co2e",
            ["0", "1.37421428571428571429", "2.49857142857142857143"],
        ),
        (
            "reduction.manure.ch4",
            ["0.7773675", "0.91455", "1.0517325"],
        ),
        (
            "reduction.manure.n2o",
            [
                "-0.03967857142857142857",
                "-0.03095714285714285714",
                "-0.02160714285714285714",
            ],
        ),
        (
            "reduction.manure.ch4.co2e",
            ["21.76629", "25.6074", "29.44851"],
        ),
        (
            "reduction.manure.n2o.co2e",
            [
                "-10.51482142857142857143",
                "-8.20364285714285714286",
                "-5.72589285714285714286",
            ],
        ),
        ("project.energy[0]", ["1.404", "1.404", "1.404"]),
        (
            "project.energy[1]",
            ["2.60056409536", "2.60056409536", "2.60056409536"],
        ),
        ("avoided.fertilizer.n", ["17.457", "17.457", "17.457"]),
        ("avoided.fertilizer.p2o5", ["3.498", "3.498", "3.498"]),
        ("avoided.fertilizer.k2o", ["0.99", "0.99", "0.99"]),
    ];
    for (id, expected) in worked {
        assert_step(carbon, id, *expected);
    }

    // The reduction's bounds are the difference form, not baseline bounds minus project bounds.
    let [ch4_low, _, ch4_high] = ends(&step(carbon, "reduction.manure.ch4").result);
    let [baseline_ch4_low, _, baseline_ch4_high] =
        ends(&step(carbon, "baseline.manure.ch4").result);
    let [project_ch4_low, _, project_ch4_high] = ends(&step(carbon, "project.manure.ch4").result);
    let vs_b0_067 = |b0: &str| d("175") * d(b0) * d("0.67");
    assert_eq!(ch4_low, vs_b0_067("0.3315") * (d("0.04") - d("0.02")));
    assert_eq!(ch4_high, vs_b0_067("0.4485") * (d("0.04") - d("0.02")));
    assert_ne!(ch4_low, baseline_ch4_low - project_ch4_high);
    assert_ne!(ch4_high, baseline_ch4_high - project_ch4_low);
    assert_eq!(baseline_ch4_low - project_ch4_high, d("0.5030025"));

    // The inputs a verifier re-runs the first line with.
    let ch4 = step(carbon, "baseline.manure.ch4");
    assert_eq!(ch4.equation, "IPCC 2019 Vol. 4 Ch. 10 Eq. 10.23");
    assert_eq!(ch4.result_unit, "t CH4 per year");
    let input = |symbol: &str| {
        ch4.inputs
            .iter()
            .find(|i| i.symbol == symbol)
            .unwrap_or_else(|| panic!("no input {symbol}"))
    };
    assert_eq!(ends(&input("VS_t").value), [d("175"); 3]);
    assert_eq!(input("VS_t").origin, pb::TraceInputOrigin::Step as i32);
    assert_eq!(input("VS_t").reference, "manure.volatile_solids");
    assert_eq!(
        ends(&input("B0").value),
        [d("0.3315"), d("0.39"), d("0.4485")]
    );
    assert_eq!(input("B0").origin, pb::TraceInputOrigin::Factor as i32);
    assert_eq!(input("B0").reference, "b0.layers.high");
    assert_eq!(ends(&input("0.67").value), [d("0.67"); 3]);
    assert_eq!(input("0.67").origin, pb::TraceInputOrigin::Constant as i32);
    assert_eq!(ends(&input("MCF").value), [d("0.04"); 3]);
    assert_eq!(
        input("MCF").reference,
        "mcf.solid_storage.warm_temperate_moist"
    );
    let vs_input = step(carbon, "manure.volatile_solids")
        .inputs
        .iter()
        .find(|i| i.symbol == "VS_DM")
        .expect("VS_DM input");
    assert_eq!(vs_input.origin, pb::TraceInputOrigin::Request as i32);
    assert_eq!(
        vs_input.reference,
        "carbon.manure_management.volatile_solids_fraction_of_dry_matter"
    );

    for (id, value, low, high) in [
        ("b0.layers.high", "0.39", "0.3315", "0.4485"),
        (
            "mcf.solid_storage.warm_temperate_moist",
            "0.04",
            "0.04",
            "0.04",
        ),
        (
            "mcf.composting_static_pile.warm_temperate_moist",
            "0.02",
            "0.02",
            "0.02",
        ),
        ("ef3.solid_storage", "0.01", "0.01", "0.01"),
        ("ef3.composting_static_pile", "0.01", "0.01", "0.01"),
        ("frac_gas_ms.poultry.solid_storage", "0.40", "0.40", "0.40"),
        (
            "frac_gas_ms.poultry.composting_static_pile",
            "0.65",
            "0.65",
            "0.65",
        ),
        (
            "frac_leach_ms.poultry.solid_storage",
            "0.02",
            "0.02",
            "0.02",
        ),
        (
            "frac_leach_ms.poultry.composting_static_pile",
            "0.06",
            "0.06",
            "0.06",
        ),
        ("ef4.wet_climate", "0.014", "0.011", "0.017"),
        ("ef5", "0.011", "0", "0.020"),
        ("grid.sichuan.2022", "0.1404", "0.1404", "0.1404"),
        ("diesel.net_calorific_value", "42.652", "42.652", "42.652"),
        ("diesel.carbon_content", "20.2", "20.2", "20.2"),
        ("diesel.oxidation_fraction", "0.98", "0.98", "0.98"),
        ("fertilizer_production_tce.n", "2.116", "2.116", "2.116"),
        ("fertilizer_production_tce.p2o5", "0.636", "0.636", "0.636"),
        ("fertilizer_production_tce.k2o", "0.180", "0.180", "0.180"),
        ("gwp.ar5.ch4", "28", "28", "28"),
        ("gwp.ar5.n2o", "265", "265", "265"),
    ] {
        let f = factor_use(carbon, id);
        assert_eq!(
            [decimal(&f.low), decimal(&f.value), decimal(&f.high)],
            [d(low), d(value), d(high)],
            "{id}"
        );
        assert_eq!(f.origin, pb::FactorOrigin::FactorSet as i32, "{id}");
    }
    assert!(
        !carbon.factors_used.iter().any(
            |f| f.factor_id.starts_with("vs_fraction") || f.factor_id.starts_with("n_fraction")
        ),
        "measured VS and N are given, so no default is used"
    );

    // Presented lines: (source, gas, tonnes of gas, t CO2e), each low / central / high.
    type Row<'a> = (pb::EmissionSource, [&'a str; 3], [&'a str; 3]);
    let check_lines = |what: &str, lines: &[pb::EmissionLine], expected: &[Row]| {
        assert_eq!(lines.len(), expected.len(), "{what}: line count");
        for (line, (source, gas_t, tco2e)) in lines.iter().zip(expected) {
            assert_eq!(line.source, *source as i32, "{what}: {}", line.name);
            assert_eq!(
                shown(&line.gas_t_per_year),
                *gas_t,
                "{what}: {} gas",
                line.name
            );
            assert_eq!(
                shown(&line.tco2e_per_year),
                *tco2e,
                "{what}: {} CO2e",
                line.name
            );
        }
    };
    use pb::EmissionSource as S;
    let baseline = carbon.baseline.as_ref().expect("baseline");
    assert_eq!(
        baseline.manure_system,
        pb::ManureSystem::SolidStorage as i32
    );
    check_lines(
        "baseline",
        &baseline.lines,
        &[
            (
                S::ManureCh4,
                ["1.554735", "1.829100", "2.103465"],
                ["43.532580", "51.214800", "58.897020"],
            ),
            (
                S::ManureN2oDirect,
                ["0.078571", "0.078571", "0.078571"],
                ["20.821429", "20.821429", "20.821429"],
            ),
            (
                S::ManureN2oVolatilisation,
                ["0.034571", "0.044000", "0.053429"],
                ["9.161428", "11.660000", "14.158571"],
            ),
            (
                S::ManureN2oLeaching,
                ["0.000000", "0.001729", "0.003143"],
                ["0.000000", "0.458071", "0.832857"],
            ),
        ],
    );
    assert_eq!(
        shown(&baseline.total_tco2e_per_year),
        ["73.515437", "84.154300", "94.709877"]
    );
    let project = carbon.project.as_ref().expect("project");
    assert_eq!(
        project.manure_system,
        pb::ManureSystem::CompostingStaticPile as i32
    );
    check_lines(
        "project",
        &project.lines,
        &[
            (
                S::ManureCh4,
                ["0.777368", "0.914550", "1.051733"],
                ["21.766290", "25.607400", "29.448510"],
            ),
            (
                S::ManureN2oDirect,
                ["0.078571", "0.078571", "0.078571"],
                ["20.821429", "20.821429", "20.821429"],
            ),
            (
                S::ManureN2oVolatilisation,
                ["0.056179", "0.071500", "0.086821"],
                ["14.887321", "18.947500", "23.007679"],
            ),
            (
                S::ManureN2oLeaching,
                ["0.000000", "0.005186", "0.009429"],
                ["0.000000", "1.374214", "2.498571"],
            ),
            (
                S::Electricity,
                ["1.404000", "1.404000", "1.404000"],
                ["1.404000", "1.404000", "1.404000"],
            ),
            (
                S::Diesel,
                ["2.600564", "2.600564", "2.600564"],
                ["2.600564", "2.600564", "2.600564"],
            ),
        ],
    );
    assert_eq!(project.lines[4].name, "aeration fans");
    assert_eq!(project.lines[4].trace_step, "project.energy[0]");
    assert_eq!(project.lines[5].name, "loader");
    assert_eq!(
        shown(&project.total_tco2e_per_year),
        ["61.479604", "70.755107", "79.780753"]
    );
    let avoided = carbon.avoided.as_ref().expect("avoided");
    check_lines(
        "avoided",
        &avoided.lines,
        &[
            (
                S::FertilizerN,
                ["17.457000", "17.457000", "17.457000"],
                ["17.457000", "17.457000", "17.457000"],
            ),
            (
                S::FertilizerP2o5,
                ["3.498000", "3.498000", "3.498000"],
                ["3.498000", "3.498000", "3.498000"],
            ),
            (
                S::FertilizerK2o,
                ["0.990000", "0.990000", "0.990000"],
                ["0.990000", "0.990000", "0.990000"],
            ),
        ],
    );
    assert_eq!(
        shown(&avoided.total_tco2e_per_year),
        ["21.945000", "21.945000", "21.945000"]
    );

    let reduction = carbon.reduction.as_ref().expect("reduction");
    let gases = &reduction.manure_management_by_gas;
    assert_eq!(gases.len(), 2);
    assert_eq!(gases[0].gas, pb::Gas::Ch4 as i32);
    assert_eq!(
        shown(&gases[0].gas_t_per_year),
        ["0.777368", "0.914550", "1.051733"]
    );
    assert_eq!(
        shown(&gases[0].tco2e_per_year),
        ["21.766290", "25.607400", "29.448510"]
    );
    assert_eq!(gases[1].gas, pb::Gas::N2o as i32);
    assert_eq!(
        shown(&gases[1].gas_t_per_year),
        ["-0.039679", "-0.030957", "-0.021607"]
    );
    assert_eq!(
        shown(&gases[1].tco2e_per_year),
        ["-10.514822", "-8.203643", "-5.725893"]
    );
    assert_eq!(
        shown(&reduction.manure_management_tco2e_per_year),
        ["11.251468", "17.403757", "23.722617"]
    );
    assert_eq!(
        shown(&reduction.project_energy_tco2e_per_year),
        ["4.004564", "4.004564", "4.004564"]
    );
    assert_eq!(
        shown(&reduction.emission_reduction_tco2e_per_year),
        ["7.246904", "13.399193", "19.718053"]
    );
    assert_eq!(
        shown(&reduction.avoided_tco2e_per_year),
        ["21.945000", "21.945000", "21.945000"]
    );
    assert_eq!(
        shown(&reduction.total_tco2e_per_year),
        ["29.191904", "35.344193", "41.663053"]
    );
    assert_carbon_parts_sum(carbon);

    // Everything given is measured, the systems differ, the reduction is positive.
    let codes = warning_codes(&response);
    for code in [
        "VOLATILE_SOLIDS_DEFAULT",
        "NITROGEN_DEFAULT",
        "FACTOR_OVERRIDE_UNUSED",
        "NEGATIVE_REDUCTION",
        "SAME_MANURE_SYSTEM",
    ] {
        assert!(
            !codes.contains(&code),
            "unexpected warning {code}: {codes:?}"
        );
    }
}
