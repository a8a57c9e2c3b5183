//! identity checks.
