//! A synthetic repository tree for benchmarks and the whole-process measurements of
//! `docs/performance.md`: manifests, workflows and Dockerfiles, varied by index so that
//! no check can shortcut on identical input.

use std::fmt::Write as _;
use std::path::Path;

/// How many files of each kind to write.
#[derive(Debug, Clone, Copy)]
pub struct TreeSize {
    pub manifests: usize,
    pub workflows: usize,
    pub dockerfiles: usize,
}

/// The tree of the performance budget: 600 manifests, 150 workflows, 150 Dockerfiles.
pub const BUDGET_TREE: TreeSize = TreeSize {
    manifests: 600,
    workflows: 150,
    dockerfiles: 150,
};

/// Writes the tree under `root`.
pub fn write_tree(root: &Path, size: TreeSize) -> std::io::Result<()> {
    let workflows = root.join(".github/workflows");
    std::fs::create_dir_all(&workflows)?;
    for i in 0..size.manifests {
        let dir = root.join(format!("deploy/team{}", i % 20));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("app{i}.yaml")), manifest(i))?;
    }
    for i in 0..size.workflows {
        std::fs::write(workflows.join(format!("wf{i}.yml")), workflow(i))?;
    }
    for i in 0..size.dockerfiles {
        let dir = root.join(format!("services/svc{i}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("Dockerfile"), dockerfile(i))?;
    }
    write_governance(root)
}

/// The repository-level documents the monitoring and compliance checks read.
fn write_governance(root: &Path) -> std::io::Result<()> {
    let docs = root.join("docs");
    std::fs::create_dir_all(&docs)?;
    std::fs::write(
        root.join("SECURITY.md"),
        "# Security\n\nMail security@example.com.\n",
    )?;
    std::fs::write(
        root.join("CODEOWNERS"),
        "* @example/platform\n/deploy/ @example/sre\n",
    )?;
    std::fs::write(
        docs.join("incident-response.md"),
        "# Incident response\n## Preparation\n## Detection and analysis\n## Containment\n",
    )?;
    std::fs::write(
        docs.join("runbook-database.md"),
        "# Runbook: database\n## Eradication\n## Recovery\n## Lessons learned\n",
    )
}

fn manifest(i: usize) -> String {
    let privileged = i.is_multiple_of(7);
    let non_root = !i.is_multiple_of(3);
    let tag = if i.is_multiple_of(5) {
        "latest".to_string()
    } else {
        format!("1.{}.{}", i % 9, i % 4)
    };
    let mut text = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: team{ns}\n  labels:\n    app: app{i}\n    owner: team{ns}\nspec:\n  replicas: {r}\n  selector:\n    matchLabels:\n      app: app{i}\n  template:\n    metadata:\n      labels:\n        app: app{i}\n    spec:\n      containers:\n        - name: main\n          image: registry.example.com/team{ns}/app{i}:{tag}\n          ports:\n            - containerPort: {port}\n          securityContext:\n            privileged: {privileged}\n            runAsNonRoot: {non_root}\n            allowPrivilegeEscalation: {escalation}\n          resources:\n            limits:\n              memory: {mem}Mi\n",
        ns = i % 20,
        r = 1 + i % 4,
        port = 8000 + i % 100,
        escalation = i.is_multiple_of(4),
        mem = 128 + (i % 8) * 64,
    );
    if i.is_multiple_of(2) {
        let _ = write!(
            text,
            "        - name: sidecar\n          image: registry.example.com/proxy@sha256:{:064x}\n          securityContext:\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [ALL]\n",
            i
        );
    }
    let ns = i % 20;
    let _ = write!(
        text,
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-app{i}\n  namespace: team{ns}\nspec:\n  podSelector:\n    matchExpressions:\n      - {{key: app, operator: In, values: [app{i}, app{j}]}}\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels: {{app: app{j}}}\n",
        j = (i + 1) % 600,
    );
    if i < 20 {
        let _ = write!(
            text,
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team{ns}\n  labels:\n    pod-security.kubernetes.io/enforce: {psa}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: team{ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress{egress}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\n  namespace: team{ns}\nrules:\n  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [get, list, {verb}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployer\n  namespace: team{ns}\nsubjects:\n  - {{kind: Group, name: team{ns}, apiGroup: rbac.authorization.k8s.io}}\nroleRef:\n  {{kind: Role, name: deployer, apiGroup: rbac.authorization.k8s.io}}\n",
            psa = if i.is_multiple_of(3) {
                "privileged"
            } else {
                "restricted"
            },
            egress = if i.is_multiple_of(2) { ", Egress" } else { "" },
            verb = if i.is_multiple_of(4) {
                "\"*\""
            } else {
                "update"
            },
        );
    }
    let _ = write!(
        text,
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app{i}\n  namespace: team{}\nspec:\n  type: {}\n  selector:\n    app: app{i}\n  ports:\n    - port: 80\n      targetPort: {}\n",
        i % 20,
        if i.is_multiple_of(11) {
            "LoadBalancer"
        } else {
            "ClusterIP"
        },
        8000 + i % 100
    );
    text
}

fn workflow(i: usize) -> String {
    let checkout = if i.is_multiple_of(3) {
        "actions/checkout@v4".to_string()
    } else {
        format!("actions/checkout@{:040x}", i * 7919)
    };
    let trigger = if i.is_multiple_of(10) {
        "pull_request_target"
    } else {
        "pull_request"
    };
    format!(
        "name: wf{i}\non:\n  push:\n    branches: [main]\n  {trigger}:\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {checkout}\n        with:\n          persist-credentials: {persist}\n      - uses: actions/setup-node@v{node}\n      - run: |\n          echo \"building {i}\"\n          npm ci\n          npm test -- --shard={i}\n      - run: echo \"${{{{ github.event.pull_request.title }}}}\"\n        if: ${{{{ {cond} }}}}\n  scan:\n    runs-on: ubuntu-latest\n    needs: build\n    steps:\n      - uses: aquasecurity/trivy-action@{trivy}\n      - run: curl -sSL https://example.com/install.sh | {shell}\n",
        persist = i.is_multiple_of(2),
        node = 3 + i % 2,
        cond = if i.is_multiple_of(4) { "true" } else { "false" },
        trivy = if i.is_multiple_of(5) {
            "master".to_string()
        } else {
            format!("{:040x}", i * 104_729)
        },
        shell = if i.is_multiple_of(6) {
            "sh"
        } else {
            "tee /dev/null"
        },
    )
}

fn dockerfile(i: usize) -> String {
    let base = if i.is_multiple_of(4) {
        "node:latest".to_string()
    } else {
        format!("node:{}-alpine", 18 + i % 4)
    };
    let user = if i.is_multiple_of(3) {
        ""
    } else {
        "USER 10001\n"
    };
    format!(
        "FROM {base} AS build\nWORKDIR /src\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build -- --id {i}\n\nFROM {base}\nRUN apt-get update && apt-get install -y curl{clean}\nCOPY --from=build /src/dist /app\n{add}{user}HEALTHCHECK CMD curl -f http://localhost:{port}/health || exit 1\nCMD [\"node\", \"/app/server.js\"]\n",
        clean = if i.is_multiple_of(2) {
            " && rm -rf /var/lib/apt/lists/*"
        } else {
            ""
        },
        add = if i.is_multiple_of(5) {
            "ADD config.json /app/\n"
        } else {
            ""
        },
        port = 3000 + i % 50,
    )
}
