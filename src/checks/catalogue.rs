//! The registry of every check, in a fixed order so output is stable.

use crate::checks::{Check, build, container, secrets};

/// Every check Rampart knows, ordered by area and id.
pub static CATALOGUE: &[&Check] = &[
    // Build and supply chain
    &build::BLD_001,
    // Containers
    &container::CTR_001,
    &container::CTR_010,
    // Network
    // Secrets
    &secrets::SEC_001,
    &secrets::SEC_002,
    &secrets::SEC_003,
    &secrets::SEC_004,
    &secrets::SEC_005,
    &secrets::SEC_006,
    &secrets::SEC_007,
    &secrets::SEC_009,
    &secrets::SEC_010,
    &secrets::SEC_011,
    // Identity and access
    // Monitoring and incident response
    // Compliance and governance
];

/// The check with this id (case-insensitive).
pub fn find(id: &str) -> Option<&'static Check> {
    CATALOGUE
        .iter()
        .copied()
        .find(|c| c.id.eq_ignore_ascii_case(id.trim()))
}

#[cfg(test)]
mod tests {
    use super::CATALOGUE;

    #[test]
    fn ids_are_unique_and_ordered_by_area_then_id() {
        let keys: Vec<_> = CATALOGUE.iter().map(|c| (c.area, c.id)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup_by(|a, b| a.1 == b.1);
        assert_eq!(keys, sorted);
    }

    #[test]
    fn every_check_is_documented() {
        for check in CATALOGUE {
            assert!(
                !check.why.is_empty() && !check.remediation.is_empty(),
                "{}",
                check.id
            );
            assert!(
                !check.snippet.code.is_empty(),
                "{} has no snippet",
                check.id
            );
            assert!(
                !check.references.is_empty(),
                "{} has no references",
                check.id
            );
            assert!(!check.sources.is_empty(), "{} names no source", check.id);
        }
    }
}
