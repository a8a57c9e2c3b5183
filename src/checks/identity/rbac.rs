//! RBAC resolution: each binding resolved to its subjects and the rules of its role.
//!
//! The resolver works on plain Kubernetes objects (`serde_json::Value`) so that objects
//! from files and from a live cluster are resolved by the same code; every role and
//! binding keeps the position of its object in the input for callers to locate it.
//!
//! Aggregated ClusterRoles get the union of the rules of every ClusterRole their
//! `clusterRoleSelectors` match, followed transitively with a visited set, so a loop of
//! aggregations ends. Roles Kubernetes creates itself (`cluster-admin`, `admin`, `edit`,
//! `view`) are modelled when the input does not define them; a binding to any other role
//! the input lacks is resolved to [`Resolution::MissingRole`], never guessed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::checks::network::selector::LabelSelector;

/// One rule of a Role or ClusterRole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    /// `resourceNames`; empty means every object of the resources.
    pub resource_names: Vec<String>,
    /// `nonResourceURLs` such as `/metrics`.
    pub non_resource_urls: Vec<String>,
    /// The role that holds the rule: `ClusterRole ops`.
    pub role: String,
    /// Index of the rule in that role's `rules`.
    pub index: usize,
    /// Position of the role's object in the input; `None` for a built-in role.
    pub origin: Option<usize>,
}

impl Rule {
    /// Whether the rule lets `verb` act on `resource` (`pods`, `pods/exec`) of `group`.
    pub fn grants(&self, group: &str, resource: &str, verb: &str) -> bool {
        let any = |list: &[String], value: &str| list.iter().any(|v| v == "*" || v == value);
        any(&self.api_groups, group)
            && any(&self.verbs, verb)
            && self.resources.iter().any(|r| resource_matches(r, resource))
    }

    /// Whether the rule uses `*` for verbs or resources.
    pub fn has_wildcard(&self) -> bool {
        self.verbs.iter().any(|v| v == "*") || self.resources.iter().any(|r| r == "*")
    }

    /// `ClusterRole ops rules[0]: get, list on secrets`.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "{} rules[{}]: {} on {}",
            self.role,
            self.index,
            self.verbs.join(", "),
            self.resources.join(", ")
        );
        if !self.resource_names.is_empty() {
            let _ = write!(text, " named {}", self.resource_names.join(", "));
        }
        if !self.non_resource_urls.is_empty() {
            let _ = write!(text, " (URLs {})", self.non_resource_urls.join(", "));
        }
        text
    }
}

/// Kubernetes' matching of a rule's resource against a requested resource.
fn resource_matches(rule: &str, requested: &str) -> bool {
    if rule == "*" || rule == requested {
        return true;
    }
    let (req_base, req_sub) = requested.split_once('/').unwrap_or((requested, ""));
    match rule.split_once('/') {
        Some((base, "*")) => base == req_base && !req_sub.is_empty(),
        Some(("*", sub)) => sub == req_sub,
        _ => false,
    }
}

/// A Role or ClusterRole.
#[derive(Debug, Clone)]
pub struct Role {
    /// Position of the role's object in the input.
    pub origin: usize,
    /// Whether it is a ClusterRole.
    pub cluster: bool,
    pub name: String,
    /// The namespace of a Role; `None` for a ClusterRole.
    pub namespace: Option<String>,
    pub labels: Map<String, Value>,
    pub rules: Vec<Rule>,
    /// `clusterRoleSelectors` of an aggregated ClusterRole; `None` when not aggregated.
    pub aggregation: Option<Vec<LabelSelector>>,
}

/// What identifies a role to a binding: cluster-wide or not, namespace, name.
pub type RoleKey = (bool, Option<String>, String);

impl Role {
    /// The key bindings use to find this role.
    pub fn key(&self) -> RoleKey {
        (self.cluster, self.namespace.clone(), self.name.clone())
    }

    /// `ClusterRole ops` or `Role shop/reader`.
    pub fn label(&self) -> String {
        match (&self.namespace, self.cluster) {
            (Some(ns), false) => format!("Role {ns}/{}", self.name),
            _ => format!("ClusterRole {}", self.name),
        }
    }
}

/// A subject of a binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    pub name: String,
    /// For a ServiceAccount: its namespace, the binding's when the subject names none.
    pub namespace: Option<String>,
    /// Index in the binding's `subjects`.
    pub index: usize,
}

impl Subject {
    /// `User alice` or `ServiceAccount shop/deployer`.
    pub fn label(&self) -> String {
        match &self.namespace {
            Some(ns) if self.kind == "ServiceAccount" => {
                format!("ServiceAccount {ns}/{}", self.name)
            }
            _ => format!("{} {}", self.kind, self.name),
        }
    }

    /// One of the groups or the user that stand for anyone who can reach the API server.
    pub fn is_public(&self) -> bool {
        matches!(
            (self.kind.as_str(), self.name.as_str()),
            ("User", "system:anonymous")
                | ("Group", "system:unauthenticated" | "system:authenticated")
        )
    }

    /// A Kubernetes component rather than a person or an application: `system:` users
    /// and groups (except the public ones, which stand for people) and service accounts
    /// of kube-system.
    pub fn is_system(&self) -> bool {
        if self.is_public() {
            return false;
        }
        if self.kind == "ServiceAccount" {
            return self.namespace.as_deref() == Some("kube-system");
        }
        // Service accounts also appear as users (`system:serviceaccount:<ns>:<name>`) and
        // groups (`system:serviceaccounts[:<ns>]`); those are applications, not components,
        // unless they belong to kube-system.
        let account_namespace = match (self.kind.as_str(), self.name.as_str()) {
            ("User", name) => name
                .strip_prefix("system:serviceaccount:")
                .map(|rest| rest.split(':').next().unwrap_or("")),
            ("Group", "system:serviceaccounts") => Some(""),
            ("Group", name) => name.strip_prefix("system:serviceaccounts:"),
            _ => None,
        };
        match account_namespace {
            Some(namespace) => namespace == "kube-system",
            None => self.name.starts_with("system:"),
        }
    }
}

/// What a binding's role reference resolved to.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// The rules the binding grants, aggregated rules included.
    Rules(Vec<Rule>),
    /// The role the binding names is not among the objects; the string names it.
    MissingRole(String),
}

/// A RoleBinding or ClusterRoleBinding, resolved.
#[derive(Debug, Clone)]
pub struct Binding {
    /// Position of the binding's object in the input.
    pub origin: usize,
    /// Whether it is a ClusterRoleBinding.
    pub cluster: bool,
    pub name: String,
    /// The namespace of a RoleBinding; `None` for a ClusterRoleBinding.
    pub namespace: Option<String>,
    /// `ClusterRole`, `Role`.
    pub role_kind: String,
    pub role_name: String,
    pub subjects: Vec<Subject>,
    pub resolution: Resolution,
}

impl Binding {
    /// `ClusterRoleBinding ops` or `RoleBinding shop/readers`.
    pub fn label(&self) -> String {
        match (&self.namespace, self.cluster) {
            (Some(ns), false) => format!("RoleBinding {ns}/{}", self.name),
            _ => format!("ClusterRoleBinding {}", self.name),
        }
    }

    /// The key of the role this binding refers to.
    pub fn role_key(&self) -> RoleKey {
        role_key(&self.role_kind, self.namespace.as_deref(), &self.role_name)
    }

    /// Whether Kubernetes creates this binding itself: the `system:` bindings.
    pub fn is_default(&self) -> bool {
        let own_namespace = self.cluster
            || matches!(
                self.namespace.as_deref(),
                Some("kube-system" | "kube-public")
            );
        own_namespace && self.name.starts_with("system:")
    }

    /// Whether the binding grants the built-in `cluster-admin` ClusterRole.
    pub fn is_cluster_admin(&self) -> bool {
        self.role_kind == "ClusterRole" && self.role_name == "cluster-admin"
    }

    /// The granted rules; empty when the role is missing.
    pub fn rules(&self) -> &[Rule] {
        match &self.resolution {
            Resolution::Rules(rules) => rules,
            Resolution::MissingRole(_) => &[],
        }
    }

    /// Subjects that are neither Kubernetes components nor in a default binding.
    pub fn people(&self) -> impl Iterator<Item = &Subject> {
        let default = self.is_default();
        self.subjects
            .iter()
            .filter(move |s| !default && !s.is_system())
    }
}

/// Every role and binding of a set of objects, with bindings resolved.
#[derive(Debug, Default)]
pub struct Rbac {
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
}

impl Rbac {
    /// Reads the roles and bindings among `objects` and resolves every binding.
    pub fn resolve<'v>(objects: impl IntoIterator<Item = &'v Value>) -> Self {
        let mut rbac = Rbac::default();
        let mut raw_bindings = Vec::new();
        for (origin, object) in objects.into_iter().enumerate() {
            if !is_rbac(object) {
                continue;
            }
            match kind(object) {
                "Role" | "ClusterRole" => rbac.roles.push(read_role(origin, object)),
                "RoleBinding" | "ClusterRoleBinding" => raw_bindings.push((origin, object)),
                _ => {}
            }
        }
        let aggregated = aggregate(&rbac.roles);
        // Index roles once so resolving thousands of bindings stays linear.
        let by_key: HashMap<RoleKey, usize> = rbac
            .roles
            .iter()
            .enumerate()
            .map(|(index, role)| (role.key(), index))
            .collect();
        for (origin, object) in raw_bindings {
            let binding = read_binding(origin, object, &rbac.roles, &by_key, &aggregated);
            rbac.bindings.push(binding);
        }
        rbac
    }

    /// Custom roles that no binding references.
    pub fn unbound_roles(&self) -> impl Iterator<Item = &Role> {
        let bound: HashSet<RoleKey> = self.bindings.iter().map(Binding::role_key).collect();
        self.roles
            .iter()
            .filter(move |role| !bound.contains(&role.key()))
    }
}

fn is_rbac(object: &Value) -> bool {
    object
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|a| a.starts_with("rbac.authorization.k8s.io/"))
}

fn kind(object: &Value) -> &str {
    object.get("kind").and_then(Value::as_str).unwrap_or("")
}

fn str_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(Value::as_str)
}

fn strings(value: &Value, field: &str) -> Vec<String> {
    value
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn read_role(origin: usize, object: &Value) -> Role {
    let cluster = kind(object) == "ClusterRole";
    let name = str_at(object, "/metadata/name").unwrap_or("?").to_string();
    let namespace = (!cluster).then(|| {
        str_at(object, "/metadata/namespace")
            .unwrap_or(crate::checks::network::workload::DEFAULT_NAMESPACE)
            .to_string()
    });
    let mut role = Role {
        origin,
        cluster,
        name,
        namespace,
        labels: object
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        rules: Vec::new(),
        aggregation: None,
    };
    let label = role.label();
    role.rules = object
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, rule)| Rule {
            api_groups: strings(rule, "apiGroups"),
            resources: strings(rule, "resources"),
            verbs: strings(rule, "verbs"),
            resource_names: strings(rule, "resourceNames"),
            non_resource_urls: strings(rule, "nonResourceURLs"),
            role: label.clone(),
            index,
            origin: Some(origin),
        })
        .collect();
    role.aggregation = cluster
        .then(|| object.pointer("/aggregationRule/clusterRoleSelectors"))
        .flatten()
        .and_then(Value::as_array)
        .map(|selectors| {
            // A selector Rampart cannot read aggregates nothing rather than everything.
            selectors
                .iter()
                .filter_map(|s| LabelSelector::parse(Some(s)).ok())
                .collect()
        });
    role
}

/// The effective rules of every aggregated ClusterRole, by its index in `roles`.
fn aggregate(roles: &[Role]) -> HashMap<usize, Vec<Rule>> {
    let mut result = HashMap::new();
    for (index, role) in roles.iter().enumerate() {
        if role.aggregation.is_some() {
            result.insert(index, aggregated_rules(roles, index));
        }
    }
    result
}

/// The union of the rules of the ClusterRoles an aggregated role selects, followed
/// through roles that aggregate in turn; the visited set ends loops.
fn aggregated_rules(roles: &[Role], start: usize) -> Vec<Rule> {
    let mut visited = BTreeSet::from([start]);
    let mut pending = vec![start];
    let mut union = roles[start].rules.clone();
    while let Some(current) = pending.pop() {
        let Some(selectors) = &roles[current].aggregation else {
            continue;
        };
        for (index, candidate) in roles.iter().enumerate() {
            let selected =
                candidate.cluster && selectors.iter().any(|s| s.matches(&candidate.labels));
            if selected && visited.insert(index) {
                union.extend(candidate.rules.iter().cloned());
                pending.push(index);
            }
        }
    }
    union
}

fn read_binding(
    origin: usize,
    object: &Value,
    roles: &[Role],
    by_key: &HashMap<RoleKey, usize>,
    aggregated: &HashMap<usize, Vec<Rule>>,
) -> Binding {
    let cluster = kind(object) == "ClusterRoleBinding";
    let namespace = (!cluster).then(|| {
        str_at(object, "/metadata/namespace")
            .unwrap_or(crate::checks::network::workload::DEFAULT_NAMESPACE)
            .to_string()
    });
    let role_kind = str_at(object, "/roleRef/kind").unwrap_or("").to_string();
    let role_name = str_at(object, "/roleRef/name").unwrap_or("").to_string();
    let subjects = read_subjects(object, namespace.as_deref());

    let found = by_key
        .get(&role_key(&role_kind, namespace.as_deref(), &role_name))
        .copied();
    let resolution = match found {
        Some(index) => Resolution::Rules(
            aggregated
                .get(&index)
                .cloned()
                .unwrap_or_else(|| roles[index].rules.clone()),
        ),
        None if role_kind == "ClusterRole" => builtin_rules(&role_name).map_or_else(
            || Resolution::MissingRole(format!("ClusterRole {role_name}")),
            Resolution::Rules,
        ),
        None => Resolution::MissingRole(format!(
            "{role_kind} {}/{role_name}",
            namespace.as_deref().unwrap_or("")
        )),
    };
    Binding {
        origin,
        cluster,
        name: str_at(object, "/metadata/name").unwrap_or("?").to_string(),
        namespace,
        role_kind,
        role_name,
        subjects,
        resolution,
    }
}

/// The key of the role a binding in `namespace` refers to by kind and name.
fn role_key(kind: &str, namespace: Option<&str>, name: &str) -> RoleKey {
    let cluster = kind == "ClusterRole";
    // A Role can only be found in the binding's own namespace.
    let namespace = (!cluster).then(|| namespace.unwrap_or("").to_string());
    (cluster, namespace, name.to_string())
}

fn read_subjects(object: &Value, binding_namespace: Option<&str>) -> Vec<Subject> {
    object
        .get("subjects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, s)| {
            let kind = str_at(s, "/kind").unwrap_or("").to_string();
            let namespace = str_at(s, "/namespace").map(str::to_string).or_else(|| {
                (kind == "ServiceAccount").then(|| binding_namespace.unwrap_or("").to_string())
            });
            Subject {
                name: str_at(s, "/name").unwrap_or("").to_string(),
                kind,
                namespace,
                index,
            }
        })
        .collect()
}

/// Rules of the user-facing ClusterRoles Kubernetes creates, reduced to what the checks
/// ask about. A cluster that changed them is read correctly from the live source, which
/// sees their real rules.
fn builtin_rules(name: &str) -> Option<Vec<Rule>> {
    const WORKLOADS: &[&str] = &[
        "pods",
        "deployments",
        "replicasets",
        "statefulsets",
        "daemonsets",
        "jobs",
        "cronjobs",
        "replicationcontrollers",
    ];
    const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
    const READ: &[&str] = &["get", "list", "watch"];
    let rule = |groups: &[&str], resources: &[&str], verbs: &[&str], index: usize| Rule {
        api_groups: groups.iter().map(|s| (*s).to_string()).collect(),
        resources: resources.iter().map(|s| (*s).to_string()).collect(),
        verbs: verbs.iter().map(|s| (*s).to_string()).collect(),
        resource_names: Vec::new(),
        non_resource_urls: Vec::new(),
        role: format!("ClusterRole {name} (built in)"),
        index,
        origin: None,
    };
    let view = rule(&["", "apps", "batch"], WORKLOADS, READ, 0);
    let edit = || {
        vec![
            view.clone(),
            rule(&["", "apps", "batch"], WORKLOADS, WRITE, 1),
            rule(
                &[""],
                &["pods/exec", "pods/attach", "pods/portforward"],
                &["create", "get"],
                2,
            ),
            rule(
                &[""],
                &["secrets"],
                &["get", "list", "watch", "create", "update"],
                3,
            ),
            rule(&[""], &["serviceaccounts"], &["impersonate"], 4),
        ]
    };
    match name {
        "cluster-admin" => Some(vec![rule(&["*"], &["*"], &["*"], 0)]),
        "view" => Some(vec![view.clone()]),
        "edit" => Some(edit()),
        "admin" => {
            let mut rules = edit();
            rules.push(rule(
                &["rbac.authorization.k8s.io"],
                &["roles", "rolebindings"],
                WRITE,
                5,
            ));
            Some(rules)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cluster_role(name: &str, labels: Value, rules: Value, aggregate: Option<Value>) -> Value {
        let mut role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, "labels": labels}, "rules": rules});
        if let Some(selectors) = aggregate {
            role["aggregationRule"] = json!({"clusterRoleSelectors": selectors});
        }
        role
    }

    fn binding(kind: &str, name: &str, role_kind: &str, role: &str) -> Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
            "metadata": {"name": name, "namespace": "shop"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
            "subjects": [{"kind": "User", "name": "alice"},
                         {"kind": "ServiceAccount", "name": "ci"}]})
    }

    #[test]
    fn rules_match_like_kubernetes() {
        let rule = Rule {
            api_groups: vec![String::new()],
            resources: vec!["pods/*".to_string(), "secrets".to_string()],
            verbs: vec!["get".to_string()],
            resource_names: Vec::new(),
            non_resource_urls: Vec::new(),
            role: String::new(),
            index: 0,
            origin: None,
        };
        assert!(rule.grants("", "pods/exec", "get"));
        assert!(!rule.grants("", "pods", "get"));
        assert!(rule.grants("", "secrets", "get"));
        assert!(!rule.grants("apps", "secrets", "get"));
        assert!(!rule.grants("", "secrets", "list"));
        assert!(resource_matches("*/exec", "pods/exec"));
    }

    #[test]
    fn binding_resolves_subjects_and_rules() {
        let role = cluster_role(
            "reader",
            json!({}),
            json!([{"apiGroups": [""],
            "resources": ["secrets"], "verbs": ["get"]}]),
            None,
        );
        let objects = [role, binding("RoleBinding", "b", "ClusterRole", "reader")];
        let rbac = Rbac::resolve(&objects);
        let b = &rbac.bindings[0];
        assert_eq!(b.rules().len(), 1);
        assert_eq!(b.subjects[1].namespace.as_deref(), Some("shop"));
        assert_eq!(b.subjects[1].label(), "ServiceAccount shop/ci");
        assert_eq!(rbac.unbound_roles().count(), 0);
    }

    #[test]
    fn aggregation_unions_rules_and_survives_loops() {
        let a = cluster_role(
            "a",
            json!({"agg": "b"}),
            json!([{"verbs": ["get"],
            "apiGroups": [""], "resources": ["pods"]}]),
            Some(json!([{"matchLabels": {"agg": "a"}}])),
        );
        let b = cluster_role(
            "b",
            json!({"agg": "a"}),
            json!([{"verbs": ["list"],
            "apiGroups": [""], "resources": ["pods"]}]),
            Some(json!([{"matchLabels": {"agg": "b"}}])),
        );
        let objects = [a, b, binding("ClusterRoleBinding", "x", "ClusterRole", "a")];
        let rbac = Rbac::resolve(&objects);
        let rules = rbac.bindings[0].rules();
        assert_eq!(rules.len(), 2);
        assert!(rules.iter().any(|r| r.grants("", "pods", "list")));
    }

    #[test]
    fn missing_roles_are_reported_and_builtins_known() {
        let objects = [
            binding("RoleBinding", "gone", "Role", "nothing"),
            binding("ClusterRoleBinding", "root", "ClusterRole", "cluster-admin"),
        ];
        let rbac = Rbac::resolve(&objects);
        assert!(matches!(&rbac.bindings[0].resolution,
            Resolution::MissingRole(r) if r == "Role shop/nothing"));
        assert!(rbac.bindings[1].rules()[0].has_wildcard());
        assert!(rbac.bindings[1].is_cluster_admin());
    }

    #[test]
    fn system_subjects_and_default_bindings() {
        let subject = |kind: &str, name: &str, ns: Option<&str>| Subject {
            kind: kind.to_string(),
            name: name.to_string(),
            namespace: ns.map(str::to_string),
            index: 0,
        };
        assert!(subject("User", "system:kube-proxy", None).is_system());
        assert!(subject("ServiceAccount", "x", Some("kube-system")).is_system());
        assert!(!subject("ServiceAccount", "x", Some("shop")).is_system());
        assert!(!subject("Group", "system:authenticated", None).is_system());
        assert!(subject("Group", "system:authenticated", None).is_public());
        assert!(!subject("User", "system:serviceaccount:shop:ci", None).is_system());
        assert!(subject("User", "system:serviceaccount:kube-system:x", None).is_system());
        assert!(!subject("Group", "system:serviceaccounts", None).is_system());
        assert!(!subject("Group", "system:serviceaccounts:shop", None).is_system());
        assert!(subject("Group", "system:nodes", None).is_system());
    }
}
