//! Which repository to audit: `--repo owner/name`, else the `origin` remote of the path.

use std::path::Path;

/// `owner/name` when `text` is one: two non-empty parts of GitHub's name characters.
pub fn parse_slug(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('/');
    let text = text.strip_suffix(".git").unwrap_or(text);
    let (owner, name) = text.split_once('/')?;
    let valid = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (valid(owner) && valid(name)).then(|| format!("{owner}/{name}"))
}

/// The host and `owner/name` of a remote URL in the https, ssh or scp-like form
/// (`https://github.com/o/r.git`, `ssh://git@github.com/o/r`, `git@github.com:o/r.git`).
pub fn parse_remote(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/')?;
        let host = authority.rsplit('@').next()?;
        (host.split(':').next()?.to_string(), path)
    } else {
        // scp-like: [user@]host:owner/name
        let (authority, path) = url.split_once(':')?;
        (authority.rsplit('@').next()?.to_string(), path)
    };
    Some((host.to_ascii_lowercase(), parse_slug(path)?))
}

/// The URL of the `origin` remote of the git checkout at or above `root`, read from
/// `.git/config` (a worktree's `.git` file is followed to its common directory).
pub fn origin_url(root: &Path) -> Option<String> {
    let start = root.canonicalize().ok()?;
    let dir = start.ancestors().find(|d| d.join(".git").exists())?;
    let config = git_config_path(&dir.join(".git"))?;
    let text = std::fs::read_to_string(config).ok()?;
    origin_in_config(&text)
}

fn git_config_path(dot_git: &Path) -> Option<std::path::PathBuf> {
    if dot_git.is_dir() {
        return Some(dot_git.join("config"));
    }
    // A worktree: `.git` says `gitdir: <main>/.git/worktrees/<name>`, whose `commondir`
    // leads back to the main repository, where the remotes are configured.
    let text = std::fs::read_to_string(dot_git).ok()?;
    let gitdir = Path::new(text.trim().strip_prefix("gitdir:")?.trim()).to_path_buf();
    let common = std::fs::read_to_string(gitdir.join("commondir"))
        .ok()
        .map_or_else(|| gitdir.clone(), |c| gitdir.join(c.trim()));
    Some(common.join("config"))
}

/// The `url` of `[remote "origin"]` in a git config file's text.
pub fn origin_in_config(text: &str) -> Option<String> {
    let mut in_origin = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line.replace(' ', "") == "[remote\"origin\"]";
            continue;
        }
        if in_origin
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "url"
        {
            return Some(value.trim().trim_matches('"').to_string());
        }
    }
    None
}

/// Whether `host` serves GitHub for the API root `api_url` (github.com, or the GHES host).
pub fn is_github_host(host: &str, api_url: &str) -> bool {
    if host == "github.com" || host == "ssh.github.com" || host == "www.github.com" {
        return true;
    }
    let api_host = api_url
        .split_once("://")
        .map_or(api_url, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    let api_host = api_host.strip_prefix("api.").unwrap_or(api_host);
    !api_host.is_empty() && api_host != "github.com" && host == api_host.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_in_every_form() {
        let want = Some(("github.com".to_string(), "octo/hello-world".to_string()));
        assert_eq!(
            parse_remote("https://github.com/octo/hello-world.git"),
            want
        );
        assert_eq!(
            parse_remote("https://user@github.com/octo/hello-world"),
            want
        );
        assert_eq!(parse_remote("git@github.com:octo/hello-world.git"), want);
        assert_eq!(
            parse_remote("ssh://git@github.com:22/octo/hello-world.git"),
            want
        );
        assert_eq!(parse_remote("https://github.com/octo"), None);
        assert_eq!(parse_remote("/srv/git/project.git"), None);
    }

    #[test]
    fn slugs_are_checked() {
        assert_eq!(parse_slug("o/r").as_deref(), Some("o/r"));
        assert_eq!(parse_slug("o/r/x"), None);
        assert_eq!(parse_slug("o r/x"), None);
        assert_eq!(parse_slug("/r"), None);
    }

    #[test]
    fn origin_is_read_from_config() {
        let text = "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = git@github.com:a/b\n\
                    [remote \"origin\"]\n\turl = https://github.com/c/d.git\n";
        assert_eq!(
            origin_in_config(text).as_deref(),
            Some("https://github.com/c/d.git")
        );
    }

    #[test]
    fn enterprise_hosts_follow_the_api_url() {
        assert!(is_github_host("github.com", "https://api.github.com"));
        assert!(is_github_host("ghe.acme.io", "https://ghe.acme.io/api/v3"));
        assert!(!is_github_host("gitlab.com", "https://api.github.com"));
    }
}
