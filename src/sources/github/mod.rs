//! The github source: a repository's settings read through the GitHub REST API.
//!
//! The caller's `permissions` on the repository are read first: endpoints only admins may
//! read are not asked for non-admins (GitHub would answer an ambiguous 404), and recorded
//! as denied with the permission that was missing. Every refusal names the permission.

mod client;
mod endpoints;
mod remote;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::evidence::{Answer, FilesEvidence, GithubEvidence, SourceRecord, SourceStatus};
use crate::model::SourceKind;
use crate::sources::{Progress, ProgressSender, announce};

pub use client::{MAX_PAGES, next_link};
pub use endpoints::{BYPASS_PERMISSION, ENDPOINTS, strip_url};
pub use remote::{is_github_host, origin_in_config, parse_remote, parse_slug};

/// The public GitHub API, used unless `GITHUB_API_URL` names another.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// A token, kept out of `Debug` output and logs.
#[derive(Clone, Default)]
pub struct Token(String);

impl Token {
    /// Wraps a token; empty text is no token.
    pub fn new(text: &str) -> Option<Self> {
        let text = text.trim();
        (!text.is_empty()).then(|| Token(text.to_string()))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(redacted)")
    }
}

/// How to reach the github source, from flags, environment and configuration.
#[derive(Debug, Clone, Default)]
pub struct GithubOptions {
    /// `--repo owner/name`; else the `origin` remote of `root` is used.
    pub repo: Option<String>,
    /// The scanned path, whose `origin` remote names the repository.
    pub root: PathBuf,
    /// From `GITHUB_TOKEN` or `GH_TOKEN`.
    pub token: Option<Token>,
    /// Ask `gh auth token` when no token was given and the gh CLI is installed.
    pub use_gh_cli: bool,
    /// `GITHUB_API_URL`, else [`DEFAULT_API_URL`].
    pub api_url: Option<String>,
    /// The files source scans `root`. Workflows and governance files are fetched through
    /// the API unless it does and `root` is a checkout of the audited repository.
    pub files_scanned: bool,
}

/// Collects the github evidence. Never fails: what could not be read is in the record.
pub async fn collect(
    options: &GithubOptions,
    progress: Option<&ProgressSender>,
) -> (Option<GithubEvidence>, SourceRecord) {
    let started = Instant::now();
    let api_url = options
        .api_url
        .clone()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_API_URL.to_string());
    let mut run = Collection::new(api_url.trim_end_matches('/'));
    let result = run.collect(options, progress).await;
    let mut record = run.record();
    record.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(()) => (Some(run.evidence), record),
        Err((reason, fix)) => {
            record.status = SourceStatus::Unavailable { reason, fix };
            (None, record)
        }
    }
}

type Unavailable = (String, String);

const TOKEN_FIX: &str = "set GITHUB_TOKEN (or GH_TOKEN) to a token that may read the \
                         repository, or run `gh auth login`";

/// The state of one collection.
struct Collection {
    evidence: GithubEvidence,
    attempted: Vec<String>,
    denied: BTreeMap<String, String>,
    /// Why no token was used, when none was.
    no_token: Option<String>,
}

impl Collection {
    fn new(api_url: &str) -> Self {
        Collection {
            evidence: GithubEvidence {
                api_url: api_url.to_string(),
                ..GithubEvidence::default()
            },
            attempted: Vec::new(),
            denied: BTreeMap::new(),
            no_token: None,
        }
    }

    fn record(&self) -> SourceRecord {
        let status = if self.denied.is_empty() {
            SourceStatus::Connected
        } else {
            let unread = format!(
                "{} of {} GitHub endpoints could not be read",
                self.denied.len(),
                self.attempted.len()
            );
            SourceStatus::Partial {
                reason: match &self.no_token {
                    Some(why) => format!("{why}; {unread}"),
                    None => unread,
                },
            }
        };
        SourceRecord {
            kind: SourceKind::Github,
            status,
            target: self.evidence.repository.clone(),
            attempted: self.attempted.clone(),
            denied: self.denied.clone(),
            elapsed_ms: 0,
        }
    }

    async fn collect(
        &mut self,
        options: &GithubOptions,
        progress: Option<&ProgressSender>,
    ) -> Result<(), Unavailable> {
        let slug = self.repository(options)?;
        self.evidence.repository.clone_from(&slug);
        let token = match &options.token {
            Some(token) => Ok(token.clone()),
            None if options.use_gh_cli => gh_cli_token(&self.evidence.api_url)
                .await
                .map_err(|why| format!("no GITHUB_TOKEN or GH_TOKEN, and {why}")),
            None => Err("no GITHUB_TOKEN or GH_TOKEN".to_string()),
        };
        let token = token
            .map_err(|why| {
                tracing::debug!(%why, "github: reading without a token");
                self.no_token = Some(why);
            })
            .ok();
        self.evidence.authenticated = token.is_some();
        let api = client::Api::new(
            &self.evidence.api_url,
            token.as_ref().map(|t| t.0.as_str()),
            progress,
        )
        .map_err(|e| {
            (
                e,
                "set GITHUB_API_URL to the REST root, such as \
                          https://github.example.com/api/v3"
                    .to_string(),
            )
        })?;
        let base = format!("/repos/{slug}");
        let repo = self.read_repo(&api, &base).await?;
        step(progress, format!("read repository {slug}"));

        let admin = repo.pointer("/permissions/admin").and_then(Value::as_bool);
        let branch = repo
            .get("default_branch")
            .and_then(Value::as_str)
            .unwrap_or("main")
            .to_string();
        self.evidence.repo = Some(repo);
        self.read_endpoints(&api, &base, &branch, admin).await?;
        self.read_rulesets(&api, &base, admin).await?;
        step(
            progress,
            format!("read {} repository settings", self.attempted.len()),
        );
        let local = options.files_scanned
            && remote::origin_url(&options.root)
                .and_then(|url| parse_remote(&url))
                .is_some_and(|(_, origin)| origin.eq_ignore_ascii_case(&slug));
        if !local {
            self.fetch_files(&api, &base, &branch).await?;
            step(progress, "read workflows and governance files".to_string());
        }
        Ok(())
    }

    /// The repository to read: `--repo`, else the `origin` remote.
    fn repository(&mut self, options: &GithubOptions) -> Result<String, Unavailable> {
        if let Some(repo) = &options.repo {
            return parse_slug(repo).ok_or_else(|| {
                (
                    format!("`{repo}` is not a repository name"),
                    "pass --repo OWNER/NAME".to_string(),
                )
            });
        }
        let no_repo = "pass --repo OWNER/NAME, or scan a checkout whose `origin` remote is on \
                       GitHub";
        let Some(url) = remote::origin_url(&options.root) else {
            return Err((
                format!(
                    "no repository was named and `{}` is not a git checkout with an `origin` \
                     remote",
                    options.root.display()
                ),
                no_repo.to_string(),
            ));
        };
        let shown = strip_url(&url);
        match parse_remote(&url) {
            Some((host, slug)) if is_github_host(&host, &self.evidence.api_url) => Ok(slug),
            Some((host, _)) => {
                let note = format!("the `origin` remote ({shown}) is on {host}, not GitHub");
                self.evidence.notes.push(note.clone());
                Err((note, no_repo.to_string()))
            }
            None => Err((
                format!("the `origin` remote ({shown}) does not name an owner and repository"),
                no_repo.to_string(),
            )),
        }
    }

    async fn read_repo(&mut self, api: &client::Api<'_>, base: &str) -> Result<Value, Unavailable> {
        self.attempted.push("repository".to_string());
        let reply = api.get(base).await.map_err(|e| (e, unreachable_fix()))?;
        let slug = &self.evidence.repository;
        match reply.status {
            200 if reply.body.is_object() => Ok(reply.body),
            200 => Err((
                format!(
                    "{}/{base} answered with something that is not a repository",
                    api.base
                ),
                "check GITHUB_API_URL".to_string(),
            )),
            404 if !self.evidence.authenticated => Err((
                format!(
                    "repository `{slug}` was not found: it does not exist, or it is private \
                     and no token was given ({})",
                    self.no_token.as_deref().unwrap_or("no token")
                ),
                TOKEN_FIX.to_string(),
            )),
            404 | 403 | 401 => Err((
                format!(
                    "repository `{slug}` could not be read ({}): {}",
                    reply.status,
                    crate::sanitize::one_line(&reply.message())
                ),
                format!(
                    "give the token {} on the repository, or check the name",
                    reply.hints.missing_permission("metadata:read")
                ),
            )),
            status => Err((
                format!("{}/{base} answered {status}", api.base),
                unreachable_fix(),
            )),
        }
    }

    async fn read_endpoints(
        &mut self,
        api: &client::Api<'_>,
        base: &str,
        branch: &str,
        admin: Option<bool>,
    ) -> Result<(), Unavailable> {
        let encoded_branch = branch
            .replace('%', "%25")
            .replace('#', "%23")
            .replace('?', "%3F");
        for endpoint in ENDPOINTS {
            self.attempted.push(endpoint.key.to_string());
            let answer = if let Some(answer) = self.skip(endpoint, admin) {
                answer
            } else {
                let path = format!("{base}/{}", endpoint.path).replace("{branch}", &encoded_branch);
                endpoints::read(api, &path, endpoint)
                    .await
                    .map_err(|e| (e, unreachable_fix()))?
            };
            if let Answer::Denied { permission, reason } = &answer {
                let text = if permission.is_empty() {
                    reason.clone()
                } else {
                    format!("needs {permission}: {reason}")
                };
                self.denied.insert(endpoint.key.to_string(), text);
            }
            self.evidence
                .endpoints
                .insert(endpoint.key.to_string(), answer);
        }
        Ok(())
    }

    /// Reads each ruleset behind the default branch's active rules: only the ruleset itself
    /// says who may bypass it, and GitHub shows that only to those who may edit it.
    async fn read_rulesets(
        &mut self,
        api: &client::Api<'_>,
        base: &str,
        admin: Option<bool>,
    ) -> Result<(), Unavailable> {
        let ids = self.ruleset_ids();
        let listed = matches!(self.evidence.answer("rulesets"), Some(Answer::Read { .. }));
        if ids.is_empty() || !listed {
            return Ok(());
        }
        self.attempted.push("ruleset_bypass_actors".to_string());
        let mut read = Vec::new();
        let mut hidden = Vec::new();
        for id in ids {
            let ruleset = self.read_ruleset(api, base, id).await?;
            if ruleset.get("bypass_actors").is_none() && ruleset.get("unread").is_none() {
                hidden.push(id.to_string());
            }
            read.push(ruleset);
        }
        if let Some(Answer::Read {
            value: Value::Array(list),
        }) = self.evidence.endpoints.get_mut("rulesets")
        {
            for ruleset in read {
                let id = ruleset.get("id").and_then(Value::as_u64);
                match list
                    .iter_mut()
                    .find(|r| r.get("id").and_then(Value::as_u64) == id)
                {
                    Some(known) => merge(known, ruleset),
                    None => list.push(ruleset),
                }
            }
        }
        if !hidden.is_empty() {
            let caller = match admin {
                _ if !self.evidence.authenticated => ", and no token was used",
                Some(true) => "",
                _ => ", and the token's user is not an admin of the repository",
            };
            self.denied.insert(
                "ruleset_bypass_actors".to_string(),
                format!(
                    "needs {} and a repository admin's account (an organization owner's for an \
                     organization's rulesets): GitHub shows who may bypass a ruleset only to \
                     those who may edit it{caller} (rulesets {})",
                    endpoints::BYPASS_PERMISSION,
                    hidden.join(", ")
                ),
            );
        }
        Ok(())
    }

    /// One ruleset, trimmed; or its id and why it could not be read, which is also
    /// recorded as denied.
    async fn read_ruleset(
        &mut self,
        api: &client::Api<'_>,
        base: &str,
        id: u64,
    ) -> Result<Value, Unavailable> {
        let key = format!("ruleset {id}");
        self.attempted.push(key.clone());
        let reply = api
            .get(&format!("{base}/rulesets/{id}"))
            .await
            .map_err(|e| (e, unreachable_fix()))?;
        let (permission, reason) = match (reply.status, &reply.body) {
            (200, Value::Object(_)) => return Ok(endpoints::trim_ruleset(&reply.body)),
            (200, _) => (
                String::new(),
                "GitHub's answer is not a ruleset".to_string(),
            ),
            _ => match endpoints::judge(&endpoints::RULESET, &reply) {
                Answer::Denied { permission, reason } => (permission, reason),
                Answer::Absent { message } => (String::new(), message),
                Answer::Read { .. } => (String::new(), format!("GitHub answered {}", reply.status)),
            },
        };
        let text = if permission.is_empty() {
            reason.clone()
        } else {
            format!("needs {permission}: {reason}")
        };
        self.denied.insert(key, text);
        Ok(json!({"id": id, "unread": {"permission": permission, "reason": reason}}))
    }

    /// The rulesets the default branch's active rules come from, in first-seen order.
    fn ruleset_ids(&self) -> Vec<u64> {
        let Some(Answer::Read {
            value: Value::Array(rules),
        }) = self.evidence.endpoints.get("branch_rules")
        else {
            return Vec::new();
        };
        let mut ids: Vec<u64> = Vec::new();
        for id in rules
            .iter()
            .filter_map(|r| r.get("ruleset_id").and_then(Value::as_u64))
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        // A branch has a handful of rulesets; a misbehaving server does not get a request
        // per rule.
        ids.truncate(MAX_RULESETS);
        ids
    }

    /// Why an endpoint is not asked at all: no token, or not an admin.
    fn skip(&self, endpoint: &endpoints::Endpoint, admin: Option<bool>) -> Option<Answer> {
        let public =
            endpoints::PUBLIC.contains(&endpoint.key) && self.evidence.is_public() == Some(true);
        if !self.evidence.authenticated && !public {
            return Some(Answer::Denied {
                permission: endpoint.permission.to_string(),
                reason: format!(
                    "not read without a token ({}); {TOKEN_FIX}",
                    self.no_token.as_deref().unwrap_or("none was given")
                ),
            });
        }
        if endpoint.admin_only && admin != Some(true) {
            return Some(Answer::Denied {
                permission: endpoint.permission.to_string(),
                reason: "only repository admins may read this, and the token's user is not \
                         an admin of the repository (permissions.admin is false)"
                    .to_string(),
            });
        }
        None
    }
}

fn unreachable_fix() -> String {
    "check the network and GITHUB_API_URL (for GitHub Enterprise Server, \
     https://HOST/api/v3)"
        .to_string()
}

fn step(progress: Option<&ProgressSender>, message: String) {
    announce(
        progress,
        Progress::Step {
            source: SourceKind::Github,
            message,
        },
    );
}

/// The token `gh auth token` prints for the API's host, or why there is none.
async fn gh_cli_token(api_url: &str) -> Result<Token, String> {
    let mut command = tokio::process::Command::new("gh");
    command.args(["auth", "token"]);
    // gh answers for github.com unless told otherwise; another server must get its own
    // token, never github.com's.
    let host = gh_host(api_url);
    if let Some(host) = &host {
        command.args(["--hostname", host]);
    }
    command
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = match tokio::time::timeout(GH_TIMEOUT, command.output()).await {
        Err(_) => {
            return Err(format!(
                "`gh auth token` did not answer within {} s",
                GH_TIMEOUT.as_secs()
            ));
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("the gh CLI is not installed".to_string());
        }
        Ok(Err(e)) => return Err(format!("`gh auth token` could not be run: {e}")),
        Ok(Ok(output)) => output,
    };
    let host = host.as_deref().unwrap_or("github.com");
    if !output.status.success() {
        return Err(format!(
            "`gh auth token` failed ({}): gh is not logged in to {host}",
            output.status
        ));
    }
    Token::new(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| format!("`gh auth token` printed no token for {host}"))
}

/// How long `gh auth token` may take; it reads a file or the system keyring.
const GH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The host gh knows the API by: none for github.com, the server's own host for GitHub
/// Enterprise Server (`https://HOST/api/v3`), `NAME.ghe.com` for `api.NAME.ghe.com`.
fn gh_host(api_url: &str) -> Option<String> {
    let rest = api_url.split_once("://").map_or(api_url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    if host.is_empty() || host == "api.github.com" || host == "github.com" {
        return None;
    }
    match host.strip_prefix("api.") {
        Some(tenant) if tenant.ends_with(".ghe.com") => Some(tenant.to_string()),
        _ => Some(host),
    }
}

/// Rulesets read one by one at most.
const MAX_RULESETS: usize = 25;

/// Adds the fields of `detail` to the listed ruleset `known`.
fn merge(known: &mut Value, detail: Value) {
    if let (Value::Object(known), Value::Object(detail)) = (known, detail) {
        known.extend(detail);
    }
}

/// Files asked for by name when the repository's tree cannot be listed.
const FETCHED_FILES: &[&str] = &[
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    "renovate.json",
    ".github/renovate.json",
    ".github/SECURITY.md",
    "SECURITY.md",
    "docs/SECURITY.md",
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
];

/// Files fetched through the API at most: a repository has a few workflows and governance
/// documents, and a misbehaving server does not get a request per path it lists.
const MAX_FETCHED: usize = 100;

impl Collection {
    async fn fetch_files(
        &mut self,
        api: &client::Api<'_>,
        base: &str,
        branch: &str,
    ) -> Result<(), Unavailable> {
        let mut files = FilesEvidence {
            root: format!("github:{}", self.evidence.repository),
            ..FilesEvidence::default()
        };
        let encoded = branch
            .replace('%', "%25")
            .replace('#', "%23")
            .replace('?', "%3F");
        let query = format!("?ref={}", encoded.replace('&', "%26"));
        self.attempted.push("contents".to_string());
        let paths = match tree_paths(api, base, &encoded).await? {
            Some(paths) => paths,
            None => match self.guessed_paths(api, base, &query).await? {
                Some(paths) => paths,
                None => return Ok(()),
            },
        };
        for path in paths.into_iter().take(MAX_FETCHED) {
            let reply = api
                .get(&format!("{base}/contents/{path}{query}"))
                .await
                .map_err(|e| (e, unreachable_fix()))?;
            if reply.status != 200 {
                continue;
            }
            match decode_content(&reply.body) {
                Some(text) => crate::sources::files::load_fetched(&path, &text, &mut files),
                None => files.skipped.push(crate::evidence::SkippedFile {
                    path,
                    reason: "the API gave no readable text for this file".to_string(),
                }),
            }
        }
        self.codeowners_errors(api, base, &query, &mut files)
            .await?;
        self.evidence.repository_files = Some(files);
        Ok(())
    }

    /// The workflows the `.github/workflows` listing shows, and governance files asked for
    /// by their usual names; `None` when the listing was refused (recorded as denied).
    async fn guessed_paths(
        &mut self,
        api: &client::Api<'_>,
        base: &str,
        query: &str,
    ) -> Result<Option<Vec<String>>, Unavailable> {
        let listing = api
            .get(&format!("{base}/contents/.github/workflows{query}"))
            .await
            .map_err(|e| (e, unreachable_fix()))?;
        let mut paths: Vec<String> = match (listing.status, &listing.body) {
            (200, Value::Array(entries)) => entries
                .iter()
                .filter(|e| e.get("type").and_then(Value::as_str) == Some("file"))
                .filter_map(|e| e.get("path").and_then(Value::as_str))
                .filter(|p| p.ends_with(".yml") || p.ends_with(".yaml"))
                .map(str::to_string)
                .collect(),
            (404, _) => Vec::new(),
            (status, _) => {
                let reason = format!(
                    "the workflow folder could not be listed ({status}); needs {}",
                    listing.hints.missing_permission("contents:read")
                );
                self.denied.insert("contents".to_string(), reason);
                return Ok(None);
            }
        };
        paths.extend(FETCHED_FILES.iter().map(|p| (*p).to_string()));
        Ok(Some(paths))
    }

    /// GitHub's own reading of CODEOWNERS, folded into the fetched file's facts.
    async fn codeowners_errors(
        &mut self,
        api: &client::Api<'_>,
        base: &str,
        query: &str,
        files: &mut FilesEvidence,
    ) -> Result<(), Unavailable> {
        let Some(file) = files.text_files.iter_mut().find(|f| f.kind == "codeowners") else {
            return Ok(());
        };
        self.attempted.push("codeowners_errors".to_string());
        let reply = api
            .get(&format!("{base}/codeowners/errors{query}"))
            .await
            .map_err(|e| (e, unreachable_fix()))?;
        let errors = reply.body.get("errors").and_then(Value::as_array);
        let Some(errors) = errors.filter(|_| reply.status == 200) else {
            return Ok(());
        };
        let known: Vec<Value> = file
            .facts
            .get("errors")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut merged = known.clone();
        for error in errors {
            let line = error.get("line").and_then(Value::as_u64).unwrap_or(1);
            if known
                .iter()
                .any(|k| k.get("line").and_then(Value::as_u64) == Some(line))
            {
                continue;
            }
            let kind = error.get("kind").and_then(Value::as_str).unwrap_or("error");
            let suggestion = error.get("suggestion").and_then(Value::as_str);
            let message = match suggestion {
                Some(s) => format!("{kind} (GitHub: {s})"),
                None => format!("{kind} (GitHub)"),
            };
            merged.push(json!({ "line": line, "message": message }));
        }
        file.facts
            .insert("errors".to_string(), Value::Array(merged));
        Ok(())
    }
}

/// The paths worth fetching from the default branch's whole tree (workflows, Dependabot
/// and Renovate configuration, governance documents under any name the files source
/// knows), or `None` when the tree could not be listed completely.
async fn tree_paths(
    api: &client::Api<'_>,
    base: &str,
    branch: &str,
) -> Result<Option<Vec<String>>, Unavailable> {
    let reply = api
        .get(&format!("{base}/git/trees/{branch}?recursive=1"))
        .await
        .map_err(|e| (e, unreachable_fix()))?;
    let entries = reply.body.get("tree").and_then(Value::as_array);
    let truncated = reply.body.get("truncated").and_then(Value::as_bool) != Some(false);
    let Some(entries) = entries.filter(|_| reply.status == 200 && !truncated) else {
        tracing::debug!(
            status = reply.status,
            "github: no complete tree; guessing paths"
        );
        return Ok(None);
    };
    let paths = entries
        .iter()
        .filter(|e| e.get("type").and_then(Value::as_str) == Some("blob"))
        .filter_map(|e| e.get("path").and_then(Value::as_str))
        .filter(|p| crate::sources::files::fetched_through_api(p))
        .map(str::to_string)
        .collect();
    Ok(Some(paths))
}

/// The text of a contents-API file answer (base64, possibly with line breaks).
fn decode_content(body: &Value) -> Option<String> {
    if body.get("encoding").and_then(Value::as_str) != Some("base64") {
        return None;
    }
    let content: String = body
        .get("content")?
        .as_str()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let content = content.replace("\\n", "");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content)
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::gh_host;

    #[test]
    fn gh_is_asked_for_the_api_host() {
        assert_eq!(gh_host("https://api.github.com"), None);
        assert_eq!(
            gh_host("https://github.example.com/api/v3").as_deref(),
            Some("github.example.com")
        );
        assert_eq!(
            gh_host("https://api.octo.ghe.com/").as_deref(),
            Some("octo.ghe.com")
        );
        assert_eq!(
            gh_host("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1")
        );
    }
}
