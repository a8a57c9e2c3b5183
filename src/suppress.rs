//! Suppressions: risks accepted on purpose, with a reason and optionally an expiry date.
//!
//! They come from three places: `[[suppress]]` tables of the configuration, a
//! `rampart/ignore` annotation on a Kubernetes object (or its pod template) in a manifest,
//! and a `# rampart:ignore` comment in a Dockerfile or YAML file. A suppressed finding
//! leaves the score but stays listed as suppressed; once its expiry date is past on the
//! evidence clock it counts again and says that its suppression expired.

use std::collections::BTreeSet;

use globset::{GlobBuilder, GlobMatcher};
use serde_json::Value;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::checks::{Outcome, Status};
use crate::evidence::{Evidence, InlineIgnore};
use crate::model::{Finding, SuppressionKind, SuppressionNote};

/// The annotation that suppresses checks on a Kubernetes object.
pub const ANNOTATION: &str = "rampart/ignore";

/// The comment marker that suppresses checks on a line of a file.
pub const COMMENT_MARKER: &str = "rampart:ignore";

/// The longest reason kept; a reason is a sentence, not a document.
const MAX_REASON: usize = 300;

/// One `[[suppress]]` table, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The check id, upper case.
    pub check: String,
    /// A glob over the finding's resource identity or file path; `None` matches every
    /// resource of the check.
    pub resource: Option<String>,
    pub reason: String,
    /// The last day the suppression holds.
    pub expires: Option<Date>,
    /// Where it was written, for messages: `rampart.toml [[suppress]] #2`.
    pub origin: String,
}

/// Parses an expiry date written as `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format)
        .map_err(|_| format!("`{text}` is not a date: write it as YYYY-MM-DD, e.g. 2027-03-31"))
}

/// Compiles a resource pattern. `*` stays within one `/`-separated segment, `**` crosses
/// them, as in `.gitignore`.
pub fn compile(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("`{pattern}` is not a valid glob: {}", e.kind()))
}

/// The names a resource pattern is matched against: the full identity, the canonical
/// object, the file path (bare and as `file/PATH`), and for Kubernetes objects
/// `namespace/Kind/name` with and without the container.
pub fn identities(finding: &Finding) -> Vec<String> {
    let resource = &finding.resource;
    let mut names = vec![resource.id(), resource.canonical.clone()];

    if let Some(path) = resource.canonical.strip_prefix("file/") {
        let path = path.split('#').next().unwrap_or(path);
        names.push(path.to_string());
        names.push(format!("file/{path}"));
    }
    if let Some(location) = &finding.location {
        names.push(location.path.clone());
    }

    let object = match resource.canonical.split_once('#') {
        Some((_, object)) => Some(object),
        None => resource.canonical.strip_prefix("k8s/"),
    };
    if let Some(short) = object.and_then(namespace_kind_name) {
        if let Some(part) = &resource.part {
            names.push(format!("{short}/{part}"));
        }
        names.push(short);
    }
    names
}

/// `group/Kind/namespace/name` (the last four segments) as `namespace/Kind/name`.
fn namespace_kind_name(object: &str) -> Option<String> {
    let segments: Vec<&str> = object.split('/').collect();
    let tail = segments.get(segments.len().checked_sub(4)?..)?;
    Some(format!("{}/{}/{}", tail[2], tail[1], tail[3]))
}

/// Splits the text after an ignore marker into check ids and the reason. Ids come first,
/// separated by commas or spaces; everything after them is the reason.
pub fn parse_directive(text: &str) -> (Vec<String>, String) {
    let mut ids = Vec::new();
    let mut rest = text.trim();
    loop {
        let trimmed = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let end = trimmed
            .find(|c: char| c == ',' || c.is_whitespace())
            .unwrap_or(trimmed.len());
        let token = &trimmed[..end];
        if !looks_like_id(token) {
            rest = trimmed;
            break;
        }
        ids.push(token.to_ascii_uppercase());
        rest = &trimmed[end..];
    }
    let reason = rest
        .trim_start_matches(|c: char| c.is_whitespace() || "-:—–".contains(c))
        .trim();
    (ids, clip(reason))
}

/// `CTR-011`: two to four letters, a dash, digits.
fn looks_like_id(token: &str) -> bool {
    let Some((letters, digits)) = token.split_once('-') else {
        return false;
    };
    (2..=4).contains(&letters.len())
        && letters.chars().all(|c| c.is_ascii_alphabetic())
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
}

fn clip(reason: &str) -> String {
    let clean = crate::sanitize::one_line(reason);
    match clean.char_indices().nth(MAX_REASON) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean,
    }
}

/// Finds `# rampart:ignore` comments in a Dockerfile or YAML file. A comment alone on its
/// line applies to the next line that is neither blank nor a comment, so several can be
/// stacked; a comment after code applies to its own line.
pub fn scan_comments(path: &str, text: &str) -> Vec<InlineIgnore> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(hash) = line.find('#') else { continue };
        let comment = line[hash + 1..].trim_start();
        let Some(directive) = comment.strip_prefix(COMMENT_MARKER) else {
            continue;
        };
        let own_line = line[..hash].trim().is_empty();
        let target = if own_line {
            next_code_line(&lines, index)
        } else {
            index
        };
        let (checks, reason) = parse_directive(directive);
        found.push(InlineIgnore {
            path: path.to_string(),
            line: line_number(index),
            target: line_number(target),
            checks,
            reason,
        });
    }
    found
}

fn next_code_line(lines: &[&str], from: usize) -> usize {
    (from + 1..lines.len())
        .find(|i| {
            let line = lines[*i].trim();
            !line.is_empty() && !line.starts_with('#')
        })
        .unwrap_or(from + 1)
}

fn line_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

/// A suppression of any origin, ready to match findings.
struct Candidate {
    kind: SuppressionKind,
    check: String,
    reason: String,
    expires: Option<Date>,
    origin: String,
    target: Target,
}

enum Target {
    /// A glob, and the text it was written as: a resource id such as
    /// `…#jobs.build.steps[2]` holds glob syntax, so an exact match counts too.
    Pattern(Option<(GlobMatcher, String)>),
    /// A manifest object's canonical id: the annotation covers all of its findings.
    Object(String),
    /// A line of a file.
    Line { path: String, line: u32 },
}

impl Candidate {
    fn matches(&self, finding: &Finding) -> bool {
        if self.check != finding.check_id {
            return false;
        }
        match &self.target {
            Target::Pattern(None) => true,
            Target::Pattern(Some((glob, text))) => identities(finding)
                .iter()
                .any(|n| n == text || glob.is_match(n)),
            Target::Object(canonical) => &finding.resource.canonical == canonical,
            Target::Line { path, line } => finding
                .location
                .as_ref()
                .is_some_and(|l| &l.path == path && l.line == *line),
        }
    }

    fn note(&self, today: Date) -> SuppressionNote {
        SuppressionNote {
            kind: self.kind,
            reason: self.reason.clone(),
            expires: self.expires.map(|d| d.to_string()),
            expired: self.expires.is_some_and(|d| today > d),
            origin: self.origin.clone(),
        }
    }
}

/// Applies suppressions to the outcomes: suppressed findings move out of their outcome
/// (and so out of the score) into the returned list; findings whose only suppression
/// expired stay, carrying a note that says so. Failed counts and statuses are recomputed
/// so grading sees only what still counts. Warnings name refused or unknown suppressions.
pub fn apply(
    outcomes: &mut [Outcome],
    evidence: &Evidence,
    rules: &[Rule],
    clock: OffsetDateTime,
) -> (Vec<Finding>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut candidates = from_rules(rules, &mut warnings);
    candidates.extend(from_annotations(evidence, &mut warnings));
    candidates.extend(from_comments(evidence, &mut warnings));

    let today = clock.to_offset(UtcOffset::UTC).date();
    let mut suppressed = Vec::new();
    let mut expired_origins = BTreeSet::new();
    for outcome in outcomes.iter_mut() {
        if candidates.iter().all(|c| c.check != outcome.check.id) {
            continue;
        }
        let mut kept = Vec::new();
        for mut finding in std::mem::take(&mut outcome.findings) {
            let notes: Vec<SuppressionNote> = candidates
                .iter()
                .filter(|c| c.matches(&finding))
                .map(|c| c.note(today))
                .collect();
            match notes.iter().find(|n| !n.expired).or(notes.first()) {
                Some(note) if !note.expired => {
                    finding.suppression = Some(note.clone());
                    suppressed.push(finding);
                }
                Some(note) => {
                    expired_origins.insert((note.origin.clone(), note.expires.clone()));
                    finding.suppression = Some(note.clone());
                    kept.push(finding);
                }
                None => kept.push(finding),
            }
        }
        outcome.findings = kept;
        recount(outcome);
    }
    for (origin, expires) in expired_origins {
        warnings.push(format!(
            "the suppression in {origin} expired on {}; its findings count again — fix them \
             or renew the suppression with a new date and reason",
            expires.unwrap_or_default()
        ));
    }
    (suppressed, warnings)
}

/// The failed count and status after findings left a judged outcome. Only a failing
/// outcome changes: fewer failures never lower a score.
fn recount(outcome: &mut Outcome) {
    if outcome.status != Status::Fail {
        return;
    }
    outcome.failed = outcome.findings.len();
    if outcome.failed == 0 {
        outcome.status = Status::Pass;
    }
}

fn from_rules(rules: &[Rule], warnings: &mut Vec<String>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for rule in rules {
        let compiled = rule
            .resource
            .as_deref()
            .map(|p| compile(p).map(|g| (g, p.to_string())))
            .transpose();
        let glob = match compiled {
            Ok(glob) => glob,
            Err(e) => {
                warnings.push(format!("{}: `resource`: {e}; it is ignored", rule.origin));
                continue;
            }
        };
        out.push(Candidate {
            kind: SuppressionKind::Config,
            check: rule.check.clone(),
            reason: rule.reason.clone(),
            expires: rule.expires,
            origin: rule.origin.clone(),
            target: Target::Pattern(glob),
        });
    }
    out
}

/// Where a `rampart/ignore` annotation may sit: the object, or its pod template.
const ANNOTATION_POINTERS: [&str; 3] = [
    "/metadata/annotations/rampart~1ignore",
    "/spec/template/metadata/annotations/rampart~1ignore",
    "/spec/jobTemplate/spec/template/metadata/annotations/rampart~1ignore",
];

/// Inline suppressions from `rampart/ignore` annotations, on manifests in files and on
/// live objects alike: a team that cannot edit a `rampart.toml` can still accept a risk
/// where it deploys the workload.
fn from_annotations(evidence: &Evidence, warnings: &mut Vec<String>) -> Vec<Candidate> {
    let files = evidence.files.iter().flat_map(|f| f.manifests.iter());
    let live = evidence.kube.iter().flat_map(|k| k.objects.iter());
    let mut out = Vec::new();
    for manifest in files.chain(live) {
        let canonical = crate::checks::context::manifest_resource(manifest, None).canonical;
        for pointer in ANNOTATION_POINTERS {
            let Some(text) = manifest.object().pointer(pointer).and_then(Value::as_str) else {
                continue;
            };
            let origin = if manifest.is_live() {
                format!("{canonical} ({ANNOTATION})")
            } else {
                let line = manifest.line_of(pointer);
                format!("{}:{line} ({ANNOTATION})", manifest.doc.path)
            };
            let (checks, reason) = parse_directive(text);
            for check in accepted(&checks, &reason, &origin, warnings) {
                out.push(Candidate {
                    kind: SuppressionKind::Annotation,
                    check,
                    reason: reason.clone(),
                    expires: None,
                    origin: origin.clone(),
                    target: Target::Object(canonical.clone()),
                });
            }
        }
    }
    out
}

fn from_comments(evidence: &Evidence, warnings: &mut Vec<String>) -> Vec<Candidate> {
    let Some(files) = &evidence.files else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ignore in &files.inline_ignores {
        let origin = format!("{}:{}", ignore.path, ignore.line);
        for check in accepted(&ignore.checks, &ignore.reason, &origin, warnings) {
            out.push(Candidate {
                kind: SuppressionKind::Comment,
                check,
                reason: ignore.reason.clone(),
                expires: None,
                origin: origin.clone(),
                target: Target::Line {
                    path: ignore.path.clone(),
                    line: ignore.target,
                },
            });
        }
    }
    out
}

/// The check ids of an inline suppression that can be honoured, warning about the rest:
/// one without a reason is refused whole, and unknown ids are named.
fn accepted(
    checks: &[String],
    reason: &str,
    origin: &str,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    if checks.is_empty() {
        warnings.push(format!(
            "{origin}: `{COMMENT_MARKER}` names no check id and is ignored; write e.g. \
             `rampart:ignore CTR-001 the reason`"
        ));
        return Vec::new();
    }
    if reason.is_empty() {
        warnings.push(format!(
            "{origin}: the suppression of {} gives no reason and is refused; write why the \
             risk is accepted after the check ids",
            checks.join(", ")
        ));
        return Vec::new();
    }
    let (known, unknown): (Vec<String>, Vec<String>) = checks
        .iter()
        .cloned()
        .partition(|id| crate::checks::find(id).is_some());
    for id in unknown {
        warnings.push(format!(
            "{origin}: `{id}` names no check; run `rampart checks` for the ids"
        ));
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_splits_ids_and_reason() {
        let (ids, reason) = parse_directive(" CTR-011, ctr-012 NET-001 — needs raw sockets");
        assert_eq!(ids, ["CTR-011", "CTR-012", "NET-001"]);
        assert_eq!(reason, "needs raw sockets");
        let (ids, reason) = parse_directive("CTR-001");
        assert_eq!(ids, ["CTR-001"]);
        assert!(reason.is_empty());
        let (ids, _) = parse_directive("because");
        assert!(ids.is_empty());
    }

    #[test]
    fn comments_target_their_line_or_the_next_code_line() {
        let text = "FROM a\n# rampart:ignore CTR-001 one\n\n# other\nRUN x # rampart:ignore \
                    CTR-005 two\n";
        let found = scan_comments("Dockerfile", text);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].line, found[0].target), (2, 5));
        assert_eq!((found[1].line, found[1].target), (5, 5));
        assert_eq!(found[1].checks, ["CTR-005"]);
    }

    #[test]
    fn dates_parse_or_name_the_format() {
        assert!(parse_date("2027-03-31").is_ok());
        assert!(parse_date("31/03/2027").unwrap_err().contains("YYYY-MM-DD"));
    }
}
