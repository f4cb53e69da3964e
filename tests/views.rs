//! The insurer's and the exchange's views end to end over the real server: the illustrative
//! seed example (examples/leshan-yaqing-insurer.json) gives the hand-computed figures, the
//! views change nothing else in the answer, bad input is refused naming its field path, and a
//! stored assessment with both views verifies by recomputation.

mod common;

use common::{TestServer, assess, dec, seed_request, value, violated_fields};
use green_impact::json;
use green_impact::pb;

const INSURER_EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/leshan-yaqing-insurer.json"
);

fn insurer_example() -> pb::AssessRequest {
    let text = std::fs::read_to_string(INSURER_EXAMPLE).expect("read the insurer example");
    json::assess_request_from_json(&text).expect("the insurer example is valid proto3 JSON")
}

fn dry_run(mut request: pb::AssessRequest) -> pb::AssessRequest {
    request.dry_run = true;
    request
}

async fn reject(server: &TestServer, request: pb::AssessRequest) -> Vec<String> {
    match server.client().await.assess(request).await {
        Ok(_) => panic!("expected INVALID_ARGUMENT, the request was accepted"),
        Err(status) => violated_fields(&status),
    }
}

fn insurer(request: &mut pb::AssessRequest) -> &mut pb::InsurerExposureInput {
    request
        .insurer_exposure
        .as_mut()
        .expect("the example has an insurer block")
}

fn after(request: &mut pb::AssessRequest) -> &mut pb::SiteExposure {
    insurer(request).after.as_mut().expect("after")
}

fn flags(view: &pb::InsurerView) -> Vec<(&str, &str)> {
    view.flags
        .iter()
        .map(|f| (f.code.as_str(), f.field.as_str()))
        .collect()
}

fn statuses(result: &pb::EligibilityResult) -> Vec<(&str, pb::RuleStatus)> {
    result
        .rules
        .iter()
        .map(|r| (r.id.as_str(), pb::RuleStatus::try_from(r.status).unwrap()))
        .collect()
}

fn decimal_value(value: &Option<pb::MetricValue>) -> &str {
    match value.as_ref().and_then(|v| v.value.as_ref()) {
        Some(pb::metric_value::Value::Decimal(d)) => d.value.as_str(),
        other => panic!("expected a decimal metric value, got {other:?}"),
    }
}

fn boolean_value(value: &Option<pb::MetricValue>) -> bool {
    match value.as_ref().and_then(|v| v.value.as_ref()) {
        Some(pb::metric_value::Value::Boolean(b)) => *b,
        other => panic!("expected a boolean metric value, got {other:?}"),
    }
}

#[tokio::test]
async fn the_illustrative_seed_gives_the_hand_computed_exposure_and_eligibility() {
    let server = TestServer::start().await;
    let response = assess(&server, dry_run(insurer_example())).await;
    let view = response.insurer_view.as_ref().expect("insurer view");
    let before = view.before.as_ref().unwrap();
    let after = view.after.as_ref().unwrap();
    let change = view.change.as_ref().unwrap();

    // Echoes, exact.
    assert_eq!(value(&before.untreated_manure_stock_t), "1350");
    assert_eq!(value(&after.untreated_manure_stock_t), "270");
    assert_eq!(value(&after.nitrogen_handled_t_per_year), "535.455");
    assert_eq!(value(&after.phosphorus_handled_t_per_year), "220.770396");
    // An open pile leaks and is open to rain; a covered shed on an impermeable floor neither.
    assert!(before.storage_type_leak_prone && !before.storage_type_covered);
    assert!(!after.storage_type_leak_prone && after.storage_type_covered);
    assert!(before.storage_type_basis.contains("防渗、防雨、防溢流"));
    assert!(after.facility_condition_description.starts_with("good:"));

    // after - before: 270 - 1350 = -1080 t; 3 - 15 = -12 days; the same manure and the same
    // site, so nitrogen, phosphorus and distance do not change.
    assert_eq!(value(&change.untreated_manure_stock_t), "-1080");
    assert_eq!(value(&change.storage_capacity_days), "-12");
    assert_eq!(value(&change.nitrogen_handled_t_per_year), "0");
    assert_eq!(value(&change.phosphorus_handled_t_per_year), "0");
    assert_eq!(value(&change.distance_to_surface_water_m), "0");
    assert!(change.storage_type_changed);
    assert_eq!(
        change.leak_prone_storage,
        pb::LeakProneChange::Removed as i32
    );
    assert_eq!(
        change.facility_condition,
        pb::ConditionChange::Improved as i32
    );

    // No minimum is stated, so only facts are flagged.
    assert_eq!(
        flags(view),
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
    assert!(view.method.contains("No premium"));

    // HJ 941: Q = 0.5 is below 1, so Q0; the service states no grade of its own.
    let water = &view.hj941[0];
    assert_eq!(water.medium, pb::Hj941Medium::Water as i32);
    assert_eq!(water.q_level, pb::Hj941QLevel::Q0 as i32);
    assert_eq!(value(&water.q_ratio), "0.5");
    assert_eq!(water.levels_code, "Q0-M1-E2");
    assert_eq!(water.grade, pb::Hj941Grade::Unspecified as i32);
    assert_eq!(
        water.grade_origin,
        pb::Hj941GradeOrigin::NotDetermined as i32
    );
    assert_eq!(water.grade_code, "");
    assert!(water.note.contains("could not be confirmed cell by cell"));

    // Eligibility: in-vessel composting of 32,850 t of manure a year into 10,950 t of product,
    // and a covered shed that is not leak-prone after the project: every entry fits.
    let eligibility = response.eligibility.as_ref().expect("eligibility");
    assert_eq!(eligibility.rule_set, "cn-transition/2026.1");
    use pb::RuleStatus::Met;
    assert_eq!(
        statuses(eligibility),
        [
            ("gbepc-2021.1.5.3.2", Met),
            ("gbepc-2021.2.2.1.2", Met),
            ("gbepc-2021.4.1.3.2", Met),
        ]
    );
    assert_eq!(
        (
            eligibility.met_count,
            eligibility.not_met_count,
            eligibility.not_evaluable_count
        ),
        (3, 0, 0)
    );
    let resource_use = &eligibility.rules[0];
    assert!(resource_use.source.contains("entry 1.5.3.2"));
    assert!(resource_use.source_wording.contains("畜禽粪污"));
    let conditions = &resource_use.conditions;
    assert_eq!(conditions[0].metric, "project.manure_treated_t_per_year");
    assert_eq!(conditions[0].operator, ">");
    assert_eq!(decimal_value(&conditions[0].threshold), "0");
    // 90 t/day x 365 days; the stated 10,950 t of product.
    assert_eq!(decimal_value(&conditions[0].value), "32850");
    assert_eq!(decimal_value(&conditions[1].value), "10950");
    assert!(boolean_value(&conditions[2].value));
    let pollution_control = &eligibility.rules[1];
    assert!(!boolean_value(&pollution_control.conditions[1].value));
    assert!(
        pollution_control
            .reason
            .contains("insurer.after.storage_type_leak_prone = false, required = false"),
        "{}",
        pollution_control.reason
    );

    // The views add to the answer and change nothing else in it.
    let mut rest = response.clone();
    rest.insurer_view = None;
    rest.eligibility = None;
    rest.stated_assumptions
        .truncate(seed_request().stated_assumptions.len());
    let seed = assess(&server, dry_run(seed_request())).await;
    assert_eq!(rest, seed);

    // And they travel in the proto3 JSON of the CLI.
    let text = json::assess_response_to_json(&response);
    assert!(text.contains("\"insurer_view\""));
    assert!(text.contains("\"STORAGE_TYPE_COVERED_SHED_IMPERMEABLE_FLOOR\""));
    assert!(text.contains("\"RULE_STATUS_MET\""));
}

#[tokio::test]
async fn stated_minimums_and_grades_are_echoed_with_their_sources() {
    let server = TestServer::start().await;
    let mut request = dry_run(insurer_example());
    insurer(&mut request).storage_minimum_days = Some(pb::StatedMinimum {
        value: dec("7"),
        source: "illustrative: the insurer's underwriting guideline".into(),
    });
    insurer(&mut request).surface_water_minimum_distance_m = Some(pb::StatedMinimum {
        value: dec("100"),
        source: "illustrative: the county's setback rule".into(),
    });
    insurer(&mut request).hj941.push(pb::Hj941Input {
        medium: pb::Hj941Medium::Air as i32,
        quantity: Some(pb::hj941_input::Quantity::QLevel(
            pb::Hj941QLevel::Q1 as i32,
        )),
        m_level: pb::Hj941MLevel::M2 as i32,
        e_level: pb::Hj941ELevel::E1 as i32,
        stated_grade: pb::Hj941Grade::Larger as i32,
    });
    let response = assess(&server, request).await;
    let view = response.insurer_view.as_ref().unwrap();
    // Before: 15 days >= 7; after: 3 days < 7. Both sides are 120 m >= 100 m.
    let below: Vec<&pb::ExposureFlag> = view
        .flags
        .iter()
        .filter(|f| f.code.ends_with("_BELOW_STATED_MINIMUM"))
        .collect();
    assert_eq!(below.len(), 1, "{below:?}");
    assert_eq!(below[0].code, "STORAGE_DAYS_BELOW_STATED_MINIMUM");
    assert_eq!(
        below[0].field,
        "insurer_exposure.after.storage_capacity_days"
    );
    assert_eq!(
        below[0].message,
        "after the project the storage holds 3 days of manure, below the stated minimum of 7 \
         days (illustrative: the insurer's underwriting guideline)"
    );
    let air = &view.hj941[1];
    assert_eq!(air.levels_code, "Q1-M2-E1");
    assert_eq!(air.q_ratio, None);
    assert_eq!(air.grade, pb::Hj941Grade::Larger as i32);
    assert_eq!(
        air.grade_origin,
        pb::Hj941GradeOrigin::StatedByRequest as i32
    );
    assert_eq!(air.grade_code, "较大-大气（Q1-M2-E1）");
}

#[tokio::test]
async fn rules_without_their_inputs_are_not_evaluable_and_failing_ones_say_why() {
    let server = TestServer::start().await;
    use pb::RuleStatus::{Met, NotEvaluable, NotMet};

    // The seed with eligibility but no insurer block: the storage rules lack their input.
    let mut request = dry_run(seed_request());
    request.eligibility = Some(pb::EligibilityInput {
        rule_set: "cn-transition/2026.1".into(),
    });
    let response = assess(&server, request.clone()).await;
    assert!(response.insurer_view.is_none());
    let result = response.eligibility.as_ref().unwrap();
    assert_eq!(
        statuses(result),
        [
            ("gbepc-2021.1.5.3.2", Met),
            ("gbepc-2021.2.2.1.2", NotEvaluable),
            ("gbepc-2021.4.1.3.2", NotEvaluable),
        ]
    );
    let missing = &result.rules[1].conditions[1];
    assert_eq!(missing.metric, "insurer.after.storage_type_leak_prone");
    assert_eq!(missing.value, None);
    assert_eq!(missing.missing, "the request has no insurer_exposure block");

    // Without the carbon block nothing says how the manure is treated.
    request.carbon = None;
    let response = assess(&server, request).await;
    assert_eq!(
        response.eligibility.as_ref().unwrap().not_evaluable_count,
        3
    );

    // An unlined lagoon after the project fails the storage rules, whatever else holds.
    let mut request = dry_run(insurer_example());
    after(&mut request).storage_type = pb::StorageType::UnlinedLagoon as i32;
    let response = assess(&server, request).await;
    let result = response.eligibility.as_ref().unwrap();
    assert_eq!(
        statuses(result),
        [
            ("gbepc-2021.1.5.3.2", Met),
            ("gbepc-2021.2.2.1.2", NotMet),
            ("gbepc-2021.4.1.3.2", NotMet),
        ]
    );
    assert!(
        result.rules[1]
            .reason
            .starts_with("not met: fails insurer.after.storage_type_leak_prone = true"),
        "{}",
        result.rules[1].reason
    );
    let view = response.insurer_view.as_ref().unwrap();
    assert_eq!(
        view.change.as_ref().unwrap().leak_prone_storage,
        pb::LeakProneChange::StillLeakProne as i32
    );
}

#[tokio::test]
async fn bad_insurer_and_eligibility_input_is_refused_naming_every_field() {
    let server = TestServer::start().await;
    let case = |edit: &dyn Fn(&mut pb::AssessRequest)| {
        let mut request = dry_run(insurer_example());
        edit(&mut request);
        request
    };

    // One thing wrong at a time.
    let single: Vec<(pb::AssessRequest, &str)> = vec![
        (
            case(&|r| insurer(r).before.as_mut().unwrap().untreated_manure_stock_t = dec("-1")),
            "insurer_exposure.before.untreated_manure_stock_t",
        ),
        (
            case(&|r| after(r).storage_type = 99),
            "insurer_exposure.after.storage_type",
        ),
        (
            case(&|r| after(r).facility_condition = 0),
            "insurer_exposure.after.facility_condition",
        ),
        (
            case(&|r| after(r).storage_capacity_days = dec("3.125")),
            "insurer_exposure.after.storage_capacity_days",
        ),
        (
            case(&|r| after(r).distance_to_surface_water_m = dec("1000000.01")),
            "insurer_exposure.after.distance_to_surface_water_m",
        ),
        (
            case(&|r| after(r).nitrogen_handled_t_per_year = None),
            "insurer_exposure.after.nitrogen_handled_t_per_year",
        ),
        (case(&|r| insurer(r).after = None), "insurer_exposure.after"),
        (
            case(&|r| {
                insurer(r).storage_minimum_days = Some(pb::StatedMinimum {
                    value: dec("7"),
                    source: String::new(),
                })
            }),
            "insurer_exposure.storage_minimum_days.source",
        ),
        (
            case(&|r| {
                r.eligibility = Some(pb::EligibilityInput {
                    rule_set: "cn-transition/2025.9".into(),
                })
            }),
            "eligibility.rule_set",
        ),
    ];
    for (request, field) in single {
        assert_eq!(reject(&server, request).await, [field], "case: {field}");
    }

    // Q, M and E out of range, an undefined stated grade, a second entry for the same medium,
    // and a negative Q ratio: every violation at once, each with its path.
    let request = case(&|r| {
        let hj941 = &mut insurer(r).hj941;
        hj941[0].quantity = Some(pb::hj941_input::Quantity::QLevel(5));
        hj941[0].m_level = 7;
        hj941[0].e_level = 0;
        hj941[0].stated_grade = 4;
        hj941.push(pb::Hj941Input {
            medium: pb::Hj941Medium::Water as i32,
            quantity: Some(pb::hj941_input::Quantity::QRatio(pb::Decimal {
                value: "-0.1".into(),
            })),
            m_level: pb::Hj941MLevel::M1 as i32,
            e_level: 9,
            stated_grade: 0,
        });
    });
    assert_eq!(
        reject(&server, request).await,
        [
            "insurer_exposure.hj941[0].q_level",
            "insurer_exposure.hj941[0].m_level",
            "insurer_exposure.hj941[0].e_level",
            "insurer_exposure.hj941[0].stated_grade",
            "insurer_exposure.hj941[1].q_ratio",
            "insurer_exposure.hj941[1].e_level",
            "insurer_exposure.hj941[1].medium",
        ]
    );

    // No quantity at all, and a third entry beyond the two media.
    let request = case(&|r| {
        let hj941 = &mut insurer(r).hj941;
        hj941[0].quantity = None;
        let air = pb::Hj941Input {
            medium: pb::Hj941Medium::Air as i32,
            ..hj941[0].clone()
        };
        hj941.push(air.clone());
        hj941.push(air);
    });
    let fields = reject(&server, request).await;
    assert_eq!(fields[0], "insurer_exposure.hj941");
    assert!(fields.contains(&"insurer_exposure.hj941[0].quantity".to_owned()));
    assert!(fields.contains(&"insurer_exposure.hj941[2].medium".to_owned()));
}

#[tokio::test]
async fn a_stored_assessment_with_both_views_verifies_by_recomputation() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let response = client
        .assess(insurer_example())
        .await
        .expect("the insurer example assesses")
        .into_inner();
    let seal = response.record.clone().expect("stored, so sealed");
    let answer = client
        .verify_assessment(pb::VerifyAssessmentRequest {
            record_id: seal.record_id.clone(),
        })
        .await
        .expect("verify")
        .into_inner();
    assert!(answer.verified, "{answer:?}");
    let names: Vec<&str> = answer.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["digest", "signature", "chain_link", "recomputation"]
    );
    assert!(answer.checks.iter().all(|c| c.passed), "{answer:?}");

    // The stored request and response carry both views.
    let stored = client
        .get_assessment(pb::GetAssessmentRequest {
            record_id: seal.record_id,
            ..Default::default()
        })
        .await
        .expect("get")
        .into_inner();
    let text = format!("{stored:?}");
    assert!(
        text.contains("insurer_exposure: Some"),
        "the stored request keeps the block"
    );
    assert!(
        text.contains("insurer_view: Some"),
        "the stored response keeps the view"
    );
    assert!(text.contains("eligibility: Some"));

    // Byte-identical on a repeat (dry runs: no seal).
    let first = assess(&server, dry_run(insurer_example())).await;
    let second = assess(&server, dry_run(insurer_example())).await;
    assert_eq!(
        prost::Message::encode_to_vec(&first),
        prost::Message::encode_to_vec(&second)
    );
}
