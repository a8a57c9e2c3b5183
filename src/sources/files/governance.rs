//! Governance files recognised by name: the security policy, CODEOWNERS, incident-response
//! documents and Falco rules files.
//!
//! Only facts are kept — counts, line numbers of errors, which incident phases a plan
//! covers, the conditions of runtime rules — never a document's whole text, so a bundle
//! stays small and holds nothing a reader did not need.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};

use crate::evidence::{FilesEvidence, TextFile};

/// What a governance file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `SECURITY.md`: how to report a vulnerability.
    SecurityPolicy,
    /// `CODEOWNERS`: who must review which paths.
    Codeowners,
    /// An incident-response plan or runbook.
    IncidentResponse,
    /// A Falco rules file (a YAML list of rules, macros and lists).
    FalcoRules,
}

impl Kind {
    /// The `kind` recorded on the [`TextFile`].
    pub fn key(self) -> &'static str {
        match self {
            Kind::SecurityPolicy => "security-policy",
            Kind::Codeowners => "codeowners",
            Kind::IncidentResponse => "incident-response",
            Kind::FalcoRules => "falco-rules",
        }
    }
}

/// The six phases of incident handling, as recorded in the `phases` fact.
pub const INCIDENT_PHASES: [&str; 6] = [
    "preparation",
    "detection",
    "containment",
    "eradication",
    "recovery",
    "lessons-learned",
];

/// The longest rule condition kept; real conditions are a few hundred characters.
const MAX_CONDITION: usize = 4096;
/// The most CODEOWNERS errors kept, so a broken generated file cannot bloat a bundle.
const MAX_ERRORS: usize = 100;

/// Recognises a governance file by its path relative to the scanned root.
pub fn classify(rel: &str) -> Option<Kind> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let lower = name.to_ascii_lowercase();
    // GitHub looks for these two only at the root, in `.github/` and in `docs/`.
    let standard_dir = matches!(dir, "" | ".github" | "docs");
    let (stem, ext) = lower.rsplit_once('.').unwrap_or((lower.as_str(), ""));
    let is_doc = matches!(ext, "md" | "markdown" | "rst" | "txt" | "adoc");

    if standard_dir && stem == "security" && is_doc {
        return Some(Kind::SecurityPolicy);
    }
    if standard_dir && lower == "codeowners" {
        return Some(Kind::Codeowners);
    }
    if is_doc && is_incident_document(dir, stem) {
        return Some(Kind::IncidentResponse);
    }
    let is_yaml = matches!(ext, "yaml" | "yml");
    let falco_rules = lower
        .find("falco")
        .is_some_and(|at| lower[at..].contains("rules"));
    (is_yaml && falco_rules).then_some(Kind::FalcoRules)
}

fn is_incident_document(dir: &str, stem: &str) -> bool {
    let in_docs = dir == "docs" || dir.starts_with("docs/");
    ["incident-response", "incident_response", "incidentresponse"]
        .iter()
        .any(|p| stem.starts_with(p))
        || stem.contains("runbook")
        || stem.starts_with("ir-plan")
        || stem.starts_with("ir_plan")
        || (in_docs && stem.starts_with("incident"))
}

/// Extracts the facts of a governance file into `evidence`.
pub fn load(kind: Kind, rel: &str, text: &str, evidence: &mut FilesEvidence) -> Result<(), String> {
    let facts = match kind {
        Kind::SecurityPolicy => security_policy_facts(text),
        Kind::Codeowners => codeowners_facts(text),
        Kind::IncidentResponse => incident_facts(text),
        Kind::FalcoRules => {
            // A file named like Falco rules may be a Kubernetes object (a ConfigMap that
            // carries the rules); it is then a manifest like any other.
            if let Ok(manifests) = super::load_manifests(rel, text)
                && !manifests.is_empty()
            {
                evidence.manifests.extend(manifests);
                return Ok(());
            }
            falco_facts(rel, text)?
        }
    };
    evidence.text_files.push(TextFile {
        path: rel.to_string(),
        kind: kind.key().to_string(),
        facts: facts.into_iter().collect(),
    });
    Ok(())
}

fn security_policy_facts(text: &str) -> Map<String, Value> {
    static CONTACT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}|https?://|security/advisories")
            .expect("a valid pattern")
    });
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let mut facts = Map::new();
    facts.insert("lines".into(), json!(lines));
    facts.insert("has_contact".into(), json!(CONTACT.is_match(text)));
    facts
}

fn codeowners_facts(text: &str) -> Map<String, Value> {
    let mut rules = 0;
    let mut errors = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        rules += 1;
        let tokens = codeowners_tokens(line);
        let (pattern, owners) = tokens.split_first().unwrap_or((&"", &[]));
        if let Some(message) = codeowners_error(pattern, owners)
            && errors.len() < MAX_ERRORS
        {
            errors.push(json!({ "line": index + 1, "message": message }));
        }
    }
    let mut facts = Map::new();
    facts.insert("rules".into(), json!(rules));
    facts.insert("errors".into(), Value::Array(errors));
    facts
}

/// The words of a rule up to an inline comment; `\ ` escapes a space inside a pattern.
fn codeowners_tokens(line: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = Vec::new();
    let mut start = None;
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        let separates = c.is_whitespace() && previous != '\\';
        match (start, separates) {
            (Some(from), true) => {
                tokens.push(&line[from..at]);
                start = None;
            }
            (None, false) => start = Some(at),
            _ => {}
        }
        previous = c;
    }
    if let Some(from) = start {
        tokens.push(&line[from..]);
    }
    tokens
        .into_iter()
        .take_while(|t| !t.starts_with('#'))
        .collect()
}

/// Why one CODEOWNERS rule is wrong, or `None`.
fn codeowners_error(pattern: &str, owners: &[&str]) -> Option<String> {
    if pattern.starts_with('!') {
        return Some(format!(
            "pattern `{pattern}` negates with `!`, which GitHub does not support"
        ));
    }
    if pattern.contains('[') {
        return Some(format!(
            "pattern `{pattern}` uses a `[ ]` range, which GitHub does not support"
        ));
    }
    if owners.is_empty() {
        return Some(format!("pattern `{pattern}` names no owner"));
    }
    owners
        .iter()
        .find(|o| !is_owner(o))
        .map(|o| format!("owner `{o}` is neither a @user, an @org/team nor an e-mail address"))
}

fn is_owner(owner: &str) -> bool {
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if let Some(handle) = owner.strip_prefix('@') {
        return match handle.split_once('/') {
            Some((org, team)) => name_ok(org) && name_ok(team),
            None => name_ok(handle),
        };
    }
    match owner.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.contains('@'),
        None => false,
    }
}

fn incident_facts(text: &str) -> Map<String, Value> {
    static PHASES: LazyLock<Vec<(&str, Regex)>> = LazyLock::new(|| {
        let patterns = [
            r"\bprepar(e|es|ed|ation|edness|ing)\b",
            r"\b(detect|detects|detected|detection|detecting|identification)\b",
            r"\bcontain(s|ed|ing|ment)?\b",
            r"\beradicat(e|es|ed|ion|ing)\b",
            r"\brecover(s|ed|y|ing)?\b",
            r"\blessons?[ -]learn(ed|t)\b|\bpost[- ]?incident\b|\bpost[- ]?mortem\b|\bretrospective\b",
        ];
        INCIDENT_PHASES
            .iter()
            .zip(patterns)
            .map(|(phase, p)| {
                (
                    *phase,
                    Regex::new(&format!("(?i){p}")).expect("a valid pattern"),
                )
            })
            .collect()
    });
    let phases: Vec<&str> = PHASES
        .iter()
        .filter(|(_, re)| re.is_match(text))
        .map(|(phase, _)| *phase)
        .collect();
    let mut facts = Map::new();
    facts.insert("phases".into(), json!(phases));
    facts
}

/// The rules, macros and lists of a Falco rules file, or why it is not one. Also used for
/// rules carried inside Kubernetes objects.
pub fn falco_facts(rel: &str, text: &str) -> Result<Map<String, Value>, String> {
    let docs = super::load_yaml(rel, text)?;
    let mut facts = Map::new();
    let (mut rules, mut macros, mut lists) = (Vec::new(), Vec::new(), Vec::new());
    for doc in &docs {
        let items = match &doc.value {
            Value::Array(items) => items,
            Value::Null => continue,
            _ => return Err("not a Falco rules file: the document is not a list".to_string()),
        };
        for (index, item) in items.iter().enumerate() {
            let line = doc.line_of(&format!("/{index}"));
            match falco_item(item, line)? {
                FalcoItem::Rule(v) => rules.push(v),
                FalcoItem::Macro(v) => macros.push(v),
                FalcoItem::List(v) => lists.push(v),
                FalcoItem::Other => {}
            }
        }
    }
    facts.insert("rules".into(), Value::Array(rules));
    facts.insert("macros".into(), Value::Array(macros));
    facts.insert("lists".into(), Value::Array(lists));
    Ok(facts)
}

enum FalcoItem {
    Rule(Value),
    Macro(Value),
    List(Value),
    /// Version requirements and similar entries no check reads.
    Other,
}

fn falco_item(item: &Value, line: u32) -> Result<FalcoItem, String> {
    let text = |key: &str| item.get(key).and_then(Value::as_str);
    let condition = |key: &str| text(key).map(|c| clip(c, MAX_CONDITION));
    if let Some(name) = text("rule") {
        return Ok(FalcoItem::Rule(json!({
            "name": name,
            "line": line,
            "condition": condition("condition"),
            "output": condition("output").map(|o| clip(&o, 160)),
            // Absent when the entry does not say, so that appending to a rule keeps the
            // state an earlier entry gave it.
            "enabled": item.get("enabled").and_then(Value::as_bool),
        })));
    }
    if let Some(name) = text("macro") {
        return Ok(FalcoItem::Macro(
            json!({ "name": name, "line": line, "condition": condition("condition") }),
        ));
    }
    if let Some(name) = text("list") {
        let items: Vec<&str> = item
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        return Ok(FalcoItem::List(
            json!({ "name": name, "line": line, "items": items }),
        ));
    }
    let known = ["required_engine_version", "required_plugin_versions"];
    if item
        .as_object()
        .is_some_and(|o| known.iter().any(|k| o.contains_key(*k)))
    {
        return Ok(FalcoItem::Other);
    }
    Err(format!(
        "not a Falco rules file: the entry at line {line} is neither a rule, a macro nor a list"
    ))
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => text[..cut].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_governance_files_by_path() {
        assert_eq!(classify("SECURITY.md"), Some(Kind::SecurityPolicy));
        assert_eq!(classify(".github/SECURITY.md"), Some(Kind::SecurityPolicy));
        assert_eq!(classify("src/SECURITY.md"), None);
        assert_eq!(classify("docs/CODEOWNERS"), Some(Kind::Codeowners));
        assert_eq!(
            classify("docs/incident-handling.md"),
            Some(Kind::IncidentResponse)
        );
        assert_eq!(classify("ops/db-runbook.md"), Some(Kind::IncidentResponse));
        assert_eq!(classify("ops/runbook.yaml"), None);
        assert_eq!(
            classify("deploy/falco_rules.local.yaml"),
            Some(Kind::FalcoRules)
        );
        assert_eq!(classify("deploy/rules-falco.yaml"), None);
    }

    #[test]
    fn codeowners_errors_name_their_problem() {
        let facts = codeowners_facts("# c\n* @org/team\n/docs\n*.rs alice\n!x @a\n");
        assert_eq!(facts["rules"], json!(4));
        let lines: Vec<_> = facts["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, [3, 4, 5]);
        assert!(is_owner("dev@example.com") && is_owner("@alice") && !is_owner("@"));
        assert_eq!(
            codeowners_tokens(r"/my\ docs/ @a # c"),
            [r"/my\ docs/", "@a"]
        );
    }

    #[test]
    fn incident_phases_use_words_not_substrings() {
        let facts = incident_facts("## Containers\nWe recover and detect.\n");
        assert_eq!(facts["phases"], json!(["detection", "recovery"]));
    }

    #[test]
    fn falco_rejects_non_rule_entries() {
        assert!(falco_facts("f.yaml", "- rule: a\n  condition: x\n").is_ok());
        assert!(falco_facts("f.yaml", "- foo: bar\n").is_err());
        assert!(falco_facts("f.yaml", "key: value\n").is_err());
    }
}
