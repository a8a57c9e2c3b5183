//! NetworkPolicy semantics: which pods a policy selects and what counts as default-deny.
//!
//! The index works on plain Kubernetes objects (`serde_json::Value`), so objects read from
//! files and from a live cluster go through the same code. Each policy keeps the position
//! of its object in the input, which callers map back to a file and line.
//!
//! Policies are grouped by namespace once, so asking which policies select a workload
//! costs the policies of that namespace only, not every policy of the tree.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::checks::network::selector::{LabelSelector, SelectorError};
use crate::checks::network::workload::DEFAULT_NAMESPACE;

/// One Kubernetes NetworkPolicy, reduced to what the checks read.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Position of the object in the input.
    pub origin: usize,
    pub name: String,
    pub namespace: String,
    pub selector: LabelSelector,
    /// Whether the policy governs ingress, after Kubernetes' defaulting of `policyTypes`.
    pub ingress: bool,
    /// Whether the policy governs egress, after the same defaulting.
    pub egress: bool,
    /// How many ingress rules it lists; none under an Ingress type denies all ingress.
    pub ingress_rules: usize,
    /// How many egress rules it lists.
    pub egress_rules: usize,
}

impl Policy {
    /// Whether the policy denies all ingress to every pod of its namespace.
    pub fn denies_all_ingress(&self) -> bool {
        self.selector.is_empty() && self.ingress && self.ingress_rules == 0
    }

    /// Whether the policy denies all egress from every pod of its namespace.
    pub fn denies_all_egress(&self) -> bool {
        self.selector.is_empty() && self.egress && self.egress_rules == 0
    }
}

/// A policy object whose meaning Rampart could not establish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUnderstood {
    pub origin: usize,
    pub name: String,
    pub namespace: String,
    /// Why it could not be interpreted, in words for the reader.
    pub reason: String,
}

/// Network policies of a set of objects, grouped by namespace.
#[derive(Debug, Default)]
pub struct PolicyIndex {
    by_namespace: HashMap<String, Vec<Policy>>,
    /// Kubernetes NetworkPolicies that could not be interpreted, such as a selector with
    /// an unknown operator.
    pub not_understood: Vec<NotUnderstood>,
    /// Kinds of CNI-specific or admin policies present, which Rampart does not interpret
    /// and which can allow or deny traffic on their own (`CiliumNetworkPolicy`, …).
    pub foreign_kinds: Vec<String>,
}

/// The kind of a network-policy object, decided by its kind and API group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PolicyKind {
    Kubernetes,
    Foreign,
    Other,
}

fn policy_kind(object: &Value) -> PolicyKind {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let api = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    match kind {
        "NetworkPolicy" if group == "networking.k8s.io" || group == "extensions" => {
            PolicyKind::Kubernetes
        }
        // Calico reuses the name NetworkPolicy in its own API group.
        "NetworkPolicy" | "GlobalNetworkPolicy" if group.ends_with("projectcalico.org") => {
            PolicyKind::Foreign
        }
        "CiliumNetworkPolicy"
        | "CiliumClusterwideNetworkPolicy"
        | "AdminNetworkPolicy"
        | "BaselineAdminNetworkPolicy"
        | "ClusterNetworkPolicy" => PolicyKind::Foreign,
        _ => PolicyKind::Other,
    }
}

impl PolicyIndex {
    /// Indexes every network-policy object among `objects`.
    pub fn build<'v>(objects: impl IntoIterator<Item = &'v Value>) -> Self {
        let mut index = PolicyIndex::default();
        for (origin, object) in objects.into_iter().enumerate() {
            match policy_kind(object) {
                PolicyKind::Kubernetes => index.add(origin, object),
                PolicyKind::Foreign => {
                    let kind = label_of(object);
                    if !index.foreign_kinds.contains(&kind) {
                        index.foreign_kinds.push(kind);
                    }
                }
                PolicyKind::Other => {}
            }
        }
        index.foreign_kinds.sort();
        index
    }

    fn add(&mut self, origin: usize, object: &Value) {
        let name = str_at(object, "/metadata/name").unwrap_or("?").to_string();
        let namespace = str_at(object, "/metadata/namespace")
            .unwrap_or(DEFAULT_NAMESPACE)
            .to_string();
        match parse(origin, object, &name, &namespace) {
            Ok(policy) => self.by_namespace.entry(namespace).or_default().push(policy),
            Err(error) => self.not_understood.push(NotUnderstood {
                origin,
                name,
                namespace,
                reason: error.to_string(),
            }),
        }
    }

    /// The understood policies of a namespace.
    pub fn in_namespace(&self, namespace: &str) -> &[Policy] {
        self.by_namespace.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// The policies of `namespace` that select a pod with these labels.
    pub fn selecting<'a>(
        &'a self,
        namespace: &str,
        labels: &'a Map<String, Value>,
    ) -> impl Iterator<Item = &'a Policy> + 'a {
        self.in_namespace(namespace)
            .iter()
            .filter(move |p| p.selector.matches(labels))
    }

    /// The policies of a namespace that Rampart could not interpret.
    pub fn not_understood_in(&self, namespace: &str) -> impl Iterator<Item = &NotUnderstood> {
        self.not_understood
            .iter()
            .filter(move |n| n.namespace == namespace)
    }
}

/// `CiliumNetworkPolicy` or `NetworkPolicy (projectcalico.org)`.
fn label_of(object: &Value) -> String {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("?");
    let api = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if api.contains("projectcalico.org") {
        format!("{kind} (projectcalico.org)")
    } else {
        kind.to_string()
    }
}

fn parse(
    origin: usize,
    object: &Value,
    name: &str,
    namespace: &str,
) -> Result<Policy, SelectorError> {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let selector = LabelSelector::parse(spec.get("podSelector"))?;
    let ingress_rules = rule_count(spec, "ingress")?;
    let egress_rules = rule_count(spec, "egress")?;
    let types: Vec<&str> = spec
        .get("policyTypes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();

    // Kubernetes defaults an absent or empty policyTypes to Ingress, plus Egress when the
    // policy has egress rules; so such a policy can never deny all egress.
    let (ingress, egress) = if types.is_empty() {
        (true, egress_rules > 0)
    } else {
        (types.contains(&"Ingress"), types.contains(&"Egress"))
    };
    Ok(Policy {
        origin,
        name: name.to_string(),
        namespace: namespace.to_string(),
        selector,
        ingress,
        egress,
        ingress_rules,
        egress_rules,
    })
}

fn rule_count(spec: &Value, field: &str) -> Result<usize, SelectorError> {
    match spec.get(field) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Array(rules)) => Ok(rules.len()),
        Some(_) => Err(SelectorError::Malformed(format!("`{field}` is not a list"))),
    }
}

fn str_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(ns: &str, spec: Value) -> Value {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
               "metadata": {"name": "p", "namespace": ns}, "spec": spec})
    }

    #[test]
    fn default_deny_follows_policy_type_defaulting() {
        let objects = [
            policy("a", json!({"podSelector": {}})),
            policy("b", json!({"podSelector": {}, "policyTypes": ["Egress"]})),
            policy("c", json!({"podSelector": {}, "egress": [{}]})),
            policy("d", json!({"podSelector": {}, "ingress": [{}]})),
        ];
        let index = PolicyIndex::build(&objects);
        let deny = |ns: &str| {
            let p = &index.in_namespace(ns)[0];
            (p.denies_all_ingress(), p.denies_all_egress())
        };
        assert_eq!(deny("a"), (true, false));
        assert_eq!(deny("b"), (false, true));
        assert_eq!(deny("c"), (true, false));
        assert_eq!(deny("d"), (false, false));
    }

    #[test]
    fn selection_is_per_namespace() {
        let objects = [policy(
            "a",
            json!({"podSelector": {"matchLabels": {"app": "web"}}}),
        )];
        let index = PolicyIndex::build(&objects);
        let labels = json!({"app": "web"}).as_object().cloned().unwrap();
        assert_eq!(index.selecting("a", &labels).count(), 1);
        assert_eq!(index.selecting("b", &labels).count(), 0);
    }

    #[test]
    fn missing_namespace_is_default() {
        let object = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                            "metadata": {"name": "p"}, "spec": {"podSelector": {}}});
        let index = PolicyIndex::build([&object]);
        assert_eq!(index.in_namespace("default").len(), 1);
    }

    #[test]
    fn unknown_operator_and_foreign_kinds_are_recorded() {
        let bad = policy(
            "a",
            json!({"podSelector": {"matchExpressions": [{"key": "x", "operator": "Like"}]}}),
        );
        let calico = json!({"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
                            "metadata": {"name": "c"}});
        let cilium = json!({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy"});
        let index = PolicyIndex::build([&bad, &calico, &cilium]);
        assert_eq!(index.not_understood.len(), 1);
        assert!(index.not_understood[0].reason.contains("Like"));
        assert_eq!(
            index.foreign_kinds,
            vec!["CiliumNetworkPolicy", "NetworkPolicy (projectcalico.org)"]
        );
        assert!(index.in_namespace("default").is_empty());
    }

    #[test]
    fn thousands_of_policies_are_grouped_by_namespace() {
        // 500 namespaces with 10 policies each: a workload is matched against the 10 of its
        // own namespace, never the 5,000 of the tree.
        let objects: Vec<Value> = (0..500)
            .flat_map(|ns| {
                (0..10).map(move |app| {
                    policy(
                        &format!("ns{ns}"),
                        json!({"podSelector": {"matchLabels": {"app": format!("a{app}")}}}),
                    )
                })
            })
            .collect();
        let index = PolicyIndex::build(&objects);
        let labels = json!({"app": "a3"}).as_object().cloned().unwrap();
        assert_eq!(index.in_namespace("ns42").len(), 10);
        assert_eq!(index.selecting("ns42", &labels).count(), 1);
        assert_eq!(index.selecting("ns500", &labels).count(), 0);
    }
}
