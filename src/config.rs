//! Configuration: `rampart.toml` in the scanned directory and the user's file under the
//! XDG config directory, merged over defaults embedded in the binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::{Severity, SourceKind};

/// The defaults, also the documentation of every key.
pub const DEFAULTS: &str = include_str!("../config/default.toml");

/// The merged configuration of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub sources: Vec<SourceKind>,
    pub fail_on: Option<Severity>,
    pub min_severity: Severity,
    pub max_file_size: u64,
    /// Check id (upper case) → severity.
    pub severity: BTreeMap<String, Severity>,
    /// Labels every workload must carry (CMP-003).
    pub required_labels: Vec<String>,
    /// `[[suppress]]` tables of every file, user's first.
    pub suppressions: Vec<crate::suppress::Rule>,
    /// Theme of the terminal interface: a built-in name or a file path.
    pub theme: Option<String>,
    /// Namespaces the kube source audits when `-n` is not given; empty means all.
    pub namespaces: Vec<String>,
    /// Kubeconfig context used when `--context` is not given.
    pub context: Option<String>,
    /// Whether platform namespaces are graded with the team's workloads.
    pub include_platform: bool,
    /// Files that were read, in merge order, for messages.
    pub files: Vec<PathBuf>,
    /// Unknown keys and similar, each naming the file and the key.
    pub warnings: Vec<String>,
}

/// One file's worth of settings; every field optional so layers can be merged.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Layer {
    #[serde(default, deserialize_with = "sources")]
    sources: Option<Vec<SourceKind>>,
    #[serde(default, alias = "fail_on", deserialize_with = "severity")]
    fail_on: Option<Severity>,
    #[serde(default, alias = "min_severity", deserialize_with = "severity")]
    min_severity: Option<Severity>,
    #[serde(default)]
    files: FilesLayer,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default, alias = "required_labels")]
    required_labels: Option<Vec<String>>,
    #[serde(default)]
    suppress: Vec<SuppressTable>,
    theme: Option<String>,
    #[serde(default)]
    kube: KubeLayer,
}

/// The `[kube]` table: what the live cluster source reads when the flags say nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct KubeLayer {
    namespaces: Option<Vec<String>>,
    context: Option<String>,
    #[serde(default, alias = "include_platform")]
    include_platform: Option<bool>,
}

/// One `[[suppress]]` table as written; validated into a [`crate::suppress::Rule`].
#[derive(Debug, Default, Deserialize)]
struct SuppressTable {
    check: Option<String>,
    resource: Option<String>,
    reason: Option<String>,
    /// A TOML date (`2027-03-31`) or a string holding one.
    expires: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FilesLayer {
    #[serde(default, alias = "max_file_size")]
    max_file_size: Option<u64>,
}

fn severity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Severity>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    text.map(|t| t.parse().map_err(serde::de::Error::custom))
        .transpose()
}

fn sources<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<SourceKind>>, D::Error> {
    let names: Option<Vec<String>> = Option::deserialize(d)?;
    names
        .map(|n| {
            n.iter()
                .map(|s| s.parse().map_err(serde::de::Error::custom))
                .collect()
        })
        .transpose()
}

/// The most bytes a configuration file may hold; a real one is a few hundred.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads a configuration file, refusing what is not a regular file of sensible size. A
/// scanned repository chooses its own `rampart.toml`: a FIFO there would block the read
/// forever and a device could be endless.
fn read_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;

    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if metadata.len() > MAX_CONFIG_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_CONFIG_BYTES} bytes"
        )));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_CONFIG_BYTES)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// Why configuration could not be loaded. Exits with code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Where configuration files are looked for.
#[derive(Debug, Clone, Default)]
pub struct ConfigPaths {
    /// The project file: `--config`, or `rampart.toml` in the scanned directory.
    pub project: Option<PathBuf>,
    /// Whether the project file was named explicitly (then it must exist).
    pub project_explicit: bool,
    /// The user's file, normally `$XDG_CONFIG_HOME/rampart/config.toml`.
    pub user: Option<PathBuf>,
}

impl ConfigPaths {
    /// The usual places for a scan of `root`, given the environment's home directories.
    pub fn discover(
        root: Option<&Path>,
        explicit: Option<&Path>,
        xdg: Option<PathBuf>,
        home: Option<PathBuf>,
    ) -> Self {
        let user_dir = xdg
            .filter(|p| p.is_absolute())
            .or_else(|| home.map(|h| h.join(".config")));
        let project = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => root.map(|r| {
                if r.is_dir() {
                    r.join("rampart.toml")
                } else {
                    r.with_file_name("rampart.toml")
                }
            }),
        };
        ConfigPaths {
            project,
            project_explicit: explicit.is_some(),
            user: user_dir.map(|d| d.join("rampart").join("config.toml")),
        }
    }
}

impl Config {
    /// The embedded defaults alone.
    pub fn defaults() -> Self {
        let mut config = Config {
            sources: vec![SourceKind::Files],
            fail_on: None,
            min_severity: Severity::Info,
            max_file_size: 2 * 1024 * 1024,
            severity: BTreeMap::new(),
            required_labels: crate::checks::compliance::DEFAULT_REQUIRED_LABELS
                .iter()
                .map(|l| (*l).to_string())
                .collect(),
            suppressions: Vec::new(),
            theme: None,
            namespaces: Vec::new(),
            context: None,
            include_platform: false,
            files: Vec::new(),
            warnings: Vec::new(),
        };
        // The embedded file is part of the binary and covered by a test; should it ever
        // fail to parse, the literal defaults above still hold.
        if let Ok(layer) = parse_layer(DEFAULTS, Path::new("<built-in defaults>"), &mut Vec::new())
        {
            let _ = config.apply(layer, Path::new("<built-in defaults>"));
        }
        config
    }

    /// Loads the user's file, then the project's, over the defaults.
    pub fn load(paths: &ConfigPaths) -> Result<Self, ConfigError> {
        let mut config = Config::defaults();
        for (path, required) in [
            (&paths.user, false),
            (&paths.project, paths.project_explicit),
        ] {
            let Some(path) = path else { continue };
            let text = match read_file(path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => continue,
                Err(e) => {
                    return Err(ConfigError(format!(
                        "cannot read configuration `{}`: {e}; check the path or remove the file",
                        path.display()
                    )));
                }
            };
            let layer = parse_layer(&text, path, &mut config.warnings)?;
            config.apply(layer, path)?;
            config.files.push(path.clone());
        }
        Ok(config)
    }

    fn apply(&mut self, layer: Layer, path: &Path) -> Result<(), ConfigError> {
        if let Some(sources) = layer.sources {
            self.sources = sources;
        }
        if layer.fail_on.is_some() {
            self.fail_on = layer.fail_on;
        }
        if let Some(min) = layer.min_severity {
            self.min_severity = min;
        }
        if let Some(max) = layer.files.max_file_size {
            self.max_file_size = max;
        }
        if let Some(labels) = layer.required_labels {
            self.required_labels = labels;
        }
        if layer.theme.is_some() {
            self.theme = layer.theme;
        }
        self.apply_kube(layer.kube, path)?;
        for (id, severity) in layer.severity {
            let upper = id.to_ascii_uppercase();
            if crate::checks::find(&upper).is_none() {
                self.warnings.push(format!(
                    "{}: `severity.{id}` names no check; run `rampart checks` for the ids",
                    path.display()
                ));
                continue;
            }
            let parsed = severity.parse().map_err(|e: String| {
                ConfigError(format!("{}: `severity.{id}`: {e}", path.display()))
            })?;
            self.severity.insert(upper, parsed);
        }
        for (index, table) in layer.suppress.into_iter().enumerate() {
            if let Some(rule) = suppression(table, index + 1, path, &mut self.warnings)? {
                self.suppressions.push(rule);
            }
        }
        Ok(())
    }
}

impl Config {
    fn apply_kube(&mut self, kube: KubeLayer, path: &Path) -> Result<(), ConfigError> {
        if let Some(namespaces) = kube.namespaces {
            if let Some(bad) = namespaces.iter().find(|n| !is_dns_label(n)) {
                return Err(ConfigError(format!(
                    "{}: `kube.namespaces`: `{}` is not a namespace name; use lower-case \
                     letters, digits and `-`, at most 63 characters",
                    path.display(),
                    crate::sanitize::one_line(bad)
                )));
            }
            self.namespaces = namespaces;
        }
        if kube.context.is_some() {
            self.context = kube.context;
        }
        if let Some(include) = kube.include_platform {
            self.include_platform = include;
        }
        Ok(())
    }
}

/// Whether `name` is a valid namespace name (an RFC 1123 DNS label).
fn is_dns_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}

/// Validates the `number`th `[[suppress]]` table of `path`. A table that cannot be
/// understood is an error naming its number and key; one naming an unknown check is
/// dropped with a warning, since the catalogue may have moved on.
fn suppression(
    table: SuppressTable,
    number: usize,
    path: &Path,
    warnings: &mut Vec<String>,
) -> Result<Option<crate::suppress::Rule>, ConfigError> {
    let origin = format!("`{}` [[suppress]] #{number}", path.display());
    let error = |key: &str, what: String| ConfigError(format!("{origin}: `{key}` {what}"));

    let check = match table.check.as_deref().map(str::trim) {
        Some(check) if !check.is_empty() => check.to_ascii_uppercase(),
        _ => {
            return Err(error(
                "check",
                "is missing: name the check id to suppress, e.g. check = \"CTR-010\"".into(),
            ));
        }
    };
    let reason = match table.reason.as_deref().map(str::trim) {
        Some(reason) if !reason.is_empty() => reason.to_string(),
        _ => {
            return Err(error(
                "reason",
                "is missing: say why the risk is accepted, e.g. reason = \"…\"".into(),
            ));
        }
    };
    if let Some(pattern) = &table.resource {
        crate::suppress::compile(pattern).map_err(|e| error("resource", e))?;
    }
    let expires = table
        .expires
        .map(|value| match value {
            toml::Value::String(text) => crate::suppress::parse_date(&text),
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                crate::suppress::parse_date(&dt.to_string())
            }
            other => Err(format!(
                "`{other}` is not a date: write it as YYYY-MM-DD, e.g. 2027-03-31"
            )),
        })
        .transpose()
        .map_err(|e| error("expires", e))?;

    if crate::checks::find(&check).is_none() {
        warnings.push(format!(
            "{origin}: `check` `{check}` names no check and is ignored; run `rampart checks` \
             for the ids"
        ));
        return Ok(None);
    }
    Ok(Some(crate::suppress::Rule {
        check,
        resource: table.resource,
        reason: crate::sanitize::one_line(&reason),
        expires,
        origin,
    }))
}

fn parse_layer(text: &str, path: &Path, warnings: &mut Vec<String>) -> Result<Layer, ConfigError> {
    let deserializer = toml::Deserializer::parse(text).map_err(|e| located(text, path, &e))?;
    let mut unknown = Vec::new();
    let layer = serde_ignored::deserialize(deserializer, |key| unknown.push(key.to_string()))
        .map_err(|e: toml::de::Error| located(text, path, &e))?;
    for key in unknown {
        warnings.push(format!(
            "{}: unknown key `{key}` is ignored",
            path.display()
        ));
    }
    Ok(layer)
}

/// A TOML error as `file:line:column: message`.
fn located(text: &str, path: &Path, error: &toml::de::Error) -> ConfigError {
    let message = error.message().trim().to_string();
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            ConfigError(format!(
                "invalid configuration in `{}` at line {line}, column {column}: {message}",
                path.display()
            ))
        }
        None => ConfigError(format!(
            "invalid configuration in `{}`: {message}",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn embedded_defaults_parse_cleanly() {
        let mut warnings = Vec::new();
        parse_layer(DEFAULTS, Path::new("defaults"), &mut warnings).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn project_overrides_user_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let user = write(
            dir.path(),
            "user.toml",
            "min-severity = \"low\"\nfail-on = \"critical\"\n",
        );
        let project = write(
            dir.path(),
            "rampart.toml",
            "fail-on = \"high\"\n[severity]\n\"ctr-001\" = \"medium\"\n",
        );
        let paths = ConfigPaths {
            project: Some(project),
            project_explicit: false,
            user: Some(user),
        };
        let config = Config::load(&paths).unwrap();
        assert_eq!(config.min_severity, Severity::Low);
        assert_eq!(config.fail_on, Some(Severity::High));
        assert_eq!(config.severity.get("CTR-001"), Some(&Severity::Medium));
        assert_eq!(config.files.len(), 2);
    }

    #[test]
    fn required_labels_default_and_override() {
        assert_eq!(
            Config::defaults().required_labels,
            ["owner", "app", "environment", "security-reviewed"]
        );
        let dir = tempfile::tempdir().unwrap();
        let project = write(dir.path(), "rampart.toml", "required-labels = [\"team\"]\n");
        let paths = ConfigPaths {
            project: Some(project),
            project_explicit: false,
            user: None,
        };
        let config = Config::load(&paths).unwrap();
        assert_eq!(config.required_labels, ["team"]);
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    }

    #[test]
    fn kube_table_sets_namespaces_context_and_platform() {
        let dir = tempfile::tempdir().unwrap();
        let user = write(dir.path(), "user.toml", "[kube]\ncontext = \"staging\"\n");
        let project = write(
            dir.path(),
            "rampart.toml",
            "[kube]\nnamespaces = [\"payments\", \"web\"]\ninclude-platform = true\n",
        );
        let paths = ConfigPaths {
            project: Some(project),
            project_explicit: false,
            user: Some(user),
        };
        let config = Config::load(&paths).unwrap();
        assert_eq!(config.namespaces, ["payments", "web"]);
        assert_eq!(config.context.as_deref(), Some("staging"));
        assert!(config.include_platform);
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        assert!(Config::defaults().namespaces.is_empty());
    }

    #[test]
    fn a_namespace_that_cannot_exist_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let project = write(
            dir.path(),
            "rampart.toml",
            "[kube]\nnamespaces = [\"Pay Ments\"]\n",
        );
        let paths = ConfigPaths {
            project: Some(project),
            project_explicit: false,
            user: None,
        };
        let error = Config::load(&paths).unwrap_err().to_string();
        assert!(error.contains("`kube.namespaces`"), "{error}");
        assert!(error.contains("`Pay Ments`"), "{error}");
    }

    #[test]
    fn unknown_keys_warn_with_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let project = write(
            dir.path(),
            "rampart.toml",
            "colour = \"red\"\n[files]\nmax-size = 3\n",
        );
        let paths = ConfigPaths {
            project: Some(project),
            project_explicit: false,
            user: None,
        };
        let config = Config::load(&paths).unwrap();
        assert_eq!(config.warnings.len(), 2, "{:?}", config.warnings);
        assert!(
            config.warnings[0].contains("rampart.toml") && config.warnings[0].contains("`colour`")
        );
        assert!(config.warnings[1].contains("`files.max-size`"));
    }

    #[test]
    fn malformed_file_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let project = write(
            dir.path(),
            "rampart.toml",
            "sources = [\"files\"]\nfail-on = = 3\n",
        );
        let paths = ConfigPaths {
            project: Some(project),
            project_explicit: false,
            user: None,
        };
        let err = Config::load(&paths).unwrap_err().to_string();
        assert!(err.contains("line 2, column"), "{err}");
    }

    #[test]
    fn bad_values_are_errors_naming_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let project = write(dir.path(), "rampart.toml", "fail-on = \"severe\"\n");
        let paths = ConfigPaths {
            project: Some(project),
            project_explicit: false,
            user: None,
        };
        let err = Config::load(&paths).unwrap_err().to_string();
        assert!(err.contains("`severe`") && err.contains("line 1"), "{err}");
    }

    #[test]
    fn suppress_tables_of_both_files_apply_with_dates_in_either_form() {
        let dir = tempfile::tempdir().unwrap();
        let user = write(
            dir.path(),
            "user.toml",
            "[[suppress]]\ncheck = \"ctr-001\"\nreason = \"mine\"\nexpires = 2027-03-31\n",
        );
        let project = write(
            dir.path(),
            "rampart.toml",
            "[[suppress]]\ncheck = \"CTR-010\"\nresource = \"shop/*/web\"\nreason = \"ours\"\n\
             expires = \"2026-12-01\"\n",
        );
        let paths = ConfigPaths {
            project: Some(project),
            project_explicit: false,
            user: Some(user),
        };
        let config = Config::load(&paths).unwrap();
        let rules = &config.suppressions;
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].check, "CTR-001");
        assert_eq!(rules[0].expires.unwrap().to_string(), "2027-03-31");
        assert_eq!(rules[1].resource.as_deref(), Some("shop/*/web"));
        assert!(
            rules[1].origin.contains("[[suppress]] #1"),
            "{}",
            rules[1].origin
        );
    }

    #[test]
    fn a_datetime_is_not_an_expiry_date() {
        let dir = tempfile::tempdir().unwrap();
        let project = write(
            dir.path(),
            "rampart.toml",
            "[[suppress]]\ncheck = \"CTR-010\"\nreason = \"x\"\nexpires = 2027-03-31T10:00:00Z\n",
        );
        let paths = ConfigPaths {
            project: Some(project),
            project_explicit: false,
            user: None,
        };
        let err = Config::load(&paths).unwrap_err().to_string();
        assert!(
            err.contains("#1: `expires`") && err.contains("YYYY-MM-DD"),
            "{err}"
        );
    }

    #[test]
    fn explicit_missing_file_is_an_error() {
        let paths = ConfigPaths {
            project: Some(PathBuf::from("/nonexistent/rampart.toml")),
            project_explicit: true,
            user: None,
        };
        assert!(Config::load(&paths).is_err());
    }
}
