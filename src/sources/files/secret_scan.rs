//! Runs the secret detector over every text file of the walk and keeps redacted hits.
//!
//! Which files are read, and how each is judged:
//!
//! - **Lock files** (`Cargo.lock`, `package-lock.json`, `yarn.lock`, `go.sum`, …), minified
//!   bundles and source maps are not read at all: they hold integrity hashes and generated
//!   text that look random and are never hand-written credentials.
//! - **Test files** (a `test`, `tests`, `testdata`, `fixtures`, `spec`, `__tests__`,
//!   `__snapshots__` or `mocks` folder, or names such as `*_test.go`, `test_*.py`,
//!   `*.test.ts`, `*.spec.js`, `*.snap`) and **documentation** (`docs`, `doc`, `examples`,
//!   `samples` folders and `.md`, `.rst`, `.adoc` files) are read, and their hits are kept
//!   with that role. A known credential format there is still a credential that anyone
//!   with the repository can use, so it is reported; a generic high-entropy value there is
//!   almost always sample data, so checks leave it out.
//! - Everything else is code or configuration and every hit counts.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::evidence::{FileRole, FilesEvidence, SecretHit};
use crate::secrets::{self, Detection, Syntax};

/// File names never read for secrets: lock files of package managers.
const LOCK_FILES: &[&str] = &[
    "cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "go.sum",
    "go.work.sum",
    "poetry.lock",
    "pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "composer.lock",
    "gemfile.lock",
    "podfile.lock",
    "mix.lock",
    "pubspec.lock",
    "flake.lock",
    "packages.lock.json",
    "gradle.lockfile",
    "package.resolved",
    ".terraform.lock.hcl",
    ".cargo-checksum.json",
];

/// Extensions of program source, where only quoted values can be hard-coded secrets.
const CODE_EXTENSIONS: &[&str] = &[
    "rs", "go", "java", "kt", "kts", "scala", "c", "h", "cc", "cpp", "hpp", "cs", "swift", "m",
    "js", "jsx", "mjs", "cjs", "ts", "tsx", "py", "rb", "php", "pl", "lua", "dart", "ex", "exs",
];

/// How values are written in a file, by its extension.
fn syntax(rel: &str) -> Syntax {
    let extension = Path::new(rel)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension {
        Some(e) if CODE_EXTENSIONS.contains(&e.as_str()) => Syntax::Code,
        _ => Syntax::Config,
    }
}

/// Name endings of generated files never read for secrets.
const GENERATED_SUFFIXES: &[&str] = &[".lock", ".min.js", ".min.css", ".map", ".sum"];

const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "testdata",
    "test-data",
    "test_data",
    "fixtures",
    "fixture",
    "__tests__",
    "__fixtures__",
    "__snapshots__",
    "snapshots",
    "spec",
    "specs",
    "mocks",
    "__mocks__",
    "e2e",
];

const DOC_DIRS: &[&str] = &[
    "docs",
    "doc",
    "documentation",
    "examples",
    "example",
    "samples",
];

/// The longest excerpt kept, in characters.
const EXCERPT_WIDTH: usize = 160;

/// Whether the detector reads this file at all.
pub fn wants(rel: &str) -> bool {
    let name = file_name(rel).to_ascii_lowercase();
    !LOCK_FILES.contains(&name.as_str()) && !GENERATED_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// What a file is for, decided by its path.
pub fn role(rel: &str) -> FileRole {
    let lower = rel.to_ascii_lowercase();
    let mut folders: Vec<&str> = lower.split('/').collect();
    let name = folders.pop().unwrap_or("");
    if folders.iter().any(|f| TEST_DIRS.contains(f)) || is_test_name(name) {
        FileRole::Test
    } else if folders.iter().any(|f| DOC_DIRS.contains(f))
        || [".md", ".markdown", ".rst", ".adoc"]
            .iter()
            .any(|s| name.ends_with(s))
    {
        FileRole::Docs
    } else {
        FileRole::Code
    }
}

fn is_test_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    stem.ends_with("_test")
        || stem.ends_with("_spec")
        || stem.starts_with("test_")
        || name.contains(".test.")
        || name.contains(".spec.")
        || Path::new(name).extension().is_some_and(|e| e == "snap")
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// Scans one file's text and appends its redacted hits to the evidence.
pub fn scan(rel: &str, text: &str, evidence: &mut FilesEvidence) {
    evidence.secrets_scanned += 1;
    let detections = secrets::detect(text, syntax(rel));
    if detections.is_empty() {
        return;
    }
    let lines = LineStarts::new(text);
    let role = role(rel);
    for detection in &detections {
        let value = &text[detection.range.clone()];
        evidence.secrets.push(SecretHit {
            path: rel.to_string(),
            line: lines.line_of(detection.range.start),
            kind: detection.kind.to_string(),
            confidence: detection.confidence,
            name: detection.name.clone(),
            length: value.chars().count(),
            hash: secrets::keyed_hash(value),
            excerpt: excerpt(text, &lines, detection, &detections),
            tracked: None,
            role,
        });
    }
}

/// The part of the hit's line around it, with every detection on it redacted, and then
/// redacted again liberally in case the line holds a secret the detector judged a
/// placeholder by mistake.
fn excerpt(text: &str, lines: &LineStarts, hit: &Detection, all: &[Detection]) -> String {
    let line = lines.line_range(hit.range.start, text.len());
    let half = EXCERPT_WIDTH / 2;
    let start = floor_boundary(text, hit.range.start.saturating_sub(half).max(line.start));
    let end = ceil_boundary(text, (hit.range.start + half).min(line.end));

    let mut out = String::new();
    let mut cursor = start;
    for d in all
        .iter()
        .filter(|d| d.range.start < end && d.range.end > start)
    {
        let from = d.range.start.max(cursor);
        out.push_str(&text[cursor..from]);
        out.push_str(&secrets::redaction(d.kind, &text[d.range.clone()]));
        cursor = d.range.end.min(end).max(from);
    }
    if cursor < end {
        out.push_str(&text[cursor..end]);
    }
    crate::sanitize::one_line(secrets::redact_text(&out).trim())
}

fn floor_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn ceil_boundary(text: &str, mut index: usize) -> usize {
    while index < text.len() && !text.is_char_boundary(index) {
        index += 1;
    }
    index
}

/// Byte offsets where each line starts, for turning offsets into line numbers.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineStarts(starts)
    }

    /// 1-based line of a byte offset. A value that starts at a line break belongs to the
    /// line the break ends, as a key block's body belongs to its header.
    fn line_of(&self, offset: usize) -> u32 {
        let index = self.0.partition_point(|&s| s <= offset);
        u32::try_from(index).unwrap_or(u32::MAX)
    }

    /// Byte range of the line holding `offset`, without its line break.
    fn line_range(&self, offset: usize, len: usize) -> std::ops::Range<usize> {
        let index = self.0.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.0[index];
        let end = self.0.get(index + 1).map_or(len, |next| next - 1);
        start..end
    }
}

/// The files git tracks under `base`, as paths relative to it; `None` when `base` is not
/// inside a git work tree or git cannot be run.
pub fn git_tracked(base: &Path) -> Option<BTreeSet<String>> {
    let inside = git(base)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .ok()?;
    if !inside.status.success() || inside.stdout.trim_ascii() != b"true" {
        return None;
    }
    let listed = git(base)
        .args(["ls-files", "-z", "--cached", "--full-name"])
        .output()
        .ok()?;
    if !listed.status.success() {
        tracing::warn!("git ls-files failed; every file counts as committed");
        return None;
    }
    let prefix = git_prefix(base).unwrap_or_default();
    Some(
        listed
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| {
                let full = String::from_utf8_lossy(p);
                full.strip_prefix(prefix.as_str()).map(str::to_string)
            })
            .collect(),
    )
}

/// A git command run in `base` that a hostile repository cannot turn against the user:
/// a repository's own configuration may name an fsmonitor program, which git would run.
fn git(base: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(base)
        .args(["-c", "core.fsmonitor=false"])
        .env("GIT_OPTIONAL_LOCKS", "0");
    command
}

/// The path of `base` inside its work tree, with a trailing slash (empty at the top).
fn git_prefix(base: &Path) -> Option<String> {
    let out = git(base)
        .args(["rev-parse", "--show-prefix"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(out.stdout.trim_ascii()).into_owned())
}

/// Marks every hit as tracked or not, given what git tracks.
pub fn mark_tracked(evidence: &mut FilesEvidence, tracked: Option<&BTreeSet<String>>) {
    for hit in &mut evidence.secrets {
        hit.tracked = tracked.map(|set| set.contains(&hit.path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_files_and_generated_files_are_not_read() {
        assert!(!wants("Cargo.lock"));
        assert!(!wants("web/package-lock.json"));
        assert!(!wants("go.sum"));
        assert!(!wants("static/app.min.js"));
        assert!(wants("config/settings.py"));
        assert!(wants(".env"));
    }

    #[test]
    fn roles_follow_folders_and_names() {
        assert_eq!(role("tests/fixtures/key.pem"), FileRole::Test);
        assert_eq!(role("pkg/auth/auth_test.go"), FileRole::Test);
        assert_eq!(role("src/app.spec.ts"), FileRole::Test);
        assert_eq!(role("docs/setup.md"), FileRole::Docs);
        assert_eq!(role("README.md"), FileRole::Docs);
        assert_eq!(role("deploy/app.yaml"), FileRole::Code);
        assert_eq!(role("latest/config.py"), FileRole::Code);
    }

    #[test]
    fn excerpts_of_long_lines_keep_only_redactions() {
        let secret: String = "qwertyuiopasdfghjklzxcvbnm".repeat(2)[..40].to_string();
        let line = format!(
            "{} api_token = \"{secret}\" {}",
            "x ".repeat(100),
            "y ".repeat(100)
        );
        let mut evidence = FilesEvidence::default();
        scan("app.cfg", &line, &mut evidence);
        let hit = &evidence.secrets[0];
        assert!(!hit.excerpt.contains(&secret[..10]));
        assert!(
            hit.excerpt
                .contains("api_token = \"[redacted generic-secret, 40 chars")
        );
        assert!(hit.excerpt.chars().count() < 200);
    }

    #[test]
    fn lines_are_counted_from_one() {
        let lines = LineStarts::new("a\nbb\nccc");
        assert_eq!(lines.line_of(0), 1);
        assert_eq!(lines.line_of(1), 1);
        assert_eq!(lines.line_of(2), 2);
        assert_eq!(lines.line_of(6), 3);
        assert_eq!(lines.line_range(3, 8), 2..4);
    }
}
