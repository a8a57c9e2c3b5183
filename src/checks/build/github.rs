//! Build checks on the repository's GitHub settings: branch protection and rulesets of the
//! default branch, Actions permissions, Dependabot, and deployment environments.

use serde_json::Value;

use crate::checks::github_settings::{answer, github, setting_draft};
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::GithubEvidence;
use crate::model::{Area, Severity, SourceKind};
use crate::sources::github::BYPASS_PERMISSION;

/// Whether code-scanning default setup is configured (BLD-012 passes on it).
pub fn default_setup_configured(cx: &Context<'_>) -> bool {
    matches!(
        answer(cx, "code_scanning_default_setup"),
        Ok(Some(v)) if v.get("state").and_then(Value::as_str) == Some("configured")
    )
}

/// What protects the default branch: classic protection and the active rules.
struct Protection<'e> {
    gh: &'e GithubEvidence,
    branch: String,
    /// `Some(None)`: GitHub said the branch is not protected; `None`: not visible.
    classic: Option<Option<&'e Value>>,
    classic_denied: Option<String>,
    /// Active rules, less those of rulesets that only evaluate or are disabled.
    rules: Vec<&'e Value>,
    /// Why the active rules could not be read; classic protection alone then decides
    /// only where it protects.
    rules_denied: Option<String>,
    /// The repository's rulesets, with `bypass_actors` where GitHub showed them.
    rulesets: &'e [Value],
    rulesets_denied: Option<String>,
}

impl<'e> Protection<'e> {
    fn read(cx: &Context<'e>) -> Result<Self, Evaluation> {
        let gh = github(cx)?;
        let branch = gh
            .repo
            .as_ref()
            .and_then(|r| r.get("default_branch"))
            .and_then(Value::as_str)
            .unwrap_or("default branch")
            .to_string();
        let (rules, rules_denied) = match answer(cx, "branch_rules") {
            Ok(v) => (
                v.and_then(Value::as_array).map_or(&[][..], Vec::as_slice),
                None,
            ),
            Err(Evaluation::NotAssessed(why)) => (&[][..], Some(why)),
            Err(other) => return Err(other),
        };
        let (classic, classic_denied) = match answer(cx, "branch_protection") {
            Ok(value) => (Some(value), None),
            Err(Evaluation::NotAssessed(why)) => (None, Some(why)),
            Err(other) => return Err(other),
        };
        let (rulesets, rulesets_denied) = match answer(cx, "rulesets") {
            Ok(v) => (
                v.and_then(Value::as_array).map_or(&[][..], Vec::as_slice),
                None,
            ),
            Err(Evaluation::NotAssessed(why)) => (&[][..], Some(why)),
            Err(other) => return Err(other),
        };
        // GitHub leaves rules of `evaluate` and `disabled` rulesets out of a branch's active
        // rules; evidence saved elsewhere may not, and such a ruleset protects nothing.
        let rules = rules
            .iter()
            .filter(|rule| {
                let enforcement = rule_ruleset(rulesets, rule)
                    .and_then(|r| r.get("enforcement"))
                    .and_then(Value::as_str);
                !matches!(enforcement, Some("evaluate" | "disabled"))
            })
            .collect();
        Ok(Protection {
            gh,
            branch,
            classic,
            classic_denied,
            rules,
            rules_denied,
            rulesets,
            rulesets_denied,
        })
    }

    fn rule(&self, kind: &str) -> Option<&'e Value> {
        self.rules
            .iter()
            .copied()
            .find(|r| r.get("type").and_then(Value::as_str) == Some(kind))
    }

    /// The rulesets whose rules gate merges into the branch (reviews, status checks), by
    /// id in the order their rules come.
    fn gating_rulesets(&self) -> Vec<u64> {
        let mut ids = Vec::new();
        for rule in &self.rules {
            let kind = rule.get("type").and_then(Value::as_str);
            let id = rule.get("ruleset_id").and_then(Value::as_u64);
            let gates = matches!(kind, Some("pull_request" | "required_status_checks"));
            if let (true, Some(id)) = (gates, id)
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        ids
    }

    /// Who may skip ruleset `id`, and the ruleset's name.
    fn bypass(&self, id: u64) -> (String, Bypass) {
        let ruleset = self
            .rulesets
            .iter()
            .find(|r| r.get("id").and_then(Value::as_u64) == Some(id));
        let Some(ruleset) = ruleset else {
            let why = self
                .rulesets_denied
                .clone()
                .unwrap_or_else(|| format!("ruleset {id} was not read"));
            return (id.to_string(), Bypass::Unknown(why));
        };
        let name = ruleset
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| id.to_string(), str::to_string);
        if let Some(unread) = ruleset.get("unread") {
            let text = |key: &str| unread.get(key).and_then(Value::as_str).unwrap_or("");
            let why = format!(
                "ruleset `{name}` could not be read; the token needs {}: {}",
                text("permission"),
                text("reason")
            );
            return (name, Bypass::Unknown(why));
        }
        let Some(actors) = ruleset.get("bypass_actors").and_then(Value::as_array) else {
            let why = self.bypass_hidden(&name, ruleset);
            return (name, Bypass::Unknown(why));
        };
        let (mut always, mut pull_requests) = (Vec::new(), Vec::new());
        for actor in actors {
            match actor.get("bypass_mode").and_then(Value::as_str) {
                Some("pull_request") => pull_requests.push(actor_name(actor)),
                // `always` is the default; `exempt` skips the rules without even a record.
                _ => always.push(actor_name(actor)),
            }
        }
        let bypass = if !always.is_empty() {
            Bypass::Always(always)
        } else if !pull_requests.is_empty() {
            Bypass::PullRequests(pull_requests)
        } else {
            Bypass::Nobody
        };
        (name, bypass)
    }

    /// Why GitHub did not show who may bypass a ruleset.
    fn bypass_hidden(&self, name: &str, ruleset: &Value) -> String {
        if !self.gh.authenticated {
            return format!(
                "who may bypass ruleset `{name}` is not shown without a token; set \
                 GITHUB_TOKEN to a token with {BYPASS_PERMISSION} of a repository admin"
            );
        }
        let admin = self
            .gh
            .repo
            .as_ref()
            .and_then(|r| r.pointer("/permissions/admin"))
            .and_then(Value::as_bool);
        let organization =
            ruleset.get("source_type").and_then(Value::as_str) == Some("Organization");
        if admin == Some(true) && organization {
            let owner = ruleset.get("source").and_then(Value::as_str).unwrap_or("?");
            return format!(
                "who may bypass ruleset `{name}` of organization `{owner}` is shown only to \
                 the organization's owners; the token needs {BYPASS_PERMISSION} and an \
                 owner's account"
            );
        }
        format!(
            "who may bypass ruleset `{name}` is shown only to those who may edit it; the \
             token needs {BYPASS_PERMISSION} and a repository admin's account \
             (permissions.admin is not true)"
        )
    }

    fn classic_flag(&self, pointer: &str) -> Option<bool> {
        self.classic
            .flatten()
            .and_then(|c| c.pointer(pointer))
            .and_then(Value::as_bool)
    }

    /// The reason to give when classic protection could not be read and the rules do not
    /// settle the question.
    fn unknown(&self) -> Evaluation {
        Evaluation::NotAssessed(self.unknown_reason())
    }

    fn unknown_reason(&self) -> String {
        let why = self
            .classic_denied
            .clone()
            .or_else(|| self.rules_denied.clone());
        why.unwrap_or_else(|| "the default branch's protection could not be read".into())
    }

    /// Classic protection says the branch is unprotected, but rules that could not be
    /// read might still protect it.
    fn unprotected_but_rules_unknown(&self) -> bool {
        matches!(self.classic, Some(None)) && self.rules_denied.is_some()
    }

    fn draft(&self, part: &str, message: String) -> Draft {
        setting_draft(
            self.gh,
            "branch",
            Some(&format!("{} {part}", self.branch)),
            message,
        )
    }
}

/// The ruleset a branch rule comes from, when the rulesets were read.
fn rule_ruleset<'e>(rulesets: &'e [Value], rule: &Value) -> Option<&'e Value> {
    let id = rule.get("ruleset_id").and_then(Value::as_u64)?;
    rulesets
        .iter()
        .find(|r| r.get("id").and_then(Value::as_u64) == Some(id))
}

/// Who may skip a ruleset's rules.
enum Bypass {
    Nobody,
    /// Only by merging a pull request past the rules (`bypass_mode: pull_request`).
    PullRequests(Vec<String>),
    /// At any time, direct pushes included (`always`, or `exempt`).
    Always(Vec<String>),
    /// Not shown to this caller; the string says why and what is needed.
    Unknown(String),
}

/// A bypass actor in words. Repository roles 2, 4 and 5 are GitHub's maintain, write and
/// admin roles; higher ids are custom roles.
fn actor_name(actor: &Value) -> String {
    let id = actor.get("actor_id").and_then(Value::as_u64);
    let kind = actor
        .get("actor_type")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let numbered = |what: &str| match id {
        Some(id) => format!("{what} {id}"),
        None => what.to_string(),
    };
    match (kind, id) {
        ("RepositoryRole", Some(5)) => "the repository admin role".to_string(),
        ("RepositoryRole", Some(2)) => "the maintain role".to_string(),
        ("RepositoryRole", Some(4)) => "the write role".to_string(),
        ("RepositoryRole", _) => numbered("repository role"),
        ("OrganizationAdmin", _) => "organization owners".to_string(),
        ("Team", _) => numbered("team"),
        ("Integration", _) => numbered("GitHub App"),
        ("DeployKey", _) => "deploy keys".to_string(),
        ("User", _) => numbered("user"),
        (other, _) => numbered(other),
    }
}

fn approvals(value: Option<&Value>, pointer: &str) -> u64 {
    value
        .and_then(|v| v.pointer(pointer))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

const BRANCH_SNIPPET: &str = "gh api -X PUT repos/OWNER/REPO/branches/main/protection --input - <<'EOF'\n{\"required_status_checks\": {\"strict\": true, \"contexts\": [\"ci\"]},\n \"enforce_admins\": true,\n \"required_pull_request_reviews\": {\"required_approving_review_count\": 1},\n \"restrictions\": null, \"allow_force_pushes\": false, \"allow_deletions\": false}\nEOF\n";

/// BLD-016: the default branch is protected and merges need an approving review.
pub static BLD_016: Check = Check {
    id: "BLD-016",
    area: Area::Build,
    severity: Severity::High,
    title: "Default branch unprotected or merged without review",
    why: "Without protection anyone with write access — or a stolen token — can put code \
          on the default branch that nobody else has read, and it ships from there.",
    remediation: "Protect the default branch with a ruleset (or classic protection) that \
                  requires a pull request with at least one approving review.",
    snippet: Snippet {
        language: "shell",
        code: BRANCH_SNIPPET,
    },
    references: &["Scorecard Branch-Protection", "Legitify"],
    sources: &[SourceKind::Github],
    differs_from: "Rules from rulesets count as much as classic protection.",
    evaluate: branch_review,
};

fn branch_review(cx: &Context<'_>) -> Evaluation {
    let p = match Protection::read(cx) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let by_rule = approvals(
        p.rule("pull_request"),
        "/parameters/required_approving_review_count",
    );
    if by_rule >= 1 {
        return Evaluation::items(1, Vec::new(), "");
    }
    let Some(classic) = p.classic else {
        return p.unknown();
    };
    if p.unprotected_but_rules_unknown() {
        return p.unknown();
    }
    let finding = match classic {
        None if p.rules.is_empty() => Some(p.draft(
            "protection",
            format!("the default branch `{}` is not protected", p.branch),
        )),
        _ if approvals(
            classic,
            "/required_pull_request_reviews/required_approving_review_count",
        ) >= 1 =>
        {
            None
        }
        _ => Some(p.draft(
            "reviews",
            format!("merges into `{}` need no approving review", p.branch),
        )),
    };
    Evaluation::items(1, finding.into_iter().collect(), "")
}

/// BLD-017: force pushes and deletions of the default branch are blocked.
pub static BLD_017: Check = Check {
    id: "BLD-017",
    area: Area::Build,
    severity: Severity::High,
    title: "Force pushes or deletion allowed on the default branch",
    why: "A force push rewrites the branch's history, erasing reviewed commits or hiding a \
          malicious one; deleting the branch does the same wholesale.",
    remediation: "Block force pushes and deletions on the default branch (ruleset rules \
                  `non_fast_forward` and `deletion`, or classic protection).",
    snippet: Snippet {
        language: "shell",
        code: BRANCH_SNIPPET,
    },
    references: &["Scorecard Branch-Protection"],
    sources: &[SourceKind::Github],
    differs_from: "",
    evaluate: branch_rewrites,
};

fn branch_rewrites(cx: &Context<'_>) -> Evaluation {
    let p = match Protection::read(cx) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let aspects = [
        (
            "non_fast_forward",
            "/allow_force_pushes/enabled",
            "force pushes",
        ),
        ("deletion", "/allow_deletions/enabled", "deletion"),
    ];
    if p.unprotected_but_rules_unknown() {
        return p.unknown();
    }
    let mut findings = Vec::new();
    for (rule, flag, what) in aspects {
        if p.rule(rule).is_some() {
            continue;
        }
        let allowed = match p.classic {
            None => return p.unknown(),
            // Unprotected: everything is allowed.
            Some(None) => true,
            Some(Some(_)) => p.classic_flag(flag) != Some(false),
        };
        if allowed {
            findings.push(p.draft(what, format!("{what} of `{}` are allowed", p.branch)));
        }
    }
    Evaluation::items(aspects.len(), findings, "")
}

/// BLD-018: status checks are required and admins do not skip the rules.
pub static BLD_018: Check = Check {
    id: "BLD-018",
    area: Area::Build,
    severity: Severity::Medium,
    title: "No required status checks, or admins bypass branch rules",
    why: "Required status checks make CI (tests, scans) a gate rather than advice; rules \
          that admins skip protect nothing against an admin's stolen token.",
    remediation: "Require the CI checks that matter before merging, and include \
                  administrators (`enforce_admins`, or no bypass actors on the ruleset).",
    snippet: Snippet {
        language: "shell",
        code: BRANCH_SNIPPET,
    },
    references: &["Legitify", "Scorecard Branch-Protection"],
    sources: &[SourceKind::Github],
    differs_from: "Rulesets count like classic protection. A ruleset that requires reviews or \
                   status checks fails like `enforce_admins` off when any actor may bypass it \
                   `always` or is `exempt`; a bypass for pull requests only fails at low \
                   severity, since it cannot push to the branch and leaves a merged pull \
                   request on record. Rulesets in `evaluate` or `disabled` enforcement do not \
                   count. GitHub shows who may bypass a ruleset only to those who may edit it \
                   (Administration: read, an admin's account); without that, this part is not \
                   assessed.",
    evaluate: branch_gates,
};

fn branch_gates(cx: &Context<'_>) -> Evaluation {
    let p = match Protection::read(cx) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if p.unprotected_but_rules_unknown() {
        return p.unknown();
    }
    let mut findings = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let classic_checks = p.classic.flatten().is_some_and(|c| {
        let list = |ptr: &str| {
            c.pointer(ptr)
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        };
        list("/required_status_checks/contexts") || list("/required_status_checks/checks")
    });
    let status_checks = classic_checks || p.rule("required_status_checks").is_some();
    match p.classic {
        _ if status_checks => {}
        Some(_) => findings.push(p.draft(
            "status checks",
            format!("merges into `{}` require no status check", p.branch),
        )),
        None => unknown.push(p.unknown_reason()),
    }
    match p.classic {
        Some(Some(_)) if p.classic_flag("/enforce_admins/enabled") != Some(true) => {
            findings.push(p.draft(
                "admins",
                format!("administrators bypass the protection of `{}`", p.branch),
            ));
        }
        Some(_) => {}
        // Already said when the status checks were not known either.
        None if !unknown.is_empty() => {}
        None => unknown.push(format!(
            "whether administrators bypass the classic protection of `{}` is not known: {}",
            p.branch,
            p.unknown_reason()
        )),
    }
    let gating = p.gating_rulesets();
    for &id in &gating {
        let (name, bypass) = p.bypass(id);
        let part = format!("ruleset {name}");
        match bypass {
            Bypass::Nobody => {}
            Bypass::Always(actors) => findings.push(p.draft(
                &part,
                format!(
                    "{} may bypass ruleset `{name}` on `{}` at any time",
                    actors.join(", "),
                    p.branch
                ),
            )),
            Bypass::PullRequests(actors) => {
                let mut draft = p.draft(
                    &part,
                    format!(
                        "{} may merge pull requests into `{}` past ruleset `{name}`",
                        actors.join(", "),
                        p.branch
                    ),
                );
                draft.severity = Some(Severity::Low);
                findings.push(draft);
            }
            Bypass::Unknown(why) => unknown.push(why),
        }
    }
    if findings.is_empty() && !unknown.is_empty() {
        unknown.dedup();
        return Evaluation::NotAssessed(unknown.join("; "));
    }
    Evaluation::items(2 + gating.len(), findings, "")
}

/// BLD-019: the default workflow token is read-only and cannot approve pull requests.
pub static BLD_019: Check = Check {
    id: "BLD-019",
    area: Area::Build,
    severity: Severity::High,
    title: "Default workflow token can write, or Actions may approve pull requests",
    why: "Every workflow without a `permissions:` block gets the default token. If it can \
          write, one injected step pushes code or releases; if Actions may approve pull \
          requests, a workflow can approve its own change past required reviews.",
    remediation: "Set the default workflow permissions to read, untick \"Allow GitHub \
                  Actions to create and approve pull requests\", and grant write per job.",
    snippet: Snippet {
        language: "shell",
        code: "gh api -X PUT repos/OWNER/REPO/actions/permissions/workflow \\\n  -f default_workflow_permissions=read -F can_approve_pull_request_reviews=false\n",
    },
    references: &["Legitify", "CKV_GITHUB"],
    sources: &[SourceKind::Github],
    differs_from: "",
    evaluate: workflow_token,
};

fn workflow_token(cx: &Context<'_>) -> Evaluation {
    let gh = match github(cx) {
        Ok(gh) => gh,
        Err(e) => return e,
    };
    let Some(settings) = (match answer(cx, "workflow_permissions") {
        Ok(v) => v,
        Err(e) => return e,
    }) else {
        return Evaluation::NotApplicable("the repository has no workflow settings".into());
    };
    let mut findings = Vec::new();
    let default = settings
        .get("default_workflow_permissions")
        .and_then(Value::as_str);
    if default == Some("write") {
        findings.push(setting_draft(
            gh,
            "actions setting",
            Some("default_workflow_permissions"),
            "the default workflow token has write access to the repository".to_string(),
        ));
    }
    if settings
        .get("can_approve_pull_request_reviews")
        .and_then(Value::as_bool)
        == Some(true)
    {
        findings.push(setting_draft(
            gh,
            "actions setting",
            Some("can_approve_pull_request_reviews"),
            "GitHub Actions may approve pull requests".to_string(),
        ));
    }
    Evaluation::items(2, findings, "")
}

/// BLD-020: Actions are restricted to selected or local actions.
pub static BLD_020: Check = Check {
    id: "BLD-020",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Any action from anyone may run",
    why: "With every action allowed, one `uses:` of a typo-squatted or compromised action \
          runs a stranger's code with the workflow's token and secrets.",
    remediation: "Allow only actions from GitHub, verified creators and a reviewed list \
                  (\"Allow select actions\"), or local actions only.",
    snippet: Snippet {
        language: "shell",
        code: "gh api -X PUT repos/OWNER/REPO/actions/permissions -F enabled=true -f allowed_actions=selected\n",
    },
    references: &["Legitify all_github_actions_are_allowed"],
    sources: &[SourceKind::Github],
    differs_from: "",
    evaluate: allowed_actions,
};

fn allowed_actions(cx: &Context<'_>) -> Evaluation {
    let gh = match github(cx) {
        Ok(gh) => gh,
        Err(e) => return e,
    };
    let settings = match answer(cx, "actions_permissions") {
        Ok(Some(v)) => v,
        Ok(None) => return Evaluation::NotApplicable("Actions settings are not set up".into()),
        Err(e) => return e,
    };
    if settings.get("enabled").and_then(Value::as_bool) == Some(false) {
        return Evaluation::NotApplicable("GitHub Actions is disabled for the repository".into());
    }
    let all = settings.get("allowed_actions").and_then(Value::as_str) == Some("all");
    let finding = all.then(|| {
        setting_draft(
            gh,
            "actions setting",
            Some("allowed_actions"),
            "workflows may use any action from any repository".to_string(),
        )
    });
    Evaluation::items(1, finding.into_iter().collect(), "")
}

/// BLD-021: Dependabot alerts and security updates are on.
pub static BLD_021: Check = Check {
    id: "BLD-021",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Dependabot alerts or security updates off",
    why: "Dependabot alerts say when a dependency has a published vulnerability; security \
          updates open the pull request that fixes it. Without them a known hole stays \
          until someone happens to look.",
    remediation: "Enable Dependabot alerts and Dependabot security updates in the \
                  repository's Code security settings.",
    snippet: Snippet {
        language: "shell",
        code: "gh api -X PUT repos/OWNER/REPO/vulnerability-alerts\ngh api -X PUT repos/OWNER/REPO/automated-security-fixes\n",
    },
    references: &["Scorecard", "Legitify"],
    sources: &[SourceKind::Github],
    differs_from: "",
    evaluate: dependabot,
};

fn dependabot(cx: &Context<'_>) -> Evaluation {
    let gh = match github(cx) {
        Ok(gh) => gh,
        Err(e) => return e,
    };
    let alerts_on = match answer(cx, "vulnerability_alerts") {
        Ok(v) => v.is_some(),
        Err(e) => return e,
    };
    let updates_on = match answer(cx, "automated_security_fixes") {
        Ok(v) => v.and_then(|v| v.get("enabled")).and_then(Value::as_bool) == Some(true),
        Err(e) => match gh.security_feature("dependabot_security_updates") {
            Some(on) => on,
            None => return e,
        },
    };
    let mut findings = Vec::new();
    if !alerts_on {
        findings.push(setting_draft(
            gh,
            "security setting",
            Some("vulnerability_alerts"),
            "Dependabot alerts are off".to_string(),
        ));
    }
    if !updates_on {
        findings.push(setting_draft(
            gh,
            "security setting",
            Some("automated_security_fixes"),
            "Dependabot security updates are off".to_string(),
        ));
    }
    Evaluation::items(2, findings, "")
}

/// Environment names that deploy to production.
pub const PRODUCTION_NAMES: &[&str] = &["prod", "production", "prd", "live", "release"];

fn production_like(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| PRODUCTION_NAMES.contains(&word))
}

/// BLD-025: production environments need reviewers that admins cannot bypass.
pub static BLD_025: Check = Check {
    id: "BLD-025",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Production environment deploys without required reviewers",
    why: "An environment's secrets and deployment are released to any workflow run that \
          targets it. Required reviewers make a person approve each deployment to \
          production; if admins may bypass them, one admin token deploys anything.",
    remediation: "Add required reviewers (with prevent self-review) to production-like \
                  environments and turn off \"Allow administrators to bypass\".",
    snippet: Snippet {
        language: "shell",
        code: "gh api -X PUT repos/OWNER/REPO/environments/production --input - <<'EOF'\n{\"reviewers\": [{\"type\": \"Team\", \"id\": TEAM_ID}], \"prevent_self_review\": true,\n \"can_admins_bypass\": false}\nEOF\n",
    },
    references: &["Legitify", "zizmor secrets-outside-env"],
    sources: &[SourceKind::Github],
    differs_from: "Production-like means a name with the word prod, production, prd, live \
                   or release.",
    evaluate: environments,
};

fn environments(cx: &Context<'_>) -> Evaluation {
    let gh = match github(cx) {
        Ok(gh) => gh,
        Err(e) => return e,
    };
    let all = match answer(cx, "environments") {
        Ok(v) => v.and_then(Value::as_array).map_or(&[][..], Vec::as_slice),
        Err(e) => return e,
    };
    let production: Vec<&Value> = all
        .iter()
        .filter(|e| {
            e.get("name")
                .and_then(Value::as_str)
                .is_some_and(production_like)
        })
        .collect();
    let mut findings = Vec::new();
    for env in &production {
        let name = env.get("name").and_then(Value::as_str).unwrap_or("?");
        let reviewers = env
            .get("protection_rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|r| r.get("type").and_then(Value::as_str) == Some("required_reviewers"));
        if !reviewers {
            findings.push(setting_draft(
                gh,
                "environment",
                Some(name),
                format!("environment `{name}` deploys without required reviewers"),
            ));
        } else if env.get("can_admins_bypass").and_then(Value::as_bool) == Some(true) {
            findings.push(setting_draft(
                gh,
                "environment",
                Some(name),
                format!("administrators may bypass the reviewers of environment `{name}`"),
            ));
        }
    }
    Evaluation::items(
        production.len(),
        findings,
        "the repository has no production-like environment",
    )
}

#[cfg(test)]
mod tests {
    use super::production_like;

    #[test]
    fn production_names_are_words() {
        assert!(production_like("production"));
        assert!(production_like("prod-eu"));
        assert!(!production_like("product-demo"));
        assert!(!production_like("staging"));
    }
}
