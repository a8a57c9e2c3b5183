//! The files source: walks a directory and recognises what it holds.
//!
//! The walk honours `.gitignore`, skips `.git`, build and vendor folders, caps the size of
//! any one file, never follows a symbolic link out of the scanned directory, and lists
//! every file it could not read or parse as skipped with the reason, so the run goes on.

pub mod dockerfile;
pub mod governance;
pub mod node;
pub mod secret_scan;
pub mod yaml;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

use crate::evidence::{
    FilesEvidence, Manifest, SkippedFile, SourceRecord, SourceStatus, YamlDocument,
};
use crate::model::SourceKind;
use crate::secrets;

/// Folders never descended into: version control, build output, vendored dependencies.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "target",
    "node_modules",
    "vendor",
    ".venv",
    "__pycache__",
    ".terraform",
];

/// How the walk is limited.
#[derive(Debug, Clone)]
pub struct FilesOptions {
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
}

impl Default for FilesOptions {
    fn default() -> Self {
        FilesOptions {
            max_file_size: 2 * 1024 * 1024,
        }
    }
}

/// Why the scanned path itself cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    /// The path does not exist.
    #[error("`{0}` does not exist: check the path")]
    Missing(String),
    /// The path exists but cannot be scanned; the second field says why.
    #[error("`{0}` is not a directory or a file Rampart can read: {1}")]
    Unreadable(String, String),
}

/// Walks `root` and collects the evidence of the files under it.
pub fn collect(
    root: &Path,
    options: &FilesOptions,
) -> Result<(FilesEvidence, SourceRecord), FilesError> {
    let started = Instant::now();
    let display_root = root.display().to_string();
    let canonical_root = root.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => FilesError::Missing(display_root.clone()),
        _ => FilesError::Unreadable(display_root.clone(), e.to_string()),
    })?;

    let mut evidence = FilesEvidence {
        root: display_root.clone(),
        ..FilesEvidence::default()
    };
    let (base, walk_root) = roots(&canonical_root, &display_root)?;

    let mut entries = Vec::new();
    for entry in walker(&walk_root) {
        match entry {
            Ok(entry) => entries.push(entry),
            Err(error) => evidence.skipped.push(walk_error(&base, &error)),
        }
    }
    visit_in_parallel(&base, &entries, options, &mut evidence);

    // Whether a hit is committed decides SEC-001; only this source may run git.
    let tracked = secret_scan::git_tracked(&base);
    secret_scan::mark_tracked(&mut evidence, tracked.as_ref());

    sort(&mut evidence);
    let record = SourceRecord {
        kind: SourceKind::Files,
        status: SourceStatus::Connected,
        target: display_root,
        attempted: vec!["files".to_string()],
        denied: std::collections::BTreeMap::default(),
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    Ok((evidence, record))
}

/// The folder paths are reported relative to, and where the walk starts. A single file is
/// reported relative to its folder, so its name still says what kind of file it is.
fn roots(canonical: &Path, display: &str) -> Result<(PathBuf, PathBuf), FilesError> {
    let metadata = std::fs::metadata(canonical)
        .map_err(|e| FilesError::Unreadable(display.to_string(), io_reason(&e)))?;
    if metadata.is_dir() {
        return Ok((canonical.to_path_buf(), canonical.to_path_buf()));
    }
    if !metadata.is_file() {
        // A FIFO would block the read and a device may never end.
        return Err(FilesError::Unreadable(
            display.to_string(),
            "it is a FIFO, socket or device; pass a folder or a regular file".to_string(),
        ));
    }
    let parent = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    Ok((parent, canonical.to_path_buf()))
}

fn walker(root: &Path) -> ignore::Walk {
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .ignore(true)
        .parents(false)
        // Links are resolved by hand in `visit_link`: following them in the walker would
        // let a link to `/` walk the whole machine before any check could refuse it.
        .follow_links(false)
        .filter_entry(|e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && SKIPPED_DIRS.iter().any(|d| e.file_name() == *d))
        })
        .build()
}

fn walk_error(base: &Path, error: &ignore::Error) -> SkippedFile {
    let path = match error {
        ignore::Error::WithPath { path, .. } => relative(base, path),
        _ => "?".to_string(),
    };
    // The walker's own wording repeats the absolute path; the reason alone is enough.
    let reason = error
        .io_error()
        .map_or_else(|| error.to_string(), io_reason);
    SkippedFile {
        path,
        reason: crate::sanitize::one_line(&reason),
    }
}

fn relative(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    if rel.as_os_str().is_empty() {
        return ".".to_string();
    }
    crate::sanitize::one_line(&rel.to_string_lossy().replace('\\', "/"))
}

/// Reads and parses the walked files on every core. Each worker fills its own evidence,
/// merged afterwards; `sort` then makes the order independent of the split.
fn visit_in_parallel(
    base: &Path,
    entries: &[ignore::DirEntry],
    options: &FilesOptions,
    evidence: &mut FilesEvidence,
) {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    // Small trees are not worth a thread.
    if workers < 2 || entries.len() < 64 {
        for entry in entries {
            visit_entry(base, entry, options, evidence);
        }
        return;
    }
    // Workers take every n-th entry rather than a contiguous run: the walk keeps a
    // folder's files together, and one worker holding all the manifests while the other
    // read the Dockerfiles left a core idle for most of a scan.
    let parts: Vec<FilesEvidence> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|first| {
                scope.spawn(move || {
                    let mut part = FilesEvidence::default();
                    for entry in entries.iter().skip(first).step_by(workers) {
                        visit_entry(base, entry, options, &mut part);
                    }
                    part
                })
            })
            .collect();
        // A worker that panicked has lost its files; the others' evidence still counts.
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    for part in parts {
        evidence.absorb(part);
    }
}

/// Dispatches one walked entry by its own type, without following links.
fn visit_entry(
    base: &Path,
    entry: &ignore::DirEntry,
    options: &FilesOptions,
    evidence: &mut FilesEvidence,
) {
    let Some(file_type) = entry.file_type() else {
        return;
    };
    if file_type.is_symlink() {
        visit_link(base, entry.path(), options, evidence);
    } else if file_type.is_file() {
        visit(base, entry.path(), options, evidence);
    } else if !file_type.is_dir() {
        special(base, entry.path(), evidence);
    }
}

/// Lists a FIFO, socket or device that has a name Rampart would read. Opening a FIFO blocks
/// until someone writes to it and a device can be endless, so neither is ever opened.
fn special(base: &Path, path: &Path, evidence: &mut FilesEvidence) {
    let rel = relative(base, path);
    if classify(base, &rel).is_some() {
        evidence.skipped.push(SkippedFile {
            path: rel,
            reason: "not a regular file (a FIFO, socket or device), not read".to_string(),
        });
    }
}

/// Follows a symbolic link only when its target is inside the scanned directory.
///
/// A link to a file is read through the link. A link to a folder is not descended: its
/// target is either walked already (it is inside the tree) or refused (it is outside), and
/// a link to one of its own ancestors is a loop.
fn visit_link(base: &Path, path: &Path, options: &FilesOptions, evidence: &mut FilesEvidence) {
    let rel = relative(base, path);
    let skip = |evidence: &mut FilesEvidence, reason: String| {
        evidence.skipped.push(SkippedFile {
            path: rel.clone(),
            reason,
        });
    };
    let Ok(target) = path.canonicalize() else {
        return skip(
            evidence,
            "broken symbolic link: its target does not exist".to_string(),
        );
    };
    if !target.starts_with(base) {
        return skip(
            evidence,
            "symbolic link to a path outside the scanned directory, not followed".to_string(),
        );
    }
    match std::fs::metadata(&target) {
        Ok(meta) if meta.is_file() => visit(base, path, options, evidence),
        Ok(meta) if meta.is_dir() => {
            if path.starts_with(&target) {
                let reason = format!("symbolic link loop back to `{}`", relative(base, &target));
                skip(evidence, reason);
            }
        }
        Ok(_) => special(base, path, evidence),
        Err(error) => skip(evidence, io_reason(&error)),
    }
}

/// What a file is, decided by its path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Dockerfile,
    Workflow,
    Dependabot,
    Renovate,
    Yaml,
    PackageJson,
    NodeSource,
    /// Security policy, CODEOWNERS, incident-response documents, Falco rules.
    Governance(governance::Kind),
}

/// Names Renovate reads its configuration from, at the root or under `.github`/`.gitlab`.
const RENOVATE_FILES: &[&str] = &[
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
];

// `lower` is lowercased already, which the extension lint cannot see.
#[allow(clippy::case_sensitive_file_extension_comparisons)]
fn classify(base: &Path, rel: &str) -> Option<FileKind> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    let is_yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if let Some(kind) = governance::classify(rel) {
        return Some(FileKind::Governance(kind));
    }
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
    {
        return Some(FileKind::Dockerfile);
    }

    // The folders above the file, nearest first, continuing above the scanned path so that
    // `rampart .github/workflows` still knows its workflows. GitHub runs only the workflows
    // directly in `.github/workflows`, not those in its subfolders.
    let mut parents = rel
        .rsplit('/')
        .skip(1)
        .map(str::to_string)
        .chain(base.iter().rev().map(|c| c.to_string_lossy().into_owned()));
    let parent = parents.next().unwrap_or_default();
    let grandparent = parents.next().unwrap_or_default();
    if is_yaml && parent == "workflows" && grandparent == ".github" {
        return Some(FileKind::Workflow);
    }
    if parent == ".github" && (lower == "dependabot.yml" || lower == "dependabot.yaml") {
        return Some(FileKind::Dependabot);
    }
    let folder = rel.strip_suffix(name).unwrap_or("");
    if RENOVATE_FILES.contains(&name) && matches!(folder, "" | ".github/" | ".gitlab/") {
        return Some(FileKind::Renovate);
    }
    if lower == "package.json" {
        return Some(FileKind::PackageJson);
    }
    if node::is_source(&lower) {
        return Some(FileKind::NodeSource);
    }
    is_yaml.then_some(FileKind::Yaml)
}

fn visit(base: &Path, path: &Path, options: &FilesOptions, evidence: &mut FilesEvidence) {
    let rel = relative(base, path);
    evidence.files_seen += 1;
    let kind = classify(base, &rel);
    let scan_secrets = secret_scan::wants(&rel);
    if kind.is_none() && !scan_secrets {
        return;
    }
    if let Some(reason) = escapes(base, path) {
        evidence.skipped.push(SkippedFile { path: rel, reason });
        return;
    }
    if kind == Some(FileKind::Renovate) {
        // Only its presence matters; its content is Renovate's business.
        evidence.renovate.push(rel);
        return;
    }
    let text = match read_text(path, options.max_file_size) {
        Ok(text) => text,
        // Binary and oversized files that no check reads are routine (images, archives):
        // only a recognised file that cannot be read is worth listing as skipped.
        Err(reason) if kind.is_some() => {
            evidence.skipped.push(SkippedFile { path: rel, reason });
            return;
        }
        Err(_) => return,
    };
    if scan_secrets {
        secret_scan::scan(&rel, &text, evidence);
    }
    let Some(kind) = kind else {
        return;
    };
    load(kind, &rel, &text, evidence);
}

/// Whether the github source fetches `rel` through the API when there is no checkout:
/// workflows GitHub runs, Dependabot and Renovate configuration, and governance documents.
pub fn fetched_through_api(rel: &str) -> bool {
    match classify(Path::new(""), rel) {
        Some(FileKind::Workflow) => rel.starts_with(".github/workflows/"),
        Some(FileKind::Dependabot) => rel.starts_with(".github/"),
        Some(FileKind::Renovate) => true,
        Some(FileKind::Governance(kind)) => kind != governance::Kind::FalcoRules,
        _ => false,
    }
}

/// Loads a file fetched from elsewhere (the GitHub API) as if the walk had found it at
/// `rel`, so checks read fetched and local files alike. Unrecognised paths are ignored.
pub fn load_fetched(rel: &str, text: &str, evidence: &mut FilesEvidence) {
    evidence.files_seen += 1;
    match classify(Path::new(""), rel) {
        Some(FileKind::Renovate) => evidence.renovate.push(rel.to_string()),
        Some(kind) => load(kind, rel, text, evidence),
        None => {}
    }
}

fn load(kind: FileKind, rel: &str, text: &str, evidence: &mut FilesEvidence) {
    if matches!(
        kind,
        FileKind::Dockerfile | FileKind::Workflow | FileKind::Dependabot | FileKind::Yaml
    ) {
        let ignores = crate::suppress::scan_comments(rel, text);
        evidence.inline_ignores.extend(ignores);
    }
    let rel = rel.to_string();
    let result = match kind {
        FileKind::Dockerfile => dockerfile::parse(&rel, text).map(|d| evidence.dockerfiles.push(d)),
        FileKind::Workflow => load_workflow(&rel, text).map(|w| evidence.workflows.push(w)),
        FileKind::Dependabot => load_dependabot(&rel, text).map(|d| evidence.dependabot.push(d)),
        FileKind::Renovate => Ok(()),
        FileKind::Yaml => load_manifests(&rel, text).map(|m| evidence.manifests.extend(m)),
        FileKind::PackageJson => node::package_facts(&rel, text)
            .map(|f| evidence.text_files.push(f))
            .ok_or_else(|| "package.json is not valid JSON".to_string()),
        FileKind::NodeSource => {
            evidence.text_files.extend(node::source_facts(&rel, text));
            Ok(())
        }
        FileKind::Governance(kind) => governance::load(kind, &rel, text, evidence),
    };
    if let Err(reason) = result {
        evidence.skipped.push(SkippedFile {
            path: rel,
            reason: crate::sanitize::one_line(&reason),
        });
    }
}

/// A reason to refuse a path whose real location is outside the scanned directory.
fn escapes(base: &Path, path: &Path) -> Option<String> {
    let real = path.canonicalize().ok()?;
    (!real.starts_with(base))
        .then(|| "symbolic link to a file outside the scanned directory, not followed".to_string())
}

/// Reads a file as UTF-8 text within the size cap, refusing binary content.
fn read_text(path: &Path, max: u64) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let metadata = file.metadata().map_err(|e| io_reason(&e))?;
    if !metadata.is_file() {
        // The walk saw a regular file, but it may have been replaced since.
        return Err("not a regular file (a FIFO, socket or device), not read".to_string());
    }
    let size = metadata.len();
    if size > max {
        return Err(format!("larger than the {max}-byte limit ({size} bytes)"));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > max {
        return Err(format!("larger than the {max}-byte limit"));
    }
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err("binary file".to_string());
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => format!("cannot be read: {error}"),
    }
}

fn load_yaml(rel: &str, text: &str) -> Result<Vec<YamlDocument>, String> {
    let docs = yaml::load(text).map_err(|e| format!("not valid YAML: {e}"))?;
    Ok(docs
        .into_iter()
        .enumerate()
        .map(|(document, mut doc)| {
            secrets::redact_value(&mut doc.value);
            YamlDocument {
                path: rel.to_string(),
                document,
                value: doc.value,
                lines: doc.lines,
            }
        })
        .collect())
}

fn load_workflow(rel: &str, text: &str) -> Result<YamlDocument, String> {
    let mut docs = load_yaml(rel, text)?;
    if docs.len() != 1 {
        return Err(format!(
            "a workflow file must hold one YAML document, found {}",
            docs.len()
        ));
    }
    let doc = docs.remove(0);
    <github_actions_models::workflow::Workflow as serde::Deserialize>::deserialize(&doc.value)
        .map_err(|e| format!("not a valid GitHub Actions workflow: {e}"))?;
    Ok(doc)
}

fn load_dependabot(rel: &str, text: &str) -> Result<YamlDocument, String> {
    let mut docs = load_yaml(rel, text)?;
    if docs.is_empty() {
        return Err("empty dependabot configuration".to_string());
    }
    let doc = docs.remove(0);
    serde::Deserialize::deserialize(&doc.value)
        .map(|_: github_actions_models::dependabot::v2::Dependabot| ())
        .map_err(|e| format!("not a valid dependabot configuration: {e}"))?;
    Ok(doc)
}

/// Kubernetes objects of a YAML file: every document with `apiVersion` and `kind`, and the
/// items of `List` kinds. Other YAML (Helm values, compose files) is not an error.
fn load_manifests(rel: &str, text: &str) -> Result<Vec<Manifest>, String> {
    let docs = load_yaml(rel, text)?;
    let mut manifests = Vec::new();
    for doc in docs {
        if !is_object(&doc.value) {
            continue;
        }
        let is_list = doc
            .value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"));
        let items = doc
            .value
            .get("items")
            .and_then(Value::as_array)
            .map(Vec::len);
        match (is_list, items) {
            (true, Some(count)) => {
                for index in 0..count {
                    if let Some(item) = list_item(&doc, index) {
                        manifests.push(Manifest {
                            doc: item,
                            list_item: Some(index),
                            origin: crate::evidence::Origin::File,
                        });
                    }
                }
            }
            _ => manifests.push(Manifest {
                doc,
                list_item: None,
                origin: crate::evidence::Origin::File,
            }),
        }
    }
    Ok(manifests)
}

/// The `index`th item of a `List` document as a document of its own, lines re-rooted.
fn list_item(doc: &YamlDocument, index: usize) -> Option<YamlDocument> {
    let prefix = format!("/items/{index}");
    let value = doc.value.pointer(&prefix).filter(|v| is_object(v))?.clone();
    let lines = doc
        .lines
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter_map(|(k, v)| {
            let rest = &k[prefix.len()..];
            (rest.is_empty() || rest.starts_with('/')).then(|| (rest.to_string(), *v))
        })
        .collect();
    Some(YamlDocument {
        path: doc.path.clone(),
        document: doc.document,
        value,
        lines,
    })
}

fn is_object(value: &Value) -> bool {
    value.get("apiVersion").is_some_and(Value::is_string)
        && value.get("kind").is_some_and(Value::is_string)
}

fn sort(evidence: &mut FilesEvidence) {
    evidence.dockerfiles.sort_by(|a, b| a.path.cmp(&b.path));
    evidence.dependabot.sort_by(|a, b| a.path.cmp(&b.path));
    evidence.renovate.sort();
    evidence.workflows.sort_by(|a, b| a.path.cmp(&b.path));
    evidence
        .inline_ignores
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    evidence.text_files.sort_by(|a, b| a.path.cmp(&b.path));
    evidence.manifests.sort_by(|a, b| {
        (&a.doc.path, a.doc.document, a.list_item).cmp(&(&b.doc.path, b.doc.document, b.list_item))
    });
    evidence.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    evidence
        .secrets
        .sort_by(|a, b| (&a.path, a.line, &a.kind).cmp(&(&b.path, b.line, &b.kind)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_by_name_and_folder() {
        let base = Path::new("/repo");
        let kind = |rel| classify(base, rel);
        assert_eq!(kind("Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(kind("api/web.Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(kind(".github/workflows/ci.yml"), Some(FileKind::Workflow));
        assert_eq!(kind(".github/workflows/sub/x.yml"), Some(FileKind::Yaml));
        assert_eq!(kind(".github/workflows"), None);
        assert_eq!(kind(".github/dependabot.yml"), Some(FileKind::Dependabot));
        assert_eq!(
            kind("docs/.github/dependabot.yml"),
            Some(FileKind::Dependabot)
        );
        assert_eq!(kind("x.yml"), Some(FileKind::Yaml));
        assert_eq!(kind("y"), None);
        assert_eq!(kind(""), None);
    }

    #[test]
    fn classify_sees_folders_above_the_scanned_path() {
        let kind = |base: &str, rel| classify(Path::new(base), rel);
        assert_eq!(
            kind("/r/.github/workflows", "ci.yml"),
            Some(FileKind::Workflow)
        );
        assert_eq!(
            kind("/r/.github", "workflows/ci.yml"),
            Some(FileKind::Workflow)
        );
        assert_eq!(
            kind("/r/.github", "dependabot.yml"),
            Some(FileKind::Dependabot)
        );
        assert_eq!(kind("/", "ci.yml"), Some(FileKind::Yaml));
    }
}
