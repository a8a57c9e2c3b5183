//! Secrets in Docker images (SEC-002 on the docker source): environment values in an
//! image's configuration and build arguments or assignments recorded in its history.
//!
//! The docker source redacted both at collection, so a secret shows here as a
//! `[redacted …]` marker where its value was. The judgement still treats a plain value
//! under a secret-looking name as a secret, so a bundle written by hand or by an older
//! collector fails the same way, and its evidence is redacted again before it is shown.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::checks::Draft;
use crate::checks::profile::docker_image_resource;
use crate::evidence::{DockerEvidence, DockerImage};
use crate::model::SourceKind;
use crate::secrets;

/// The longest history line shown as evidence; longer ones are cut around the secret.
const EVIDENCE_CHARS: usize = 240;

/// Judges every image the docker source read: how many there were, and one draft per
/// variable or secret that an image carries.
pub fn judge(docker: &DockerEvidence) -> (usize, Vec<Draft>) {
    let drafts = docker.images.iter().flat_map(image_drafts).collect();
    (docker.images.len(), drafts)
}

/// What one image exposes, one draft per part (`ENV API_TOKEN`, `ARG NPM_TOKEN`), with the
/// image configuration preferred over history when both show the same variable.
fn image_drafts(image: &DockerImage) -> Vec<Draft> {
    let mut found: BTreeMap<String, (String, String)> = BTreeMap::new();
    for entry in strings(&image.inspect, "/Config/Env") {
        if let Some(problem) = env_problem(entry) {
            found
                .entry(problem.0.clone())
                .or_insert((problem.1, problem.2));
        }
    }
    for layer in &image.history {
        let line = layer.get("CreatedBy").and_then(Value::as_str).unwrap_or("");
        for (part, message, evidence) in history_problems(line) {
            found.entry(part).or_insert((message, evidence));
        }
    }
    found
        .into_iter()
        .map(|(part, (message, evidence))| {
            let resource = docker_image_resource(&image.inspect, Some(&part));
            let name = resource.display.clone();
            Draft {
                source: SourceKind::Docker,
                resource,
                location: None,
                message: format!("{} {message}", image_name(&name)),
                evidence: Some(evidence),
                severity: None,
            }
        })
        .collect()
}

/// The image part of a resource display, without the `, ENV NAME` part.
fn image_name(display: &str) -> &str {
    display
        .rsplit_once(", ")
        .map_or(display, |(image, _)| image)
}

fn strings<'v>(value: &'v Value, pointer: &str) -> impl Iterator<Item = &'v str> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// A problem as its part, its message and its evidence.
type Problem = (String, String, String);

/// An `ENV` entry of the image configuration that holds a secret.
fn env_problem(entry: &str) -> Option<Problem> {
    let (name, value) = entry.split_once('=')?;
    let what = carried_secret(name, value)?;
    Some((
        format!("ENV {name}"),
        format!("sets ENV `{name}` to {what} in its configuration"),
        crate::sanitize::one_line(&format!("ENV {name}={}", shown(name, value))),
    ))
}

/// What kind of secret `name=value` carries, in words, if it carries one: a redaction made
/// at collection, or a real value under a secret-looking name.
fn carried_secret(name: &str, value: &str) -> Option<String> {
    let bare = value.trim_matches(['"', '\'']);
    let kinds = secrets::redacted_kinds(bare);
    if let Some(kind) = kinds.iter().find(|k| *k != secrets::GENERIC_KIND) {
        return Some(format!("a {}", kind.replace('-', " ")));
    }
    let secret = secrets::is_redacted(bare)
        || (secrets::is_secret_name(name) && !secrets::is_placeholder(bare));
    secret.then(|| "a secret".to_string())
}

/// A value as evidence may show it: as collected when it is already redacted, else
/// replaced by its redaction.
fn shown(name: &str, value: &str) -> String {
    let bare = value.trim_matches(['"', '\'']);
    if secrets::is_redacted(bare) || !secrets::is_secret_name(name) {
        secrets::redact_known(value)
    } else {
        secrets::redaction(secrets::GENERIC_KIND, bare)
    }
}

/// What a history line records that is a secret.
///
/// Lines come from the legacy builder (`/bin/sh -c #(nop)  ENV A=1`, `|1 TOKEN=… /bin/sh -c
/// make`) or `BuildKit` (`ENV A=1`, `RUN |1 TOKEN=… /bin/sh -c make # buildkit`). The `|N`
/// prefix of a `RUN` step lists the build arguments in scope with their values.
fn history_problems(line: &str) -> Vec<Problem> {
    let words = super::secrets::shell_words(line);
    let mut rest: &[String] = &words;
    if rest.first().is_some_and(|w| w == "RUN") {
        rest = &rest[1..];
    }
    let arguments = rest
        .first()
        .and_then(|w| w.strip_prefix('|'))
        .and_then(|n| n.parse::<usize>().ok())
        .map_or(0, |n| n.min(rest.len() - 1));
    let (build_args, command) = if arguments > 0 {
        rest[1..].split_at(arguments)
    } else {
        (&[][..], rest)
    };
    let step = step_keyword(command);

    let mut out: Vec<Problem> = Vec::new();
    let mut flagged: Vec<&str> = Vec::new();
    let assignments = build_args
        .iter()
        .map(|w| ("ARG", w))
        .chain(command.iter().map(|w| (step, w)));
    for (keyword, word) in assignments {
        let Some((name, value)) = word.split_once('=') else {
            continue;
        };
        let Some(what) = carried_secret(name, value) else {
            continue;
        };
        let message = match keyword {
            "ARG" => format!("recorded build argument `{name}` with {what} in its history"),
            "ENV" => format!("recorded ENV `{name}` with {what} in its history"),
            _ => format!("recorded `{name}` with {what} in a build step of its history"),
        };
        flagged.push(word);
        out.push((format!("{keyword} {name}"), message, String::new()));
    }

    // A credential of a known format elsewhere in a step: a token in a URL or a header.
    for word in command.iter().filter(|w| !flagged.contains(&w.as_str())) {
        for kind in secrets::redacted_kinds(word) {
            let part = format!("{step} {kind}");
            if !out.iter().any(|(p, _, _)| *p == part) {
                let what = kind.replace('-', " ");
                out.push((
                    part,
                    format!("recorded a {what} in its history"),
                    String::new(),
                ));
            }
        }
    }

    let evidence = history_evidence(line, &flagged);
    for problem in &mut out {
        problem.2.clone_from(&evidence);
    }
    out
}

/// The instruction a history line records: `ENV`, `ARG`, or `RUN` for a command.
fn step_keyword(command: &[String]) -> &'static str {
    let start = command
        .iter()
        .position(|w| w == "#(nop)")
        .map_or(0, |at| at + 1);
    match command.get(start).map(String::as_str) {
        Some("ENV") => "ENV",
        Some("ARG") => "ARG",
        _ => "RUN",
    }
}

/// The line as evidence: any value still in plain text redacted, control characters
/// neutralised, and cut to [`EVIDENCE_CHARS`] around the first secret.
fn history_evidence(line: &str, flagged: &[&str]) -> String {
    let mut text = line.to_string();
    for word in flagged {
        if let Some((name, value)) = word.split_once('=') {
            let safe = format!("{name}={}", shown(name, value));
            text = text.replacen(word, &safe, 1);
        }
    }
    let text = crate::sanitize::one_line(&secrets::redact_known(&text));
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= EVIDENCE_CHARS {
        return text;
    }
    let marker = text
        .find("[redacted ")
        .map_or(0, |at| text[..at].chars().count());
    let start = marker.saturating_sub(EVIDENCE_CHARS / 3);
    let end = (start + EVIDENCE_CHARS).min(chars.len());
    let mut cut: String = chars[start..end].iter().collect();
    if start > 0 {
        cut.insert(0, '…');
    }
    if end < chars.len() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARK: &str = "[redacted generic-secret, 36 chars, #76a50887d8f1]";

    fn parts(line: &str) -> Vec<String> {
        history_problems(line).into_iter().map(|p| p.0).collect()
    }

    #[test]
    fn build_arguments_of_run_steps_are_found_in_both_builders() {
        let legacy = format!("|1 NPM_TOKEN={MARK} /bin/sh -c npm ci");
        assert_eq!(parts(&legacy), ["ARG NPM_TOKEN"]);
        let buildkit = format!("RUN |2 MODE=prod NPM_TOKEN={MARK} /bin/sh -c npm ci # buildkit");
        assert_eq!(parts(&buildkit), ["ARG NPM_TOKEN"]);
        assert!(parts("|1 NPM_TOKEN= /bin/sh -c true").is_empty());
        assert!(parts("|1 MODE=prod /bin/sh -c true").is_empty());
    }

    #[test]
    fn env_steps_and_known_formats_are_found() {
        let legacy = format!("/bin/sh -c #(nop)  ENV API_TOKEN={MARK} MODE=prod");
        assert_eq!(parts(&legacy), ["ENV API_TOKEN"]);
        assert_eq!(parts(&format!("ENV API_TOKEN={MARK}")), ["ENV API_TOKEN"]);
        let curl = "/bin/sh -c curl -H 'x: [redacted github-token, 40 chars, #abc]' x";
        assert_eq!(parts(curl), ["RUN github-token"]);
        assert!(parts("/bin/sh -c #(nop)  ARG NPM_TOKEN").is_empty());
        assert!(parts("/bin/sh -c #(nop)  ENV TOKEN=changeme").is_empty());
    }

    #[test]
    fn plain_values_never_reach_the_evidence() {
        let value = format!("pw-{}", "8".repeat(12));
        let problems = history_problems(&format!("|1 DB_PASSWORD={value} /bin/sh -c true"));
        assert_eq!(problems.len(), 1);
        assert!(!problems[0].2.contains(&value), "{}", problems[0].2);
        let (_, _, evidence) = env_problem(&format!("DB_PASSWORD={value}")).expect("fails");
        assert!(!evidence.contains(&value), "{evidence}");
        assert!(env_problem("DB_PASSWORD=").is_none());
        assert!(env_problem("PATH=/usr/bin").is_none());
    }

    #[test]
    fn long_lines_are_cut_around_the_secret() {
        let line = format!(
            "/bin/sh -c {} TOKEN={MARK} {}",
            "a ".repeat(300),
            "b ".repeat(300)
        );
        let evidence = &history_problems(&line)[0].2;
        assert!(evidence.chars().count() <= EVIDENCE_CHARS + 2);
        assert!(evidence.contains(MARK), "{evidence}");
    }
}
