//! The registry of every check, in a fixed order so output is stable.

use crate::checks::{
    Check, build, compliance, container, control_plane, github_settings, identity, monitoring,
    network, network_docker, secrets,
};

/// Every check Rampart knows, ordered by area and id.
pub static CATALOGUE: &[&Check] = &[
    // Build and supply chain
    &build::BLD_001,
    &build::BLD_002,
    &build::BLD_003,
    &build::BLD_004,
    &build::BLD_005,
    &build::BLD_006,
    &build::BLD_007,
    &build::BLD_008,
    &build::BLD_009,
    &build::BLD_010,
    &build::BLD_011,
    &build::BLD_012,
    &build::BLD_013,
    &build::BLD_014,
    &build::BLD_015,
    &build::BLD_016,
    &build::BLD_017,
    &build::BLD_018,
    &build::BLD_019,
    &build::BLD_020,
    &build::BLD_021,
    &build::BLD_022,
    &build::BLD_023,
    &build::BLD_024,
    &build::BLD_025,
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
    &container::CTR_021,
    &container::CTR_022,
    &container::CTR_023,
    &container::CTR_024,
    &container::CTR_030,
    &container::CTR_031,
    &container::CTR_032,
    &container::CTR_033,
    &container::CTR_034,
    // Network
    &network::NET_001,
    &network::NET_002,
    &network::NET_003,
    &network::NET_004,
    &network::NET_005,
    &network::NET_006,
    &network::NET_007,
    &network_docker::NET_008,
    &network_docker::NET_009,
    &network_docker::NET_010,
    &github_settings::NET_011,
    &network::NET_012,
    // Secrets
    &secrets::SEC_001,
    &secrets::SEC_002,
    &secrets::SEC_003,
    &secrets::SEC_004,
    &secrets::SEC_005,
    &secrets::SEC_006,
    &secrets::SEC_007,
    &github_settings::SEC_008,
    &secrets::SEC_009,
    &secrets::SEC_010,
    &secrets::SEC_011,
    // Identity and access
    &identity::IAM_001,
    &identity::IAM_002,
    &identity::IAM_003,
    &identity::IAM_004,
    &identity::IAM_005,
    &identity::IAM_006,
    &identity::IAM_007,
    &control_plane::IAM_008,
    &github_settings::IAM_009,
    &github_settings::IAM_010,
    &control_plane::IAM_011,
    &control_plane::IAM_012,
    &identity::IAM_013,
    &identity::IAM_014,
    &identity::IAM_015,
    // Monitoring and incident response
    &monitoring::MON_001,
    &monitoring::MON_002,
    &control_plane::MON_003,
    &monitoring::MON_004,
    &monitoring::MON_005,
    &monitoring::MON_006,
    &container::MON_007,
    &monitoring::MON_008,
    &monitoring::MON_009,
    &github_settings::MON_010,
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
