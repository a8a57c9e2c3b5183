//! Facts about Node.js applications: `package.json` files and the JavaScript or
//! TypeScript sources next to them, reduced at collection to what the Express checks read
//! (which middleware is imported, and the lines of risky patterns), never whole sources.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::evidence::TextFile;

/// `kind` of a recorded `package.json`.
pub const PACKAGE_KIND: &str = "package-json";
/// `kind` of a recorded JavaScript or TypeScript source.
pub const SOURCE_KIND: &str = "node-source";

/// Whether a path names a JavaScript or TypeScript source worth reading; minified bundles
/// and type declarations say nothing about how the app is configured.
pub fn is_source(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let code = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
        .iter()
        .any(|ext| lower.ends_with(ext));
    code && !lower.ends_with(".min.js") && !lower.ends_with(".d.ts")
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a constant pattern compiles")
}

static EXPRESS: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"require\(\s*['"]express['"]\s*\)|from\s+['"]express['"]"#));
static HELMET: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"require\(\s*['"]helmet['"]\s*\)|from\s+['"]helmet['"]"#));
static RATE_LIMIT: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"(?:require\(\s*|from\s+)['"](?:express-rate-limit|rate-limiter-flexible)['"]"#)
});
static ANY_ORIGIN: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\borigin\s*:\s*(?:['"`]\*['"`]|true\b)"#));
static CREDENTIALS: LazyLock<Regex> = LazyLock::new(|| regex(r"\bcredentials\s*:\s*true\b"));
static HEADER_ANY_ORIGIN: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"(?i)['"]access-control-allow-origin['"]\s*,\s*['"]\*['"]"#));
static HEADER_CREDENTIALS: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"(?i)['"]access-control-allow-credentials['"]\s*,\s*['"]?true"#));
static QUERY_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?i)\b(?:req|request)\.query(?:\.|\[\s*['"])(?:\w*token\w*|jwt|auth\w*)\b|\{[^{}]*\b(?:\w*token\w*|jwt)\b[^{}]*\}\s*=\s*(?:req|request)\.query\b|getToken[\s\S]{0,300}?\b(?:req|request)\.query\b"#,
    )
});

/// The facts of a `package.json`; `None` when it is not valid JSON.
pub fn package_facts(path: &str, text: &str) -> Option<TextFile> {
    let value: Value = serde_json::from_str(text).ok()?;
    let mut facts = BTreeMap::new();
    let dependencies = value.get("dependencies").and_then(Value::as_object);
    if let Some(name) = value.get("name").and_then(Value::as_str) {
        facts.insert("name".to_string(), Value::from(name));
    }
    if dependencies.is_some_and(|d| d.contains_key("express")) {
        let line = line_of(text, text.find("\"express\"").unwrap_or(0));
        facts.insert("express_line".to_string(), Value::from(line));
    }
    Some(TextFile {
        path: path.to_string(),
        kind: PACKAGE_KIND.to_string(),
        facts,
    })
}

/// The facts of a source file; `None` when it shows nothing the checks read.
pub fn source_facts(path: &str, text: &str) -> Option<TextFile> {
    let mut facts = BTreeMap::new();
    let mut flag = |key: &str, found: bool| {
        if found {
            facts.insert(key.to_string(), Value::Bool(true));
        }
    };
    flag("express", EXPRESS.is_match(text));
    flag("helmet", HELMET.is_match(text));
    flag("rate_limit", RATE_LIMIT.is_match(text));
    if let Some(offset) = cors_any_origin_with_credentials(text) {
        facts.insert(
            "cors_any_origin_credentials".to_string(),
            Value::from(line_of(text, offset)),
        );
    }
    if let Some(found) = QUERY_TOKEN.find(text) {
        facts.insert(
            "jwt_from_query".to_string(),
            Value::from(line_of(text, found.start())),
        );
    }
    (!facts.is_empty()).then(|| TextFile {
        path: path.to_string(),
        kind: SOURCE_KIND.to_string(),
        facts,
    })
}

/// Where an object literal allows any origin (`'*'` or `true`, which reflects every
/// origin) together with `credentials: true`, or where headers say the same.
fn cors_any_origin_with_credentials(text: &str) -> Option<usize> {
    for origin in ANY_ORIGIN.find_iter(text) {
        // The object literal around the `origin` key, found by the nearest braces; good
        // enough for option objects, which rarely nest.
        let start = text[..origin.start()].rfind('{').unwrap_or(0);
        let end = text[origin.end()..]
            .find('}')
            .map_or(text.len(), |e| origin.end() + e);
        if CREDENTIALS.is_match(&text[start..end]) {
            return Some(origin.start());
        }
    }
    let header = HEADER_ANY_ORIGIN.find(text)?;
    HEADER_CREDENTIALS.is_match(text).then_some(header.start())
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u32 {
    let newlines = text.get(..offset).unwrap_or(text).matches('\n').count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(text: &str, key: &str) -> Option<Value> {
        source_facts("app.js", text).and_then(|f| f.facts.get(key).cloned())
    }

    #[test]
    fn recognises_middleware_imports() {
        let text = "const express = require('express');\nimport helmet from \"helmet\";\n";
        assert_eq!(fact(text, "express"), Some(Value::Bool(true)));
        assert_eq!(fact(text, "helmet"), Some(Value::Bool(true)));
        assert_eq!(fact(text, "rate_limit"), None);
        let limit = "const { rateLimit } = require('express-rate-limit')";
        assert_eq!(fact(limit, "rate_limit"), Some(Value::Bool(true)));
    }

    #[test]
    fn cors_needs_any_origin_and_credentials_together() {
        let bad = "app.use(cors({\n  origin: true,\n  credentials: true,\n}));";
        assert_eq!(
            fact(bad, "cors_any_origin_credentials"),
            Some(Value::from(2))
        );
        let star = "const opts = { origin: '*', credentials: true };";
        assert_eq!(
            fact(star, "cors_any_origin_credentials"),
            Some(Value::from(1))
        );
        let fine = "app.use(cors({ origin: 'https://shop.example.com', credentials: true }));";
        assert_eq!(fact(fine, "cors_any_origin_credentials"), None);
        let public = "app.use(cors({ origin: '*' }));";
        assert_eq!(fact(public, "cors_any_origin_credentials"), None);
    }

    #[test]
    fn tokens_read_from_the_query_string() {
        assert_eq!(
            fact("\nconst t = req.query.token;", "jwt_from_query"),
            Some(Value::from(2))
        );
        assert!(fact("const { access_token } = req.query;", "jwt_from_query").is_some());
        let express_jwt = "expressjwt({ getToken: (req) => req.query.t })";
        assert!(fact(express_jwt, "jwt_from_query").is_some());
        assert!(fact("const page = req.query.page;", "jwt_from_query").is_none());
    }

    #[test]
    fn package_json_records_the_express_dependency() {
        let text =
            "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"express\": \"^4\"\n  }\n}";
        let facts = package_facts("package.json", text).unwrap().facts;
        assert_eq!(facts.get("express_line"), Some(&Value::from(4)));
        assert!(package_facts("package.json", "{ not json").is_none());
    }

    #[test]
    fn sources_exclude_bundles_and_declarations() {
        assert!(is_source("src/app.ts"));
        assert!(!is_source("dist/app.min.js"));
        assert!(!is_source("types/index.d.ts"));
        assert!(!is_source("README.md"));
    }
}
