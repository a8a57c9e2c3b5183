//! monitoring checks.
