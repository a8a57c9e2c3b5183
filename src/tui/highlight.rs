//! A small syntax highlighter for remediation snippets: YAML, Dockerfile, shell and JSON.
//!
//! Snippets are a dozen lines written by us, so a line-by-line scanner that colours
//! comments, keys, strings and keywords is enough; a full grammar would cost more than it
//! shows.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme::Theme;

const SHELL_WORDS: &[&str] = &[
    "if", "then", "else", "fi", "for", "do", "done", "case", "esac", "set", "export", "sudo",
    "run", "curl", "docker", "kubectl", "gh", "cosign", "apt-get", "echo",
];

const DOCKERFILE_WORDS: &[&str] = &[
    "FROM",
    "RUN",
    "COPY",
    "ADD",
    "USER",
    "WORKDIR",
    "ENV",
    "ARG",
    "EXPOSE",
    "ENTRYPOINT",
    "CMD",
    "HEALTHCHECK",
    "LABEL",
    "VOLUME",
    "SHELL",
    "ONBUILD",
    "STOPSIGNAL",
    "AS",
];

/// Highlights `code` in `language`; unknown languages come back as plain text.
pub fn highlight(language: &str, code: &str, theme: &Theme) -> Vec<Line<'static>> {
    code.lines()
        .map(|line| {
            let line = crate::sanitize::one_line(line).replace('\t', "    ");
            match language {
                "yaml" => yaml(&line, theme),
                "dockerfile" => dockerfile(&line, theme),
                "shell" | "sh" | "bash" => shell(&line, theme),
                "json" => json(&line, theme),
                _ => Line::from(Span::styled(line, theme.text())),
            }
        })
        .collect()
}

/// Splits off a trailing `#` comment that is not inside quotes.
fn split_comment(line: &str) -> (&str, &str) {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('#', None) if i == 0 || line[..i].ends_with(char::is_whitespace) => {
                return (&line[..i], &line[i..]);
            }
            _ => {}
        }
    }
    (line, "")
}

fn yaml(line: &str, theme: &Theme) -> Line<'static> {
    let (code, comment) = split_comment(line);
    let mut spans = Vec::new();
    let trimmed = code.trim_start();
    let indent = &code[..code.len() - trimmed.len()];
    spans.push(Span::raw(indent.to_string()));
    let (dash, rest) = match trimmed.strip_prefix("- ") {
        Some(rest) => ("- ", rest),
        None => ("", trimmed),
    };
    spans.push(Span::styled(dash.to_string(), theme.muted()));
    match rest
        .find(": ")
        .or_else(|| rest.strip_suffix(':').map(str::len))
    {
        Some(colon) if !rest.starts_with(['"', '\'']) => {
            spans.push(Span::styled(
                rest[..colon].to_string(),
                theme.fg(theme.code_key),
            ));
            spans.push(Span::styled(":".to_string(), theme.muted()));
            spans.push(value(rest.get(colon + 1..).unwrap_or(""), theme));
        }
        _ => spans.push(value(rest, theme)),
    }
    push_comment(&mut spans, comment, theme);
    Line::from(spans)
}

/// A scalar value: strings, numbers and booleans get the string colour.
fn value(text: &str, theme: &Theme) -> Span<'static> {
    let bare = text.trim();
    let literal = bare.starts_with(['"', '\''])
        || bare.parse::<f64>().is_ok()
        || matches!(bare, "true" | "false" | "null" | "~");
    let style = if literal {
        theme.fg(theme.code_string)
    } else {
        theme.text()
    };
    Span::styled(text.to_string(), style)
}

fn dockerfile(line: &str, theme: &Theme) -> Line<'static> {
    if line.trim_start().starts_with('#') {
        return Line::from(Span::styled(line.to_string(), theme.fg(theme.code_comment)));
    }
    let trimmed = line.trim_start();
    let word_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    let word = &trimmed[..word_end];
    if DOCKERFILE_WORDS.contains(&word.to_ascii_uppercase().as_str()) {
        let indent = &line[..line.len() - trimmed.len()];
        let mut spans = vec![
            Span::raw(indent.to_string()),
            Span::styled(word.to_string(), theme.fg(theme.code_keyword)),
        ];
        spans.extend(words(&trimmed[word_end..], &[], theme));
        Line::from(spans)
    } else {
        Line::from(words(line, SHELL_WORDS, theme))
    }
}

fn shell(line: &str, theme: &Theme) -> Line<'static> {
    let (code, comment) = split_comment(line);
    let mut spans = words(code, SHELL_WORDS, theme);
    push_comment(&mut spans, comment, theme);
    Line::from(spans)
}

/// Colours keywords, quoted strings and `--flags` word by word, keeping the spacing.
fn words(text: &str, keywords: &[&str], theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let space = rest.len() - rest.trim_start().len();
        if space > 0 {
            spans.push(Span::raw(rest[..space].to_string()));
            rest = &rest[space..];
            continue;
        }
        let end = token_end(rest);
        let token = &rest[..end];
        spans.push(Span::styled(
            token.to_string(),
            word_style(token, keywords, theme),
        ));
        rest = &rest[end..];
    }
    spans
}

/// The end of the token at the start of `text`: a quoted string or a run of non-space.
fn token_end(text: &str) -> usize {
    let mut chars = text.char_indices();
    match chars.next() {
        Some((_, q @ ('"' | '\''))) => chars
            .find(|(_, c)| *c == q)
            .map_or(text.len(), |(i, c)| i + c.len_utf8()),
        _ => text.find(char::is_whitespace).unwrap_or(text.len()),
    }
}

fn word_style(token: &str, keywords: &[&str], theme: &Theme) -> Style {
    if token.starts_with(['"', '\'']) {
        theme.fg(theme.code_string)
    } else if keywords.contains(&token) {
        theme.fg(theme.code_keyword)
    } else if token.starts_with('-') || token.starts_with('$') {
        theme.fg(theme.code_key)
    } else {
        theme.text()
    }
}

fn json(line: &str, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let Some(start) = rest.find('"') else {
            spans.push(Span::styled(rest.to_string(), theme.text()));
            break;
        };
        spans.push(Span::styled(rest[..start].to_string(), theme.text()));
        let end = rest[start + 1..]
            .find('"')
            .map_or(rest.len(), |i| start + i + 2);
        let string = &rest[start..end];
        let is_key = rest[end..].trim_start().starts_with(':');
        let colour = if is_key {
            theme.code_key
        } else {
            theme.code_string
        };
        spans.push(Span::styled(string.to_string(), theme.fg(colour)));
        rest = &rest[end..];
    }
    Line::from(spans)
}

fn push_comment(spans: &mut Vec<Span<'static>>, comment: &str, theme: &Theme) {
    if !comment.is_empty() {
        spans.push(Span::styled(
            comment.to_string(),
            theme.fg(theme.code_comment),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styled(lines: &[Line<'_>], text: &str) -> Option<Style> {
        lines
            .iter()
            .flat_map(|l| &l.spans)
            .find(|s| s.content.trim() == text)
            .map(|s| s.style)
    }

    #[test]
    fn yaml_keys_strings_and_comments_differ() {
        let theme = Theme::default();
        let lines = highlight(
            "yaml",
            "securityContext:\n  runAsNonRoot: true # why",
            &theme,
        );
        assert_eq!(
            styled(&lines, "runAsNonRoot"),
            Some(theme.fg(theme.code_key))
        );
        assert_eq!(styled(&lines, "true"), Some(theme.fg(theme.code_string)));
        assert_eq!(styled(&lines, "# why"), Some(theme.fg(theme.code_comment)));
    }

    #[test]
    fn dockerfile_instructions_are_keywords() {
        let theme = Theme::default();
        let lines = highlight("dockerfile", "USER 10001\nRUN echo \"hi\"", &theme);
        assert_eq!(styled(&lines, "USER"), Some(theme.fg(theme.code_keyword)));
        assert_eq!(styled(&lines, "\"hi\""), Some(theme.fg(theme.code_string)));
    }

    #[test]
    fn json_keys_and_values_differ() {
        let theme = Theme::default();
        let lines = highlight("json", "{\"a\": \"b\"}", &theme);
        assert_eq!(styled(&lines, "\"a\""), Some(theme.fg(theme.code_key)));
        assert_eq!(styled(&lines, "\"b\""), Some(theme.fg(theme.code_string)));
    }

    #[test]
    fn shell_flags_and_comments() {
        let theme = Theme::default();
        let lines = highlight("shell", "cosign verify --key k # check", &theme);
        assert_eq!(styled(&lines, "--key"), Some(theme.fg(theme.code_key)));
        assert_eq!(
            styled(&lines, "# check"),
            Some(theme.fg(theme.code_comment))
        );
        assert_eq!(styled(&lines, "cosign"), Some(theme.fg(theme.code_keyword)));
    }

    #[test]
    fn control_characters_never_survive() {
        let lines = highlight("yaml", "name: \u{1b}[2Jx", &Theme::default());
        assert!(
            lines
                .iter()
                .flat_map(|l| &l.spans)
                .all(|s| !s.content.contains('\u{1b}'))
        );
    }
}
