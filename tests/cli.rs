//! The command line, end to end through the real binary: exit codes, subcommands, outputs
//! and evidence bundles.

mod harness;

use harness::{
    CLEAN_DOCKERFILE, PRIVILEGED_DEPLOYMENT, ROOT_DOCKERFILE, Sandbox, Tree, UNPINNED_WORKFLOW,
};

/// The committed v1 bundle; it must load in every later version. It was collected from a
/// copy of `examples/sample-project` plus a broken `deploy/broken.yaml`, with the clock and
/// timing fixed by hand. Never regenerate it: a new bundle version gets a file of its own.
const V1_BUNDLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/evidence/v1.json"
);

fn clean_tree() -> Tree {
    Tree::new(&[
        ("Dockerfile", CLEAN_DOCKERFILE),
        (
            "SECURITY.md",
            "# Security\n\nReport vulnerabilities to security@example.com.\n",
        ),
        (".github/CODEOWNERS", "* @example/platform\n"),
        (
            "docs/incident-response.md",
            "# Incident response\n## Preparation\n## Detection and analysis\n## Containment\n\
             ## Eradication\n## Recovery\n## Lessons learned\n",
        ),
    ])
}

/// A tree whose worst finding is high (CTR-001), nothing critical.
fn high_tree() -> Tree {
    Tree::new(&[("Dockerfile", ROOT_DOCKERFILE)])
}

/// The line of the text summary that carries the overall grade.
fn overall_line(text: &str) -> &str {
    text.lines()
        .find(|l| l.starts_with("Overall"))
        .unwrap_or_else(|| panic!("no `Overall` line in:\n{text}"))
}

#[test]
fn clean_tree_exits_zero() {
    let sandbox = Sandbox::new();
    let tree = clean_tree();
    let run = sandbox.run(tree.path(), &["--fail-on", "low", "."]);
    run.expect_code(0).expect_no_panic();
    assert!(run.stdout.contains("No findings"), "{}", run.stdout);
}

#[test]
fn fail_on_high_exits_one_when_a_high_finding_exists() {
    let sandbox = Sandbox::new();
    let tree = high_tree();
    sandbox
        .run(tree.path(), &["--fail-on", "high", "."])
        .expect_code(1);
    sandbox
        .run(tree.path(), &["--fail-on", "critical", "."])
        .expect_code(0);
    sandbox.run(tree.path(), &["."]).expect_code(0);
}

#[test]
fn fail_on_from_the_project_configuration_applies() {
    let sandbox = Sandbox::new();
    let tree = high_tree();
    tree.write("rampart.toml", b"fail-on = \"high\"\n");
    sandbox.run(tree.path(), &["."]).expect_code(1);
}

#[test]
fn a_bad_flag_value_exits_two_naming_it() {
    let sandbox = Sandbox::new();
    let tree = clean_tree();
    let run = sandbox.run(tree.path(), &["--fail-on", "severe", "."]);
    run.expect_code(2);
    assert!(run.stderr.contains("severe"), "{}", run.stderr);
    assert!(
        run.stderr.contains("critical"),
        "lists the valid values: {}",
        run.stderr
    );
}

#[test]
fn a_malformed_project_configuration_exits_two_with_line_and_column() {
    let sandbox = Sandbox::new();
    let tree = clean_tree();
    tree.write("rampart.toml", b"sources = [\"files\"]\nfail-on = high\n");
    let run = sandbox.run(tree.path(), &["."]);
    run.expect_code(2).expect_no_panic();
    assert!(run.stderr.contains("rampart.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("line 2"), "{}", run.stderr);
    assert!(run.stderr.contains("column"), "{}", run.stderr);
}

#[test]
fn a_malformed_user_configuration_exits_two_naming_the_file() {
    let sandbox = Sandbox::new();
    let tree = clean_tree();
    let user = sandbox.path().join("config/rampart");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(user.join("config.toml"), "[files\n").unwrap();
    let run = sandbox.run(tree.path(), &["."]);
    run.expect_code(2).expect_no_panic();
    assert!(run.stderr.contains("config.toml"), "{}", run.stderr);
}

#[test]
fn an_explicit_config_that_does_not_exist_exits_two_naming_it() {
    let sandbox = Sandbox::new();
    let tree = clean_tree();
    let run = sandbox.run(tree.path(), &["--config", "missing-rampart.toml", "."]);
    run.expect_code(2).expect_no_panic();
    assert!(
        run.stderr.contains("missing-rampart.toml"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_project_configuration_that_is_a_fifo_exits_two_without_hanging() {
    let sandbox = Sandbox::new();
    let tree = clean_tree();
    let status = std::process::Command::new("mkfifo")
        .arg(tree.path().join("rampart.toml"))
        .status()
        .unwrap();
    assert!(status.success());
    let run = sandbox.run(tree.path(), &["."]);
    run.expect_code(2).expect_no_panic();
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

#[test]
fn min_severity_hides_findings_but_not_the_grade() {
    let sandbox = Sandbox::new();
    let tree = Tree::new(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
    ]);
    let all = sandbox.run(tree.path(), &["."]);
    let critical = sandbox.run(tree.path(), &["--min-severity", "critical", "."]);
    all.expect_code(0);
    critical.expect_code(0);

    assert!(all.stdout.contains("CTR-001"), "{}", all.stdout);
    assert!(!critical.stdout.contains("CTR-001"), "{}", critical.stdout);
    assert!(critical.stdout.contains("CTR-010"), "{}", critical.stdout);
    assert_eq!(overall_line(&all.stdout), overall_line(&critical.stdout));
}

#[test]
fn a_failing_critical_check_says_capped_without_naming_a_grade() {
    let sandbox = Sandbox::new();
    let tree = Tree::new(&[("deploy/web.yaml", PRIVILEGED_DEPLOYMENT)]);
    let run = sandbox.run(tree.path(), &["."]);
    let line = overall_line(&run.stdout);
    assert!(line.contains("capped: a critical check fails"), "{line}");
    assert!(!line.contains("capped at D"), "{line}");
}

#[test]
fn saved_evidence_reproduces_the_same_summary() {
    let sandbox = Sandbox::new();
    let tree = Tree::new(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        (".github/workflows/ci.yml", UNPINNED_WORKFLOW),
        ("deploy/broken.yaml", "a: [\n"),
    ]);
    let bundle = sandbox.path().join("bundle.json");
    let bundle_arg = bundle.to_str().unwrap();

    let live = sandbox.run(tree.path(), &[".", "--save-evidence", bundle_arg]);
    live.expect_code(0);
    assert!(bundle.is_file(), "the bundle was not written");

    // From another directory, so nothing can be read from the tree itself.
    let replay = sandbox.run(sandbox.path(), &["--evidence", bundle_arg]);
    replay.expect_code(0).expect_no_panic();
    assert_eq!(live.stdout, replay.stdout);
}

#[test]
fn a_bundle_from_a_newer_version_is_refused_with_upgrade_advice() {
    let sandbox = Sandbox::new();
    let bundle = sandbox.path().join("future.json");
    std::fs::write(
        &bundle,
        r#"{"version":99,"collector":"9.0.0","clock":"2030-01-01T00:00:00Z","sources":[]}"#,
    )
    .unwrap();
    let run = sandbox.run(sandbox.path(), &["--evidence", bundle.to_str().unwrap()]);
    run.expect_code(2).expect_no_panic();
    assert!(run.stderr.contains("99"), "{}", run.stderr);
    assert!(run.stderr.contains("upgrade"), "{}", run.stderr);
    assert!(run.stderr.contains("future.json"), "{}", run.stderr);
}

#[test]
fn a_bundle_that_is_not_json_exits_two_naming_it() {
    let sandbox = Sandbox::new();
    let bundle = sandbox.path().join("garbage.json");
    std::fs::write(&bundle, "not json at all").unwrap();
    let run = sandbox.run(sandbox.path(), &["--evidence", bundle.to_str().unwrap()]);
    run.expect_code(2).expect_no_panic();
    assert!(run.stderr.contains("garbage.json"), "{}", run.stderr);
}

#[test]
fn the_committed_v1_bundle_still_loads_with_its_findings() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["--evidence", V1_BUNDLE]);
    run.expect_code(0).expect_no_panic();
    let out = &run.stdout;

    // The findings of the fixture repository, with their locations.
    assert!(
        out.contains("CTR-010") && out.contains("deploy/web.yaml:15"),
        "{out}"
    );
    assert!(
        out.contains("CTR-001") && out.contains("Dockerfile:8"),
        "{out}"
    );
    assert!(
        out.contains("BLD-001") && out.contains(".github/workflows/ci.yml:10"),
        "{out}"
    );
    assert!(out.contains("deploy/broken.yaml: not valid YAML"), "{out}");

    // A failing critical caps the overall grade; later checks may move the score, never
    // above D.
    let overall = overall_line(out);
    assert!(
        overall.contains("Overall  F") || overall.contains("Overall  D"),
        "{overall}"
    );
    assert!(overall.contains("capped"), "{overall}");
    for area in ["Build and supply chain", "Containers"] {
        let line = out.lines().find(|l| l.starts_with(area)).unwrap();
        assert!(!line.contains("not assessed"), "{line}");
    }

    let fail = sandbox.run(
        sandbox.path(),
        &["--evidence", V1_BUNDLE, "--fail-on", "critical"],
    );
    fail.expect_code(1);
}

#[test]
fn checks_lists_the_catalogue() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["checks"]);
    run.expect_code(0);
    for id in ["BLD-001", "CTR-001", "CTR-010"] {
        assert!(run.stdout.contains(id), "{}", run.stdout);
    }
}

#[test]
fn checks_json_is_json() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["checks", "--json"]);
    run.expect_code(0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert!(value.to_string().contains("BLD-001"));
}

#[test]
fn explain_is_case_insensitive() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["explain", "ctr-010"]);
    run.expect_code(0);
    assert!(run.stdout.contains("CTR-010"), "{}", run.stdout);
}

#[test]
fn explain_an_unknown_id_exits_two_naming_it() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["explain", "NOPE-999"]);
    run.expect_code(2).expect_no_panic();
    assert!(run.stderr.contains("NOPE-999"), "{}", run.stderr);
    assert!(run.stderr.contains("rampart checks"), "{}", run.stderr);
}

#[test]
fn completions_print_a_script() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["completions", "bash"]);
    run.expect_code(0);
    assert!(run.stdout.contains("_rampart"), "{}", run.stdout);
    assert!(run.stdout.contains("complete"), "{}", run.stdout);
}

#[test]
fn a_directory_named_like_a_subcommand_is_scanned_with_a_path() {
    let sandbox = Sandbox::new();
    let tree = Tree::new(&[("checks/Dockerfile", ROOT_DOCKERFILE)]);

    let scan = sandbox.run(tree.path(), &["./checks"]);
    scan.expect_code(0);
    assert!(scan.stdout.contains("CTR-001"), "{}", scan.stdout);
    assert!(scan.stdout.contains("Overall"), "{}", scan.stdout);

    let catalogue = sandbox.run(tree.path(), &["checks"]);
    catalogue.expect_code(0);
    assert!(catalogue.stdout.contains("BLD-001"), "{}", catalogue.stdout);
    assert!(
        !catalogue.stdout.contains("Overall"),
        "{}",
        catalogue.stdout
    );

    let explicit = sandbox.run(tree.path(), &["scan", "checks"]);
    explicit.expect_code(0);
    assert!(explicit.stdout.contains("CTR-001"), "{}", explicit.stdout);
}

#[test]
fn demo_runs_without_anything_connected() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["--demo"]);
    run.expect_code(0).expect_no_panic();
    assert!(run.stdout.contains("Overall"), "{}", run.stdout);
}

#[test]
fn an_unreachable_requested_source_exits_three_and_still_reports() {
    let sandbox = Sandbox::new();
    let tree = clean_tree();
    let missing = tree.path().join("no-such-kubeconfig");
    let missing = missing.to_str().unwrap();
    let run = sandbox.run(
        tree.path(),
        &["--sources", "files,kube", "--kubeconfig", missing, "."],
    );
    run.expect_code(3).expect_no_panic();
    assert!(run.stdout.contains("Overall"), "{}", run.stdout);
    assert!(run.stderr.contains("`kube`"), "{}", run.stderr);
}

#[test]
fn an_unknown_source_exits_two() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["--sources", "files,cloud", "."]);
    run.expect_code(2);
    assert!(run.stderr.contains("cloud"), "{}", run.stderr);
}

#[test]
fn report_dash_prints_the_markdown_to_standard_output() {
    let sandbox = Sandbox::new();
    let tree = high_tree();
    let markdown = sandbox.run(tree.path(), &[".", "--format", "markdown"]);
    let report = sandbox.run(tree.path(), &[".", "--report", "-"]);
    report.expect_code(0).expect_no_panic();
    // Two runs have two clocks; everything else must be identical.
    let without_clock = |text: &str| -> String {
        text.lines()
            .filter(|l| !l.starts_with("Evaluated at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        without_clock(&report.stdout),
        without_clock(&markdown.stdout)
    );
    assert!(
        !tree.path().join("-").exists(),
        "`-` must not become a file"
    );

    let sarif = sandbox.run(tree.path(), &[".", "--format", "sarif"]);
    let sarif_dash = sandbox.run(tree.path(), &[".", "--sarif", "-"]);
    sarif_dash.expect_code(0);
    assert_eq!(sarif_dash.stdout, sarif.stdout);
}

#[test]
fn two_outputs_on_standard_output_are_refused() {
    let sandbox = Sandbox::new();
    let tree = high_tree();
    let run = sandbox.run(tree.path(), &[".", "--json", "--report", "-"]);
    run.expect_code(2).expect_no_panic();
    assert!(run.stderr.contains("standard output"), "{}", run.stderr);
}

#[test]
fn output_flag_writes_the_file_and_nothing_to_stdout() {
    let sandbox = Sandbox::new();
    let tree = high_tree();
    let target = sandbox.path().join("summary.txt");
    let run = sandbox.run(tree.path(), &[".", "-o", target.to_str().unwrap()]);
    run.expect_code(0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.contains("CTR-001"), "{written}");
}

#[test]
fn json_report_and_sarif_files_are_written() {
    let sandbox = Sandbox::new();
    let tree = high_tree();
    let json = sandbox.path().join("out.json");
    let report = sandbox.path().join("report.md");
    let sarif = sandbox.path().join("out.sarif");
    let run = sandbox.run(
        tree.path(),
        &[
            ".",
            "--json",
            "-o",
            json.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--sarif",
            sarif.to_str().unwrap(),
        ],
    );
    run.expect_code(0);
    for path in [&json, &report, &sarif] {
        assert!(path.is_file(), "`{}` was not written", path.display());
    }
}

#[test]
fn an_unwritable_output_exits_two_naming_the_path() {
    let sandbox = Sandbox::new();
    let tree = clean_tree();
    let target = sandbox.path().join("no-such-dir/out.txt");
    for flag in ["-o", "--report", "--sarif", "--save-evidence"] {
        let run = sandbox.run(tree.path(), &[".", flag, target.to_str().unwrap()]);
        run.expect_code(2).expect_no_panic();
        assert!(
            run.stderr.contains("no-such-dir/out.txt"),
            "{flag}: {}",
            run.stderr
        );
    }
}

#[test]
fn evidence_conflicts_with_a_path() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["--evidence", V1_BUNDLE, "."]);
    run.expect_code(2);
}
