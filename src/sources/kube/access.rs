//! `SelfSubjectAccessReview`: asking up front what the credentials may list.

use std::collections::BTreeMap;

use futures::StreamExt as _;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

use crate::sources::kube::KubeOptions;
use crate::sources::kube::connect::Cluster;
use crate::sources::kube::list::ResourceSpec;

/// The resources the credentials may not list, keyed as `denied` keys them, with the
/// permission that is missing. A review that cannot be asked denies nothing: the list
/// itself will then say.
pub async fn review(
    cluster: &Cluster,
    options: &KubeOptions,
    specs: &[ResourceSpec],
) -> BTreeMap<String, String> {
    let scopes: Vec<Option<String>> = if options.namespaces.is_empty() {
        vec![None]
    } else {
        options.namespaces.iter().cloned().map(Some).collect()
    };
    let questions: Vec<(ResourceSpec, Option<String>)> = specs
        .iter()
        .flat_map(|spec| {
            let scopes = if spec.namespaced {
                scopes.clone()
            } else {
                vec![None]
            };
            scopes.into_iter().map(move |scope| (spec.clone(), scope))
        })
        .collect();
    let api: Api<SelfSubjectAccessReview> = Api::all(cluster.client.clone());
    let answers = futures::stream::iter(questions)
        .map(|(spec, scope)| {
            let api = api.clone();
            async move {
                let allowed = ask(&api, &spec, scope.as_deref()).await;
                (spec, scope, allowed)
            }
        })
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await;

    let mut denied = BTreeMap::new();
    for (spec, scope, allowed) in answers {
        if allowed == Some(false) {
            let scope = scope.map_or_else(
                || "cluster-wide".to_string(),
                |ns| format!("in namespace `{ns}`"),
            );
            denied.insert(spec.key(), format!("needs {} {scope}", spec.permission()));
        }
    }
    denied
}

async fn ask(
    api: &Api<SelfSubjectAccessReview>,
    spec: &ResourceSpec,
    namespace: Option<&str>,
) -> Option<bool> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some("list".to_string()),
                group: Some(spec.group.clone()),
                resource: Some(spec.plural.clone()),
                namespace: namespace.map(str::to_string),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let answer = api.create(&PostParams::default(), &review).await.ok()?;
    answer.status.map(|s| s.allowed)
}
