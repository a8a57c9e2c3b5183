//! The registry of every check, in a fixed order so output is stable.

use crate::checks::{Check, build, container};

/// Every check Rampart knows, ordered by area and id.
pub static CATALOGUE: &[&Check] = &[
    // Build and supply chain
    &build::BLD_001,
    // Containers
    &container::CTR_001,
    &container::CTR_002,
    &container::CTR_003,
    &container::CTR_004,
    &container::CTR_005,
    &container::CTR_006,
    &container::CTR_007,
    &container::CTR_010,
    &container::CTR_011,
    &container::CTR_012,
    &container::CTR_013,
    &container::CTR_014,
    &container::CTR_015,
    &container::CTR_016,
    &container::CTR_017,
    &container::CTR_018,
    &container::CTR_019,
    &container::CTR_020,
    &container::CTR_023,
    &container::CTR_024,
    // Network
    // Secrets
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
