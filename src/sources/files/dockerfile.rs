//! Dockerfiles parsed with `parse-dockerfile`, reduced to stages and instructions.

use std::sync::LazyLock;

use parse_dockerfile::{Flag, Instruction};
use regex::{Captures, Regex};

use crate::evidence::{DockerInstruction, DockerStage, Dockerfile};
use crate::secrets;

/// Parses a Dockerfile. The error names the line and column where parsing failed.
pub fn parse(path: &str, text: &str) -> Result<Dockerfile, String> {
    let mut moved = None;
    let parsed = parse_tolerantly(text, &mut moved)?;
    let lines = LineIndex::new(text);

    let known: Vec<(&Instruction<'_>, std::ops::Range<usize>)> = parsed
        .instructions
        .iter()
        .filter_map(|i| keyword_span(i).map(|span| (i, span)))
        .collect();
    let mut stages: Vec<DockerStage> = Vec::new();
    let mut preamble: Vec<DockerInstruction> = Vec::new();
    for (index, (instruction, span)) in known.iter().enumerate() {
        let (instruction, span) = (*instruction, span.clone());
        let end = known
            .get(index + 1)
            .map_or(text.len(), |(_, next)| next.start);
        let line = lines.line(span.start);

        if let Instruction::From(from) = instruction {
            stages.push(DockerStage {
                name: from.as_.as_ref().map(|(_, name)| name.value.to_string()),
                base: from.image.value.to_string(),
                line,
                instructions: Vec::new(),
            });
            continue;
        }
        let keyword = text[span.clone()].to_ascii_uppercase();
        let flags: Vec<String> = flags_of(instruction)
            .iter()
            .map(|f| flag_text(text, f))
            .collect();
        let raw = instruction_body(&text[span.end..end]);
        let arguments = strip_flags(&raw, flags.len());
        let arguments = redact_instruction(&keyword, &arguments);
        let parsed = DockerInstruction {
            keyword,
            line,
            flags,
            arguments,
            heredocs: heredocs_of(instruction),
        };
        // Only ARG may precede the first FROM; it configures FROM lines, not a stage, so
        // it is kept apart for the checks that resolve `FROM ${BASE}`.
        match stages.last_mut() {
            Some(stage) => stage.instructions.push(parsed),
            None => preamble.push(parsed),
        }
    }
    Ok(Dockerfile {
        path: path.to_string(),
        stages,
        preamble,
    })
}

/// Parses `text`, retrying once with heredoc markers moved (kept alive in `moved`).
///
/// The parser only accepts a heredoc right after `RUN` and its flags, so a common form
/// such as `RUN cat <<EOF > /etc/app.conf` would lose the whole file. The rewrite keeps
/// every byte offset, so lines, spans and the arguments read from the original text stay
/// right.
fn parse_tolerantly<'t>(
    text: &'t str,
    moved: &'t mut Option<String>,
) -> Result<parse_dockerfile::Dockerfile<'t>, String> {
    let describe = |e: parse_dockerfile::Error| {
        // The parser's message usually names the position already; say it once.
        let message = e.to_string();
        if message.contains("line") {
            format!("not a valid Dockerfile: {message}")
        } else {
            format!(
                "not a valid Dockerfile: {message} at line {}, column {}",
                e.line(),
                e.column()
            )
        }
    };
    match parse_dockerfile::parse(text) {
        Ok(parsed) => Ok(parsed),
        Err(e) => {
            let original = describe(e);
            let retry = moved.insert(move_heredoc_markers(text).ok_or_else(|| original.clone())?);
            parse_dockerfile::parse(retry).map_err(|_| original)
        }
    }
}

/// `text` with each `RUN` line's single heredoc marker moved to the start of the command
/// (`RUN cat <<EOF > f` becomes `RUN <<EOF cat > f`), or `None` when no line needed it.
fn move_heredoc_markers(text: &str) -> Option<String> {
    static RUN_LINE: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(r"(?i)^(\s*RUN\s+(?:--\S+\s+)*)(\S.*)$").unwrap()
    });
    static MARKER: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(r#"\s<<-?(?:'[^']*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_]*)"#).unwrap()
    });
    let mut changed = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let rewritten = RUN_LINE.captures(body).and_then(|c| {
            let (prefix, command) = (c.get(1)?.as_str(), c.get(2)?.as_str());
            let mut markers = MARKER.find_iter(command);
            let marker = markers.next()?;
            if markers.next().is_some() || command.starts_with("<<") {
                return None;
            }
            let rest = format!("{}{}", &command[..marker.start()], &command[marker.end()..]);
            Some(format!("{prefix}{} {rest}", marker.as_str().trim_start()))
        });
        match rewritten {
            Some(new) => {
                changed = true;
                out.push_str(&new);
                out.push_str(&line[body.len()..]);
            }
            None => out.push_str(line),
        }
    }
    changed.then_some(out)
}

/// `ENV` and `ARG` values under secret-looking names are replaced at collection; shell
/// commands lose the credentials they carry inline.
fn redact_instruction(keyword: &str, arguments: &str) -> String {
    match keyword {
        "ENV" | "ARG" | "LABEL" => secrets::redact_assignments(arguments),
        "RUN" | "CMD" | "ENTRYPOINT" | "HEALTHCHECK" | "ONBUILD" => redact_shell(arguments),
        _ => secrets::redact_known(arguments),
    }
}

/// Redacts what a shell command carries inline: `NAME=value` assignments to secret-looking
/// names, `Bearer`/`Basic` credentials and the password of a URL, then known formats.
///
/// Only `=` assignments count: in a command, `NAME value` is usually an argument such as
/// `echo token`, and rewriting it would hide what the command does from the checks.
fn redact_shell(text: &str) -> String {
    static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)] // A literal, covered by the tests below.
        Regex::new(r#"\b(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>"[^"]*"|'[^']*'|[^\s;&|]+)"#)
            .unwrap()
    });
    static HEADER: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)] // A literal, covered by the tests below.
        Regex::new(r"(?i)\b(?P<scheme>bearer|basic|token)\s+(?P<value>[A-Za-z0-9._~+/=-]{8,})")
            .unwrap()
    });
    static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)] // A literal, covered by the tests below.
        Regex::new(r"(?P<prefix>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]+:)(?P<value>[^\s@/]+)@").unwrap()
    });

    let text = ASSIGNMENT.replace_all(text, |c: &Captures<'_>| {
        let value = c["value"].trim_matches(['"', '\'']);
        if secrets::is_secret_name(&c["name"]) && !secrets::is_placeholder(value) {
            format!(
                "{}={}",
                &c["name"],
                secrets::redaction("generic-secret", value)
            )
        } else {
            c[0].to_string()
        }
    });
    let text = HEADER.replace_all(&text, |c: &Captures<'_>| {
        let kind = format!("{}-credential", c["scheme"].to_ascii_lowercase());
        format!(
            "{} {}",
            &c["scheme"],
            secrets::redaction(&kind, &c["value"])
        )
    });
    let text = URL_PASSWORD.replace_all(&text, |c: &Captures<'_>| {
        if secrets::is_placeholder(&c["value"]) {
            c[0].to_string()
        } else {
            format!(
                "{}{}@",
                &c["prefix"],
                secrets::redaction("url-password", &c["value"])
            )
        }
    });
    secrets::redact_known(&text)
}

fn keyword_span(instruction: &Instruction<'_>) -> Option<std::ops::Range<usize>> {
    Some(match instruction {
        Instruction::Add(i) => i.add.span.clone(),
        Instruction::Arg(i) => i.arg.span.clone(),
        Instruction::Cmd(i) => i.cmd.span.clone(),
        Instruction::Copy(i) => i.copy.span.clone(),
        Instruction::Entrypoint(i) => i.entrypoint.span.clone(),
        Instruction::Env(i) => i.env.span.clone(),
        Instruction::Expose(i) => i.expose.span.clone(),
        Instruction::From(i) => i.from.span.clone(),
        Instruction::Healthcheck(i) => i.healthcheck.span.clone(),
        Instruction::Label(i) => i.label.span.clone(),
        Instruction::Maintainer(i) => i.maintainer.span.clone(),
        Instruction::Onbuild(i) => i.onbuild.span.clone(),
        Instruction::Run(i) => i.run.span.clone(),
        Instruction::Shell(i) => i.shell.span.clone(),
        Instruction::Stopsignal(i) => i.stopsignal.span.clone(),
        Instruction::User(i) => i.user.span.clone(),
        Instruction::Volume(i) => i.volume.span.clone(),
        Instruction::Workdir(i) => i.workdir.span.clone(),
        // The parser's enum is non-exhaustive; an instruction added upstream is skipped.
        _ => return None,
    })
}

fn flags_of<'i, 'a>(instruction: &'i Instruction<'a>) -> &'i [Flag<'a>] {
    match instruction {
        Instruction::Add(i) => &i.options,
        Instruction::Copy(i) => &i.options,
        Instruction::Run(i) => &i.options,
        Instruction::Healthcheck(i) => &i.options,
        _ => &[],
    }
}

fn flag_text(text: &str, flag: &Flag<'_>) -> String {
    let name = flag.name.value.as_ref();
    match &flag.value {
        Some(value) => format!("--{name}={}", value.value),
        None => {
            let _ = text;
            format!("--{name}")
        }
    }
}

fn heredocs_of(instruction: &Instruction<'_>) -> Vec<String> {
    match instruction {
        Instruction::Run(run) => run
            .here_docs
            .iter()
            .map(|h| redact_shell(&h.value))
            .collect(),
        _ => Vec::new(),
    }
}

/// The text of an instruction after its keyword: continuation lines joined, comment lines
/// inside it dropped, heredoc bodies left out (they are kept separately).
fn instruction_body(raw: &str) -> String {
    let mut out = String::new();
    for line in raw.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') && !out.is_empty() {
            continue;
        }
        let continued = trimmed.ends_with('\\');
        out.push_str(trimmed.trim_end_matches('\\').trim_end());
        if !continued {
            break;
        }
        out.push(' ');
    }
    out.trim().to_string()
}

/// Drops the first `count` `--flag` words, which are kept separately.
fn strip_flags(body: &str, count: usize) -> String {
    let mut rest = body;
    for _ in 0..count {
        rest = rest.trim_start();
        if !rest.starts_with("--") {
            break;
        }
        rest = rest.find(char::is_whitespace).map_or("", |i| &rest[i..]);
    }
    rest.trim().to_string()
}

/// Maps byte offsets to 1-based line numbers.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line containing byte `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        let index = self.starts.partition_point(|s| *s <= offset);
        u32::try_from(index.max(1)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_users_and_lines() {
        let text = "ARG V=1\nFROM node:20 AS build\nRUN --mount=type=cache,target=/root/.npm \\\n    npm ci\n\nFROM build\nUSER 10001\n";
        let file = parse("Dockerfile", text).unwrap();
        assert_eq!(file.stages.len(), 2);
        assert_eq!(file.preamble.len(), 1);
        assert_eq!(file.preamble[0].arguments, "V=1");
        assert_eq!(file.stages[0].name.as_deref(), Some("build"));
        assert_eq!(file.stages[0].line, 2);
        let run = &file.stages[0].instructions[0];
        assert_eq!(run.keyword, "RUN");
        assert_eq!(run.line, 3);
        assert_eq!(run.flags, vec!["--mount=type=cache,target=/root/.npm"]);
        assert_eq!(run.arguments, "npm ci");
        assert_eq!(file.stages[1].base, "build");
        assert_eq!(file.stages[1].instructions[0].arguments, "10001");
        assert_eq!(file.stages[1].instructions[0].line, 7);
    }

    #[test]
    fn heredocs_are_kept() {
        let text = "# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN <<EOF\napk add curl\nEOF\n";
        let file = parse("Dockerfile", text).unwrap();
        let run = &file.stages[0].instructions[0];
        assert_eq!(run.heredocs.len(), 1);
        assert!(run.heredocs[0].contains("apk add curl"));
    }

    #[test]
    fn shell_credentials_are_redacted() {
        let value = "Qz8vLm3NpR7sT2wX";
        for command in [
            format!("DB_PASSWORD={value} ./migrate"),
            format!("export API_TOKEN=\"{value}\" && run"),
            format!("curl -H \"Authorization: Bearer {value}\" https://example.com"),
            format!("git clone https://bot:{value}@example.com/repo.git"),
        ] {
            let redacted = redact_shell(&command);
            assert!(!redacted.contains(value), "{redacted}");
            assert!(redacted.contains("[redacted"), "{redacted}");
        }
        assert_eq!(redact_shell("echo token; make"), "echo token; make");
        assert_eq!(
            redact_shell("PASSWORD=$DB_PASS ./x"),
            "PASSWORD=$DB_PASS ./x"
        );
    }

    #[test]
    fn heredocs_after_a_command_keep_lines_and_arguments() {
        let text = "FROM alpine:3.20\nRUN cat <<'EOF' > /etc/app.conf\nkey = 1\nEOF\nUSER 10001\n";
        let file = parse("Dockerfile", text).unwrap();
        let run = &file.stages[0].instructions[0];
        assert_eq!(run.arguments, "cat <<'EOF' > /etc/app.conf");
        assert_eq!(run.heredocs, vec!["key = 1\n"]);
        assert_eq!(file.stages[0].instructions[1].line, 5);
    }

    #[test]
    fn garbage_is_an_error_with_a_position() {
        let err = parse("Dockerfile", "FROM\nNOTANINSTRUCTION foo\n").unwrap_err();
        assert!(err.contains("line"), "{err}");
    }
}
