//! Just enough shell to find the commands a `RUN` instruction executes.
//!
//! Dockerfile checks ask "which programs run, with which words", not "does this text
//! contain `sudo`": the package `sudo` being installed or a path mentioning `-k` must not
//! count. This is not a shell parser; it splits on the operators that start a new command,
//! honours quotes, and looks through the wrappers people put in front of commands.

use crate::evidence::DockerInstruction;

/// One simple command: its words with quotes removed, assignments in front dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// `NAME=value` words written before the program.
    pub assignments: Vec<String>,
    pub words: Vec<String>,
}

impl Command {
    /// The program's base name (`/usr/bin/sudo` → `sudo`), or empty.
    pub fn program(&self) -> &str {
        self.words
            .first()
            .map_or("", |w| w.rsplit('/').next().unwrap_or(w))
    }

    /// The words after the program.
    pub fn args(&self) -> &[String] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// Whether any argument is `flag` or `flag=…`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.args()
            .iter()
            .any(|a| a == flag || a.strip_prefix(flag).is_some_and(|r| r.starts_with('=')))
    }

    /// Whether the first argument that is not an option is one of `subs`
    /// (`apt-get -y -o Opt=1 install` is an install).
    pub fn subcommand_is(&self, subs: &[&str]) -> bool {
        let mut args = self.args().iter();
        while let Some(arg) = args.next() {
            if OPTIONS_WITH_VALUE.contains(&arg.as_str()) {
                args.next();
            } else if !arg.starts_with('-') {
                return subs.contains(&arg.as_str());
            }
        }
        false
    }
}

/// Package-manager options written with their value as the next word.
const OPTIONS_WITH_VALUE: &[&str] = &[
    "-o",
    "-c",
    "-t",
    "-X",
    "--option",
    "--repository",
    "--root",
    "--installroot",
    "--enablerepo",
    "--disablerepo",
];

/// Wrappers that run the next word as the program.
const WRAPPERS: &[&str] = &["exec", "env", "nohup", "time", "xargs", "command", "nice"];

/// Shells whose `-c` argument is itself a script.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "busybox"];

/// Every command a `RUN` instruction executes: its arguments, then any heredoc that the
/// shell reads as a script (not one that `cat` writes to a file or `python` reads).
pub fn run_commands(run: &DockerInstruction) -> Vec<Command> {
    let mut commands = match exec_form(&run.arguments) {
        Some(words) => {
            let mut out = Vec::new();
            push_command(words, &mut out, 0);
            out
        }
        None => commands(&run.arguments),
    };
    let script_heredocs = commands
        .first()
        .is_none_or(|c| c.words.is_empty() || is_shell(c.program()) || heredoc_only(c));
    if script_heredocs {
        for body in &run.heredocs {
            commands.extend(self::commands(body));
        }
    }
    commands
}

/// The words of an exec-form instruction (`RUN ["sudo", "make"]`), which no shell splits.
fn exec_form(arguments: &str) -> Option<Vec<String>> {
    let trimmed = arguments.trim();
    if !trimmed.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(trimmed).ok()
}

fn heredoc_only(command: &Command) -> bool {
    command.words.first().is_some_and(|w| w.starts_with("<<"))
}

fn is_shell(program: &str) -> bool {
    SHELLS.contains(&program)
}

/// Splits a script into simple commands, looking into `sh -c '…'` and through wrappers.
pub fn commands(script: &str) -> Vec<Command> {
    let mut out = Vec::new();
    for words in split_commands(script) {
        push_command(words, &mut out, 0);
    }
    out
}

fn push_command(words: Vec<String>, out: &mut Vec<Command>, depth: usize) {
    let mut words = words.into_iter().peekable();
    let mut assignments = Vec::new();
    while let Some(word) = words.next_if(|w| is_assignment(w)) {
        assignments.push(word);
    }
    let mut words: Vec<String> = words.collect();

    // `sudo apt-get install` is two commands for our purposes: sudo itself, and what it
    // runs, so checks on apt-get still see the install.
    let program = words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w).to_string());
    let Some(program) = program else {
        if !assignments.is_empty() {
            out.push(Command { assignments, words });
        }
        return;
    };
    if depth < 4
        && is_shell(&program)
        && let Some(script) = shell_script(&words)
    {
        out.push(Command {
            assignments,
            words: words.clone(),
        });
        for inner in split_commands(&script) {
            push_command(inner, out, depth + 1);
        }
        return;
    }
    if depth < 4 && (WRAPPERS.contains(&program.as_str()) || program == "sudo") {
        let inner_start = inner_program(&program, &words);
        let inner = inner_start.map(|i| words.split_off(i)).unwrap_or_default();
        out.push(Command { assignments, words });
        if !inner.is_empty() {
            push_command(inner, out, depth + 1);
        }
        return;
    }
    out.push(Command { assignments, words });
}

/// Where the wrapped program starts: the first word after the wrapper's own options (and,
/// for `env`, its assignments; for `sudo`, the values of `-u` and `-g`).
fn inner_program(wrapper: &str, words: &[String]) -> Option<usize> {
    let mut index = 1;
    while let Some(word) = words.get(index) {
        let takes_value = wrapper == "sudo" && matches!(word.as_str(), "-u" | "-g" | "-C");
        if takes_value {
            index += 2;
        } else if word.starts_with('-') || (wrapper == "env" && is_assignment(word)) {
            index += 1;
        } else {
            return Some(index);
        }
    }
    None
}

fn shell_script(words: &[String]) -> Option<String> {
    // `-c`, and option clusters that end in it such as `-ec` or `-euxc`.
    let c = words
        .iter()
        .position(|w| w.starts_with('-') && !w.starts_with("--") && w.ends_with('c'))?;
    words.get(c + 1).cloned()
}

fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// Splits at `;`, `&`, `|`, newlines, parentheses and backticks outside quotes, and into
/// words at whitespace. A backslash-newline joins lines; shell keywords are dropped so
/// that `then sudo x` is the command `sudo x`.
fn split_commands(script: &str) -> Vec<Vec<String>> {
    let mut splitter = Splitter::default();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match (splitter.quote, c) {
            (Some(q), c) if c == q => splitter.quote = None,
            (Some('"'), '\\') => splitter.push_escaped(chars.next()),
            (Some(_), c) => splitter.push(c),
            (None, '\'' | '"') => {
                splitter.quote = Some(c);
                splitter.in_word = true;
            }
            (None, '\\') => splitter.push_escaped(chars.next().filter(|c| *c != '\n')),
            (None, '#') if !splitter.in_word => {
                // A comment runs to the end of the line.
                while chars.next_if(|c| *c != '\n').is_some() {}
            }
            (None, ';' | '&' | '|' | '\n' | '(' | ')' | '`' | '{' | '}') => splitter.end_command(),
            (None, '$') if chars.peek() == Some(&'{') => {
                // `${VAR}` is one word, not a group of commands.
                splitter.push('$');
                while let Some(c) = chars.next_if(|c| *c != '}') {
                    splitter.push(c);
                }
                splitter.push_escaped(chars.next());
            }
            (None, '$') if chars.peek() == Some(&'(') => {
                chars.next();
                splitter.end_command();
            }
            (None, c) if c.is_whitespace() => splitter.end_word(),
            (None, c) => splitter.push(c),
        }
    }
    splitter.end_command();
    splitter.commands
}

/// The state of [`split_commands`] between characters.
#[derive(Default)]
struct Splitter {
    commands: Vec<Vec<String>>,
    words: Vec<String>,
    word: String,
    /// Whether a word has started, so that `''` is an (empty) word.
    in_word: bool,
    quote: Option<char>,
}

impl Splitter {
    fn push(&mut self, c: char) {
        self.word.push(c);
        self.in_word = true;
    }

    fn push_escaped(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.push(c);
        }
    }

    fn end_word(&mut self) {
        if self.in_word {
            let keyword = self.words.is_empty() && KEYWORDS.contains(&self.word.as_str());
            let word = std::mem::take(&mut self.word);
            if !keyword {
                self.words.push(word);
            }
        }
        self.in_word = false;
    }

    fn end_command(&mut self) {
        self.end_word();
        if !self.words.is_empty() {
            self.commands.push(std::mem::take(&mut self.words));
        }
    }
}

/// Shell words that introduce a command rather than being one.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(script: &str) -> Vec<String> {
        commands(script)
            .iter()
            .map(|c| c.program().to_string())
            .collect()
    }

    #[test]
    fn splits_on_operators_and_keeps_quotes_together() {
        let cmds = commands("apt-get update && apt-get install -y 'a b' ; echo \"x;y\" | tee f");
        assert_eq!(cmds.len(), 4);
        assert_eq!(cmds[1].words, vec!["apt-get", "install", "-y", "a b"]);
        assert_eq!(cmds[2].words, vec!["echo", "x;y"]);
    }

    #[test]
    fn sudo_and_shell_wrappers_expose_the_inner_command() {
        assert_eq!(
            programs("sudo -E apt-get install x"),
            vec!["sudo", "apt-get"]
        );
        assert_eq!(
            programs("sh -c 'sudo make install'"),
            vec!["sh", "sudo", "make"]
        );
        assert_eq!(
            programs("if true; then sudo ls; fi"),
            vec!["true", "sudo", "ls"]
        );
        assert_eq!(programs("apt-get install -y sudo"), vec!["apt-get"]);
        assert_eq!(programs("sudo -u app npm ci"), vec!["sudo", "npm"]);
        assert_eq!(programs("echo ${A} && ls"), vec!["echo", "ls"]);
    }

    #[test]
    fn assignments_before_a_program_are_kept_apart() {
        let cmds = commands("GIT_SSL_NO_VERIFY=1 git clone x\nexport A=1");
        assert_eq!(cmds[0].assignments, vec!["GIT_SSL_NO_VERIFY=1"]);
        assert_eq!(cmds[0].program(), "git");
        assert_eq!(cmds[1].words, vec!["export", "A=1"]);
    }

    #[test]
    fn comments_and_continuations() {
        let cmds = commands("apk add \\\n  curl # a comment; sudo\n");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].words, vec!["apk", "add", "curl"]);
    }

    #[test]
    fn subcommands_and_flags() {
        let cmd = &commands("apt-get -y install --no-install-recommends=true x")[0];
        assert!(cmd.subcommand_is(&["install"]));
        assert!(cmd.has_flag("--no-install-recommends"));
        assert!(!cmd.has_flag("--no-install"));
        let cmd = &commands("apt-get -o Dpkg::Options::=--force-confold install x")[0];
        assert!(cmd.subcommand_is(&["install"]));
    }

    #[test]
    fn exec_form_is_one_command() {
        let run = DockerInstruction {
            keyword: "RUN".into(),
            line: 1,
            flags: Vec::new(),
            arguments: r#"["sh", "-c", "sudo make install"]"#.into(),
            heredocs: Vec::new(),
        };
        let programs: Vec<String> = run_commands(&run)
            .iter()
            .map(|c| c.program().to_string())
            .collect();
        assert_eq!(programs, vec!["sh", "sudo", "make"]);
    }
}
