//! Stripping control characters from text that came from evidence.
//!
//! Names, labels and file contents are chosen by whoever wrote them. An escape sequence in
//! a pod name must not be able to move the cursor, change colours or set the window title
//! when a report is printed to a terminal.

/// Replaces control characters (C0, DEL, C1) except tab with `\u{fffd}`-free escapes.
pub fn clean(text: &str) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Like [`clean`], but also folds newlines into spaces, for one-line table cells.
pub fn one_line(text: &str) -> String {
    clean(&text.replace(['\n', '\r'], " "))
}

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || c == '\u{2028}' || c == '\u{2029}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_neutralised() {
        let name = "web\u{1b}]0;pwned\u{7}\u{1b}[2J";
        let cleaned = clean(name);
        assert!(!cleaned.contains('\u{1b}'));
        assert!(!cleaned.contains('\u{7}'));
        assert_eq!(cleaned, "web\\u{1b}]0;pwned\\u{7}\\u{1b}[2J");
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        assert_eq!(
            clean("Deployment shop/web\tok\n"),
            "Deployment shop/web\tok\n"
        );
        assert_eq!(one_line("a\nb\r"), "a b ");
    }
}
