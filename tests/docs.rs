//! Generated documentation stays current with the code that generates it.

use std::path::Path;

use rampart::checks::CATALOGUE;
use rampart::output::catalogue::reference_doc;

/// Compares a generated file with the committed one; `RAMPART_BLESS=1` rewrites it.
fn assert_current(path: &str, generated: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("RAMPART_BLESS").is_some() {
        std::fs::write(&path, generated).expect("the generated file can be written");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "`{}` is stale: run `RAMPART_BLESS=1 cargo test --test docs` and commit the result",
        path.display()
    );
}

#[test]
fn checks_reference_is_current() {
    assert_current("docs/checks.md", &reference_doc(CATALOGUE));
}

#[test]
fn every_check_has_a_section() {
    let doc = reference_doc(CATALOGUE);
    for check in CATALOGUE {
        assert!(
            doc.contains(&format!("## {}\n", check.id)),
            "{} missing",
            check.id
        );
    }
}
