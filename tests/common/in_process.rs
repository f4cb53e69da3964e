//! The service's API in this process, without a socket: for the property tests, which assess
//! thousands of requests.

use std::sync::LazyLock;

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::domain::lpr::LprTable;
use green_impact::grpc::api::ImpactApi;

pub static API: LazyLock<ImpactApi> =
    LazyLock::new(|| ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in()));
