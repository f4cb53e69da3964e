//! Factors: overrides marked in the trace, factor sets listed and served (a second set beside the
//! built-in one), and a factor the chosen set lacks refused as INVALID_ARGUMENT.

use green_impact::domain::carbon::factor_set::{FactorLibrary, FactorSet};
use green_impact::pb;

use crate::common::{TestServer, assess, dec, decimal, ends, violated_fields};
use crate::support::{BUILT_IN_SET, assert_step, d, factor_use, seed_request, step, warning_codes};

const BUILT_IN_SET_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/factors/ipcc2019-cn-2026.1.json"
);

fn override_of(id: &str, value: &str, reason: &str) -> pb::FactorOverride {
    pb::FactorOverride {
        factor_id: id.into(),
        value: dec(value),
        reason: reason.into(),
    }
}

#[tokio::test]
async fn overrides_are_marked_in_the_trace() {
    const REASON: &str = "B0 measured on this farm's manure, lab report 2025-117";
    let server = TestServer::start().await;
    let mut request = seed_request();
    request
        .carbon
        .as_mut()
        .expect("seed carbon")
        .factor_overrides = vec![override_of("b0.layers.low", "0.3", REASON)];
    let response = assess(&server, request.clone()).await;
    let carbon = response.carbon.as_ref().expect("carbon block");

    let b0 = factor_use(carbon, "b0.layers.low");
    assert_eq!(b0.origin, pb::FactorOrigin::Override as i32);
    assert_eq!(
        [decimal(&b0.low), decimal(&b0.value), decimal(&b0.high)],
        [d("0.3"); 3]
    );
    assert!(b0.source.contains(REASON), "source: {}", b0.source);
    assert!(
        b0.note.contains("0.24") && b0.note.contains(BUILT_IN_SET),
        "the note names the replaced value: {}",
        b0.note
    );

    let b0_inputs: Vec<&pb::TraceInput> = carbon
        .trace
        .iter()
        .flat_map(|s| &s.inputs)
        .filter(|i| i.reference == "b0.layers.low")
        .collect();
    assert_eq!(
        b0_inputs.len(),
        3,
        "B0 enters the baseline, project and reduction CH4"
    );
    for input in b0_inputs {
        assert_eq!(
            input.origin,
            pb::TraceInputOrigin::FactorOverride as i32,
            "{}",
            input.symbol
        );
        assert_eq!(ends(&input.value), [d("0.3"); 3]);
    }
    // With B0 exact, only the default VS range (0.70 .. 0.73 of 8212.5 t DM) is left in the
    // CH4 reduction: 8212.5 x VS x 0.3 x 0.67 x (0.04 - 0.005).
    assert_step(
        carbon,
        "reduction.manure.ch4",
        ["40.44245625", "41.3090803125", "42.175704375"],
    );
    let codes = warning_codes(&response);
    assert!(!codes.contains(&"FACTOR_OVERRIDE_UNUSED"), "{codes:?}");

    let unused = "mcf.uncovered_anaerobic_lagoon.tropical_dry";
    request
        .carbon
        .as_mut()
        .expect("seed carbon")
        .factor_overrides
        .push(override_of(
            unused,
            "0.5",
            "a lagoon this farm does not have",
        ));
    let response = assess(&server, request).await;
    let warning = response
        .warnings
        .iter()
        .find(|w| w.code == "FACTOR_OVERRIDE_UNUSED")
        .expect("FACTOR_OVERRIDE_UNUSED warning");
    assert_eq!(warning.field, "carbon.factor_overrides");
    assert!(warning.message.contains(unused), "{}", warning.message);
    let carbon = response.carbon.as_ref().expect("carbon block");
    assert!(carbon.factors_used.iter().all(|f| f.factor_id != unused));
    assert_eq!(
        factor_use(carbon, "b0.layers.low").origin,
        pb::FactorOrigin::Override as i32
    );
}

/// A "(YYYY)" somewhere in the text.
fn has_year_in_parentheses(text: &str) -> bool {
    text.as_bytes()
        .windows(6)
        .any(|w| w[0] == b'(' && w[5] == b')' && w[1..5].iter().all(u8::is_ascii_digit))
}

#[tokio::test]
async fn factor_sets_are_listed_and_served() {
    let built_in_count = FactorSet::built_in().factors().count();
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let sets = client
        .list_factor_sets(pb::ListFactorSetsRequest {})
        .await
        .expect("ListFactorSets")
        .into_inner()
        .factor_sets;
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(sets[0].name, BUILT_IN_SET);
    assert!(sets[0].is_default && sets[0].built_in);
    assert_eq!(sets[0].factor_count as usize, built_in_count);
    assert!(!sets[0].title.is_empty());

    for name in ["", BUILT_IN_SET] {
        let set = client
            .get_factor_set(pb::GetFactorSetRequest {
                factor_set: name.into(),
            })
            .await
            .unwrap_or_else(|s| panic!("GetFactorSet({name:?}): {s:?}"))
            .into_inner();
        assert_eq!(set.name, BUILT_IN_SET);
        assert!(set.is_default);
        assert_eq!(set.factors.len(), built_in_count);
        for f in &set.factors {
            assert!(
                has_year_in_parentheses(&f.source),
                "{}: source {:?}",
                f.id,
                f.source
            );
            assert!(!f.unit.is_empty(), "{}: no unit", f.id);
            assert!(!f.physical_bounds.is_empty(), "{}", f.id);
            let [low, value, high] = [&f.low, &f.value, &f.high].map(decimal);
            assert!(low <= value && value <= high, "{}", f.id);
        }
        let b0 = set
            .factors
            .iter()
            .find(|f| f.id == "b0.layers.low")
            .expect("b0.layers.low");
        assert_eq!(
            [&b0.low, &b0.value, &b0.high].map(decimal),
            [d("0.204"), d("0.24"), d("0.276")]
        );
    }
    let status = client
        .get_factor_set(pb::GetFactorSetRequest {
            factor_set: "nope/1".into(),
        })
        .await
        .expect_err("an unknown set");
    assert_eq!(status.code(), tonic::Code::NotFound, "{status:?}");

    // A second set: the built-in one as version 2026.1-test, with b0.layers.low at 0.25.
    let text = std::fs::read_to_string(BUILT_IN_SET_FILE).expect("read the built-in set");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["version"], "2026.1");
    json["version"] = "2026.1-test".into();
    let b0 = json["factors"]
        .as_array_mut()
        .expect("factors")
        .iter_mut()
        .find(|f| f["id"] == "b0.layers.low")
        .expect("b0.layers.low in the file");
    b0["value"] = "0.25".into();
    b0["range"] = serde_json::json!(["0.2125", "0.2875"]);
    let test_set = FactorSet::from_json(&json.to_string()).expect("the test set loads");
    let mut library = FactorLibrary::built_in();
    library.add(test_set).expect("a new name");
    drop(client);
    drop(server);

    let server = TestServer::start_with(library).await;
    let mut client = server.client().await;
    let sets = client
        .list_factor_sets(pb::ListFactorSetsRequest {})
        .await
        .expect("ListFactorSets")
        .into_inner()
        .factor_sets;
    let names: Vec<&str> = sets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, [BUILT_IN_SET, "ipcc2019-cn/2026.1-test"]);
    assert!(sets[0].is_default && sets[0].built_in);
    assert!(!sets[1].is_default && !sets[1].built_in);
    assert_eq!(sets[1].factor_count as usize, built_in_count);

    let mut request = seed_request();
    request.carbon.as_mut().expect("seed carbon").factor_set = "ipcc2019-cn/2026.1-test".into();
    let response = client
        .assess(request)
        .await
        .expect("assess with the test set")
        .into_inner();
    assert_eq!(response.factor_set, "ipcc2019-cn/2026.1-test");
    let carbon = response.carbon.as_ref().expect("carbon block");
    assert_eq!(carbon.factor_set, "ipcc2019-cn/2026.1-test");
    let b0 = factor_use(carbon, "b0.layers.low");
    assert_eq!(b0.origin, pb::FactorOrigin::FactorSet as i32);
    assert_eq!(
        [decimal(&b0.low), decimal(&b0.value), decimal(&b0.high)],
        [d("0.2125"), d("0.25"), d("0.2875")]
    );
    let b0_input = step(carbon, "reduction.manure.ch4")
        .inputs
        .iter()
        .find(|i| i.symbol == "B0")
        .expect("B0 input");
    assert_eq!(
        decimal(&b0_input.value.as_ref().unwrap().central),
        d("0.25")
    );

    // The default is still the built-in set.
    let response = client
        .assess(seed_request())
        .await
        .expect("assess")
        .into_inner();
    assert_eq!(response.factor_set, BUILT_IN_SET);
    let carbon = response.carbon.as_ref().expect("carbon block");
    assert_eq!(
        decimal(&factor_use(carbon, "b0.layers.low").value),
        d("0.24")
    );
}

#[tokio::test]
async fn missing_factor_is_invalid_argument() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let mut request = seed_request();
    let manure = request
        .carbon
        .as_mut()
        .expect("seed carbon")
        .manure_management
        .as_mut()
        .expect("seed manure module");
    manure.species = pb::Species::Swine as i32;
    manure.volatile_solids_fraction_of_dry_matter = None;
    manure.nitrogen = None;
    let status = client
        .assess(request)
        .await
        .expect_err("the set has no swine VS or N default");
    let mut fields = violated_fields(&status);
    fields.sort();
    assert_eq!(
        fields,
        [
            "carbon.manure_management.nitrogen",
            "carbon.manure_management.volatile_solids_fraction_of_dry_matter",
        ]
    );
    assert!(
        status.message().contains("invalid field"),
        "{}",
        status.message()
    );
}
