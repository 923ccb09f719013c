//! Format instructions: the schema rendered as a compact, commented JSON sketch.
//!
//! Small models follow an example shape far better than a JSON Schema document, so the schema is
//! printed as the JSON it describes, with types in place of values and the rules, descriptions
//! and optionality as `//` comments:
//!
//! ```text
//! {
//!   "name": string, // 1 to 80 characters
//!   "qty": integer // at least 1
//! }
//! ```

use std::fmt::Write as _;

use schemars::Schema;
use serde_json::{Map, Value};

/// The version of what [`format_instructions`] writes for a given schema. A prompt-mode
/// `#[llm_fn]` sends the instructions with its prompt, so its `PROMPT_HASH` includes this number:
/// a change to the renderer changes what the model is asked, and the hash says so. Raised with
/// every change to the output (`tests/integration/schema.rs` pins the output for this version).
pub const FORMAT_VERSION: u64 = 2;

const HEADER: &str =
    "Answer with one JSON value and nothing else: no prose, no code fences. Use this shape:\n";

/// Renders `schema` (as built by [`LlmOutput::schema`](crate::LlmOutput::schema)) as the text
/// that tells a model what to return.
///
/// ```
/// use llm_core::prelude::*;
///
/// #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
/// #[serde(rename_all = "lowercase")]
/// enum Mood { Happy, Sad }
///
/// assert!(Mood::format_instructions().ends_with("\"happy\" | \"sad\"\n"));
/// ```
pub fn format_instructions(schema: &Schema) -> String {
    let root = schema.as_value();
    let empty = Map::new();
    let defs = root
        .get("$defs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut r = Renderer {
        defs,
        stack: Vec::new(),
        recursive: Vec::new(),
        root_name: "",
        root,
    };
    let mut out = String::from(HEADER);
    if let Some(desc) = description(root)
        && !is_object(r.resolve(root))
    {
        push_comment_lines(&mut out, "", desc);
    }
    r.push_value_docs(&mut out, "", root);
    r.root_name = root.get("title").and_then(Value::as_str).unwrap_or("Root");
    r.stack.push(r.root_name);
    let body = r.value(root, "");
    out.push_str(&body);
    let notes = notes(root, true);
    if !notes.is_empty() {
        let _ = write!(out, " // {}", notes.join("; "));
    }
    out.push('\n');
    for name in &r.recursive {
        let _ = writeln!(
            out,
            "({name} stands for an object of the same shape as the one it is in.)"
        );
    }
    out
}

struct Renderer<'a> {
    defs: &'a Map<String, Value>,
    /// Definitions being expanded, outermost first; a `$ref` to one of them prints its name.
    stack: Vec<&'a str>,
    /// Definitions printed by name because they contain themselves.
    recursive: Vec<String>,
    /// The root schema and its name, for `"$ref": "#"`.
    root: &'a Value,
    root_name: &'a str,
}

fn description(schema: &Value) -> Option<&str> {
    schema.get("description").and_then(Value::as_str)
}

fn is_object(schema: &Value) -> bool {
    schema.get("properties").is_some()
}

fn push_comment_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "{indent}// {}", line.trim_end());
    }
}

impl<'a> Renderer<'a> {
    fn ref_name(&self, schema: &'a Value) -> Option<&'a str> {
        let reference = schema.get("$ref")?.as_str()?;
        if reference == "#" {
            return Some(self.root_name);
        }
        reference.strip_prefix("#/$defs/")
    }

    fn def(&self, name: &str) -> Option<&'a Value> {
        if name == self.root_name && !self.defs.contains_key(name) {
            return Some(self.root);
        }
        self.defs.get(name)
    }

    /// Comment lines with the documented values of an enum `schema` stands for (directly, as an
    /// optional value or as a list's items): `// "billing": Payments, invoices, refunds.`. The
    /// sketch lists an enum's values on one line, and a model picks better knowing what each
    /// one means.
    fn push_value_docs(&self, out: &mut String, indent: &str, schema: &'a Value) {
        let mut target = self.resolve(schema);
        if let Some(Value::Array(branches)) = target.get("anyOf")
            && let [branch] = branches
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .collect::<Vec<_>>()
                .as_slice()
        {
            target = self.resolve(branch);
        }
        if target.get("type").and_then(Value::as_str) == Some("array")
            && let Some(items) = target.get("items")
        {
            target = self.resolve(items);
        }
        let Some(Value::Array(branches)) = target.get("oneOf") else {
            return;
        };
        for branch in branches {
            if let (Some(value), Some(doc)) = (branch.get("const"), description(branch)) {
                let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
                let _ = writeln!(out, "{indent}// {value}: {doc}");
            }
        }
    }

    fn resolve(&self, schema: &'a Value) -> &'a Value {
        match self.ref_name(schema).and_then(|name| self.def(name)) {
            Some(def) => def,
            None => schema,
        }
    }

    /// The JSON sketch of `schema`; lines after the first are indented by `indent`.
    fn value(&mut self, schema: &'a Value, indent: &str) -> String {
        if let Some(name) = self.ref_name(schema) {
            if self.stack.contains(&name) {
                if !self.recursive.iter().any(|n| n == name) {
                    self.recursive.push(name.to_owned());
                }
                return name.to_owned();
            }
            let Some(def) = self.def(name) else {
                return "any JSON value".to_owned();
            };
            self.stack.push(name);
            let out = self.value(def, indent);
            self.stack.pop();
            return out;
        }
        let Some(obj) = schema.as_object() else {
            return "any JSON value".to_owned();
        };
        if let Some(c) = obj.get("const") {
            return c.to_string();
        }
        if let Some(Value::Array(values)) = obj.get("enum") {
            let values: Vec<String> = values.iter().map(Value::to_string).collect();
            return values.join(" | ");
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = obj.get(key) {
                return self.union(branches, indent);
            }
        }
        if let Some(Value::Object(props)) = obj.get("properties") {
            return self.object(obj, props, indent);
        }
        match obj.get("type") {
            Some(Value::String(ty)) => self.typed(obj, ty, indent),
            Some(Value::Array(types)) => {
                let parts: Vec<String> = types
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|ty| self.typed(obj, ty, indent))
                    .collect();
                parts.join(" or ")
            }
            _ => "any JSON value".to_owned(),
        }
    }

    fn typed(&mut self, obj: &'a Map<String, Value>, ty: &str, indent: &str) -> String {
        match ty {
            "array" if obj.get("prefixItems").is_some() => {
                let items = obj.get("prefixItems").and_then(Value::as_array);
                let parts: Vec<String> = items
                    .into_iter()
                    .flatten()
                    .map(|item| self.value(item, indent))
                    .collect();
                format!("[{}]", parts.join(", "))
            }
            "array" => match obj.get("items") {
                Some(items) => {
                    let inner = format!("{indent}  ");
                    let item = self.value(items, &inner);
                    if item.contains('\n') {
                        format!("[\n{inner}{item},\n{inner}...\n{indent}]")
                    } else {
                        format!("[{item}, ...]")
                    }
                }
                None => "[any JSON value, ...]".to_owned(),
            },
            "object" => match obj.get("additionalProperties") {
                Some(values) if values.is_object() => {
                    let inner = format!("{indent}  ");
                    let value = self.value(values, &inner);
                    format!("{{\n{inner}\"<key>\": {value},\n{inner}...\n{indent}}}")
                }
                _ => "{}".to_owned(),
            },
            other => other.to_owned(),
        }
    }

    fn union(&mut self, branches: &'a [Value], indent: &str) -> String {
        let is_null = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
        let mut parts: Vec<String> = branches
            .iter()
            .filter(|b| !is_null(b))
            .map(|b| self.value(b, indent))
            .collect();
        if branches.iter().any(is_null) {
            if let [single] = parts.as_slice() {
                return format!("{single} or null");
            }
            parts.push("null".to_owned());
        }
        if parts.iter().any(|p| p.contains('\n')) {
            parts.join(&format!("\n{indent}| "))
        } else {
            parts.join(" | ")
        }
    }

    fn object(
        &mut self,
        obj: &'a Map<String, Value>,
        props: &'a Map<String, Value>,
        indent: &str,
    ) -> String {
        let inner = format!("{indent}  ");
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = String::from("{");
        if let Some(desc) = obj.get("description").and_then(Value::as_str) {
            let _ = write!(
                out,
                " // {}",
                desc.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
        out.push('\n');
        let count = props.len();
        for (i, (name, prop)) in props.iter().enumerate() {
            let target = self.resolve(prop);
            if let Some(desc) = description(prop).or_else(|| {
                // A type's own doc describes a field only when the field is a plain scalar.
                (!is_object(target)).then(|| description(target)).flatten()
            }) {
                push_comment_lines(&mut out, &inner, desc);
            }
            self.push_value_docs(&mut out, &inner, prop);
            let value = self.value(prop, &inner);
            let _ = write!(out, "{inner}{}: {value}", Value::from(name.as_str()));
            if i + 1 < count {
                out.push(',');
            }
            let notes = notes(prop, required.contains(&name.as_str()));
            if !notes.is_empty() {
                let _ = write!(out, " // {}", notes.join("; "));
            }
            out.push('\n');
        }
        let _ = write!(out, "{indent}}}");
        out
    }
}

/// The rule keywords of `schema` (or of its non-null branch) in words.
fn notes(schema: &Value, required: bool) -> Vec<String> {
    let mut notes = Vec::new();
    if !required {
        notes.push("optional".to_owned());
    }
    let target = schema
        .get("anyOf")
        .and_then(Value::as_array)
        .and_then(|b| {
            b.iter()
                .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
        })
        .unwrap_or(schema);
    let Some(obj) = target.as_object() else {
        return notes;
    };
    let num = |k: &str| obj.get(k).filter(|v| v.is_number()).map(Value::to_string);
    let bounds = |lo: Option<String>, hi: Option<String>, noun: &str| {
        let plural = |n: &str| match noun {
            "" => String::new(),
            _ if n == "1" => format!(" {noun}"),
            _ => format!(" {noun}s"),
        };
        match (lo, hi) {
            (Some(lo), Some(hi)) if lo == hi => Some(format!("exactly {lo}{}", plural(&hi))),
            (Some(lo), Some(hi)) => Some(format!("{lo} to {hi}{}", plural(&hi))),
            (Some(lo), None) => Some(format!("at least {lo}{}", plural(&lo))),
            (None, Some(hi)) => Some(format!("at most {hi}{}", plural(&hi))),
            (None, None) => None,
        }
    };
    notes.extend(bounds(num("minLength"), num("maxLength"), "character"));
    notes.extend(bounds(num("minItems"), num("maxItems"), "item"));
    notes.extend(bounds(num("minProperties"), num("maxProperties"), "entry"));
    notes.extend(bounds(num("minimum"), num("maximum"), ""));
    if let Some(pattern) = obj.get("pattern").and_then(Value::as_str) {
        notes.push(format!("must match {pattern}"));
    }
    match obj.get("format").and_then(Value::as_str) {
        Some("email") => notes.push("an email address".to_owned()),
        Some("uri") => notes.push("an http(s) URL".to_owned()),
        Some(other)
            if !["int", "uint", "float", "double"]
                .iter()
                .any(|p| other.starts_with(p)) =>
        {
            notes.push(format!("format {other}"));
        }
        _ => {}
    }
    if let Some(default) = schema.get("default") {
        notes.push(format!("default {default}"));
    }
    notes
}
