//! secrets checks.
