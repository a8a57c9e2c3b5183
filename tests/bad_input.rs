//! Hostile and broken input, through the real binary: every bad file is listed as skipped
//! with its reason, the run goes on, nothing panics, nothing hangs, no secret value and no
//! terminal escape sequence reaches the output.

mod harness;

use std::fmt::Write as _;

use harness::{CLEAN_DOCKERFILE, ROOT_DOCKERFILE, Sandbox, Tree, random_token};

/// A tree with one good Dockerfile that always yields CTR-001, so every test can show that
/// the run went on past the bad file.
fn tree_with(files: &[(&str, &str)]) -> Tree {
    let tree = Tree::new(&[("Dockerfile", ROOT_DOCKERFILE)]);
    for (path, contents) in files {
        tree.write(path, contents.as_bytes());
    }
    tree
}

/// The `path: reason` line of the "Skipped files" section for `path`.
fn skipped_line<'a>(stdout: &'a str, path: &str) -> &'a str {
    let section = stdout
        .split_once("Skipped files")
        .unwrap_or_else(|| panic!("no skipped files section in:\n{stdout}"))
        .1;
    let prefix = format!("  {path}: ");
    section
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("`{path}` is not listed as skipped in:\n{stdout}"))
}

/// Scans `tree`, expects a clean exit with the good Dockerfile's finding, and returns the
/// summary.
fn scan_goes_on(sandbox: &Sandbox, tree: &Tree) -> String {
    let run = sandbox.run(tree.path(), &["."]);
    run.expect_code(0).expect_no_panic();
    assert!(
        run.stdout.contains("CTR-001"),
        "the good file was not judged:\n{}",
        run.stdout
    );
    run.stdout
}

#[test]
fn malformed_yaml_is_skipped_with_its_line() {
    let sandbox = Sandbox::new();
    let tree = tree_with(&[(
        "deploy/broken.yaml",
        "apiVersion: v1\nkind: Pod\n  oops: [\n",
    )]);
    let out = scan_goes_on(&sandbox, &tree);
    let line = skipped_line(&out, "deploy/broken.yaml");
    assert!(line.contains("not valid YAML"), "{line}");
    assert!(line.contains("line 3"), "{line}");
}

#[test]
fn a_dockerfile_that_does_not_parse_is_skipped_with_its_line() {
    let sandbox = Sandbox::new();
    let tree = tree_with(&[("api/Dockerfile", "FROM debian:12\nFROMM oops\n")]);
    let out = scan_goes_on(&sandbox, &tree);
    let line = skipped_line(&out, "api/Dockerfile");
    assert!(line.contains("not a valid Dockerfile"), "{line}");
    assert!(line.contains("line 2"), "{line}");
    assert_eq!(
        line.matches("line 2").count(),
        1,
        "position said twice: {line}"
    );
}

#[test]
fn a_binary_file_named_yaml_is_skipped() {
    let sandbox = Sandbox::new();
    let tree = tree_with(&[]);
    tree.write("image.yaml", b"apiVersion: v1\n\x00\x01\x02\xff\xfe binary");
    let out = scan_goes_on(&sandbox, &tree);
    assert!(skipped_line(&out, "image.yaml").contains("binary"), "{out}");
}

#[test]
fn an_oversized_file_is_skipped_with_the_limit() {
    let sandbox = Sandbox::new();
    let big = format!("data: {}\n", "x".repeat(2000));
    let tree = tree_with(&[
        ("rampart.toml", "[files]\nmax-file-size = 1000\n"),
        ("big.yaml", &big),
    ]);
    let out = scan_goes_on(&sandbox, &tree);
    let line = skipped_line(&out, "big.yaml");
    assert!(line.contains("1000-byte limit"), "{line}");
}

#[test]
fn a_yaml_alias_bomb_is_skipped_quickly() {
    let sandbox = Sandbox::new();
    // Billion laughs: nine levels of nine aliases each expand to 9^9 strings.
    let mut bomb = String::from(
        "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for level in 1..=9 {
        let refs = vec![format!("*a{}", level - 1); 9].join(",");
        writeln!(bomb, "a{level}: &a{level} [{refs}]").unwrap();
    }
    let tree = tree_with(&[("bomb.yaml", &bomb)]);

    let run = sandbox.run(tree.path(), &["."]);
    run.expect_code(0).expect_no_panic();
    assert!(
        run.elapsed < std::time::Duration::from_secs(5),
        "took {:?}",
        run.elapsed
    );
    let line = skipped_line(&run.stdout, "bomb.yaml");
    assert!(line.contains("alias bomb"), "{line}");
}

#[test]
fn deep_nesting_is_skipped_without_overflowing_the_stack() {
    let sandbox = Sandbox::new();
    let tree = tree_with(&[
        ("deep.yaml", &"[".repeat(100_000)),
        ("deeper.yaml", &"{a: ".repeat(50_000)),
    ]);
    let out = scan_goes_on(&sandbox, &tree);
    for file in ["deep.yaml", "deeper.yaml"] {
        let line = skipped_line(&out, file);
        assert!(line.contains("not valid YAML"), "{line}");
    }
}

#[test]
fn a_symlink_loop_is_skipped_as_a_loop() {
    let sandbox = Sandbox::new();
    let tree = tree_with(&[("sub/pod.yaml", "a: 1\n")]);
    std::os::unix::fs::symlink("..", tree.path().join("sub/loop")).unwrap();
    let out = scan_goes_on(&sandbox, &tree);
    assert!(skipped_line(&out, "sub/loop").contains("loop"), "{out}");
}

#[test]
fn symlinks_out_of_the_scanned_directory_are_refused() {
    let sandbox = Sandbox::new();
    let outside = Tree::new(&[("Dockerfile", ROOT_DOCKERFILE), ("pod.yaml", "a: 1\n")]);
    let tree = tree_with(&[]);
    let symlink_to = |target: &std::path::Path, name: &str| {
        std::os::unix::fs::symlink(target, tree.path().join(name)).unwrap();
    };
    symlink_to(&outside.path().join("pod.yaml"), "outside.yaml");
    symlink_to(outside.path(), "outside-dir");
    symlink_to(std::path::Path::new("/"), "root");

    let run = sandbox.run(tree.path(), &["."]);
    run.expect_code(0).expect_no_panic();
    for name in ["outside.yaml", "outside-dir", "root"] {
        let line = skipped_line(&run.stdout, name);
        assert!(line.contains("outside the scanned directory"), "{line}");
    }
    // The outside Dockerfile was not judged: only the tree's own one was.
    assert!(
        !run.stdout.contains("outside-dir/Dockerfile"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_fifo_named_like_a_manifest_does_not_hang_the_run() {
    let sandbox = Sandbox::new();
    let tree = tree_with(&[]);
    let fifo = tree.path().join("pipe.yaml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo is part of coreutils");
    assert!(status.success());
    std::os::unix::fs::symlink("/dev/zero", tree.path().join("zero.yaml")).unwrap();

    let out = scan_goes_on(&sandbox, &tree);
    assert!(
        skipped_line(&out, "pipe.yaml").contains("not a regular file"),
        "{out}"
    );
    assert!(skipped_line(&out, "zero.yaml").contains("outside"), "{out}");
}

#[test]
fn an_unreadable_file_is_skipped_as_permission_denied() {
    use std::os::unix::fs::PermissionsExt as _;

    // CI runs as root, who can read anything, so run as `nobody` instead.
    let setpriv = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    let found = std::process::Command::new("setpriv")
        .arg("--version")
        .output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "setpriv (util-linux) is required to test unreadable files: install util-linux"
    );

    let sandbox = Sandbox::new();
    let tree = tree_with(&[("secret.yaml", "apiVersion: v1\nkind: ConfigMap\n")]);
    for dir in [sandbox.path(), tree.path()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    for sub in ["home", "config"] {
        let path = sandbox.path().join(sub);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let secret = tree.path().join("secret.yaml");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    tree.write("locked/pod.yaml", b"a: 1\n");
    let locked = tree.path().join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();

    let mut command = sandbox.wrapped(tree.path(), &setpriv);
    command.arg(".");
    let run = harness::run_command(command, sandbox.path());
    run.expect_code(0).expect_no_panic();
    assert!(run.stdout.contains("CTR-001"), "{}", run.stdout);
    for path in ["secret.yaml", "locked"] {
        let line = skipped_line(&run.stdout, path);
        assert!(line.contains("permission denied"), "{line}");
    }
}

#[test]
fn a_path_that_does_not_exist_exits_two_naming_it() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["no/such/place"]);
    run.expect_code(2).expect_no_panic();
    assert!(run.stderr.contains("no/such/place"), "{}", run.stderr);
}

#[test]
fn a_device_or_fifo_as_the_path_exits_two_without_reading_it() {
    let sandbox = Sandbox::new();
    let fifo = sandbox.path().join("Dockerfile");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    for path in ["/dev/zero", fifo.to_str().unwrap()] {
        let run = sandbox.run(sandbox.path(), &[path]);
        run.expect_code(2).expect_no_panic();
        assert!(run.stderr.contains(path), "{}", run.stderr);
        assert!(
            run.stderr.contains("FIFO, socket or device"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_root_path_that_is_not_utf8_is_scanned() {
    use std::os::unix::ffi::OsStrExt as _;

    let sandbox = Sandbox::new();
    let tree = Tree::new(&[]);
    let name = std::ffi::OsStr::from_bytes(b"r\xff\x1b[2J");
    std::fs::create_dir(tree.path().join(name)).unwrap();
    std::fs::write(tree.path().join(name).join("Dockerfile"), ROOT_DOCKERFILE).unwrap();

    let mut command = sandbox.command(tree.path());
    command.arg(name);
    let run = harness::run_command(command, sandbox.path());
    run.expect_code(0).expect_no_panic();
    assert!(run.stdout.contains("CTR-001"), "{}", run.stdout);
    assert_no_escape(&run);
}

#[test]
fn error_messages_do_not_echo_control_characters() {
    let sandbox = Sandbox::new();
    for args in [
        vec!["/no/such\u{1b}[2J\u{7}"],
        vec!["explain", "X\u{1b}]0;x\u{7}"],
        vec!["--fail-on", "\u{1b}[2J"],
    ] {
        let run = sandbox.run(sandbox.path(), &args);
        run.expect_code(2).expect_no_panic();
        assert_no_escape(&run);
    }
}

#[test]
fn an_unknown_check_for_explain_exits_two_naming_it() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(sandbox.path(), &["explain", "NOPE-999"]);
    run.expect_code(2).expect_no_panic();
    assert!(run.stderr.contains("NOPE-999"), "{}", run.stderr);
}

#[test]
fn a_single_file_can_be_scanned() {
    let sandbox = Sandbox::new();
    let tree = tree_with(&[("other/Dockerfile", CLEAN_DOCKERFILE)]);
    let run = sandbox.run(tree.path(), &["Dockerfile"]);
    run.expect_code(0).expect_no_panic();
    assert!(run.stdout.contains("CTR-001"), "{}", run.stdout);
    assert!(run.stdout.contains("Dockerfile:1"), "{}", run.stdout);
}

#[test]
fn workflows_are_recognised_when_their_folder_or_file_is_the_path() {
    let sandbox = Sandbox::new();
    let tree = Tree::new(&[(".github/workflows/ci.yml", harness::UNPINNED_WORKFLOW)]);
    for path in [".github", ".github/workflows", ".github/workflows/ci.yml"] {
        let run = sandbox.run(tree.path(), &[path]);
        run.expect_code(0).expect_no_panic();
        assert!(run.stdout.contains("BLD-001"), "{path}: {}", run.stdout);
    }
}

#[test]
fn gitignore_is_honoured_without_a_git_folder_and_hidden_folders_are_walked() {
    let sandbox = Sandbox::new();
    let tree = Tree::new(&[
        (".gitignore", "ignored/\n"),
        ("ignored/Dockerfile", ROOT_DOCKERFILE),
        ("node_modules/pkg/Dockerfile", ROOT_DOCKERFILE),
        ("target/Dockerfile", ROOT_DOCKERFILE),
        ("Dockerfile", CLEAN_DOCKERFILE),
        (".github/workflows/ci.yml", harness::UNPINNED_WORKFLOW),
        (".github/workflows/sub/x.yml", "not: [valid\n"),
    ]);
    let run = sandbox.run(tree.path(), &["."]);
    run.expect_code(0).expect_no_panic();
    assert!(run.stdout.contains("BLD-001"), "{}", run.stdout);
    assert!(!run.stdout.contains("CTR-001"), "{}", run.stdout);
}

#[test]
fn a_path_that_is_not_utf8_is_scanned() {
    use std::os::unix::ffi::OsStrExt as _;

    let sandbox = Sandbox::new();
    let tree = tree_with(&[]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9-\x1b[2J.yaml");
    std::fs::write(tree.path().join(name), "a: [\n").unwrap();
    let dir = std::ffi::OsStr::from_bytes(b"d\xff");
    std::fs::create_dir(tree.path().join(dir)).unwrap();
    std::fs::write(tree.path().join(dir).join("Dockerfile"), ROOT_DOCKERFILE).unwrap();

    let run = sandbox.run(tree.path(), &["."]);
    run.expect_code(0).expect_no_panic();
    assert!(run.stdout.contains("not valid YAML"), "{}", run.stdout);
    assert_eq!(run.stdout.matches("CTR-001").count(), 2, "{}", run.stdout);
    assert_no_escape(&run);
}

fn assert_no_escape(run: &harness::Outcome) {
    for (name, bytes) in [("stdout", &run.stdout_bytes), ("stderr", &run.stderr_bytes)] {
        assert!(
            !bytes.contains(&0x1b) && !bytes.contains(&0x07),
            "raw control byte in {name}:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let sandbox = Sandbox::new();
    let manifest = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: \"web\\e]0;pwned\\a\\e[2J\"
  namespace: \"shop\\e[31m\"
spec:
  template:
    spec:
      containers:
        - name: \"app\\e]0;x\\a\\e[2J\"
          image: registry.example.com/web:1.0.0
          securityContext:
            privileged: true
";
    let tree = tree_with(&[("deploy/web.yaml", manifest)]);
    tree.write("deploy/evil\u{1b}[2J\u{7}.yaml", b"a: [\n");
    tree.write("evil\u{1b}]0;x\u{7}/Dockerfile", ROOT_DOCKERFILE.as_bytes());

    let report = sandbox.path().join("report.md");
    for args in [
        vec!["."],
        vec![".", "--format", "markdown"],
        vec![".", "--report", "-"],
        vec![".", "--sarif", "-"],
        vec![".", "--json"],
        vec![".", "--report", report.to_str().unwrap()],
    ] {
        let run = sandbox.run(tree.path(), &args);
        run.expect_code(0).expect_no_panic();
        assert_no_escape(&run);
    }
    let text = sandbox.run(tree.path(), &["."]);
    assert!(text.stdout.contains("CTR-010"), "{}", text.stdout);
    assert!(
        text.stdout.contains("\\u{1b}"),
        "escapes shown as text: {}",
        text.stdout
    );
}

#[test]
fn secret_values_appear_in_no_output() {
    let sandbox = Sandbox::new();
    let password = random_token(24);
    let token = random_token(32);
    let bearer = random_token(40);
    let manifest = format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.0.0
          env:
            - name: DB_PASSWORD
              value: {password}
          securityContext:
            privileged: true
"
    );
    let dockerfile = format!(
        "FROM debian:12\nENV API_TOKEN={token}\n\
         RUN curl -H \"Authorization: Bearer {bearer}\" https://example.com/x\n"
    );
    let tree = Tree::new(&[("deploy/api.yaml", &manifest), ("Dockerfile", &dockerfile)]);

    let files = sandbox.path().join("out");
    std::fs::create_dir(&files).unwrap();
    let at = |name: &str| files.join(name).to_str().unwrap().to_string();
    let (bundle, report, sarif, json) =
        (at("bundle.json"), at("r.md"), at("r.sarif"), at("r.json"));

    let runs = [
        sandbox.run(tree.path(), &["."]),
        sandbox.run(tree.path(), &[".", "--json"]),
        sandbox.run(tree.path(), &[".", "--report", "-"]),
        sandbox.run(tree.path(), &[".", "--sarif", "-"]),
        sandbox.run(
            tree.path(),
            &[
                ".",
                "--save-evidence",
                &bundle,
                "--report",
                &report,
                "--sarif",
                &sarif,
                "--json",
                "-o",
                &json,
            ],
        ),
        sandbox.run(tree.path(), &["--evidence", &bundle]),
    ];
    let mut seen = String::new();
    for run in &runs {
        run.expect_code(0).expect_no_panic();
        seen.push_str(&run.all());
    }
    for file in std::fs::read_dir(&files).unwrap() {
        seen.push_str(&std::fs::read_to_string(file.unwrap().path()).unwrap());
    }

    assert!(runs[0].stdout.contains("CTR-010"), "{}", runs[0].stdout);
    assert!(seen.contains("\"version\""), "the bundle was not read back");
    assert!(!seen.contains(&password), "the password leaked");
    assert!(!seen.contains(&token), "the token leaked");
    assert!(!seen.contains(&bearer), "the bearer token leaked");
}
