//! NET-012: Express applications, found through `package.json` and judged on the facts
//! the files source extracted from their sources.
//!
//! An application is a directory whose `package.json` depends on `express`; its sources
//! are the JavaScript and TypeScript files under that directory that belong to no nested
//! `package.json`.

use serde_json::Value;

use crate::checks::context::file_resource;
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::TextFile;
use crate::model::{Area, Location, Severity, SourceKind};
use crate::sources::files::node::{PACKAGE_KIND, SOURCE_KIND};

/// NET-012: Express applications set security headers, limit rates, keep CORS and tokens safe.
pub static NET_012: Check = Check {
    id: "NET-012",
    area: Area::Network,
    severity: Severity::Low,
    title: "Express app lacks basic HTTP hardening",
    why: "Express sends none of the headers that tell browsers to refuse framing, sniffing \
          or plain-HTTP downgrades, and puts no limit on how fast a client may call it, \
          which invites credential stuffing. CORS that accepts any origin with credentials \
          lets any website act with the user's session, and a token in the query string \
          ends up in access logs, browser history and Referer headers.",
    remediation: "Use helmet for security headers and express-rate-limit (or \
                  rate-limiter-flexible) in front of the routes; list the allowed CORS \
                  origins explicitly; read tokens from the Authorization header only.",
    snippet: Snippet {
        language: "javascript",
        code: "const helmet = require('helmet');\nconst { rateLimit } = require('express-rate-limit');\napp.use(helmet());\napp.use(rateLimit({ windowMs: 60_000, limit: 100 }));\napp.use(cors({ origin: ['https://shop.example.com'], credentials: true }));\n",
    },
    references: &["seed §3.3", "OWASP Node.js Security Cheat Sheet"],
    sources: &[SourceKind::Files],
    differs_from: "Read from the sources as text, not by running the app: middleware set up \
                   in a shared package outside the repository is not seen.",
    evaluate: express_apps,
};

/// One Express application and the recorded facts of its sources.
struct App<'e> {
    package: &'e TextFile,
    sources: Vec<&'e TextFile>,
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn within(dir: &str, path: &str) -> bool {
    dir.is_empty() || path.starts_with(&format!("{dir}/"))
}

/// Express apps, each with the sources whose nearest `package.json` is the app's.
fn apps(files: &[TextFile]) -> Vec<App<'_>> {
    let packages: Vec<&TextFile> = files.iter().filter(|f| f.kind == PACKAGE_KIND).collect();
    let owner = |path: &str| {
        packages
            .iter()
            .filter(|p| within(dir_of(&p.path), path))
            .max_by_key(|p| dir_of(&p.path).len())
            .map(|p| p.path.as_str())
    };
    let mut apps: Vec<App<'_>> = packages
        .iter()
        .filter(|p| p.facts.contains_key("express_line"))
        .map(|p| App {
            package: p,
            sources: files
                .iter()
                .filter(|f| f.kind == SOURCE_KIND && owner(&f.path) == Some(p.path.as_str()))
                .collect(),
        })
        .collect();
    apps.sort_by(|a, b| a.package.path.cmp(&b.package.path));
    for app in &mut apps {
        app.sources.sort_by(|a, b| a.path.cmp(&b.path));
    }
    apps
}

fn express_apps(cx: &Context<'_>) -> Evaluation {
    let files = cx
        .evidence
        .files
        .as_ref()
        .map_or(&[][..], |f| f.text_files.as_slice());
    let apps = apps(files);
    let findings: Vec<Draft> = apps.iter().flat_map(judge).collect();
    Evaluation::items(apps.len(), findings, "no Express application was found")
}

fn judge(app: &App<'_>) -> Vec<Draft> {
    let uses = |key: &str| app.sources.iter().any(|s| s.facts.contains_key(key));
    let package_line = app
        .package
        .facts
        .get("express_line")
        .and_then(Value::as_u64)
        .and_then(|l| u32::try_from(l).ok())
        .unwrap_or(1);
    let at_package = Location {
        path: app.package.path.clone(),
        line: package_line,
    };
    let mut findings = Vec::new();
    if !uses("helmet") {
        findings.push(draft(
            app,
            "security headers",
            at_package.clone(),
            "sets no security headers: no source imports helmet",
        ));
    }
    if !uses("rate_limit") {
        findings.push(draft(
            app,
            "rate limiting",
            at_package,
            "limits no request rate: no source imports express-rate-limit or rate-limiter-flexible",
        ));
    }
    if let Some(at) = first_line(app, "cors_any_origin_credentials") {
        findings.push(draft(
            app,
            "cors",
            at,
            "allows any CORS origin together with credentials",
        ));
    }
    if let Some(at) = first_line(app, "jwt_from_query") {
        findings.push(draft(
            app,
            "token in query",
            at,
            "reads a token from the query string",
        ));
    }
    findings
}

/// The first source location where a line-valued fact was recorded.
fn first_line(app: &App<'_>, key: &str) -> Option<Location> {
    app.sources.iter().find_map(|s| {
        let line = s.facts.get(key)?.as_u64()?;
        Some(Location {
            path: s.path.clone(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
        })
    })
}

fn draft(app: &App<'_>, problem: &str, location: Location, message: &str) -> Draft {
    let name = app
        .package
        .facts
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(&app.package.path);
    Draft {
        source: SourceKind::Files,
        resource: file_resource(&app.package.path, Some(problem)),
        evidence: Some(format!("{}:{}", location.path, location.line)),
        location: Some(location),
        message: format!("Express app `{name}` {message}"),
        severity: None,
    }
}
