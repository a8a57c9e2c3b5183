//! Replicas reported once: pods and replica sets owned by a controller that was listed
//! are left out, so the controller's template is what checks judge.

use std::collections::HashSet;

use serde_json::Value;

/// Kinds whose pods (or jobs, or replica sets) carry their pod template.
const CONTROLLERS: &[&str] = &[
    "ReplicaSet",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
];

/// Keeps every object except those whose controller was listed too.
pub fn judged_once(objects: Vec<Value>) -> Vec<Value> {
    let listed: HashSet<(String, String)> = objects
        .iter()
        .filter(|o| CONTROLLERS.contains(&kind(o)))
        .filter_map(|o| Some((kind(o).to_string(), uid(o)?.to_string())))
        .collect();
    objects
        .into_iter()
        .filter(|o| !owned_by_listed(o, &listed))
        .collect()
}

fn owned_by_listed(object: &Value, listed: &HashSet<(String, String)>) -> bool {
    if !matches!(kind(object), "Pod" | "ReplicaSet" | "Job") {
        return false;
    }
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .any(|r| {
            let owner_kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
            let owner_uid = r.get("uid").and_then(Value::as_str).unwrap_or("");
            listed.contains(&(owner_kind.to_string(), owner_uid.to_string()))
        })
}

fn kind(object: &Value) -> &str {
    object.get("kind").and_then(Value::as_str).unwrap_or("")
}

fn uid(object: &Value) -> Option<&str> {
    object.pointer("/metadata/uid").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(kind: &str, uid: &str, owner: Option<(&str, &str)>) -> Value {
        let owners = owner.map_or_else(Vec::new, |(k, u)| {
            vec![json!({"kind": k, "uid": u, "controller": true, "name": "x"})]
        });
        json!({"kind": kind, "metadata": {"uid": uid, "ownerReferences": owners}})
    }

    #[test]
    fn pods_of_a_deployment_collapse_to_the_deployment() {
        let kept = judged_once(vec![
            object("Deployment", "d", None),
            object("ReplicaSet", "r", Some(("Deployment", "d"))),
            object("Pod", "p1", Some(("ReplicaSet", "r"))),
            object("Pod", "p2", Some(("ReplicaSet", "r"))),
            object("Pod", "bare", None),
            object("Pod", "orphan", Some(("ReplicaSet", "unseen"))),
        ]);
        let uids: Vec<&str> = kept.iter().filter_map(uid).collect();
        assert_eq!(uids, ["d", "bare", "orphan"]);
    }
}
