//! compliance checks.
