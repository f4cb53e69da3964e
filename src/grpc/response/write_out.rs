//! FULL -> SELF_CONTAINED: every text a FULL response refers to by id written out in place,
//! from the methodology's step templates and the factor set the response names. The result is
//! the response as it was before texts were referred to by id, to the byte: records stored
//! then hold that form, and verify by recomputing into it.

use crate::domain::METHODOLOGY_VERSION;
use crate::domain::carbon::factor_set::FactorLibrary;
use crate::domain::carbon::templates::STEP_TEMPLATES;
use crate::pb;

/// Writes out the carbon block's trace and factor texts. Err names what the texts are missing
/// for (a template this server does not have, a factor set it does not load).
pub fn write_out(response: &mut pb::AssessResponse, library: &FactorLibrary) -> Result<(), String> {
    let Some(carbon) = response.carbon.as_mut() else {
        return Ok(());
    };
    for step in &mut carbon.trace {
        if step.template.is_empty() {
            continue; // written out already
        }
        if response.methodology_version != METHODOLOGY_VERSION {
            return Err(format!(
                "its steps name templates of {}, this server holds those of {METHODOLOGY_VERSION}",
                response.methodology_version
            ));
        }
        let template = STEP_TEMPLATES
            .iter()
            .find(|t| t.id == step.template)
            .ok_or_else(|| format!("no step template {:?} in this methodology", step.template))?;
        if step.inputs.len() != template.inputs.len() {
            return Err(format!(
                "step {} lists {} inputs, its template {} has {}",
                step.step,
                step.inputs.len(),
                template.id,
                template.inputs.len()
            ));
        }
        step.equation = template.equation.to_owned();
        step.expression = template.expression.to_owned();
        step.result_unit = template.result_unit.to_owned();
        for (input, said) in step.inputs.iter_mut().zip(template.inputs) {
            input.symbol = said.symbol.to_owned();
            fill(&mut input.unit, said.unit);
            fill(&mut input.reference, said.reference);
        }
        step.template.clear();
    }
    if carbon.factors_used.iter().all(|f| !f.source.is_empty()) {
        return Ok(());
    }
    let set = library
        .find(&carbon.factor_set)
        .ok_or_else(|| format!("factor set {} is not loaded", carbon.factor_set))?;
    for used in &mut carbon.factors_used {
        if used.origin == pb::FactorOrigin::Override as i32 || !used.source.is_empty() {
            continue;
        }
        let factor = set
            .get(&used.factor_id)
            .ok_or_else(|| format!("{} has no factor {}", carbon.factor_set, used.factor_id))?;
        used.unit = factor.unit.clone();
        used.source = factor.source.clone();
        used.note = factor.note.clone();
    }
    Ok(())
}

fn fill(text: &mut String, template: &str) {
    if text.is_empty() {
        template.clone_into(text);
    }
}
