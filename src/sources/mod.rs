//! Connectors that collect evidence. Only this module tree performs I/O.

pub mod files;
