//! network checks.
