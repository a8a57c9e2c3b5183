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

/// The README's sample output is what `rampart --demo` prints without a terminal.
#[test]
fn readme_sample_output_is_the_demo_summary() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
        .arg("--demo")
        .env("NO_COLOR", "1")
        // No user configuration may change the summary.
        .env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{output:?}");
    let summary = String::from_utf8(output.stdout).expect("utf-8");

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let marker = "$ rampart --demo        # without a terminal: the plain summary\n";
    let start = readme.find(marker).expect("the sample output block") + marker.len();
    let end = start + readme[start..].find("```").expect("the block's end");
    let current = format!("{}\n", summary.trim_end());
    if std::env::var_os("RAMPART_BLESS").is_some() {
        let updated = format!("{}{current}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("README.md can be written");
        return;
    }
    assert!(
        readme[start..end] == current,
        "the README's sample output is stale: run `RAMPART_BLESS=1 cargo test --test docs`"
    );
}
