//! Test harness: the real server on an ephemeral loopback port, and the seed request.

#![allow(dead_code)] // each test binary uses its own part of the harness

use std::net::SocketAddr;

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::grpc::server;
use green_impact::json;
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use tokio::sync::oneshot;
use tonic::transport::Channel;

pub const SEED_REQUEST_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/leshan-yaqing.json");

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl TestServer {
    /// Starts the real server on 127.0.0.1:0 in this process, with the built-in factor set.
    pub async fn start() -> TestServer {
        TestServer::start_with(FactorLibrary::built_in()).await
    }

    /// Starts the real server with the given factor sets.
    pub async fn start_with(factor_library: FactorLibrary) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            server::serve(listener, factor_library, async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        TestServer {
            addr,
            stop: Some(stop),
        }
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .expect("uri")
            .connect()
            .await
            .expect("connect to test server")
    }

    pub async fn client(&self) -> ImpactServiceClient<Channel> {
        ImpactServiceClient::new(self.channel().await)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn seed_request() -> pb::AssessRequest {
    let text = std::fs::read_to_string(SEED_REQUEST_PATH).expect("read seed request");
    json::assess_request_from_json(&text).expect("seed request is valid proto3 JSON")
}

pub fn dec(value: &str) -> Option<pb::Decimal> {
    Some(pb::Decimal {
        value: value.to_owned(),
    })
}

pub fn money(currency_code: &str, amount: &str) -> Option<pb::Money> {
    Some(pb::Money {
        currency_code: currency_code.to_owned(),
        amount: dec(amount),
    })
}

pub fn cny(amount: &str) -> Option<pb::Money> {
    money("CNY", amount)
}

pub fn value(decimal: &Option<pb::Decimal>) -> &str {
    decimal.as_ref().map_or("<absent>", |d| d.value.as_str())
}

/// The field paths of the BadRequest violations in an INVALID_ARGUMENT status.
pub fn violated_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    assert_eq!(
        status.code(),
        tonic::Code::InvalidArgument,
        "status: {status:?}"
    );
    let bad_request = status
        .get_details_bad_request()
        .expect("BadRequest details present");
    bad_request
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect()
}

/// An exact decimal of a response, parsed; panics when it is absent or malformed.
pub fn decimal(d: &Option<pb::Decimal>) -> rust_decimal::Decimal {
    let text = &d.as_ref().expect("decimal present").value;
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a decimal: {e}"))
}

/// The low, central and high of a Bounds message, parsed.
pub fn ends(b: &Option<pb::Bounds>) -> [rust_decimal::Decimal; 3] {
    let b = b.as_ref().expect("bounds present");
    [decimal(&b.low), decimal(&b.central), decimal(&b.high)]
}

/// The presented carbon parts add up to the presented totals, for the low, central and high
/// rows alike: scenario and avoided lines to their totals; manure management - project energy
/// (its opposite end) + avoided to the total; emission reduction + avoided to the total; the
/// gases to manure management; and, centrally, baseline - project to the emission reduction.
pub fn assert_carbon_parts_sum(carbon: &pb::CarbonResult) {
    use rust_decimal::Decimal;
    let sum_of_ends = |bounds: &mut dyn Iterator<Item = &Option<pb::Bounds>>| -> [Decimal; 3] {
        let mut sum = [Decimal::ZERO; 3];
        for b in bounds {
            for (s, v) in sum.iter_mut().zip(ends(b)) {
                *s += v;
            }
        }
        sum
    };
    let line_sums =
        |lines: &[pb::EmissionLine]| sum_of_ends(&mut lines.iter().map(|l| &l.tco2e_per_year));
    let baseline = carbon.baseline.as_ref().expect("baseline");
    let project = carbon.project.as_ref().expect("project");
    let avoided = carbon.avoided.as_ref().expect("avoided");
    let reduction = carbon.reduction.as_ref().expect("reduction");
    let baseline_total = ends(&baseline.total_tco2e_per_year);
    let project_total = ends(&project.total_tco2e_per_year);
    let avoided_total = ends(&avoided.total_tco2e_per_year);
    let manure = ends(&reduction.manure_management_tco2e_per_year);
    let energy = ends(&reduction.project_energy_tco2e_per_year);
    let emission_reduction = ends(&reduction.emission_reduction_tco2e_per_year);
    let avoided_reduction = ends(&reduction.avoided_tco2e_per_year);
    let total = ends(&reduction.total_tco2e_per_year);
    let gases = sum_of_ends(
        &mut reduction
            .manure_management_by_gas
            .iter()
            .map(|g| &g.tco2e_per_year),
    );
    let mut presented: Vec<&Option<pb::Bounds>> = vec![
        &baseline.total_tco2e_per_year,
        &project.total_tco2e_per_year,
        &avoided.total_tco2e_per_year,
        &reduction.manure_management_tco2e_per_year,
        &reduction.project_energy_tco2e_per_year,
        &reduction.emission_reduction_tco2e_per_year,
        &reduction.total_tco2e_per_year,
    ];
    for line in baseline
        .lines
        .iter()
        .chain(&project.lines)
        .chain(&avoided.lines)
    {
        presented.extend([&line.gas_t_per_year, &line.tco2e_per_year]);
    }
    for gas in &reduction.manure_management_by_gas {
        presented.extend([&gas.gas_t_per_year, &gas.tco2e_per_year]);
    }
    for bounds in presented {
        let [low, central, high] = ends(bounds);
        assert!(
            low <= central && central <= high,
            "presented bounds out of order: {low} / {central} / {high}"
        );
    }
    let baseline_lines = line_sums(&baseline.lines);
    let project_lines = line_sums(&project.lines);
    let avoided_lines = line_sums(&avoided.lines);
    for (i, end) in ["low", "central", "high"].into_iter().enumerate() {
        let opposite = 2 - i;
        assert_eq!(
            baseline_lines[i], baseline_total[i],
            "{end}: baseline lines vs total"
        );
        assert_eq!(
            project_lines[i], project_total[i],
            "{end}: project lines vs total"
        );
        assert_eq!(
            avoided_lines[i], avoided_total[i],
            "{end}: avoided lines vs total"
        );
        assert_eq!(
            avoided_reduction[i], avoided_total[i],
            "{end}: avoided in the reduction"
        );
        assert_eq!(
            manure[i] - energy[opposite] + avoided_reduction[i],
            total[i],
            "{end}: manure management - project energy + avoided vs total"
        );
        assert_eq!(
            manure[i] - energy[opposite],
            emission_reduction[i],
            "{end}: manure management - project energy vs emission reduction"
        );
        assert_eq!(
            emission_reduction[i] + avoided_reduction[i],
            total[i],
            "{end}: emission reduction + avoided vs total"
        );
        assert_eq!(gases[i], manure[i], "{end}: gases vs manure management");
    }
    assert_eq!(
        baseline_total[1] - project_total[1],
        emission_reduction[1],
        "central: baseline - project vs emission reduction"
    );
}
