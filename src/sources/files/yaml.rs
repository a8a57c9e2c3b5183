//! A YAML loader built for hostile input: it turns each document of a stream into a JSON
//! tree and remembers the line every node starts on.
//!
//! Built on `saphyr-parser`'s event stream rather than a serde front-end so that the
//! limits are ours: alias expansion has a budget (an alias bomb is an error, not an
//! out-of-memory kill), nesting has a maximum depth, and the loader never recurses, so a
//! deeply nested file cannot overflow the stack.

use std::collections::{BTreeMap, HashMap};

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

/// The most nodes that aliases may add to one file. Real configuration repeats a few
/// blocks with `<<: *defaults`; a billion-laughs document needs billions.
pub const ALIAS_BUDGET: usize = 100_000;

/// The deepest nesting accepted. Kubernetes objects, CRD schemas included, stay far below.
pub const MAX_DEPTH: usize = 128;

/// One document: its tree and the line of each node by JSON pointer.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub value: Value,
    pub lines: BTreeMap<String, u32>,
}

/// Why a YAML stream could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.line, self.column
        )
    }
}

enum Frame {
    Seq {
        items: Vec<Value>,
        pointer: String,
        anchor: usize,
        size: usize,
    },
    Map {
        map: Map<String, Value>,
        key: Option<String>,
        key_line: u32,
        pointer: String,
        anchor: usize,
        size: usize,
    },
    /// A mapping key that is itself a collection; its content is discarded.
    Skip { depth: usize },
}

/// Loads every document of `text`.
pub fn load(text: &str) -> Result<Vec<Document>, LoadError> {
    let mut loader = Loader::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| LoadError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_string(),
        })?;
        let line = span.start.line();
        loader.event(event, line).map_err(|message| LoadError {
            line,
            column: span.start.col() + 1,
            message,
        })?;
    }
    Ok(loader.documents)
}

#[derive(Default)]
struct Loader {
    documents: Vec<Document>,
    stack: Vec<Frame>,
    lines: BTreeMap<String, u32>,
    anchors: HashMap<usize, (Value, usize)>,
    alias_nodes: usize,
}

impl Loader {
    fn event(&mut self, event: Event<'_>, line: usize) -> Result<(), String> {
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        match event {
            Event::DocumentStart(_) => {
                self.lines.clear();
                self.anchors.clear();
            }
            Event::Scalar(text, style, anchor, tag) => {
                let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if style == ScalarStyle::Plain && !is_str_tag {
                    plain_scalar(&text)
                } else {
                    Value::String(text.into_owned())
                };
                if let Some(Frame::Skip { .. }) = self.stack.last() {
                    return Ok(());
                }
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.push_value(value, 1, line);
            }
            Event::Alias(id) => {
                if let Some(Frame::Skip { .. }) = self.stack.last() {
                    return Ok(());
                }
                let (value, size) = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| "alias refers to an unknown anchor".to_string())?;
                self.alias_nodes += size;
                if self.alias_nodes > ALIAS_BUDGET {
                    return Err(format!(
                        "aliases expand to more than {ALIAS_BUDGET} nodes (an alias bomb?)"
                    ));
                }
                self.push_value(value, size, line);
            }
            Event::SequenceStart(anchor, _) => self.open(line, anchor, false)?,
            Event::MappingStart(anchor, _) => self.open(line, anchor, true)?,
            Event::SequenceEnd | Event::MappingEnd => self.close(line),
            Event::DocumentEnd => {
                // An empty document (`---` alone) yields no value; keep it as null so
                // document indexes still match the file.
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn open(&mut self, line: u32, anchor: usize, mapping: bool) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        if let Some(Frame::Skip { depth }) = self.stack.last_mut() {
            *depth += 1;
            return Ok(());
        }
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            // A collection used as a mapping key: legal YAML, meaningless to us.
            self.stack.push(Frame::Skip { depth: 1 });
            return Ok(());
        }
        let pointer = self.child_pointer();
        let child_line = self.child_line(line);
        self.lines.entry(pointer.clone()).or_insert(child_line);
        self.stack.push(if mapping {
            Frame::Map {
                map: Map::new(),
                key: None,
                key_line: line,
                pointer,
                anchor,
                size: 1,
            }
        } else {
            Frame::Seq {
                items: Vec::new(),
                pointer,
                anchor,
                size: 1,
            }
        });
        Ok(())
    }

    fn close(&mut self, line: u32) {
        if let Some(Frame::Skip { depth }) = self.stack.last_mut() {
            *depth -= 1;
            if *depth == 0 {
                self.stack.pop();
                // The skipped key still needs a placeholder so the value that follows
                // pairs with something.
                if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                    *key = Some("<complex key>".to_string());
                }
            }
            return;
        }
        let (value, anchor, size) = match self.stack.pop() {
            Some(Frame::Seq {
                items,
                anchor,
                size,
                ..
            }) => (Value::Array(items), anchor, size),
            Some(Frame::Map {
                map, anchor, size, ..
            }) => (Value::Object(map), anchor, size),
            Some(Frame::Skip { .. }) | None => return,
        };
        if anchor > 0 {
            self.anchors.insert(anchor, (value.clone(), size));
        }
        self.attach(value, size, line);
    }

    /// Places a scalar or alias value where the current frame expects one.
    fn push_value(&mut self, value: Value, size: usize, line: u32) {
        if let Some(Frame::Map {
            key: key @ None,
            key_line,
            ..
        }) = self.stack.last_mut()
        {
            *key = Some(key_text(&value));
            *key_line = line;
            return;
        }
        let pointer = self.child_pointer();
        let child_line = self.child_line(line);
        self.lines.entry(pointer).or_insert(child_line);
        self.attach(value, size, line);
    }

    fn attach(&mut self, value: Value, size: usize, _line: u32) {
        match self.stack.last_mut() {
            Some(Frame::Seq {
                items, size: total, ..
            }) => {
                items.push(value);
                *total += size;
            }
            Some(Frame::Map {
                map,
                key,
                size: total,
                ..
            }) => {
                let key = key.take().unwrap_or_default();
                *total += size;
                if key == "<<" {
                    merge_into(map, value);
                } else {
                    map.insert(key, value);
                }
            }
            Some(Frame::Skip { .. }) => {}
            None => {
                let lines = std::mem::take(&mut self.lines);
                self.documents.push(Document { value, lines });
            }
        }
    }

    /// The line a child starts on: its key's line inside a mapping, so that a nested
    /// block is located where its key is written.
    fn child_line(&self, line: u32) -> u32 {
        match self.stack.last() {
            Some(Frame::Map {
                key: Some(_),
                key_line,
                ..
            }) => *key_line,
            _ => line,
        }
    }

    /// The JSON pointer of the node about to be added to the current frame.
    fn child_pointer(&self) -> String {
        match self.stack.last() {
            Some(Frame::Seq { items, pointer, .. }) => format!("{pointer}/{}", items.len()),
            Some(Frame::Map {
                key: Some(key),
                pointer,
                ..
            }) => {
                format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
            }
            _ => String::new(),
        }
    }
}

/// Applies a YAML merge key (`<<: *defaults`): entries already present win.
fn merge_into(map: &mut Map<String, Value>, value: Value) {
    let sources = match value {
        Value::Array(items) => items,
        other => vec![other],
    };
    for source in sources {
        if let Value::Object(entries) = source {
            for (k, v) in entries {
                map.entry(k).or_insert(v);
            }
        }
    }
}

fn key_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// Resolves a plain scalar by the YAML 1.2 core schema.
fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = parse_int(text) {
        return Value::Number(n);
    }
    let looks_numeric = text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    if looks_numeric
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

fn parse_int(text: &str) -> Option<Number> {
    let (digits, radix) = if let Some(hex) = text.strip_prefix("0x") {
        (hex, 16)
    } else if let Some(oct) = text.strip_prefix("0o") {
        (oct, 8)
    } else {
        (text, 10)
    };
    let unsigned = digits.strip_prefix(['-', '+']).unwrap_or(digits);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    i64::from_str_radix(digits, radix).ok().map(Number::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documents_values_and_lines() {
        let text = "a: 1\nb:\n  - x\n  - {c: true, d: '2'}\n---\nkind: Pod\n";
        let docs = load(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[0].value,
            json!({"a": 1, "b": ["x", {"c": true, "d": "2"}]})
        );
        assert_eq!(docs[0].lines["/b"], 2);
        assert_eq!(docs[0].lines["/b/1/c"], 4);
        assert_eq!(docs[1].lines["/kind"], 6);
    }

    #[test]
    fn merge_keys_and_aliases() {
        let text = "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n";
        let docs = load(text).unwrap();
        assert_eq!(docs[0].value["other"], json!({"x": 1, "y": 3}));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let text = "[".repeat(100_000);
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("nesting") || err.line > 0, "{err}");
    }

    #[test]
    fn core_schema_scalars() {
        let docs = load("a: yes\nb: 010\nc: 1.5\nd: on\ne: 0x1F\nf: '3'\ng: ~\n").unwrap();
        assert_eq!(
            docs[0].value,
            json!({"a": "yes", "b": 10, "c": 1.5, "d": "on", "e": 31, "f": "3", "g": null})
        );
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let err = load("a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.line >= 1);
    }
}
