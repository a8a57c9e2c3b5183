//! The registry of every check, in a fixed order so output is stable.

use crate::checks::{Check, build, compliance, container, monitoring};

/// Every check Rampart knows, ordered by area and id.
pub static CATALOGUE: &[&Check] = &[
    // Build and supply chain
    &build::BLD_001,
    // Containers
    &container::CTR_001,
    &container::CTR_010,
    // Network
    // Secrets
    // Identity and access
    // Monitoring and incident response
    &monitoring::MON_001,
    &monitoring::MON_002,
    &monitoring::MON_004,
    &monitoring::MON_005,
    &monitoring::MON_006,
    &monitoring::MON_008,
    &monitoring::MON_009,
    // Compliance and governance
    &compliance::CMP_001,
    &compliance::CMP_002,
    &compliance::CMP_003,
    &compliance::CMP_004,
    &compliance::CMP_005,
    &compliance::CMP_006,
    &compliance::CMP_007,
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
