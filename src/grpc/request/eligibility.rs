//! The eligibility block of an AssessRequest: which rule set to check the project against.

use std::sync::Arc;

use super::Checker;
use crate::domain::eligibility::{EligibilityLibrary, RuleSet};
use crate::pb;

/// Absent: `Some(None)`; a rule set the server holds: `Some(Some(set))`; an unknown name:
/// `None`, with the violation recorded.
pub(super) fn eligibility(
    check: &mut Checker,
    input: Option<&pb::EligibilityInput>,
) -> Option<Option<Arc<RuleSet>>> {
    let Some(input) = input else {
        return Some(None);
    };
    let library = EligibilityLibrary::built_in();
    match library.find(&input.rule_set) {
        Some(set) => Some(Some(set.clone())),
        None => {
            check.violation(
                "eligibility.rule_set",
                format!(
                    "unknown rule set {:?}; this server has {} (empty means the default)",
                    input.rule_set,
                    library.names().join(", ")
                ),
            );
            None
        }
    }
}
