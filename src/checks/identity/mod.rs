//! Identity and access checks (seed §5).
