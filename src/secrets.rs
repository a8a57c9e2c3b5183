//! Secret detection and redaction, shared by every source.
//!
//! Sources call this while collecting, before anything is stored, so no evidence bundle,
//! output, log or screen can carry a secret value. A redacted value keeps its kind, its
//! length and a keyed hash, which is enough to tell two occurrences of one secret apart
//! from two different secrets without revealing either.
//!
//! Detection has two tiers. A *known* format is recognised by its shape alone (a prefix
//! such as `ghp_`, a key block, a URL with a password) and is critical. A *generic* hit is
//! an assignment to a secret-looking name whose value is long and random enough to be a
//! real credential. Placeholders, references and documented example keys are neither:
//! see [`is_placeholder`] and [`looks_fake`], and `docs/secrets.md` for the rules.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A credential format recognisable by its shape alone.
pub struct KnownFormat {
    /// Stable kind name used in redactions, evidence and findings.
    pub kind: &'static str,
    /// What the format is, for people reading `docs/secrets.md`.
    pub description: &'static str,
    /// The shape. When it has a `secret` group, only that part is the secret value; the
    /// rest is context (a user name, a key name) that makes the match certain.
    pattern: Regex,
}

fn known(kind: &'static str, description: &'static str, pattern: &str) -> KnownFormat {
    // The patterns are literals of this file, each exercised by the tests below.
    #[allow(clippy::unwrap_used)]
    KnownFormat {
        kind,
        description,
        pattern: Regex::new(pattern).unwrap(),
    }
}

/// Every known credential format, most specific first: when two formats overlap, the
/// earlier one names the hit.
pub static KNOWN_FORMATS: LazyLock<Vec<KnownFormat>> = LazyLock::new(|| {
    vec![
        known(
            "private-key",
            "PEM or OpenSSH private key block, PGP private key block",
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?P<secret>[^-]*)-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
        ),
        known(
            "aws-access-key-id",
            "AWS access key id (AKIA…, ASIA… temporary)",
            r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
        ),
        known(
            "aws-secret-access-key",
            "AWS secret access key, recognised beside its variable or key name",
            r#"(?i)aws_?secret_?(?:access_?)?key["']?\s*(?:=|:|=>)\s*["']?(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)"#,
        ),
        known(
            "gcp-service-account-key",
            "Google Cloud service-account key file (its private_key_id)",
            r#""private_key_id"\s*:\s*"(?P<secret>[0-9a-f]{40})""#,
        ),
        known(
            "google-api-key",
            "Google API key (AIza…)",
            r"\bAIza[0-9A-Za-z_\-]{35}\b",
        ),
        known(
            "google-oauth-client-secret",
            "Google OAuth client secret (GOCSPX-…)",
            r"\bGOCSPX-[A-Za-z0-9_\-]{28}\b",
        ),
        known(
            "azure-storage-key",
            "Azure storage account key in a connection string (AccountKey=…)",
            r"(?i)AccountKey=(?P<secret>[A-Za-z0-9+/]{40,}={0,2})",
        ),
        known(
            "github-token",
            "GitHub personal, OAuth, user-to-server, server-to-server or refresh token",
            r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b",
        ),
        known(
            "github-fine-grained-token",
            "GitHub fine-grained personal access token (github_pat_…)",
            r"\bgithub_pat_[A-Za-z0-9_]{60,255}\b",
        ),
        known(
            "gitlab-token",
            "GitLab personal, project or group access token (glpat-…)",
            r"\bglpat-[A-Za-z0-9_\-]{20,}\b",
        ),
        known(
            "slack-webhook",
            "Slack incoming webhook URL",
            r"https://hooks\.slack\.com/services/(?P<secret>T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,})",
        ),
        known(
            "slack-token",
            "Slack bot, user, app or configuration token (xoxb-, xoxp-, xapp-, …)",
            r"\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}\b",
        ),
        known(
            "stripe-secret-key",
            "Stripe live secret or restricted key (sk_live_, rk_live_)",
            r"\b[sr]k_live_[A-Za-z0-9]{20,}\b",
        ),
        known(
            "jwt",
            "JSON Web Token (three base64url parts, header and payload JSON)",
            r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}",
        ),
        known(
            "connection-string-password",
            "database or broker URL with a password (postgres, mysql, mongodb, redis, amqp, …)",
            r#"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z]+)://[^:/@\s"'<>]*:(?P<secret>[^@/\s"'<>]+)@[^\s"'<>]+"#,
        ),
        known(
            "npm-token",
            "npm access token (npm_…)",
            r"\bnpm_[A-Za-z0-9]{36}\b",
        ),
        known(
            "pypi-token",
            "PyPI upload token (pypi-AgEI…)",
            r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}",
        ),
        known(
            "sendgrid-api-key",
            "SendGrid API key (SG.….…)",
            r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b",
        ),
        known(
            "twilio-api-key",
            "Twilio API key (SK followed by 32 hex digits)",
            r"\bSK[0-9a-f]{32}\b",
        ),
        known(
            "heroku-api-key",
            "Heroku API key, recognised beside a heroku key or token name",
            r#"(?i)heroku[a-z_\-]*(?:key|token)["']?\s*(?:=|:|=>)\s*["']?(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"#,
        ),
        known(
            "digitalocean-token",
            "DigitalOcean personal access or OAuth token (dop_v1_, doo_v1_)",
            r"\bdo[por]_v1_[a-f0-9]{64}\b",
        ),
        known(
            "openai-api-key",
            "OpenAI API key (sk-…T3BlbkFJ…)",
            r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}",
        ),
        known(
            "anthropic-api-key",
            "Anthropic API key (sk-ant-api03-…)",
            r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,}",
        ),
    ]
});

/// How sure a detection is that it found a real credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A known format, recognised by its shape: critical.
    Known,
    /// A random-looking value assigned to a secret-looking name: high.
    Generic,
}

/// One secret found in a text. Holds where it is, never what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The format's kind, or `generic-secret`.
    pub kind: &'static str,
    pub confidence: Confidence,
    /// The variable or key the value is assigned to, when there is one.
    pub name: Option<String>,
    /// Byte range of the secret value in the scanned text.
    pub range: Range<usize>,
}

/// The kind of every generic hit.
pub const GENERIC_KIND: &str = "generic-secret";

/// Shannon entropy, in bits per character, that a generic value must reach. Random
/// base64 or hex of eight characters or more sits above it; words, paths and repeated
/// patterns sit below.
pub const GENERIC_MIN_ENTROPY: f64 = 3.0;

/// Length, in characters, that a generic value must reach.
pub const GENERIC_MIN_LENGTH: usize = 8;

/// Names of variables and keys whose values are secrets by convention.
static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(
        r"(?i)(passw(or)?d|passphrase|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credential|auth[_-]?key|(^|[_.-])pass($|[_.-]))",
    )
    .unwrap()
});

/// Last words of names that contain a secret word but hold something else: where a secret
/// lives, what it is called, how long it lives (`PASSWORD_FILE`, `secretName`,
/// `token_ttl`).
const NOT_SECRET_LAST_WORDS: &[&str] = &[
    "file",
    "path",
    "name",
    "names",
    "ref",
    "url",
    "uri",
    "endpoint",
    "id",
    "type",
    "length",
    "len",
    "min",
    "max",
    "policy",
    "header",
    "field",
    "env",
    "var",
    "mode",
    "count",
    "dir",
    "prefix",
    "suffix",
    "ttl",
    "timeout",
    "lifetime",
    "expiry",
    "expiration",
    "expires",
    "enabled",
    "required",
    "provider",
    "store",
    "source",
    "location",
    "format",
    "regex",
    "pattern",
    "hash",
    "version",
    "limit",
    "size",
    "keyref",
    "generator",
    "rotation",
];

/// File extensions that mark a key as a file name (`token.rs`, `secrets.yaml`).
const FILE_EXTENSIONS: &[&str] = &[
    "rs", "py", "js", "ts", "go", "rb", "java", "json", "yaml", "yml", "toml", "md", "txt",
    "stderr", "stdout", "html", "htm",
];

/// Whether a variable or key name conventionally holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    SECRET_NAME.is_match(name) && !points_at_secret(name)
}

/// Whether a secret-looking name describes a secret rather than holding one.
fn points_at_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words = name_words(name);
    let last = words.last().map_or("", String::as_str);
    let extension = lower.rsplit_once('.').map_or("", |(_, e)| e);
    (words.len() > 1 && NOT_SECRET_LAST_WORDS.contains(&last))
        || FILE_EXTENSIONS.contains(&extension)
        || lower.starts_with("existing")
        || lower == "tokenizer"
}

/// The words of a name, split at `_`, `.`, `-` and lower-to-upper case changes, lowered.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if matches!(c, '_' | '.' | '-') {
            words.push(std::mem::take(&mut current));
        } else {
            if c.is_ascii_uppercase() && previous_lower {
                words.push(std::mem::take(&mut current));
            }
            current.push(c.to_ascii_lowercase());
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    words.push(current);
    words.retain(|w| !w.is_empty());
    words
}

/// Whether a value is a placeholder, an example or a reference rather than a secret.
///
/// References are interpolations (`${VAR}`, `$(cmd)`, `{{ .Values.x }}`,
/// `${{ secrets.X }}`, `%(name)s`) and pointers such as `secretKeyRef`; placeholders are
/// words people write where a secret will go (`changeme`, `<token>`, `your-key-here`,
/// `xxxx`, `****`); values already redacted by Rampart count as placeholders too, so a
/// second pass never redacts a redaction.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'', '`']).trim();
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || is_reference(v)
        || (v.starts_with('<') && v.ends_with('>'))
        || v.starts_with("[redacted ")
        || lower.starts_with("your")
        || lower.starts_with("my-")
        || lower.starts_with("my_")
        || lower.ends_with("-here")
        || lower.ends_with("_here")
        || lower.starts_with("enc[")
        || PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
        || is_monotonous(v)
        || matches!(
            lower.as_str(),
            "password"
                | "secret"
                | "token"
                | "pass"
                | "test"
                | "none"
                | "null"
                | "nil"
                | "true"
                | "false"
                // Workflow keywords under secret-looking keys: `id-token: write`,
                // `secrets: inherit`. Redacting them breaks the workflow's schema.
                | "read"
                | "write"
                | "inherit"
                | "undefined"
                | "required"
                | "optional"
                | "string"
        )
}

/// Words that mark a value as an example wherever they occur in it.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change-me",
    "change_me",
    "example",
    "dummy",
    "placeholder",
    "sample",
    "fake",
    "redacted",
    "replace",
    "xxxx",
    "****",
    "....",
    "insert",
    "notreal",
    "not-a-real",
    "secretkeyref",
];

fn is_reference(v: &str) -> bool {
    v.starts_with('$')
        || v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || v.contains("%(")
        || (v.starts_with('{') && v.ends_with('}'))
        || v == "%s"
        || v.starts_with("secretKeyRef")
        || v.starts_with("vault:")
        || v.starts_with("ref+")
        || v.starts_with("arn:aws:secretsmanager:")
        || v.starts_with("projects/") && v.contains("/secrets/")
}

/// Whether every character is the same, or the value cycles through two or three.
fn is_monotonous(v: &str) -> bool {
    let mut distinct: Vec<char> = v.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() <= 2 || (distinct.len() <= 3 && v.chars().count() >= 12)
}

/// Whether a known-format match is a documented example or a pattern filler rather than a
/// real credential: AWS's own example keys end in `EXAMPLE`, and tokens in documentation
/// are padded with one repeated character or `x`.
pub fn looks_fake(value: &str) -> bool {
    let body: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut distinct: Vec<char> = body.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let lower = body.to_ascii_lowercase();
    distinct.len() < 6
        || lower.contains("example")
        || lower.contains("xxxxx")
        || lower.contains("dummy")
        || lower.contains("placeholder")
        || lower.contains("abcdefghij")
        || lower.contains("0123456789")
        || lower.contains("1234567890")
        || DOCUMENTED_EXAMPLES.iter().any(|e| value.contains(e))
}

/// Parts of credentials published as examples in vendors' documentation: the signature of
/// the token on jwt.io's front page.
const DOCUMENTED_EXAMPLES: &[&str] = &["SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"];

/// Shannon entropy of a value, in bits per character.
pub fn entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0u32;
    for c in value.chars() {
        *counts.entry(c).or_insert(0u32) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .values()
        .map(|&n| {
            let p = f64::from(n) / total;
            -p * p.log2()
        })
        .sum()
}

/// An assignment of a value to a name: `NAME=value`, `name: value`, `"name": "value"`,
/// `name := "value"`, `name => 'value'`.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(
        r#"(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)["']?[ \t]*(?:=|:=|:|=>)[ \t]*(?:"(?P<dq>[^"\n]*)"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s"',;#:=][^\s"',;#]*))"#,
    )
    .unwrap()
});

/// How values are written in the text being scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Configuration, scripts, environment files: values may be bare (`TOKEN=abc123`).
    Config,
    /// Program source: a hard-coded secret is a quoted string literal, while a bare word
    /// after `name:` or `name =` is a type, a variable or an expression.
    Code,
}

/// Every secret in `text`: known formats first, then generic assignments that do not
/// overlap a known hit. Ranges are byte offsets into `text`.
pub fn detect(text: &str, syntax: Syntax) -> Vec<Detection> {
    let mut found = detect_known(text);
    // Assignments matter only to name a known hit or to find a generic one under a
    // secret-looking name.
    if found.is_empty() && !NAME_HINT.is_match(text) {
        return found;
    }
    // Without a known hit only lines holding a secret-looking word can matter; searching
    // those alone took the assignment search from a tenth of a scan to almost nothing.
    let mut assignments = if found.is_empty() {
        hinted_assignments(text)
    } else {
        assignments(text)
    };
    if syntax == Syntax::Code {
        assignments
            .retain(|(_, r)| r.start > 0 && matches!(text.as_bytes()[r.start - 1], b'"' | b'\''));
    }

    // A known hit assigned to a name keeps that name, for the person reading the finding.
    for hit in &mut found {
        if let Some((name, _)) = assignments.iter().find(|(_, r)| overlaps(r, &hit.range)) {
            hit.name = Some(name.clone());
        }
    }
    add_generic(&mut found, text, assignments, is_generic_secret);
    found
}

/// Adds a generic detection for each assignment to a secret-looking name whose value
/// `secret` accepts and that no detection already covers, then orders all by position.
fn add_generic(
    found: &mut Vec<Detection>,
    text: &str,
    named: Vec<(String, Range<usize>)>,
    secret: impl Fn(&str) -> bool,
) {
    for (name, range) in named {
        let overlapping = found.iter().any(|d| overlaps(&d.range, &range));
        if !overlapping && is_secret_name(&name) && secret(&text[range.clone()]) {
            found.push(Detection {
                kind: GENERIC_KIND,
                confidence: Confidence::Generic,
                name: Some(name),
                range,
            });
        }
    }
    found.sort_by_key(|d| d.range.start);
}

/// Every known format in one automaton: a single pass over a text says which formats can
/// match at all, so the text is searched again only for those (usually none).
static KNOWN_SET: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    // The same literals as KNOWN_FORMATS, which already compiled one by one.
    #[allow(clippy::unwrap_used)]
    regex::RegexSet::new(KNOWN_FORMATS.iter().map(|f| f.pattern.as_str())).unwrap()
});

/// A word every secret-looking name contains (see `SECRET_NAME`). Text without one holds
/// no assignment worth a second look, which spares the assignment search on most strings.
static NAME_HINT: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?i)(pass|secret|token|key|credential)").unwrap()
});

fn detect_known(text: &str) -> Vec<Detection> {
    let mut found: Vec<Detection> = Vec::new();
    let candidates = KNOWN_SET.matches(text);
    if !candidates.matched_any() {
        return found;
    }
    for (index, format) in KNOWN_FORMATS.iter().enumerate() {
        if !candidates.matched(index) {
            continue;
        }
        for captures in format.pattern.captures_iter(text) {
            let Some(m) = captures.name("secret").or_else(|| captures.get(0)) else {
                continue;
            };
            let range = m.range();
            let claimed = found.iter().any(|d| overlaps(&d.range, &range));
            if claimed || is_placeholder(m.as_str()) || looks_fake(m.as_str()) {
                continue;
            }
            found.push(Detection {
                kind: format.kind,
                confidence: Confidence::Known,
                name: None,
                range,
            });
        }
    }
    found
}

/// The assignments of the lines of `text` that contain a [`NAME_HINT`] word. An assignment
/// never spans lines, so these are exactly the assignments of `text` on those lines.
fn hinted_assignments(text: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut searched_to = 0;
    for hint in NAME_HINT.find_iter(text) {
        if hint.start() < searched_to {
            continue;
        }
        let start = text[..hint.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = text[hint.end()..]
            .find('\n')
            .map_or(text.len(), |i| hint.end() + i);
        out.extend(
            assignments(&text[start..end])
                .into_iter()
                .map(|(name, r)| (name, r.start + start..r.end + start)),
        );
        searched_to = end;
    }
    out
}

/// Every assignment in `text`, as the name and the byte range of the unquoted value.
fn assignments(text: &str) -> Vec<(String, Range<usize>)> {
    ASSIGNMENT
        .captures_iter(text)
        .filter_map(|c| {
            let value = c
                .name("dq")
                .or_else(|| c.name("sq"))
                .or_else(|| c.name("bare"))?;
            Some((c["name"].to_string(), value.range()))
        })
        .collect()
}

/// Whether a value assigned to a secret-looking name is random enough to be a credential
/// rather than a word, a path, an expression or a placeholder.
pub fn is_generic_secret(value: &str) -> bool {
    let v = value.trim();
    v.chars().count() >= GENERIC_MIN_LENGTH
        && !v.contains(char::is_whitespace)
        && !is_placeholder(v)
        && !is_code_or_path(v)
        && entropy(v) >= GENERIC_MIN_ENTROPY
}

/// Values that name where a secret comes from rather than being one: paths, URLs without
/// credentials, member accesses and calls in source code.
fn is_code_or_path(v: &str) -> bool {
    static MEMBER: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*(?:(?:\.|::|->)[A-Za-z_][A-Za-z0-9_]*)+(?:\(\)?)?$")
            .unwrap()
    });
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || v.starts_with("http://")
        || v.starts_with("https://")
        || v.starts_with("file:")
        || v.contains("::")
        || v.contains(['(', ')', '[', '{', '}', '<', '>', '*', '&'])
        || MEMBER.is_match(v)
        || is_resource_name(v)
}

/// Whether a value reads as the name of something, such as a Kubernetes object
/// (`postgres-credentials-v2`), rather than a random string: lower-case words joined by
/// hyphens, at least half of them made of letters only.
fn is_resource_name(v: &str) -> bool {
    let segments: Vec<&str> = v.split('-').collect();
    let shaped = segments.len() >= 2
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    let words = segments
        .iter()
        .filter(|s| s.len() >= 2 && s.bytes().all(|b| b.is_ascii_lowercase()))
        .count();
    shaped && words * 2 >= segments.len()
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The text that stands in for a secret value: kind, length and a keyed hash.
pub fn redaction(kind: &str, value: &str) -> String {
    format!(
        "[redacted {kind}, {} chars, #{}]",
        value.chars().count(),
        keyed_hash(value)
    )
}

/// Whether `text` holds a redaction made by Rampart.
pub fn is_redacted(text: &str) -> bool {
    text.contains("[redacted ")
}

/// The kinds named by the redactions in `text`, in order.
pub fn redacted_kinds(text: &str) -> Vec<String> {
    static MARKER: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(r"\[redacted ([a-z0-9\-]+), \d+ chars, #[0-9a-f]+\]").unwrap()
    });
    MARKER
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect()
}

/// A short keyed hash of a secret value.
///
/// TODO: derive the key from a per-installation random file under the user's data
/// directory, so that a bundle's hashes cannot be checked against guessed values by
/// someone who has the bundle and this source code.
pub fn keyed_hash(value: &str) -> String {
    let key = blake3::derive_key("rampart 2026 secret redaction v1", b"rampart");
    blake3::keyed_hash(&key, value.as_bytes()).to_hex()[..12].to_string()
}

/// Replaces every detection's range in `text` with its redaction.
pub fn redact_detections(text: &str, detections: &[Detection]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for d in detections {
        if d.range.start < cursor {
            continue;
        }
        out.push_str(&text[cursor..d.range.start]);
        out.push_str(&redaction(d.kind, &text[d.range.clone()]));
        cursor = d.range.end;
    }
    out.push_str(&text[cursor..]);
    out
}

/// Replaces every known credential format in `text` with its redaction. Placeholders and
/// documented examples stay, so that checks and people can still read them.
pub fn redact_known(text: &str) -> String {
    redact_detections(text, &detect_known_sorted(text))
}

fn detect_known_sorted(text: &str) -> Vec<Detection> {
    let mut found = detect_known(text);
    found.sort_by_key(|d| d.range.start);
    found
}

/// Redacts known formats and every non-placeholder value assigned to a secret-looking
/// name, whatever its entropy: redaction errs towards hiding, detection towards
/// precision. Used for embedded configuration files and free text.
pub fn redact_text(text: &str) -> String {
    let mut found = detect_known(text);
    // Only secret-looking names count here, and each holds a hint word.
    let named = hinted_assignments(text);
    if found.is_empty() && named.is_empty() {
        return text.to_string();
    }
    add_generic(&mut found, text, named, |value| !is_placeholder(value));
    redact_detections(text, &found)
}

/// Redacts `NAME=value` and `NAME value` assignments to secret-looking names, then any
/// known formats. Used for Dockerfile `ENV`/`ARG` and similar lines.
pub fn redact_assignments(text: &str) -> String {
    static SHELL_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(
            r#"(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)(?P<sep>=|\s+)(?P<value>"[^"]*"|'[^']*'|\S+)"#,
        )
        .unwrap()
    });
    let replaced = SHELL_ASSIGNMENT.replace_all(text, |c: &regex::Captures<'_>| {
        let (name, sep, value) = (&c["name"], &c["sep"], &c["value"]);
        if is_secret_name(name) && !is_placeholder(value) {
            format!(
                "{name}{sep}{}",
                redaction(GENERIC_KIND, value.trim_matches(['"', '\'']))
            )
        } else {
            c[0].to_string()
        }
    });
    redact_known(&replaced)
}

/// Redacts a JSON tree in place: known formats in every string, values under
/// secret-looking keys, `{name, value}` pairs with a secret-looking name (container
/// environment), assignments inside embedded files, and every literal value of a
/// Kubernetes Secret's `data` and `stringData`. Placeholders and template expressions in
/// a Secret stay, so checks can tell a templated Secret from a committed one.
pub fn redact_value(value: &mut Value) {
    let is_secret_object = value.get("kind").and_then(Value::as_str) == Some("Secret");
    if let Value::Object(map) = value
        && is_secret_object
    {
        for field in ["data", "stringData"] {
            if let Some(Value::Object(entries)) = map.get_mut(field) {
                for (_, v) in entries.iter_mut() {
                    let text = scalar_text(v);
                    if !is_placeholder(&text) {
                        *v = Value::String(redaction("kubernetes-secret-value", &text));
                    }
                }
            }
        }
    }
    redact_walk(value);
}

fn redact_walk(value: &mut Value) {
    match value {
        Value::String(s) => {
            let redacted = redact_text(s);
            if redacted != *s {
                *s = redacted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_walk),
        Value::Object(map) => {
            let named_secret = map
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(is_secret_name);
            for (key, v) in map.iter_mut() {
                let secret_slot = is_secret_name(key) || (named_secret && key == "value");
                match v {
                    Value::String(s) if secret_slot && !is_placeholder(s) => {
                        *s = redaction(GENERIC_KIND, s);
                    }
                    Value::Number(n) if secret_slot => {
                        *v = Value::String(redaction(GENERIC_KIND, &n.to_string()));
                    }
                    _ => redact_walk(v),
                }
            }
        }
        _ => {}
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Credential-shaped strings are assembled at run time from a deterministic generator,
    // so that this file itself does not trip secret scanners.
    fn random(alphabet: &str, len: usize, seed: u64) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                chars[usize::try_from(state >> 33).unwrap() % chars.len()]
            })
            .collect()
    }

    const UPPER_DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    fn fake_aws_key() -> String {
        format!("{}{}", "AK", "IA") + &random(UPPER_DIGITS, 16, 1)
    }

    fn kinds(text: &str) -> Vec<&'static str> {
        detect_config(text).into_iter().map(|d| d.kind).collect()
    }

    fn detect_config(text: &str) -> Vec<Detection> {
        detect(text, Syntax::Config)
    }

    #[test]
    fn source_code_needs_quoted_values() {
        let value = random(ALNUM, 24, 4);
        assert!(detect(&format!("let token: {value};"), Syntax::Code).is_empty());
        assert_eq!(
            detect(&format!("token = \"{value}\""), Syntax::Code).len(),
            1
        );
        assert!(detect_config("input.peek(Token::Colon2)").is_empty());
        assert!(detect_config("pub password: Option<PCWSTR>,").is_empty());
    }

    #[test]
    fn known_formats_are_replaced() {
        let key = fake_aws_key();
        let out = redact_known(&format!("aws configure set key {key}"));
        assert!(!out.contains(&key));
        assert!(out.contains("[redacted aws-access-key-id, 20 chars, #"));
    }

    #[test]
    fn documented_examples_and_fillers_are_not_known_hits() {
        let example = format!("{}{}", "AKIAIOSFODNN7", "EXAMPLE");
        assert!(kinds(&format!("key = {example}")).is_empty());
        let filler = format!("{}{}", "gh", "p_") + &"x".repeat(36);
        assert!(kinds(&filler).is_empty());
    }

    #[test]
    fn known_hits_keep_the_name_they_are_assigned_to() {
        let token = format!("{}{}", "gh", "p_") + &random(ALNUM, 36, 7);
        let found = detect_config(&format!("GITHUB_TOKEN={token}\n"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, "github-token");
        assert_eq!(found[0].name.as_deref(), Some("GITHUB_TOKEN"));
    }

    #[test]
    fn generic_hits_need_a_secret_name_length_and_entropy() {
        let value = random(ALNUM, 24, 3);
        assert_eq!(
            kinds(&format!("db_password = \"{value}\"")),
            vec![GENERIC_KIND]
        );
        assert_eq!(kinds(&format!("api_key: {value}")), vec![GENERIC_KIND]);
        assert!(kinds(&format!("mode = \"{value}\"")).is_empty());
        assert!(kinds("password = \"aaaaaaaaaaaa\"").is_empty());
        assert!(kinds("password = \"short\"").is_empty());
        assert!(kinds("password_file = \"/run/secrets/db-password\"").is_empty());
        assert!(kinds("token = config.auth.token").is_empty());
        assert!(kinds("secret = get_secret(name)").is_empty());
        assert!(kinds("secret: postgres-credentials-v2").is_empty());
        assert!(kinds("existingSecret: app-db").is_empty());
        let uuid_like = format!(
            "{}-{}",
            random("0123456789abcdef", 8, 5),
            random("0123456789abcdef", 12, 6)
        );
        assert_eq!(kinds(&format!("token: {uuid_like}")), vec![GENERIC_KIND]);
    }

    #[test]
    fn placeholders_are_not_findings() {
        for value in [
            "changeme",
            "<base64-encoded-key>",
            "${DB_PASSWORD}",
            "$(cat /run/secrets/x)",
            "{{ .Values.password }}",
            "${{ secrets.TOKEN }}",
            "xxxxxxxxxxxx",
            "************",
            "your-api-key-here",
            "example-token-123456",
            "dummy-secret-value",
            "secretKeyRef",
        ] {
            assert!(is_placeholder(value), "{value}");
            assert!(
                kinds(&format!("password = \"{value}\"")).is_empty(),
                "{value}"
            );
        }
    }

    #[test]
    fn private_key_blocks_are_redacted_whole() {
        let body = random(ALNUM, 64, 9);
        let text = format!(
            "{}BEGIN RSA PRIVATE KEY-----\n{body}\n{body}\n-----END RSA PRIVATE KEY-----\n",
            "-----"
        );
        let out = redact_known(&text);
        assert!(!out.contains(&body));
        let stub = format!(
            "{}BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
            "-----"
        );
        assert!(detect_config(&stub).is_empty());
    }

    #[test]
    fn connection_strings_redact_only_the_password() {
        let password = random(ALNUM, 16, 5);
        let text = format!("DATABASE_URL=postgres://app:{password}@db:5432/app");
        let out = redact_known(&text);
        assert!(!out.contains(&password));
        assert!(out.contains("postgres://app:[redacted connection-string-password"));
        assert!(detect_config("postgres://app:${DB_PASSWORD}@db/app").is_empty());
        assert!(detect_config("postgres://app:{password}@db/app").is_empty());
    }

    #[test]
    fn hinted_lines_give_the_same_assignments_as_the_whole_text() {
        let text = "mode: prod\napi_token = \"abc\" other=1\nplain=2\n  password: 'x y'\nkey=k";
        let hinted = hinted_assignments(text);
        let secret_lines: Vec<_> = assignments(text)
            .into_iter()
            .filter(|(name, _)| NAME_HINT.is_match(name) || name == "other")
            .collect();
        assert_eq!(hinted, secret_lines);
        assert!(
            hinted
                .iter()
                .all(|(name, r)| !text[r.clone()].contains('\n') && !name.is_empty())
        );
    }

    #[test]
    fn assignments_to_secret_names_are_replaced_but_references_kept() {
        let out = redact_assignments("DB_PASSWORD=hunter2hunter2 MODE=prod TOKEN=${TOKEN}");
        assert!(!out.contains("hunter2"));
        assert!(out.contains("MODE=prod"));
        assert!(out.contains("TOKEN=${TOKEN}"));
    }

    #[test]
    fn json_trees_lose_secret_values() {
        let mut v = json!({
            "kind": "Secret",
            "data": {"password": "c2VjcmV0", "templated": "{{ .Values.x }}"},
            "spec": {"env": [{"name": "API_TOKEN", "value": "abcdef123456"}, {"name": "MODE", "value": "prod"}]},
            "files": {"app.properties": "db.password=s3cr3tv4lu3\nmode=prod\n"}
        });
        redact_value(&mut v);
        let text = v.to_string();
        assert!(!text.contains("c2VjcmV0"));
        assert!(!text.contains("abcdef123456"));
        assert!(!text.contains("s3cr3tv4lu3"));
        assert!(text.contains("prod"));
        assert!(text.contains("{{ .Values.x }}"));
    }

    #[test]
    fn redaction_kinds_can_be_read_back() {
        let out = redact_known(&format!("k={}", fake_aws_key()));
        assert_eq!(redacted_kinds(&out), vec!["aws-access-key-id"]);
        assert!(is_redacted(&out));
    }

    #[test]
    fn secret_names_exclude_pointers_to_secrets() {
        assert!(is_secret_name("DB_PASSWORD"));
        assert!(is_secret_name("client_secret"));
        assert!(is_secret_name("SMTP_PASS"));
        assert!(!is_secret_name("PASSWORD_FILE"));
        assert!(!is_secret_name("secretName"));
        assert!(!is_secret_name("token_url"));
        assert!(!is_secret_name("passenger"));
        assert!(!is_secret_name("secretKeyRef"));
        assert!(!is_secret_name("token.rs"));
        assert!(is_secret_name("PASSWORD_ADMIN"));
        assert!(is_secret_name("adminPassword"));
    }

    #[test]
    fn same_value_same_hash() {
        assert_eq!(keyed_hash("a"), keyed_hash("a"));
        assert_ne!(keyed_hash("a"), keyed_hash("b"));
    }
}
