//! What the workflow token and cloud credentials may do: token permissions (BLD-002) and
//! long-lived cloud keys where OIDC federation would serve (BLD-023).

use serde_json::Value;

use super::{JobRef, draft, is_action, job_steps, jobs, triggers};
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::YamlDocument;
use crate::model::{Area, Severity, SourceKind};

/// BLD-002: the workflow token is limited to what each job needs.
pub static BLD_002: Check = Check {
    id: "BLD-002",
    area: Area::Build,
    severity: Severity::High,
    title: "Workflow token has broad or default permissions",
    why: "Without a `permissions:` block a job's token gets the repository's default, which \
          on many repositories may push code, publish packages and edit releases. Write \
          scopes granted at the top of a workflow reach every job in it, so one compromised \
          build step or action can tamper with the repository.",
    remediation: "Set `permissions: {}` or read-only scopes at the top of each workflow and \
                  grant each job only the write scopes it needs, in the job itself.",
    snippet: Snippet {
        language: "yaml",
        code: "permissions: {}\njobs:\n  release:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: write   # this job creates the release\n",
    },
    references: &[
        "zizmor excessive-permissions",
        "Scorecard Token-Permissions",
        "CKV2_GHA_1",
    ],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "Unlike Scorecard, checkov CKV2_GHA_1 and zizmor's auditor persona, Rampart \
                   accepts a workflow whose top-level permissions are missing or write when every \
                   job sets its own, since no job then holds them. CKV2_GHA_1 missed a top-level \
                   `contents: write`, as it looks only for `write-all`, and zizmor's default \
                   persona flagged one in a two-job workflow but not in the single-job fail \
                   fixture; Rampart fails both, since a job added later would inherit it.",
    evaluate: token_permissions,
};

fn token_permissions(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        let jobs = jobs(workflow);
        evaluated += jobs.len();
        findings.extend(workflow_permissions(workflow, &jobs));
    }
    Evaluation::items(evaluated, findings, "no workflow defines a job")
}

/// The findings of one workflow: top-level grants that reach a job, and jobs that write
/// everything or inherit the repository default.
fn workflow_permissions(workflow: &YamlDocument, jobs: &[JobRef<'_>]) -> Vec<Draft> {
    let mut findings = Vec::new();
    let top = workflow.value.get("permissions");
    let inheriting: Vec<&JobRef<'_>> = jobs
        .iter()
        .filter(|j| j.value.get("permissions").is_none())
        .collect();

    if let Some(top) = top
        && !inheriting.is_empty()
        && let Some(grant) = broad_grant(top)
    {
        let message = format!(
            "the workflow grants {grant} at the top level, which {}",
            jobs_inherit(&inheriting)
        );
        findings.push(draft(
            workflow,
            "/permissions",
            None,
            message,
            Some(compact(top)),
        ));
    }

    for job in jobs {
        if let Some(permissions) = job.value.get("permissions") {
            if is_write_all(permissions) {
                let pointer = format!("{}/permissions", job.pointer);
                let message = format!("job `{}` grants its token `write-all`", job.id);
                let part = job.part();
                findings.push(draft(workflow, &pointer, Some(&part), message, None));
            }
        } else if top.is_none() && !is_reusable_only(workflow) {
            let message = format!(
                "job `{}` runs with the repository's default token permissions: neither \
                 the workflow nor the job sets `permissions:`",
                job.id
            );
            findings.push(draft(
                workflow,
                &job.pointer,
                Some(&job.part()),
                message,
                None,
            ));
        }
    }
    findings
}

/// A workflow only ever called by others gets at most its caller's token, so the caller's
/// `permissions:` is what matters.
fn is_reusable_only(workflow: &YamlDocument) -> bool {
    triggers(workflow) == ["workflow_call"]
}

/// What is too broad in a top-level `permissions:` value: `write-all` or any write scope.
fn broad_grant(permissions: &Value) -> Option<String> {
    if is_write_all(permissions) {
        return Some("`write-all`".to_string());
    }
    let scopes: Vec<String> = permissions
        .as_object()?
        .iter()
        .filter(|(_, level)| level.as_str() == Some("write"))
        .map(|(scope, _)| format!("`{scope}: write`"))
        .collect();
    (!scopes.is_empty()).then(|| scopes.join(", "))
}

fn is_write_all(permissions: &Value) -> bool {
    permissions.as_str() == Some("write-all")
}

/// The jobs named as the subject of a sentence, with the verb agreeing: "job `a` inherits".
fn jobs_inherit(jobs: &[&JobRef<'_>]) -> String {
    let names: Vec<String> = jobs.iter().map(|j| format!("`{}`", j.id)).collect();
    match names.len() {
        1 => format!("job {} inherits", names[0]),
        _ => format!("jobs {} inherit", names.join(", ")),
    }
}

/// A permissions value on one line, for evidence.
fn compact(permissions: &Value) -> String {
    match permissions {
        Value::String(text) => format!("permissions: {text}"),
        other => format!("permissions: {other}"),
    }
}

/// Names of secrets that by convention hold long-lived cloud credentials. A secret whose
/// name contains one of these (`PROD_AWS_SECRET_ACCESS_KEY`) counts.
pub static CLOUD_KEY_SECRETS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AZURE_CREDENTIALS",
    "AZURE_CLIENT_SECRET",
    "GCP_SA_KEY",
    "GCP_CREDENTIALS",
    "GCP_SERVICE_ACCOUNT_KEY",
    "GOOGLE_CREDENTIALS",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GCLOUD_SERVICE_KEY",
];

/// Inputs of cloud login actions that take a long-lived key, whatever its secret is called.
pub static CLOUD_KEY_INPUTS: &[(&str, &str)] = &[
    (
        "aws-actions/configure-aws-credentials",
        "aws-secret-access-key",
    ),
    ("azure/login", "creds"),
    ("google-github-actions/auth", "credentials_json"),
];

/// BLD-023: cloud access from workflows uses short-lived federated credentials.
pub static BLD_023: Check = Check {
    id: "BLD-023",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Long-lived cloud keys used instead of OIDC federation",
    why: "A cloud access key stored as a repository secret stays valid until someone \
          rotates it, so a single leak through a log, a compromised action or a \
          malicious pull request grants lasting access to the cloud account. AWS, Azure \
          and Google Cloud all accept the workflow's OIDC token instead, which expires \
          within minutes and can be bound to one repository and branch.",
    remediation: "Configure the cloud provider to trust GitHub's OIDC issuer for this \
                  repository, grant the job `id-token: write`, switch the login action to \
                  role or workload-identity federation, then delete the stored keys.",
    snippet: Snippet {
        language: "yaml",
        code: "permissions:\n  id-token: write\n  contents: read\nsteps:\n  - uses: aws-actions/configure-aws-credentials@<full-commit-sha> # pin the release you reviewed\n    with:\n      role-to-assume: arn:aws:iam::123456789012:role/deploy\n      aws-region: eu-west-1\n",
    },
    references: &[
        "StepSecurity secure-workflows",
        "AWS IAM OIDC for GitHub Actions",
        "Azure workload identity federation",
        "Google Workload Identity Federation",
    ],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor 1.33.1 and checkov 3.3.30 have no rule for long-lived cloud keys. \
                   zizmor's auditor persona flagged the same steps of the fail fixture only as \
                   `secrets-outside-env` (secrets used outside a deployment environment), which is \
                   BLD-025's concern.",
    evaluate: long_lived_cloud_keys,
};

fn long_lived_cloud_keys(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        let top = workflow.value.get("permissions");
        for job in jobs(workflow) {
            evaluated += 1;
            let permissions = job.value.get("permissions").or(top);
            if permissions.is_some_and(grants_id_token) {
                continue;
            }
            if let Some((pointer, what)) = first_cloud_key(&job) {
                let message = format!(
                    "job `{}` uses {what} but its token cannot request an OIDC token \
                     (`id-token: write`)",
                    job.id
                );
                findings.push(draft(workflow, &pointer, Some(&job.part()), message, None));
            }
        }
    }
    Evaluation::items(evaluated, findings, "no workflow defines a job")
}

fn grants_id_token(permissions: &Value) -> bool {
    is_write_all(permissions)
        || permissions.get("id-token").and_then(Value::as_str) == Some("write")
}

/// Where a job first uses a long-lived cloud key, and a description of it.
fn first_cloud_key(job: &JobRef<'_>) -> Option<(String, String)> {
    for step in job_steps(job) {
        let Some(action) = step.action() else {
            continue;
        };
        for (expected, input) in CLOUD_KEY_INPUTS {
            if is_action(&action, expected) && step.input(input).is_some() {
                let pointer = format!("{}/with/{input}", step.pointer);
                return Some((pointer, format!("`{expected}` with `{input}`")));
            }
        }
    }
    let mut found = None;
    find_secret(job.value, &job.pointer, &mut found);
    found.map(|(pointer, name)| (pointer, format!("secret `{name}`")))
}

/// Depth-first search for the first string that reads a cloud-key secret.
fn find_secret(node: &Value, pointer: &str, found: &mut Option<(String, String)>) {
    if found.is_some() {
        return;
    }
    match node {
        Value::String(text) => {
            if let Some(name) = cloud_secret_name(text) {
                *found = Some((pointer.to_string(), name));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_secret(item, &format!("{pointer}/{index}"), found);
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                let child = format!("{pointer}/{}", super::escape_pointer(key));
                find_secret(value, &child, found);
            }
        }
        _ => {}
    }
}

/// The name of a cloud-key secret read by `secrets.NAME` in `text`.
fn cloud_secret_name(text: &str) -> Option<String> {
    text.match_indices("secrets.").find_map(|(at, _)| {
        let name: String = text[at + "secrets.".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let upper = name.to_ascii_uppercase();
        CLOUD_KEY_SECRETS
            .iter()
            .any(|k| upper.contains(k))
            .then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{broad_grant, cloud_secret_name};

    #[test]
    fn write_scopes_are_broad() {
        assert!(broad_grant(&json!("write-all")).is_some());
        assert!(broad_grant(&json!({"contents": "write", "issues": "read"})).is_some());
        assert!(broad_grant(&json!("read-all")).is_none());
        assert!(broad_grant(&json!({})).is_none());
        assert!(broad_grant(&json!({"contents": "read"})).is_none());
    }

    #[test]
    fn cloud_secrets_are_recognised_by_name() {
        let text = "${{ secrets.PROD_AWS_SECRET_ACCESS_KEY }}";
        assert_eq!(
            cloud_secret_name(text).as_deref(),
            Some("PROD_AWS_SECRET_ACCESS_KEY")
        );
        assert!(cloud_secret_name("${{ secrets.NPM_TOKEN }}").is_none());
    }
}
