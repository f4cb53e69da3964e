//! The ImpactService handlers: decode, validate, assess, present. Nothing else.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::domain::assessment::assess;
use crate::domain::carbon::factor_set::FactorLibrary;
use crate::domain::lpr::LprTable;
use crate::pb;
use crate::pb::impact_service_server::ImpactService;

use super::{factor_sets, request, response, status};

#[derive(Clone)]
pub struct ImpactApi {
    lpr_table: Arc<LprTable>,
    factor_library: Arc<FactorLibrary>,
}

impl ImpactApi {
    pub fn new(lpr_table: LprTable, factor_library: FactorLibrary) -> ImpactApi {
        ImpactApi {
            lpr_table: Arc::new(lpr_table),
            factor_library: Arc::new(factor_library),
        }
    }

    /// The whole assessment, synchronous: it is microseconds of CPU, so it runs inline on the
    /// request's task rather than hopping to a blocking pool.
    pub fn assess(&self, request: &pb::AssessRequest) -> Result<pb::AssessResponse, Status> {
        let (input, presenter) = request::to_domain(request, &self.lpr_table, &self.factor_library)
            .map_err(status::invalid_argument)?;
        let assessment = assess(&input, &self.lpr_table).map_err(status::assess_failed)?;
        Ok(response::build(
            request,
            &input,
            &assessment,
            &presenter,
            &self.lpr_table,
        ))
    }
}

#[tonic::async_trait]
impl ImpactService for ImpactApi {
    async fn assess(
        &self,
        request: Request<pb::AssessRequest>,
    ) -> Result<Response<pb::AssessResponse>, Status> {
        ImpactApi::assess(self, request.get_ref()).map(Response::new)
    }

    async fn list_factor_sets(
        &self,
        _request: Request<pb::ListFactorSetsRequest>,
    ) -> Result<Response<pb::ListFactorSetsResponse>, Status> {
        Ok(Response::new(factor_sets::list(&self.factor_library)))
    }

    async fn get_factor_set(
        &self,
        request: Request<pb::GetFactorSetRequest>,
    ) -> Result<Response<pb::GetFactorSetResponse>, Status> {
        factor_sets::get(&self.factor_library, &request.get_ref().factor_set).map(Response::new)
    }
}
