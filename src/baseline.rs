//! Baselines: a previous JSON report, compared with this run by fingerprint.
//!
//! Every current finding is *new* or *unchanged*; every finding of the baseline that is
//! gone is *fixed*, unless its check could not be assessed this time (a source was not
//! read, or the check no longer exists): then it is *unknown*, because absence of evidence
//! is not a fix.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::checks::{Outcome, Status};
use crate::model::{BaselineState, Finding, Severity};

/// The largest baseline read; a report of 50,000 findings is far smaller.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The findings of a previous report.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// The file, as named on the command line.
    pub file: String,
    pub entries: Vec<Entry>,
    /// The baseline's display threshold: findings below it were never written to it.
    pub min_severity: Severity,
}

/// One finding of the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub fingerprint: String,
    pub check_id: String,
    pub title: String,
    pub severity: Severity,
    /// The resource's identity, as the baseline wrote it.
    pub resource: String,
    /// `path:line`, when the finding had a location.
    pub location: Option<String>,
}

/// How this run compares with a baseline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// The baseline file.
    pub file: String,
    pub new: usize,
    pub unchanged: usize,
    /// Gone from this run, and their check was assessed.
    pub fixed: Vec<Entry>,
    /// Gone from this run, but their check was not assessed, so nobody knows.
    pub unknown: Vec<Entry>,
}

/// The part of a v1 JSON report a baseline needs. Unknown fields are allowed, so a report
/// written by a later version with additive fields still loads.
#[derive(Deserialize)]
struct Document {
    schema_version: u32,
    #[serde(default)]
    min_severity: Option<Severity>,
    findings: Vec<DocFinding>,
    #[serde(default)]
    suppressed: Vec<DocFinding>,
}

#[derive(Deserialize)]
struct DocFinding {
    fingerprint: String,
    check_id: String,
    #[serde(default)]
    title: String,
    severity: Severity,
    resource: DocResource,
    #[serde(default)]
    location: Option<DocLocation>,
}

#[derive(Deserialize)]
struct DocResource {
    id: String,
}

#[derive(Deserialize)]
struct DocLocation {
    path: String,
    line: u32,
}

/// Reads a baseline from a JSON report written by `rampart --json`.
pub fn load(path: &Path) -> Result<Baseline, String> {
    let name = path.display().to_string();
    let metadata = std::fs::metadata(path).map_err(|e| unreadable(&name, &e))?;
    if !metadata.is_file() || metadata.len() > MAX_BYTES {
        return Err(format!(
            "cannot read the baseline `{name}`: not a regular file of at most {MAX_BYTES} \
             bytes; pass a report written by `rampart --json`"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(&name, &e))?;
    parse(&text, &name)
}

fn unreadable(name: &str, error: &std::io::Error) -> String {
    format!("cannot read the baseline `{name}`: {error}; check the path given to --baseline")
}

/// Parses a baseline from the text of a JSON report; `file` names it in messages.
pub fn parse(text: &str, file: &str) -> Result<Baseline, String> {
    let doc: Document = serde_json::from_str(text).map_err(|e| {
        format!(
            "the baseline `{file}` is not a Rampart JSON report ({e}); write one with \
             `rampart --json -o {file}`"
        )
    })?;
    if doc.schema_version != crate::output::json::SCHEMA_VERSION {
        return Err(format!(
            "the baseline `{file}` has schema_version {}, this Rampart reads {}; write a \
             new baseline with this version",
            doc.schema_version,
            crate::output::json::SCHEMA_VERSION
        ));
    }
    let entries = doc
        .findings
        .into_iter()
        .chain(doc.suppressed)
        .map(|f| Entry {
            fingerprint: f.fingerprint,
            check_id: f.check_id,
            title: f.title,
            severity: f.severity,
            resource: f.resource.id,
            location: f.location.map(|l| format!("{}:{}", l.path, l.line)),
        })
        .collect();
    Ok(Baseline {
        file: file.to_string(),
        entries,
        min_severity: doc.min_severity.unwrap_or(Severity::Info),
    })
}

/// Marks every current finding (counted or suppressed) new or unchanged, and lists the
/// baseline's findings that are gone as fixed or unknown.
pub fn classify(
    baseline: &Baseline,
    outcomes: &mut [Outcome],
    suppressed: &mut [Finding],
) -> Comparison {
    let known: BTreeSet<&str> = baseline
        .entries
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    let mut comparison = Comparison {
        file: baseline.file.clone(),
        ..Comparison::default()
    };
    let mut current = BTreeSet::new();
    let findings = outcomes
        .iter_mut()
        .flat_map(|o| o.findings.iter_mut())
        .chain(suppressed.iter_mut());
    for finding in findings {
        current.insert(finding.fingerprint.clone());
        let state = if known.contains(finding.fingerprint.as_str()) {
            comparison.unchanged += 1;
            BaselineState::Unchanged
        } else {
            comparison.new += 1;
            BaselineState::New
        };
        finding.baseline = Some(state);
    }

    for entry in &baseline.entries {
        if current.contains(&entry.fingerprint) {
            continue;
        }
        let assessed = outcomes
            .iter()
            .find(|o| o.check.id == entry.check_id)
            .is_some_and(|o| o.status != Status::NotAssessed);
        if assessed {
            comparison.fixed.push(entry.clone());
        } else {
            comparison.unknown.push(entry.clone());
        }
    }
    comparison
}
