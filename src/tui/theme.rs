//! Themes: TOML files of named colours, three of them embedded in the binary.
//!
//! A theme file may name any subset of the keys; the rest come from the default theme, so a
//! user's file can change one colour. An unknown key or a colour that does not parse is an
//! error naming the key, and the caller falls back to the default theme.

use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use crate::model::Severity;
use crate::score::Grade;

/// The themes bundled into the binary, by name, in the order `t` cycles through them.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// The colours of the interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Shown in the footer when cycling.
    pub name: String,
    /// Without colour (`NO_COLOR`), emphasis comes from bold and reversed text only.
    pub colour: bool,
    pub text: Color,
    pub muted: Color,
    pub accent: Color,
    pub border: Color,
    pub border_focused: Color,
    pub selected_fg: Color,
    pub selected_bg: Color,
    pub critical: Color,
    pub high: Color,
    pub medium: Color,
    pub low: Color,
    pub info: Color,
    pub grade_a: Color,
    pub grade_b: Color,
    pub grade_c: Color,
    pub grade_d: Color,
    pub grade_f: Color,
    pub not_assessed: Color,
    pub ok: Color,
    pub warn: Color,
    pub error: Color,
    pub code_keyword: Color,
    pub code_string: Color,
    pub code_comment: Color,
    pub code_key: Color,
}

/// Why a theme could not be loaded; the message names the file and the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ThemeError(pub String);

impl Default for Theme {
    fn default() -> Self {
        Theme::builtin("default").unwrap_or_else(Theme::fallback)
    }
}

impl Theme {
    /// The literal colours used should the embedded default ever fail to parse.
    fn fallback() -> Theme {
        Theme {
            name: "default".to_string(),
            colour: true,
            text: Color::Gray,
            muted: Color::DarkGray,
            accent: Color::Cyan,
            border: Color::DarkGray,
            border_focused: Color::Cyan,
            selected_fg: Color::Black,
            selected_bg: Color::Cyan,
            critical: Color::LightRed,
            high: Color::Red,
            medium: Color::Yellow,
            low: Color::Blue,
            info: Color::DarkGray,
            grade_a: Color::Green,
            grade_b: Color::LightGreen,
            grade_c: Color::Yellow,
            grade_d: Color::LightRed,
            grade_f: Color::Red,
            not_assessed: Color::DarkGray,
            ok: Color::Green,
            warn: Color::Yellow,
            error: Color::Red,
            code_keyword: Color::Magenta,
            code_string: Color::Green,
            code_comment: Color::DarkGray,
            code_key: Color::Cyan,
        }
    }

    /// One of the embedded themes by name.
    pub fn builtin(name: &str) -> Option<Theme> {
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name)?;
        Theme::parse(text, &format!("<built-in theme {name}>"), Theme::fallback()).ok()
    }

    /// A theme by built-in name or file path. The error names the file and the key.
    pub fn resolve(name_or_path: &str) -> Result<Theme, ThemeError> {
        if let Some(theme) = Theme::builtin(name_or_path) {
            return Ok(theme);
        }
        let path = Path::new(name_or_path);
        let text = std::fs::read_to_string(path).map_err(|e| {
            ThemeError(format!(
                "cannot read theme `{name_or_path}`: {e}; use default, light, high-contrast \
                 or the path of a theme file"
            ))
        })?;
        Theme::parse(&text, name_or_path, Theme::default())
    }

    /// Reads theme TOML over `base`; `origin` names the file in messages.
    pub fn parse(text: &str, origin: &str, base: Theme) -> Result<Theme, ThemeError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ThemeError(format!("invalid theme `{origin}`: {e}")))?;
        let mut theme = base;
        for (key, value) in &table {
            let Some(value) = value.as_str() else {
                return Err(ThemeError(format!(
                    "`{key}` in theme `{origin}` must be a string such as \"red\" or \"#ff0000\""
                )));
            };
            if key == "name" {
                theme.name = value.to_string();
                continue;
            }
            let slot = theme.slot(key).ok_or_else(|| {
                ThemeError(format!(
                    "unknown key `{key}` in theme `{origin}`; see themes/default.toml for the keys"
                ))
            })?;
            *slot = Color::from_str(value).map_err(|_| {
                ThemeError(format!(
                    "`{key}` in theme `{origin}` is `{value}`, which is not a colour name, a \
                     0-255 index or #rrggbb"
                ))
            })?;
        }
        Ok(theme)
    }

    fn slot(&mut self, key: &str) -> Option<&mut Color> {
        Some(match key {
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "accent" => &mut self.accent,
            "border" => &mut self.border,
            "border-focused" => &mut self.border_focused,
            "selected-fg" => &mut self.selected_fg,
            "selected-bg" => &mut self.selected_bg,
            "critical" => &mut self.critical,
            "high" => &mut self.high,
            "medium" => &mut self.medium,
            "low" => &mut self.low,
            "info" => &mut self.info,
            "grade-a" => &mut self.grade_a,
            "grade-b" => &mut self.grade_b,
            "grade-c" => &mut self.grade_c,
            "grade-d" => &mut self.grade_d,
            "grade-f" => &mut self.grade_f,
            "not-assessed" => &mut self.not_assessed,
            "ok" => &mut self.ok,
            "warn" => &mut self.warn,
            "error" => &mut self.error,
            "code-keyword" => &mut self.code_keyword,
            "code-string" => &mut self.code_string,
            "code-comment" => &mut self.code_comment,
            "code-key" => &mut self.code_key,
            _ => return None,
        })
    }

    /// The same theme without colour, for `NO_COLOR`.
    pub fn without_colour(mut self) -> Theme {
        self.colour = false;
        self
    }

    /// A style with `colour` as foreground, or plain when colour is off.
    pub fn fg(&self, colour: Color) -> Style {
        if self.colour {
            Style::new().fg(colour)
        } else {
            Style::new()
        }
    }

    /// Ordinary text.
    pub fn text(&self) -> Style {
        self.fg(self.text)
    }

    /// Secondary text: hints, labels, not-assessed tiles.
    pub fn muted(&self) -> Style {
        if self.colour {
            self.fg(self.muted)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// Headings and the focused element.
    pub fn accent(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }

    /// The border of a pane, brighter when it has focus.
    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.colour) {
            (true, true) => self.fg(self.border_focused),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => self.fg(self.border),
        }
    }

    /// The selected row or tile.
    pub fn selected(&self) -> Style {
        if self.colour {
            Style::new()
                .fg(self.selected_fg)
                .bg(self.selected_bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// A severity badge.
    pub fn severity(&self, severity: Severity) -> Style {
        let colour = match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        };
        let style = self.fg(colour);
        if severity >= Severity::High {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// A grade letter; `None` is the not-assessed look.
    pub fn grade(&self, grade: Option<Grade>) -> Style {
        let colour = match grade {
            Some(Grade::A) => self.grade_a,
            Some(Grade::B) => self.grade_b,
            Some(Grade::C) => self.grade_c,
            Some(Grade::D) => self.grade_d,
            Some(Grade::F) => self.grade_f,
            None => return self.fg(self.not_assessed).add_modifier(Modifier::ITALIC),
        };
        self.fg(colour).add_modifier(Modifier::BOLD)
    }

    /// Source status colours: connected, partial, unavailable.
    pub fn status(&self, label: &str) -> Style {
        match label {
            "connected" => self.fg(self.ok),
            "partial" => self.fg(self.warn),
            "unavailable" => self.fg(self.error),
            _ => self.muted(),
        }
    }
}

/// What the run asked for, resolved to a theme and perhaps a message about a fallback.
pub fn choose(requested: Option<&str>, no_colour: bool) -> (Theme, Option<String>) {
    let (theme, message) = match requested {
        None => (Theme::default(), None),
        Some(name) => match Theme::resolve(name) {
            Ok(theme) => (theme, None),
            Err(e) => (
                Theme::default(),
                Some(format!("using the default theme: {e}")),
            ),
        },
    };
    if no_colour {
        (theme.without_colour(), message)
    } else {
        (theme, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_parses() {
        for (name, text) in BUILT_IN {
            let theme = Theme::parse(text, name, Theme::fallback());
            assert!(theme.is_ok(), "{name}: {theme:?}");
            assert_eq!(theme.map(|t| t.name).ok().as_deref(), Some(name));
        }
    }

    #[test]
    fn a_bad_colour_names_the_key() {
        let error = Theme::parse("high = \"purpleish\"", "mine.toml", Theme::default());
        let message = error.err().map(|e| e.0).unwrap_or_default();
        assert!(message.contains("`high`"), "{message}");
        assert!(message.contains("purpleish"), "{message}");
    }

    #[test]
    fn an_unknown_key_is_named_and_choose_falls_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.toml");
        std::fs::write(&path, "critcal = \"red\"\n").expect("write");
        let (theme, message) = choose(path.to_str(), false);
        assert_eq!(theme, Theme::default());
        let message = message.unwrap_or_default();
        assert!(message.contains("`critcal`"), "{message}");
        assert!(message.contains("default theme"), "{message}");
    }

    #[test]
    fn a_partial_file_overrides_only_its_keys() {
        let theme = Theme::parse("critical = \"#010203\"", "x", Theme::default()).expect("theme");
        assert_eq!(theme.critical, Color::Rgb(1, 2, 3));
        assert_eq!(theme.high, Theme::default().high);
    }
}
