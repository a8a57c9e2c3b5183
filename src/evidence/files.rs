//! Evidence from the files of a directory.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the files source observed under its root.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FilesEvidence {
    /// The scanned directory as the user named it.
    pub root: String,
    /// How many files were looked at (after ignore rules).
    pub files_seen: usize,
    pub dockerfiles: Vec<Dockerfile>,
    /// Kubernetes objects found in YAML files, one entry per object.
    pub manifests: Vec<Manifest>,
    /// GitHub Actions workflows under `.github/workflows`.
    pub workflows: Vec<YamlDocument>,
    /// Dependabot configuration (`.github/dependabot.yml`).
    #[serde(default)]
    pub dependabot: Vec<YamlDocument>,
    /// Paths of Renovate configuration files (`renovate.json`, `.renovaterc`, …); their
    /// presence is what checks read.
    #[serde(default)]
    pub renovate: Vec<String>,
    /// Files recognised by name whose presence or content some check reads
    /// (SECURITY.md, CODEOWNERS, incident-response documents), kept as short facts.
    #[serde(default)]
    pub text_files: Vec<TextFile>,
    /// Files that could not be read or parsed, with why. The run goes on without them.
    pub skipped: Vec<SkippedFile>,
    /// Secrets the detector found in text files, redacted at collection: where each is
    /// and what kind it is, never its value.
    #[serde(default)]
    pub secrets: Vec<SecretHit>,
    /// How many text files the secret detector read.
    #[serde(default)]
    pub secrets_scanned: usize,
    /// `# rampart:ignore` comments in Dockerfiles and YAML files, with their reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inline_ignores: Vec<InlineIgnore>,
}

/// A `# rampart:ignore CHECK-ID reason` comment found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlineIgnore {
    pub path: String,
    /// The 1-based line of the comment.
    pub line: u32,
    /// The line it applies to: its own, or the next line of code below it.
    pub target: u32,
    /// Check ids, upper case.
    pub checks: Vec<String>,
    /// Why the risk is accepted; empty when none was written (then it is refused).
    pub reason: String,
}

impl FilesEvidence {
    /// Adds what another walker found (a parallel worker's share of the tree). Every list
    /// field must appear here, or a parallel walk silently loses it.
    pub fn absorb(&mut self, other: FilesEvidence) {
        let FilesEvidence {
            root: _,
            files_seen,
            dockerfiles,
            manifests,
            workflows,
            dependabot,
            renovate,
            text_files,
            skipped,
            secrets,
            secrets_scanned,
            inline_ignores,
        } = other;
        self.files_seen += files_seen;
        self.dockerfiles.extend(dockerfiles);
        self.manifests.extend(manifests);
        self.workflows.extend(workflows);
        self.dependabot.extend(dependabot);
        self.renovate.extend(renovate);
        self.text_files.extend(text_files);
        self.skipped.extend(skipped);
        self.secrets.extend(secrets);
        self.secrets_scanned += secrets_scanned;
        self.inline_ignores.extend(inline_ignores);
    }
}

/// One secret found in a file, described without its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretHit {
    pub path: String,
    /// 1-based line where the value starts.
    pub line: u32,
    /// The format's kind (`github-token`, `private-key`, …) or `generic-secret`.
    pub kind: String,
    pub confidence: crate::secrets::Confidence,
    /// The variable or key the value is assigned to, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Length of the value in characters.
    pub length: usize,
    /// Keyed hash of the value: equal hashes mean the same secret.
    pub hash: String,
    /// The line around the value with every secret on it redacted.
    pub excerpt: String,
    /// Whether git tracks the file; `None` when the scanned directory is not a git work
    /// tree, in which case every file counts as committed.
    #[serde(default)]
    pub tracked: Option<bool>,
    /// What the file is for, which decides how generic hits are judged.
    #[serde(default)]
    pub role: FileRole,
}

/// What a file is for, as far as secret findings are concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileRole {
    /// Source, configuration, scripts: everything not below.
    #[default]
    Code,
    /// Test code, fixtures, test data and snapshots.
    Test,
    /// Documentation and examples.
    Docs,
}

/// A file that was not evaluated, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// A recognised non-YAML file, kept by path with the facts checks need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextFile {
    pub path: String,
    /// What the file is (`security-policy`, `codeowners`, `incident-response`, …).
    pub kind: String,
    /// Facts extracted from it; never the whole text.
    #[serde(default)]
    pub facts: BTreeMap<String, Value>,
}

/// One YAML document kept as its JSON tree, with the line of every node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YamlDocument {
    pub path: String,
    /// Index of the document within a multi-document file, from 0.
    pub document: usize,
    pub value: Value,
    /// The 1-based line where each node starts, keyed by JSON pointer (`""` is the root).
    pub lines: BTreeMap<String, u32>,
}

impl YamlDocument {
    /// The line of the node at `pointer`, or of its nearest ancestor that has one.
    pub fn line_of(&self, pointer: &str) -> u32 {
        let mut current = pointer;
        loop {
            if let Some(line) = self.lines.get(current) {
                return *line;
            }
            match current.rfind('/') {
                Some(cut) => current = &current[..cut],
                None => return self.lines.get("").copied().unwrap_or(1),
            }
        }
    }
}

/// One Kubernetes object found in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The object as a document; for an item of a `List`, the item re-rooted.
    #[serde(flatten)]
    pub doc: YamlDocument,
    /// The index of the item when the object came from a `List`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_item: Option<usize>,
    /// Where the object was read: a file (the default, so older bundles load) or a live
    /// cluster.
    #[serde(default, skip_serializing_if = "Origin::is_file")]
    pub origin: Origin,
}

/// Where a Kubernetes object was observed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A manifest in a file of the scanned directory.
    #[default]
    File,
    /// An object a live cluster served; it has no file or line.
    Live,
}

impl Origin {
    /// Whether the object came from a file (serde skips the default).
    pub fn is_file(&self) -> bool {
        *self == Origin::File
    }
}

impl Manifest {
    /// The source that observed the object: files, or kube for a live object.
    pub fn source(&self) -> crate::model::SourceKind {
        match self.origin {
            Origin::File => crate::model::SourceKind::Files,
            Origin::Live => crate::model::SourceKind::Kube,
        }
    }

    /// Whether the object was read from a live cluster.
    pub fn is_live(&self) -> bool {
        self.origin == Origin::Live
    }

    /// The object itself.
    pub fn object(&self) -> &Value {
        &self.doc.value
    }

    /// The line of a node given by a pointer relative to the object.
    pub fn line_of(&self, relative: &str) -> u32 {
        self.doc.line_of(relative)
    }

    /// `kind` of the object, or empty.
    pub fn kind(&self) -> &str {
        self.object()
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `apiVersion` of the object, or empty.
    pub fn api_version(&self) -> &str {
        self.object()
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `metadata.name`, or empty.
    pub fn name(&self) -> &str {
        self.object()
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `metadata.namespace`, or `None` when the manifest does not say.
    pub fn namespace(&self) -> Option<&str> {
        self.object()
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
    }
}

/// A parsed Dockerfile, reduced to what checks read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dockerfile {
    pub path: String,
    pub stages: Vec<DockerStage>,
    /// `ARG` instructions before the first `FROM`, whose defaults `FROM` lines may use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preamble: Vec<DockerInstruction>,
}

impl Dockerfile {
    /// The stage that produces the image: the last one.
    pub fn final_stage(&self) -> Option<&DockerStage> {
        self.stages.last()
    }

    /// The stage called `name` (case-insensitive, as Docker resolves them), or by index.
    pub fn stage_named(&self, name: &str) -> Option<&DockerStage> {
        self.stages
            .iter()
            .find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .or_else(|| name.parse::<usize>().ok().and_then(|i| self.stages.get(i)))
    }
}

/// One `FROM` and the instructions under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DockerStage {
    /// The `AS` name, if any.
    pub name: Option<String>,
    /// The image named in `FROM` (may be an earlier stage's name).
    pub base: String,
    pub line: u32,
    pub instructions: Vec<DockerInstruction>,
}

/// One instruction of a stage, with secret values already redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DockerInstruction {
    /// Upper-case keyword: `RUN`, `USER`, `ENV`, …
    pub keyword: String,
    pub line: u32,
    /// Flags such as `--mount=type=secret,id=npm` or `--chown=app`.
    #[serde(default)]
    pub flags: Vec<String>,
    /// The arguments as written (for exec form, the JSON array's items joined by spaces).
    pub arguments: String,
    /// Bodies of heredocs attached to the instruction.
    #[serde(default)]
    pub heredocs: Vec<String>,
}
