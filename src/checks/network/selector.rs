//! Kubernetes label selectors (`matchLabels` and `matchExpressions`) and their matching.
//!
//! NetworkPolicy pod selectors and ClusterRole aggregation rules share this shape. An
//! operator Rampart does not know makes the whole selector an error rather than a guess,
//! because a guessed selector would turn into a wrong pass or a wrong failure.

use serde_json::{Map, Value};

/// How a `matchExpressions` requirement compares a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

/// A parsed label selector. An empty selector selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// `matchLabels` pairs, every one of which must match.
    pub match_labels: Vec<(String, String)>,
    /// `matchExpressions`, every one of which must hold.
    pub expressions: Vec<Requirement>,
}

/// Why a selector could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    #[error(
        "selector operator `{0}` is not one Kubernetes defines (In, NotIn, Exists, DoesNotExist)"
    )]
    UnknownOperator(String),
    #[error("malformed selector: {0}")]
    Malformed(String),
}

impl LabelSelector {
    /// Parses a selector; `None` or `null` is the empty selector.
    pub fn parse(value: Option<&Value>) -> Result<Self, SelectorError> {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Ok(LabelSelector::default());
        };
        let object = value
            .as_object()
            .ok_or_else(|| SelectorError::Malformed("not a mapping".to_string()))?;
        Ok(LabelSelector {
            match_labels: match_labels(object.get("matchLabels"))?,
            expressions: expressions(object.get("matchExpressions"))?,
        })
    }

    /// Whether the selector has no terms, and so selects every object.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    /// Whether an object with these labels is selected.
    pub fn matches(&self, labels: &Map<String, Value>) -> bool {
        let label = |key: &str| labels.get(key).and_then(scalar);
        let labels_match = self
            .match_labels
            .iter()
            .all(|(k, v)| label(k).as_deref() == Some(v.as_str()));
        labels_match
            && self.expressions.iter().all(|r| {
                let value = label(&r.key);
                match r.operator {
                    Operator::In => value.is_some_and(|v| r.values.contains(&v)),
                    // Kubernetes selects objects without the key for NotIn.
                    Operator::NotIn => value.is_none_or(|v| !r.values.contains(&v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }
}

fn match_labels(value: Option<&Value>) -> Result<Vec<(String, String)>, SelectorError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let object = value
        .as_object()
        .ok_or_else(|| SelectorError::Malformed("matchLabels is not a mapping".to_string()))?;
    object
        .iter()
        .map(|(k, v)| {
            let v = scalar(v).ok_or_else(|| {
                SelectorError::Malformed(format!("matchLabels value of `{k}` is not a scalar"))
            })?;
            Ok((k.clone(), v))
        })
        .collect()
}

fn expressions(value: Option<&Value>) -> Result<Vec<Requirement>, SelectorError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let items = value
        .as_array()
        .ok_or_else(|| SelectorError::Malformed("matchExpressions is not a list".to_string()))?;
    items.iter().map(requirement).collect()
}

fn requirement(item: &Value) -> Result<Requirement, SelectorError> {
    let key = item
        .get("key")
        .and_then(Value::as_str)
        .ok_or_else(|| SelectorError::Malformed("an expression has no key".to_string()))?;
    let operator = item.get("operator").and_then(Value::as_str).unwrap_or("");
    let operator = match operator {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        other => return Err(SelectorError::UnknownOperator(other.to_string())),
    };
    let values = item
        .get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(scalar)
        .collect();
    Ok(Requirement {
        key: key.to_string(),
        operator,
        values,
    })
}

/// A label value as a string; YAML may have given an unquoted number or boolean.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn selector(value: Value) -> LabelSelector {
        LabelSelector::parse(Some(&value)).unwrap()
    }

    #[test]
    fn empty_selector_selects_everything() {
        let s = LabelSelector::parse(None).unwrap();
        assert!(s.is_empty());
        assert!(s.matches(&Map::new()));
        assert!(selector(json!({})).matches(&labels(json!({"app": "web"}))));
    }

    #[test]
    fn match_labels_need_every_pair() {
        let s = selector(json!({"matchLabels": {"app": "web", "tier": "front"}}));
        assert!(s.matches(&labels(json!({"app": "web", "tier": "front", "x": "y"}))));
        assert!(!s.matches(&labels(json!({"app": "web"}))));
    }

    #[test]
    fn numbers_compare_as_strings() {
        let s = selector(json!({"matchLabels": {"version": 2}}));
        assert!(s.matches(&labels(json!({"version": "2"}))));
    }

    #[test]
    fn expressions_follow_kubernetes() {
        let s = selector(json!({"matchExpressions": [
            {"key": "app", "operator": "In", "values": ["web", "api"]},
            {"key": "env", "operator": "NotIn", "values": ["dev"]},
            {"key": "team", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"}
        ]}));
        assert!(s.matches(&labels(json!({"app": "api", "team": "a"}))));
        assert!(s.matches(&labels(json!({"app": "web", "env": "prod", "team": "a"}))));
        assert!(!s.matches(&labels(json!({"app": "web", "env": "dev", "team": "a"}))));
        assert!(!s.matches(&labels(json!({"app": "db", "team": "a"}))));
        assert!(!s.matches(&labels(json!({"app": "web"}))));
        assert!(!s.matches(&labels(json!({"app": "web", "team": "a", "legacy": "1"}))));
    }

    #[test]
    fn unknown_operator_is_an_error_not_a_guess() {
        let value = json!({"matchExpressions": [{"key": "a", "operator": "Matches"}]});
        assert_eq!(
            LabelSelector::parse(Some(&value)),
            Err(SelectorError::UnknownOperator("Matches".to_string()))
        );
    }

    #[test]
    fn malformed_selectors_are_errors() {
        assert!(LabelSelector::parse(Some(&json!("app=web"))).is_err());
        assert!(LabelSelector::parse(Some(&json!({"matchLabels": ["a"]}))).is_err());
        assert!(LabelSelector::parse(Some(&json!({"matchExpressions": [{}]}))).is_err());
    }
}
