//! Raw GET requests to the GitHub REST API through octocrab, keeping status and headers.
//!
//! octocrab's typed calls turn a 403 into an error that hides the headers saying which
//! permission was missing and whether a rate limit was hit, so every request here goes
//! through its raw `_get_with_headers` and is judged by status and headers.

use std::time::Duration;

use http::header::{ACCEPT, HeaderMap, HeaderValue};
use octocrab::Octocrab;
use serde_json::Value;

use crate::model::SourceKind;
use crate::sources::{Progress, ProgressSender, announce};

/// Attempts of one request when GitHub asks to wait (rate limits, 5xx).
const MAX_ATTEMPTS: u32 = 3;
/// The longest wait Rampart accepts before giving up on a rate-limited request.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// Pages read of one list at most (100 items each): enough for any real repository, and a
/// bound on what a misbehaving server can make Rampart do.
pub const MAX_PAGES: usize = 50;

/// The headers that explain a refusal or a limit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hints {
    /// `x-accepted-github-permissions`: what a fine-grained or app token needs.
    pub accepted_permissions: Option<String>,
    /// `x-accepted-oauth-scopes`: what a classic token needs.
    pub accepted_scopes: Option<String>,
    /// `x-oauth-scopes`: what the classic token has.
    pub token_scopes: Option<String>,
    pub rate_remaining: Option<u64>,
    pub rate_reset: Option<u64>,
    pub retry_after: Option<u64>,
}

impl Hints {
    fn from(headers: &http::HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let number = |name: &str| text(name).and_then(|v| v.parse().ok());
        Hints {
            accepted_permissions: text("x-accepted-github-permissions"),
            accepted_scopes: text("x-accepted-oauth-scopes"),
            token_scopes: text("x-oauth-scopes"),
            rate_remaining: number("x-ratelimit-remaining"),
            rate_reset: number("x-ratelimit-reset"),
            retry_after: number("retry-after"),
        }
    }

    /// Whether this answer is a rate limit rather than a refusal.
    pub fn rate_limited(&self, status: u16) -> bool {
        matches!(status, 403 | 429)
            && (self.rate_remaining == Some(0) || self.retry_after.is_some())
    }

    /// How long GitHub asks to wait, from `retry-after` or `x-ratelimit-reset`.
    fn wait(&self) -> Duration {
        if let Some(seconds) = self.retry_after {
            return Duration::from_secs(seconds);
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        match self.rate_reset {
            Some(reset) => Duration::from_secs(reset.saturating_sub(now).max(1)),
            // A secondary limit without headers: GitHub asks for at least a minute.
            None => MAX_WAIT,
        }
    }

    /// The permission to name when the answer was a refusal: the fine-grained permission
    /// GitHub asked for, else the classic scope the token lacks, else `fallback`.
    pub fn missing_permission(&self, fallback: &str) -> String {
        // `a=read,b=read; c=write`: either every permission of one set or another set.
        let sets: Vec<String> = self
            .accepted_permissions
            .iter()
            .flat_map(|accepted| accepted.split(';'))
            .filter(|set| !set.trim().is_empty())
            .map(|set| {
                let all: Vec<String> = set.split(',').map(|p| p.trim().replace('=', ":")).collect();
                all.join(" and ")
            })
            .collect();
        if !sets.is_empty() {
            return sets.join(", or ");
        }
        if let Some(accepted) = &self.accepted_scopes {
            let has: Vec<&str> = self
                .token_scopes
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .collect();
            let wanted: Vec<&str> = accepted.split(',').map(str::trim).collect();
            if !wanted.iter().any(|w| has.contains(w)) {
                return format!("classic scope {}", wanted.join(" or "));
            }
        }
        fallback.to_string()
    }
}

/// One answer: status, the telling headers, the JSON body (null when empty or not JSON)
/// and the next page's URL from the `Link` header.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub hints: Hints,
    pub body: Value,
    pub next: Option<String>,
}

impl Reply {
    /// Whether this is a primary or secondary rate limit rather than a refusal: the
    /// headers say so, or the message does (secondary limits may come without headers).
    pub fn rate_limited(&self) -> bool {
        self.hints.rate_limited(self.status)
            || (matches!(self.status, 403 | 429)
                && self.message().to_ascii_lowercase().contains("rate limit"))
    }

    /// GitHub's `message`, if the body has one.
    pub fn message(&self) -> String {
        self.body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }
}

/// The API client of one collection.
pub struct Api<'p> {
    octo: Octocrab,
    progress: Option<&'p ProgressSender>,
    /// The origin requests go to, for messages (`https://api.github.com`).
    pub base: String,
}

impl<'p> Api<'p> {
    /// A client for `base` (the REST root), authenticated when a token is given.
    pub fn new(
        base: &str,
        token: Option<&str>,
        progress: Option<&'p ProgressSender>,
    ) -> Result<Self, String> {
        let mut builder = Octocrab::builder()
            .base_uri(base)
            .map_err(|e| format!("`{base}` is not a usable API URL: {e}"))?
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(30)));
        if let Some(token) = token {
            builder = builder.personal_token(token.to_string());
        }
        let octo = builder
            .build()
            .map_err(|e| format!("cannot set up the GitHub client: {e}"))?;
        Ok(Api {
            octo,
            progress,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    /// GETs `path` (relative to the API root, or a full `Link` URL), waiting out rate
    /// limits a bounded number of times. `Err` means GitHub could not be reached at all.
    pub async fn get(&self, path: &str) -> Result<Reply, String> {
        let mut attempt = 1;
        loop {
            let reply = self.once(path).await?;
            let retryable = reply.rate_limited() || reply.status >= 500;
            if !retryable || attempt >= MAX_ATTEMPTS {
                return Ok(reply);
            }
            let wait = if reply.status >= 500 {
                Duration::from_secs(u64::from(attempt))
            } else {
                reply.hints.wait()
            };
            if wait > MAX_WAIT {
                return Ok(reply);
            }
            self.step(format!(
                "GitHub answered {} for {}; waiting {} s before retry {} of {}",
                reply.status,
                short(path),
                wait.as_secs(),
                attempt,
                MAX_ATTEMPTS - 1
            ));
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// GETs every page of a list, following `Link: rel="next"` up to [`MAX_PAGES`].
    /// Returns the first non-200 reply instead when a page is refused.
    pub async fn get_all(&self, path: &str) -> Result<Result<Vec<Value>, Reply>, String> {
        let mut items = Vec::new();
        let mut next = Some(path.to_string());
        let mut pages = 0;
        while let Some(url) = next.take() {
            let reply = self.get(&url).await?;
            if reply.status != 200 {
                return Ok(Err(reply));
            }
            match reply.body {
                Value::Array(page) => items.extend(page),
                // Some lists come wrapped (`{"total_count": n, "environments": [...]}`).
                Value::Object(ref map) => {
                    let list = map.values().find_map(Value::as_array);
                    items.extend(list.into_iter().flatten().cloned());
                }
                _ => {}
            }
            pages += 1;
            if pages >= MAX_PAGES {
                if reply.next.is_some() {
                    self.step(format!(
                        "{} has more than {MAX_PAGES} pages; read the first ones",
                        short(path)
                    ));
                }
                break;
            }
            next = reply.next;
        }
        Ok(Ok(items))
    }

    async fn once(&self, path: &str) -> Result<Reply, String> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "x-github-api-version",
            HeaderValue::from_static("2022-11-28"),
        );
        let response = self
            .octo
            ._get_with_headers(path, Some(headers))
            .await
            .map_err(|e| format!("cannot reach GitHub at {}: {}", self.base, one_line(&e)))?;
        let status = response.status().as_u16();
        let hints = Hints::from(response.headers());
        let next = response
            .headers()
            .get(http::header::LINK)
            .and_then(|v| v.to_str().ok())
            .and_then(next_link);
        let text = self.octo.body_to_string(response).await.map_err(|e| {
            format!(
                "GitHub's answer for {} was cut off: {}",
                short(path),
                one_line(&e)
            )
        })?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        tracing::debug!(path = short(path), status, "github answered");
        Ok(Reply {
            status,
            hints,
            body,
            next,
        })
    }

    fn step(&self, message: String) {
        announce(
            self.progress,
            Progress::Step {
                source: SourceKind::Github,
                message,
            },
        );
    }
}

/// The URL of `rel="next"` in a `Link` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// The path of a request without its query, for messages.
fn short(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

fn one_line(error: &octocrab::Error) -> String {
    // octocrab's Display is terse; the source chain names the cause (refused, DNS, TLS).
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    crate::sanitize::one_line(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_is_found_among_others() {
        let header = "<https://api.github.com/x?page=2>; rel=\"next\", \
                      <https://api.github.com/x?page=9>; rel=\"last\"";
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://api.github.com/x?page=2")
        );
        assert_eq!(next_link("<https://a/x?page=1>; rel=\"prev\""), None);
    }

    #[test]
    fn permission_comes_from_headers_before_the_fallback() {
        let fine = Hints {
            accepted_permissions: Some("administration=read".into()),
            ..Hints::default()
        };
        assert_eq!(fine.missing_permission("x"), "administration:read");
        let either = Hints {
            accepted_permissions: Some("contents=read,metadata=read; administration=write".into()),
            ..Hints::default()
        };
        assert_eq!(
            either.missing_permission("x"),
            "contents:read and metadata:read, or administration:write"
        );
        let classic = Hints {
            accepted_scopes: Some("repo".into()),
            token_scopes: Some("read:org, gist".into()),
            ..Hints::default()
        };
        assert_eq!(classic.missing_permission("x"), "classic scope repo");
        let had = Hints {
            accepted_scopes: Some("repo".into()),
            token_scopes: Some("repo".into()),
            ..Hints::default()
        };
        assert_eq!(
            had.missing_permission("administration:read"),
            "administration:read"
        );
    }

    #[test]
    fn rate_limits_are_told_from_refusals() {
        let limited = Hints {
            rate_remaining: Some(0),
            ..Hints::default()
        };
        assert!(limited.rate_limited(403));
        assert!(!Hints::default().rate_limited(403));
        let secondary = Reply {
            status: 403,
            hints: Hints::default(),
            body: serde_json::json!({"message": "You have exceeded a secondary rate limit."}),
            next: None,
        };
        assert!(secondary.rate_limited());
    }
}
