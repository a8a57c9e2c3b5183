//! The github source against a local GitHub: wiremock serves the example responses of
//! GitHub's own API description (`@octokit/openapi`, in `tests/fixtures/github/openapi/`),
//! adjusted per scenario, and octocrab is pointed at it through the API URL.

mod harness;

use std::path::Path;

use rampart::checks::{Outcome, Status};
use rampart::evidence::{Answer, Evidence, GithubEvidence, SourceRecord, SourceStatus};
use rampart::model::Severity;
use rampart::report::{EvaluationSettings, Report};
use rampart::sources::github::{GithubOptions, Token};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Every check that reads only the github source.
const GITHUB_CHECKS: &[&str] = &[
    "BLD-016", "BLD-017", "BLD-018", "BLD-019", "BLD-020", "BLD-021", "BLD-025", "NET-011",
    "SEC-008", "IAM-009", "IAM-010", "MON-010",
];

fn example(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github/openapi")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json")
}

/// Responses of one scenario, by path under `repos/o/r` ("" is the repository itself).
#[derive(Default)]
struct Scenario {
    responses: Vec<(String, ResponseTemplate)>,
    queries: Vec<(String, String, String, Value)>,
}

impl Scenario {
    fn ok(self, rel: &str, body: Value) -> Self {
        self.raw(rel, ResponseTemplate::new(200).set_body_json(body))
    }

    fn status(self, rel: &str, status: u16, body: Value) -> Self {
        self.raw(rel, ResponseTemplate::new(status).set_body_json(body))
    }

    /// The answer for `rel`, replacing one given before.
    fn raw(mut self, rel: &str, response: ResponseTemplate) -> Self {
        self.responses.retain(|(known, _)| known != rel);
        self.responses.push((rel.to_string(), response));
        self
    }

    /// Leaves `rel` unanswered (wiremock then says 404).
    fn without(mut self, rel: &str) -> Self {
        self.responses.retain(|(known, _)| known != rel);
        self
    }

    /// An answer for `rel` only when the query has `key=value`, preferred over `rel`'s.
    fn when(mut self, rel: &str, key: &str, value: &str, body: Value) -> Self {
        self.queries
            .push((rel.to_string(), key.to_string(), value.to_string(), body));
        self
    }

    async fn serve(self, prefix: &str) -> MockServer {
        let server = MockServer::start().await;
        for (rel, key, value, body) in self.queries {
            Mock::given(method("GET"))
                .and(path(format!("{prefix}/repos/o/r/{rel}")))
                .and(query_param(key.as_str(), value.as_str()))
                .respond_with(ResponseTemplate::new(200).set_body_json(body))
                .with_priority(1)
                .mount(&server)
                .await;
        }
        for (rel, response) in self.responses {
            let full = if rel.is_empty() {
                format!("{prefix}/repos/o/r")
            } else {
                format!("{prefix}/repos/o/r/{rel}")
            };
            Mock::given(method("GET"))
                .and(path(full))
                .respond_with(response)
                .mount(&server)
                .await;
        }
        server
    }
}

fn repo(admin: bool, push: bool, security: Value) -> Value {
    let mut repo = example("repo.200.default-response.json");
    repo["full_name"] = json!("o/r");
    repo["default_branch"] = json!("main");
    repo["permissions"] =
        json!({"admin": admin, "maintain": admin, "push": push, "triage": true, "pull": true});
    repo["security_and_analysis"] = security;
    repo
}

fn enabled(on: bool) -> Value {
    json!({"status": if on { "enabled" } else { "disabled" }})
}

fn base64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

const GOOD_WORKFLOW: &str = "name: ci\non: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n        with:\n          persist-credentials: false\n      - run: cargo test\n";

/// A repository set up the way the checks ask.
fn well_configured() -> Scenario {
    well_configured_with(GOOD_WORKFLOW)
}

/// [`well_configured`], with `workflow` as its only workflow.
fn well_configured_with(workflow_text: &str) -> Scenario {
    let mut protection = example("branch_protection.200.default.json");
    protection["allow_force_pushes"] = json!({"enabled": false});
    protection["allow_deletions"] = json!({"enabled": false});
    let mut workflow = example("workflow_permissions.200.default.json");
    workflow["can_approve_pull_request_reviews"] = json!(false);
    let mut hooks = example("hooks.200.default.json");
    hooks[0]["config"]["secret"] = json!("********");
    let mut environments = example("environments.200.default.json");
    environments["environments"][0]["name"] = json!("production");
    environments["environments"][0]["can_admins_bypass"] = json!(false);
    let mut listing = example("contents.200.response-if-content-is-a-directory.json");
    listing.as_array_mut().expect("list").truncate(1);
    listing[0]["path"] = json!(".github/workflows/ci.yml");
    listing[0]["name"] = json!("ci.yml");
    let mut file = example("contents.200.response-if-content-is-a-file.json");
    file["content"] = json!(base64(workflow_text));
    let mut policy = example("contents.200.response-if-content-is-a-file.json");
    policy["content"] = json!(base64(
        "# Security policy\n\nReport vulnerabilities to security@example.com.\n"
    ));
    let mut owners = example("contents.200.response-if-content-is-a-file.json");
    owners["content"] = json!(base64("* @o/maintainers\n"));
    let mut plan = example("contents.200.response-if-content-is-a-file.json");
    plan["content"] = json!(base64(INCIDENT_PLAN));
    let mut renovate = example("contents.200.response-if-content-is-a-file.json");
    renovate["content"] = json!(base64("{\"extends\": [\"config:recommended\"]}\n"));
    // The whole tree, as `git/trees/main?recursive=1` lists it: only the workflows, the
    // Renovate configuration and the governance documents among it are fetched.
    let mut tree = example("git_tree.200.default-response.json");
    let blob = tree["tree"][0].clone();
    tree["tree"] = json!(
        [
            ".github/workflows/ci.yml",
            ".github/workflows/templates/not-run.yml",
            ".github/CODEOWNERS",
            "SECURITY.md",
            "docs/incident-response.md",
            "renovate.json",
            "src/main.rs",
            "deploy/app.yaml",
        ]
        .iter()
        .map(|path| {
            let mut entry = blob.clone();
            entry["path"] = json!(path);
            entry
        })
        .collect::<Vec<_>>()
    );
    let security = json!({
        "secret_scanning": enabled(true),
        "secret_scanning_push_protection": enabled(true),
        "dependabot_security_updates": enabled(true),
    });
    Scenario::default()
        .ok("", repo(true, true, security))
        .ok("branches/main/protection", protection)
        .ok(
            "rules/branches/main",
            example("branch_rules.200.default.json"),
        )
        .ok("rulesets", example("rulesets.200.default.json"))
        .ok("rulesets/42", ruleset(42, "Repository", json!([])))
        .ok("rulesets/73", ruleset(73, "Organization", json!([])))
        .raw("vulnerability-alerts", ResponseTemplate::new(204))
        .ok(
            "automated-security-fixes",
            example("automated_security_fixes.200.default.json"),
        )
        .ok(
            "private-vulnerability-reporting",
            example("private_vulnerability_reporting.200.default.json"),
        )
        .ok(
            "code-scanning/default-setup",
            example("code_scanning_default_setup.200.default.json"),
        )
        .ok(
            "actions/permissions",
            example("actions_permissions.200.default.json"),
        )
        .ok("actions/permissions/workflow", workflow)
        .ok("keys", example("keys.200.default.json"))
        .ok("hooks", hooks)
        .ok("collaborators", example("collaborators.200.default.json"))
        .when("collaborators", "affiliation", "outside", json!([]))
        .ok("environments", environments)
        .ok(
            "dependabot/alerts",
            example("dependabot_alerts.200.default.json"),
        )
        .ok("code-scanning/alerts", json!([]))
        .ok(
            "secret-scanning/alerts",
            example("secret_scanning_alerts.200.default.json"),
        )
        .ok("git/trees/main", tree)
        .ok("contents/.github/workflows", listing)
        .ok("contents/.github/workflows/ci.yml", file)
        .ok("contents/SECURITY.md", policy)
        .ok("contents/.github/CODEOWNERS", owners)
        .ok("contents/docs/incident-response.md", plan)
        .ok("contents/renovate.json", renovate)
        .ok("codeowners/errors", json!({"errors": []}))
}

const INCIDENT_PLAN: &str = "# Incident response\n\n## Preparation\nOn-call rota.\n\n## Detection\nAlerts and triage.\n\n## Containment\nIsolate.\n\n## Eradication\nRemove the cause.\n\n## Recovery\nRestore.\n\n## Lessons learned\nPost-incident review.\n";

/// Ruleset `id` as `GET rulesets/{id}` answers, with `bypass_actors` (null: not shown).
fn ruleset(id: u64, source_type: &str, bypass_actors: Value) -> Value {
    let mut ruleset = example("ruleset.200.default.json");
    ruleset["id"] = json!(id);
    ruleset["source_type"] = json!(source_type);
    if source_type == "Organization" {
        ruleset["source"] = json!("my-org");
        ruleset["name"] = json!("org baseline");
    }
    match bypass_actors {
        Value::Null => drop(
            ruleset
                .as_object_mut()
                .expect("object")
                .remove("bypass_actors"),
        ),
        actors => ruleset["bypass_actors"] = actors,
    }
    ruleset
}

/// A default branch protected by ruleset 42 alone (classic protection off): reviews,
/// status checks, no force pushes or deletion, bypassable by `bypass_actors`.
fn ruleset_protected(bypass_actors: Value) -> Scenario {
    let rule = |kind: &str, parameters: Value| {
        let mut rule = json!({"type": kind, "ruleset_source_type": "Repository",
                              "ruleset_source": "o/r", "ruleset_id": 42});
        if !parameters.is_null() {
            rule["parameters"] = parameters;
        }
        rule
    };
    let rules = json!([
        rule(
            "pull_request",
            json!({"required_approving_review_count": 1,
            "dismiss_stale_reviews_on_push": true, "require_code_owner_review": false,
            "require_last_push_approval": false, "required_review_thread_resolution": false})
        ),
        rule(
            "required_status_checks",
            json!({"strict_required_status_checks_policy": true,
            "required_status_checks": [{"context": "ci"}]})
        ),
        rule("non_fast_forward", Value::Null),
        rule("deletion", Value::Null),
    ]);
    well_configured()
        .status(
            "branches/main/protection",
            404,
            json!({"message": "Branch not protected"}),
        )
        .ok("rules/branches/main", rules)
        .ok("rulesets/42", ruleset(42, "Repository", bypass_actors))
}

/// A repository with every careless setting the issue names.
fn careless() -> Scenario {
    let mut hooks = example("hooks.200.default.json");
    hooks[0]["config"]["url"] = json!("http://ci.example.com/hook?token=abc");
    let mut keys = example("keys.200.default.json");
    keys[0]["read_only"] = json!(false);
    let mut workflow = example("workflow_permissions.200.default.json");
    workflow["default_workflow_permissions"] = json!("write");
    let mut outside = example("collaborators.200.default.json");
    outside[0]["login"] = json!("contractor");
    outside[0]["permissions"]["admin"] = json!(true);
    let mut actions = example("actions_permissions.200.default.json");
    actions["allowed_actions"] = json!("all");
    let mut environments = example("environments.200.default.json");
    environments["environments"][0]["name"] = json!("prod");
    environments["environments"][0]["protection_rules"] = json!([]);
    let mut codeowners = example("contents.200.response-if-content-is-a-file.json");
    codeowners["content"] = json!(base64("* @o/maintainers\n# line 2\n***/*.rb @monalisa\n"));
    let security = json!({
        "secret_scanning": enabled(false),
        "secret_scanning_push_protection": enabled(false),
        "dependabot_security_updates": enabled(false),
    });
    Scenario::default()
        .ok("", repo(true, true, security))
        .status(
            "branches/main/protection",
            404,
            json!({"message": "Branch not protected"}),
        )
        .ok("rules/branches/main", json!([]))
        .ok("rulesets", json!([]))
        .status("vulnerability-alerts", 404, json!({"message": "Not Found"}))
        .ok(
            "automated-security-fixes",
            json!({"enabled": false, "paused": false}),
        )
        .ok("private-vulnerability-reporting", json!({"enabled": false}))
        .ok(
            "code-scanning/default-setup",
            json!({"state": "not-configured"}),
        )
        .ok("actions/permissions", actions)
        .ok("actions/permissions/workflow", workflow)
        .ok("keys", keys)
        .ok("hooks", hooks)
        .ok("collaborators", outside.clone())
        .ok("environments", environments)
        .ok(
            "dependabot/alerts",
            example("dependabot_alerts.200.default.json"),
        )
        .ok(
            "code-scanning/alerts",
            example("code_scanning_alerts.200.default.json"),
        )
        .ok("secret-scanning/alerts", json!([]))
        .ok("contents/.github/CODEOWNERS", codeowners)
        .ok(
            "codeowners/errors",
            example("codeowners_errors.200.default.json"),
        )
}

fn options(api_url: &str, token: bool) -> GithubOptions {
    GithubOptions {
        repo: Some("o/r".to_string()),
        api_url: Some(api_url.to_string()),
        token: token
            .then(|| Token::new(&harness::random_token(40)))
            .flatten(),
        ..GithubOptions::default()
    }
}

async fn collect(options: &GithubOptions) -> (Option<GithubEvidence>, SourceRecord) {
    rampart::sources::github::collect(options, None).await
}

fn report(github: Option<GithubEvidence>, record: SourceRecord) -> Report {
    let mut evidence = Evidence::new(time::OffsetDateTime::UNIX_EPOCH);
    evidence.github = github;
    evidence.sources.push(record);
    Report::evaluate(&evidence, &EvaluationSettings::default())
}

fn outcome<'r>(report: &'r Report, id: &str) -> &'r Outcome {
    report.outcome(id).expect("catalogued")
}

fn describe(o: &Outcome) -> String {
    let messages: Vec<&str> = o.findings.iter().map(|f| f.message.as_str()).collect();
    format!(
        "{} {:?} {:?} {:?}",
        o.check.id, o.status, o.reason, messages
    )
}

#[tokio::test]
async fn a_well_configured_repository_passes_every_github_check() {
    let server = well_configured().serve("").await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    assert_eq!(
        record.status,
        SourceStatus::Connected,
        "{:?}",
        record.denied
    );
    let report = report(github, record);
    for id in GITHUB_CHECKS.iter().chain(&[
        "BLD-012", "BLD-001", "BLD-002", "BLD-014", "MON-008", "MON-009", "CMP-006",
    ]) {
        let o = outcome(&report, id);
        assert_eq!(o.status, Status::Pass, "{}", describe(o));
    }
}

#[tokio::test]
async fn self_hosted_runners_fail_in_a_public_repository_and_default_setup_passes_sast() {
    let workflow = GOOD_WORKFLOW.replace("ubuntu-latest", "[self-hosted, linux]");
    let server = well_configured_with(&workflow).serve("").await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    let first = report(github, record);
    let o = outcome(&first, "BLD-022");
    assert_eq!(o.status, Status::Fail, "{}", describe(o));
    assert_eq!(outcome(&first, "BLD-012").status, Status::Pass);

    let server = careless().serve("").await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    let second = report(github, record);
    let o = outcome(&second, "MON-009");
    assert!(
        o.findings
            .iter()
            .any(|f| f.message.contains("private vulnerability reporting is off")),
        "{}",
        describe(o)
    );
}

#[tokio::test]
async fn workflows_fetched_through_the_api_are_judged_like_local_files() {
    let server = well_configured().serve("").await;
    let (github, _) = collect(&options(&server.uri(), true)).await;
    let files = github
        .as_ref()
        .and_then(|g| g.repository_files.as_ref())
        .expect("files");
    assert_eq!(files.workflows.len(), 1);
    assert_eq!(files.workflows[0].path, ".github/workflows/ci.yml");
    assert_eq!(files.workflows[0].line_of("/jobs/test/steps/0/uses"), 9);
}

#[tokio::test]
async fn files_come_from_the_tree_or_from_usual_names_when_it_cannot_be_listed() {
    let server = well_configured().serve("").await;
    let (github, _) = collect(&options(&server.uri(), true)).await;
    let files = github.and_then(|g| g.repository_files).expect("files");
    let kinds: Vec<&str> = files.text_files.iter().map(|f| f.kind.as_str()).collect();
    assert!(kinds.contains(&"incident-response"), "{kinds:?}");
    assert_eq!(files.renovate, ["renovate.json"]);
    assert_eq!(files.workflows.len(), 1, "only workflows GitHub runs");
    assert!(
        files.manifests.is_empty(),
        "manifests are the files source's business"
    );
    let asked: Vec<String> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert!(
        !asked.iter().any(|p| p.ends_with("src/main.rs")
            || p.ends_with("deploy/app.yaml")
            || p.ends_with("contents/.github/workflows")),
        "{asked:?}"
    );

    // A truncated tree is not trusted: the workflow folder is listed and usual names tried.
    let mut tree = example("git_tree.200.default-response.json");
    tree["truncated"] = json!(true);
    let server = well_configured().ok("git/trees/main", tree).serve("").await;
    let (github, _) = collect(&options(&server.uri(), true)).await;
    let files = github.and_then(|g| g.repository_files).expect("files");
    assert_eq!(files.workflows.len(), 1);
    assert_eq!(files.renovate, ["renovate.json"]);
    assert!(
        !files
            .text_files
            .iter()
            .any(|f| f.kind == "incident-response"),
        "docs/incident-response.md is not a usual name to guess"
    );
}

#[tokio::test]
async fn a_careless_repository_gets_the_right_findings() {
    let server = careless().serve("").await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    let report = report(github, record);
    let expect = [
        ("BLD-016", "is not protected"),
        ("BLD-017", "force pushes of `main` are allowed"),
        ("BLD-018", "require no status check"),
        ("BLD-019", "default workflow token has write access"),
        ("BLD-020", "any action"),
        ("BLD-021", "Dependabot alerts are off"),
        (
            "BLD-025",
            "environment `prod` deploys without required reviewers",
        ),
        ("NET-011", "delivers over plain http://, has no secret"),
        ("SEC-008", "secret scanning is off"),
        ("IAM-009", "can push"),
        (
            "IAM-010",
            "outside collaborator `contractor` has admin access",
        ),
        ("MON-010", "1 high open code-scanning alerts"),
        (
            "CMP-006",
            "Invalid pattern (GitHub: Did you mean `**/*.rb`?)",
        ),
    ];
    for (id, words) in expect {
        let o = outcome(&report, id);
        assert_eq!(o.status, Status::Fail, "{}", describe(o));
        assert!(
            o.findings.iter().any(|f| f.message.contains(words)),
            "{}",
            describe(o)
        );
    }
    let json = serde_json::to_string(
        &report
            .outcomes
            .iter()
            .flat_map(|o| &o.findings)
            .collect::<Vec<_>>(),
    )
    .expect("json");
    assert!(
        !json.contains("token=abc"),
        "a webhook URL's query must not be kept"
    );
}

#[tokio::test]
async fn a_read_only_token_leaves_admin_checks_not_assessed_naming_the_permission() {
    let refused = ResponseTemplate::new(403)
        .insert_header("x-accepted-github-permissions", "vulnerability_alerts=read")
        .set_body_json(json!({"message": "Resource not accessible by personal access token"}));
    let server = Scenario::default()
        .ok("", repo(false, false, Value::Null))
        .ok("rules/branches/main", json!([]))
        .ok("private-vulnerability-reporting", json!({"enabled": true}))
        .ok("collaborators", json!([]))
        .ok(
            "environments",
            json!({"total_count": 0, "environments": []}),
        )
        .raw("dependabot/alerts", refused)
        .ok("code-scanning/alerts", json!([]))
        .ok("secret-scanning/alerts", json!([]))
        .serve("")
        .await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    assert!(
        matches!(record.status, SourceStatus::Partial { .. }),
        "{record:?}"
    );
    assert!(record.denied["dependabot_alerts"].contains("vulnerability_alerts:read"));
    let report = report(github, record);
    for (id, permission) in [
        ("BLD-016", "administration:read"),
        ("BLD-019", "administration:read"),
        ("NET-011", "webhooks:read"),
        ("IAM-009", "administration:read"),
        ("SEC-008", "administration:read"),
    ] {
        let o = outcome(&report, id);
        assert_eq!(o.status, Status::NotAssessed, "{}", describe(o));
        assert!(
            o.reason.as_deref().unwrap_or("").contains(permission),
            "{}",
            describe(o)
        );
    }
    assert_eq!(outcome(&report, "MON-010").status, Status::Pass);
    assert_eq!(outcome(&report, "IAM-010").status, Status::Pass);
}

#[tokio::test]
async fn a_ruleset_that_anyone_may_always_bypass_fails_like_admins_not_enforced() {
    let admin = json!({"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"});
    let owners =
        json!({"actor_id": null, "actor_type": "OrganizationAdmin", "bypass_mode": "exempt"});
    let team = json!({"actor_id": 234, "actor_type": "Team", "bypass_mode": "pull_request"});
    for (actors, words, severity) in [
        (
            json!([admin]),
            "the repository admin role may bypass ruleset `super cool ruleset` on `main` at any \
             time",
            Severity::Medium,
        ),
        (
            json!([team, owners]),
            "organization owners may bypass ruleset",
            Severity::Medium,
        ),
        (
            json!([team]),
            "team 234 may merge pull requests into `main` past ruleset `super cool ruleset`",
            Severity::Low,
        ),
    ] {
        let server = ruleset_protected(actors).serve("").await;
        let (github, record) = collect(&options(&server.uri(), true)).await;
        assert_eq!(record.status, SourceStatus::Connected, "{record:?}");
        let report = report(github, record);
        for id in ["BLD-016", "BLD-017"] {
            let o = outcome(&report, id);
            assert_eq!(
                o.status,
                Status::Pass,
                "the ruleset protects: {}",
                describe(o)
            );
        }
        let o = outcome(&report, "BLD-018");
        assert_eq!(o.status, Status::Fail, "{}", describe(o));
        assert_eq!(o.findings.len(), 1, "{}", describe(o));
        assert!(o.findings[0].message.contains(words), "{}", describe(o));
        assert_eq!(o.findings[0].severity, severity, "{}", describe(o));
    }
}

#[tokio::test]
async fn a_ruleset_nobody_may_bypass_passes_and_one_only_evaluated_protects_nothing() {
    let server = ruleset_protected(json!([])).serve("").await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    let github = github.expect("evidence");
    match github.answer("rulesets") {
        Some(Answer::Read { value }) => {
            let kept = value.as_array().expect("list");
            assert_eq!(kept.len(), 2, "{value}");
            assert_eq!(kept[0]["bypass_actors"], json!([]), "{value}");
            assert!(kept[0].get("_links").is_none(), "trimmed: {value}");
        }
        other => panic!("{other:?}"),
    }
    let first = report(Some(github), record);
    for id in ["BLD-016", "BLD-017", "BLD-018"] {
        let o = outcome(&first, id);
        assert_eq!(o.status, Status::Pass, "{}", describe(o));
    }
    assert_eq!(outcome(&first, "BLD-018").evaluated, 3);

    // Saved evidence may hold the rules of a ruleset that only evaluates: they do not count.
    let server = ruleset_protected(json!([])).serve("").await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    let mut github = github.expect("evidence");
    if let Some(Answer::Read { value }) = github.endpoints.get_mut("rulesets") {
        value[0]["enforcement"] = json!("evaluate");
    }
    let report = report(Some(github), record);
    let o = outcome(&report, "BLD-018");
    assert!(
        o.findings
            .iter()
            .any(|f| f.message.contains("require no status check")),
        "{}",
        describe(o)
    );
    assert_eq!(outcome(&report, "BLD-016").status, Status::Fail);
}

#[tokio::test]
async fn bypass_actors_hidden_from_a_non_admin_leave_that_part_not_assessed() {
    let server = ruleset_protected(Value::Null)
        .ok("", repo(false, true, Value::Null))
        .serve("")
        .await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    let hidden = record
        .denied
        .get("ruleset_bypass_actors")
        .expect("the hidden bypass actors are named as denied");
    assert!(hidden.contains("administration:read"), "{hidden}");
    assert!(hidden.contains("not an admin"), "{hidden}");
    let first = report(github, record);
    // Reviews are known from the rules, which anyone may read.
    assert_eq!(outcome(&first, "BLD-016").status, Status::Pass);
    let o = outcome(&first, "BLD-018");
    assert_eq!(o.status, Status::NotAssessed, "{}", describe(o));
    let reason = o.reason.as_deref().unwrap_or("");
    assert!(
        reason.contains("who may bypass ruleset `super cool ruleset`"),
        "{reason}"
    );
    assert!(reason.contains("administration:read"), "{reason}");

    // An admin still does not see who may bypass an organization's ruleset.
    let mut rules = example("branch_rules.200.default.json");
    rules[1]["type"] = json!("required_status_checks");
    let server = well_configured()
        .ok("rules/branches/main", rules)
        .ok("rulesets/73", ruleset(73, "Organization", Value::Null))
        .serve("")
        .await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    let report = report(github, record);
    let o = outcome(&report, "BLD-018");
    assert_eq!(o.status, Status::NotAssessed, "{}", describe(o));
    assert!(
        o.reason
            .as_deref()
            .unwrap_or("")
            .contains("organization `my-org` is shown only to the organization's owners"),
        "{}",
        describe(o)
    );
}

#[tokio::test]
async fn a_ruleset_that_cannot_be_read_names_why() {
    let mut rules = example("branch_rules.200.default.json");
    rules[0]["type"] = json!("pull_request");
    let server = well_configured()
        .ok("rules/branches/main", rules)
        .without("rulesets/42")
        .serve("")
        .await;
    let (github, record) = collect(&options(&server.uri(), true)).await;
    assert!(
        record.denied["ruleset 42"].contains("metadata:read"),
        "{record:?}"
    );
    let report = report(github, record);
    let o = outcome(&report, "BLD-018");
    assert_eq!(o.status, Status::NotAssessed, "{}", describe(o));
    assert!(
        o.reason
            .as_deref()
            .unwrap_or("")
            .contains("ruleset `super cool ruleset` could not be read"),
        "{}",
        describe(o)
    );
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_then_read() {
    let server = well_configured().serve("").await;
    // Mounted last with a limit of one answer: wiremock prefers it once, then falls back.
    Mock::given(method("GET"))
        .and(path("/repos/o/r"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("retry-after", "1")
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (github, record) =
        rampart::sources::github::collect(&options(&server.uri(), true), Some(&tx)).await;
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(record.status, SourceStatus::Connected, "{record:?}");
    assert!(github.is_some_and(|g| g.repo.is_some()));
    let mut waited = false;
    while let Ok(event) = rx.try_recv() {
        if let rampart::sources::Progress::Step { message, .. } = event {
            waited |= message.contains("waiting 1 s");
        }
    }
    assert!(waited, "the wait is announced as progress");
}

#[tokio::test]
async fn a_rate_limit_that_does_not_reset_in_time_is_not_a_permission_problem() {
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 3600;
    let server = Scenario::default()
        .ok("", repo(true, true, Value::Null))
        .raw(
            "keys",
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .serve("")
        .await;
    let (github, _) = collect(&options(&server.uri(), true)).await;
    match github.expect("evidence").answer("deploy_keys") {
        Some(Answer::Denied { permission, reason }) => {
            assert!(permission.is_empty());
            assert!(reason.contains("rate limit"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// Asserts the source was unavailable, its reason and its fix holding the given words.
fn assert_unavailable(status: &SourceStatus, in_reason: &str, in_fix: &str) {
    match status {
        SourceStatus::Unavailable { reason, fix } => {
            assert!(reason.contains(in_reason), "{reason}");
            assert!(fix.contains(in_fix), "{fix}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_private_repository_without_a_token_is_unavailable_with_the_fix() {
    let server = Scenario::default()
        .status("", 404, json!({"message": "Not Found"}))
        .serve("")
        .await;
    let (github, record) = collect(&options(&server.uri(), false)).await;
    assert!(github.is_none());
    assert_unavailable(&record.status, "private and no token", "GITHUB_TOKEN");
}

#[tokio::test]
async fn a_public_repository_without_a_token_reads_public_data_only() {
    // Without a token GitHub shows rulesets without their bypass actors.
    let server = well_configured()
        .ok("rulesets/42", ruleset(42, "Repository", Value::Null))
        .serve("")
        .await;
    let (github, record) = collect(&options(&server.uri(), false)).await;
    let github = github.expect("evidence");
    assert!(!github.authenticated);
    assert!(matches!(
        github.answer("environments"),
        Some(Answer::Read { .. })
    ));
    assert!(matches!(
        github.answer("hooks"),
        Some(Answer::Denied { .. })
    ));
    let hidden = record.denied.get("ruleset_bypass_actors").expect("hidden");
    assert!(hidden.contains("no token was used"), "{hidden}");
    let report = report(Some(github), record);
    let o = outcome(&report, "NET-011");
    assert_eq!(o.status, Status::NotAssessed);
    assert!(
        o.reason
            .as_deref()
            .unwrap_or("")
            .contains("without a token"),
        "{}",
        describe(o)
    );
    assert_eq!(outcome(&report, "BLD-025").status, Status::Pass);
}

#[tokio::test]
async fn enterprise_server_is_served_under_api_v3() {
    let server = well_configured().serve("/api/v3").await;
    let api = format!("{}/api/v3", server.uri());
    let (github, record) = collect(&options(&api, true)).await;
    assert_eq!(
        record.status,
        SourceStatus::Connected,
        "{:?}",
        record.denied
    );
    assert_eq!(github.expect("evidence").api_url, api);
}

fn checkout(remote: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(dir.path().join(".git")).expect("git");
    let config = format!(
        "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = {remote}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
    );
    std::fs::write(dir.path().join(".git/config"), config).expect("config");
    dir
}

#[tokio::test]
async fn the_repository_comes_from_the_origin_remote_in_https_and_ssh_form() {
    let server = well_configured().serve("").await;
    for remote in [
        "https://github.com/o/r.git",
        "git@github.com:o/r.git",
        "ssh://git@github.com/o/r",
    ] {
        let dir = checkout(remote);
        let mut opts = options(&server.uri(), true);
        opts.repo = None;
        opts.root = dir.path().to_path_buf();
        let (github, record) = collect(&opts).await;
        assert_eq!(record.target, "o/r", "{remote}: {record:?}");
        assert!(github.is_some());
    }
}

#[tokio::test]
async fn a_remote_that_is_not_github_is_a_note_not_a_panic() {
    let dir = checkout("https://gitlab.com/o/r.git");
    let opts = GithubOptions {
        root: dir.path().to_path_buf(),
        api_url: Some("http://127.0.0.1:9".to_string()),
        ..GithubOptions::default()
    };
    let (github, record) = collect(&opts).await;
    assert!(github.is_none());
    assert_unavailable(&record.status, "gitlab.com, not GitHub", "--repo");
}

#[tokio::test]
async fn unknown_fields_nulls_and_many_pages_are_handled() {
    let mut repo = repo(true, true, Value::Null);
    repo["brand_new_field"] = json!({"nested": [1, 2, 3]});
    repo["permissions"]["admin"] = json!(true);
    let server = MockServer::start().await;
    // 250 collaborators over three pages linked by `Link` headers.
    for page in 1..=3u32 {
        let people: Vec<Value> = (0..if page < 3 { 100 } else { 50 })
            .map(|i| json!({"login": format!("user{page}-{i}"), "permissions": {"admin": page == 1 && i < 2, "push": true}, "surprise": null}))
            .collect();
        let mut response = ResponseTemplate::new(200).set_body_json(people);
        if page < 3 {
            let next = format!(
                "<{}/repos/o/r/collaborators?per_page=100&page={}>; rel=\"next\"",
                server.uri(),
                page + 1
            );
            response = response.insert_header("link", next.as_str());
        }
        let mut mock = Mock::given(method("GET")).and(path("/repos/o/r/collaborators"));
        if page > 1 {
            mock = mock.and(query_param("page", page.to_string().as_str()));
        }
        mock.respond_with(response)
            .with_priority(if page > 1 { 1 } else { 5 })
            .mount(&server)
            .await;
    }
    for (rel, body) in [
        ("", repo),
        (
            "hooks",
            json!([{"id": 1, "config": null}, {"id": 2}, "not an object"]),
        ),
        ("keys", json!(null)),
        (
            "actions/permissions/workflow",
            json!({"default_workflow_permissions": null}),
        ),
        (
            "environments",
            json!({"total_count": 1, "environments": [{"name": null, "protection_rules": null}]}),
        ),
        (
            "branches/main/protection",
            json!({"required_pull_request_reviews": null, "enforce_admins": null}),
        ),
    ] {
        let full = if rel.is_empty() {
            "/repos/o/r".to_string()
        } else {
            format!("/repos/o/r/{rel}")
        };
        Mock::given(method("GET"))
            .and(path(full))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let (github, record) = collect(&options(&server.uri(), true)).await;
    let github = github.expect("evidence");
    match github.answer("collaborators") {
        Some(Answer::Read { value }) => assert_eq!(value.as_array().map(Vec::len), Some(250)),
        other => panic!("{other:?}"),
    }
    let report = report(Some(github), record);
    for id in GITHUB_CHECKS {
        let _ = outcome(&report, id);
    }
    let o = outcome(&report, "NET-011");
    assert_eq!(o.failed, 2, "{}", describe(o));
    assert_eq!(outcome(&report, "BLD-016").status, Status::Fail);
}

#[tokio::test]
async fn an_unreachable_api_is_unavailable_naming_the_endpoint() {
    let (github, record) = collect(&options("http://127.0.0.1:9", true)).await;
    assert!(github.is_none());
    assert_unavailable(&record.status, "http://127.0.0.1:9", "GITHUB_API_URL");
}

#[test]
fn tokens_are_redacted_in_debug_output() {
    let secret = harness::random_token(40);
    let token = Token::new(&secret).expect("token");
    assert!(!format!("{token:?}").contains(&secret));
}

/// The real binary: `--sources github --repo o/r` with the API URL and token in the child's
/// environment; the token must appear nowhere in what it writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_audits_a_repository_end_to_end() {
    let server = careless().serve("").await;
    let uri = server.uri();
    let token = harness::random_token(40);
    let outcome = tokio::task::spawn_blocking(move || {
        let sandbox = harness::Sandbox::new();
        let bundle = sandbox.path().join("bundle.json");
        let mut command = sandbox.command(sandbox.path());
        command
            .env("GITHUB_API_URL", &uri)
            .env("GITHUB_TOKEN", &token)
            .args([
                "--sources",
                "github",
                "--repo",
                "o/r",
                "--json",
                "--save-evidence",
            ])
            .arg(&bundle);
        let outcome = harness::run_command(command, sandbox.path());
        let saved = std::fs::read_to_string(&bundle).unwrap_or_default();
        (outcome, saved, token)
    })
    .await
    .expect("join");
    let (outcome, saved, token) = outcome;
    outcome.expect_code(0).expect_no_panic();
    assert!(outcome.stdout.contains("\"BLD-016\""), "{}", outcome.stdout);
    assert!(outcome.stdout.contains("is not protected"));
    assert!(saved.contains("\"deploy_keys\""));
    assert!(!outcome.all().contains(&token) && !saved.contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_exits_3_when_github_was_asked_for_and_is_unreachable() {
    let outcome = tokio::task::spawn_blocking(|| {
        let sandbox = harness::Sandbox::new();
        let mut command = sandbox.command(sandbox.path());
        command
            .env("GITHUB_API_URL", "http://127.0.0.1:9")
            .env("GITHUB_TOKEN", harness::random_token(40))
            .args(["--sources", "github", "--repo", "o/r"]);
        harness::run_command(command, sandbox.path())
    })
    .await
    .expect("join");
    outcome.expect_code(3).expect_no_panic();
    assert!(outcome.stderr.contains("127.0.0.1:9"), "{}", outcome.stderr);
}

/// A fake `gh` in a fresh folder: it records its arguments in `gh-args` beside itself and
/// runs `body`.
fn fake_gh(body: &str) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("dir");
    let gh = dir.path().join("gh");
    let script = format!(
        "#!/bin/sh\nprintf '%s ' \"$@\" > '{}'\n{body}\n",
        dir.path().join("gh-args").display()
    );
    std::fs::write(&gh, script).expect("write gh");
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).expect("chmod gh");
    dir
}

/// Runs the binary on `o/r` at `api` with no token in the environment and `gh_dir` first
/// on PATH; returns the outcome and the saved evidence bundle.
async fn run_with_gh(api: String, gh_dir: std::path::PathBuf) -> (harness::Outcome, String) {
    tokio::task::spawn_blocking(move || {
        let sandbox = harness::Sandbox::new();
        let bundle = sandbox.path().join("bundle.json");
        let mut command = sandbox.command(sandbox.path());
        let path = format!("{}:/usr/bin:/bin", gh_dir.display());
        command
            .env("PATH", path)
            .env("GITHUB_API_URL", &api)
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .args(["--sources", "github", "--repo", "o/r", "--json"])
            .arg("--save-evidence")
            .arg(&bundle);
        let outcome = harness::run_command(command, sandbox.path());
        let saved = std::fs::read_to_string(&bundle).unwrap_or_default();
        (outcome, saved)
    })
    .await
    .expect("join")
}

/// The github source's record in the binary's JSON report.
fn github_source(stdout: &str) -> Value {
    let report: Value = serde_json::from_str(stdout).expect("json report");
    report["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["kind"] == "github"))
        .cloned()
        .unwrap_or_else(|| panic!("no github source in {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_of_gh_auth_token_is_sent_and_never_shown() {
    let server = well_configured().serve("").await;
    let token = harness::random_token(40);
    let gh = fake_gh(&format!("echo {token}"));
    let (outcome, saved) = run_with_gh(server.uri(), gh.path().to_path_buf()).await;
    outcome.expect_code(0).expect_no_panic();

    let requests = server.received_requests().await.expect("recorded");
    assert!(!requests.is_empty());
    let bearer = format!("Bearer {token}");
    for request in &requests {
        let sent = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        assert_eq!(
            sent,
            Some(bearer.as_str()),
            "{} {}",
            request.method,
            request.url
        );
    }
    let source = github_source(&outcome.stdout);
    assert_eq!(source["status"]["state"], "connected", "{source}");
    assert!(
        !outcome.all().contains(&token) && !saved.contains(&token),
        "the token must appear in no output"
    );
    assert!(saved.contains("\"authenticated\": true"), "{saved}");
    // gh is asked for the API's own host, not github.com's token.
    let args = std::fs::read_to_string(gh.path().join("gh-args")).expect("gh ran");
    assert_eq!(args.trim(), "auth token --hostname 127.0.0.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gh_that_is_not_logged_in_leaves_public_data_only_and_says_why() {
    let server = well_configured().serve("").await;
    let gh = fake_gh("echo 'You are not logged into any GitHub hosts.' >&2\nexit 1");
    let (outcome, saved) = run_with_gh(server.uri(), gh.path().to_path_buf()).await;
    outcome.expect_code(0).expect_no_panic();

    let requests = server.received_requests().await.expect("recorded");
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("authorization").is_none()),
        "no token, no Authorization header"
    );
    let source = github_source(&outcome.stdout);
    assert_eq!(source["status"]["state"], "partial", "{source}");
    let reason = source["status"]["reason"].as_str().unwrap_or("");
    assert!(
        reason.contains("no GITHUB_TOKEN or GH_TOKEN, and `gh auth token` failed")
            && reason.contains("not logged in to 127.0.0.1"),
        "{reason}"
    );
    let hooks = source["denied"]["hooks"].as_str().unwrap_or("");
    assert!(hooks.contains("not read without a token"), "{source}");
    assert!(hooks.contains("gh auth login"), "{source}");
    assert!(saved.contains("\"authenticated\": false"), "{saved}");
    // The public part was read and judged.
    assert!(outcome.stdout.contains("\"BLD-025\""), "{}", outcome.stdout);
}

const DEMO_FRAGMENT: &str = "tests/fixtures/github/demo-github.json";

/// The demo fragment (`GithubEvidence` and its `SourceRecord`) for the bundled `--demo`
/// evidence: a partly careless repository, collected by the real source. Regenerate with
/// `cargo test --test github -- --ignored write_demo_fragment`.
#[tokio::test]
#[ignore = "writes tests/fixtures/github/demo-github.json"]
async fn write_demo_fragment() {
    // Careless, but with a ruleset that makes CI a gate for everyone except admins.
    let mut gate = example("ruleset.200.default.json");
    gate["name"] = json!("ci gate");
    gate["bypass_actors"] =
        json!([{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}]);
    let mut listed = example("rulesets.200.default.json");
    listed.as_array_mut().expect("list").truncate(1);
    listed[0]["name"] = json!("ci gate");
    let rules = json!([{"type": "required_status_checks", "ruleset_source_type": "Repository",
        "ruleset_source": "o/r", "ruleset_id": 42, "parameters": {
            "strict_required_status_checks_policy": true,
            "required_status_checks": [{"context": "ci"}]}}]);
    let server = careless()
        .when(
            "collaborators",
            "affiliation",
            "outside",
            example("collaborators.200.default.json"),
        )
        .ok("rules/branches/main", rules)
        .ok("rulesets", listed)
        .ok("rulesets/42", gate)
        .serve("")
        .await;
    let (github, mut record) = collect(&options(&server.uri(), true)).await;
    let mut github = github.expect("evidence");
    let slug = "acme/sample-project";
    github.repository = slug.to_string();
    github.api_url = "https://api.github.com".to_string();
    if let Some(repo) = github.repo.as_mut() {
        repo["full_name"] = json!(slug);
        repo["name"] = json!("sample-project");
    }
    if let Some(files) = github.repository_files.as_mut() {
        files.root = format!("github:{slug}");
    }
    if let Some(Answer::Read { value }) = github.endpoints.get_mut("branch_rules") {
        value[0]["ruleset_source"] = json!(slug);
    }
    if let Some(Answer::Read { value }) = github.endpoints.get_mut("rulesets") {
        value[0]["source"] = json!(slug);
    }
    record.target = slug.to_string();
    record.elapsed_ms = 840;
    let fragment = json!({"github": github, "source": record});
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO_FRAGMENT);
    std::fs::write(
        path,
        serde_json::to_string_pretty(&fragment).expect("json") + "\n",
    )
    .expect("write");
}

#[test]
fn the_demo_fragment_loads_and_shows_findings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO_FRAGMENT);
    let fragment: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fragment")).expect("json");
    let github: GithubEvidence =
        serde_json::from_value(fragment["github"].clone()).expect("github");
    let record: SourceRecord = serde_json::from_value(fragment["source"].clone()).expect("record");
    let report = report(Some(github), record);
    let failing = GITHUB_CHECKS
        .iter()
        .filter(|id| outcome(&report, id).status == Status::Fail)
        .count();
    assert!(failing >= 8, "the demo shows the github source at work");
}
