//! The malformed-output corpus: real and realistic model replies, each with the value a careful
//! reader says the model meant, or the typed error it must give.
//!
//! Cases live in `tests/corpus/*.jsonl`, one JSON object a line:
//!
//! ```text
//! {"name": "...", "target": "Invoice", "input": "...", "expect": {...}, "fixes": ["TrailingComma"]}
//! {"name": "...", "target": "Invoice", "input": "...", "error": "Coerce.MissingField", "path": "items[0]", "field": "qty"}
//! ```
//!
//! - `target` names one of the types below ([`run_case`] dispatches on it).
//! - `expect` is the value, compared after serializing the parsed value back with serde_json
//!   (numbers compare by value, so `5` and `5.0` agree).
//! - `error` is a `ParseErrorKind` variant name (`Empty`, `NoJson`, `TooDeep`, `TooLarge`,
//!   `Shape`), or `Coerce.<CoerceError variant>`; `path` (as displayed, `$` for the root),
//!   `field` (for `MissingField`/`UnknownField`) and `candidates` (for `AmbiguousVariant`) are
//!   checked when given.
//! - `fixes` lists `FixKind`s (Debug names) that must all appear in the result's fixes;
//!   `fixes_exact` lists exactly the fixes expected (as a multiset; `[]` for clean input).
//! - `known_issue` marks a case the parser gets wrong today, with a one-line diagnosis: it is
//!   run but not asserted, and the runner prints how many were skipped (and notes any that
//!   now pass, so the mark can be removed).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use llm_core::parse::{CoerceError, ParseErrorKind};
use llm_core::prelude::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Target types.
// ---------------------------------------------------------------------------------------------

/// A line item: the shape SmolLM2 was asked for in `examples/recorded/invoices.json`.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Item {
    name: String,
    qty: u32,
}

/// An invoice with nested items: the shape SmolLM2 was asked for.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Invoice {
    vendor: String,
    total: f64,
    currency: String,
    items: Vec<Item>,
}

/// A currency: a unit enum with renames and aliases.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "UPPERCASE")]
enum Currency {
    #[serde(alias = "$", alias = "dollars")]
    Usd,
    #[serde(alias = "€", alias = "euro")]
    Eur,
    #[serde(alias = "£")]
    Gbp,
}

/// A receipt: nested items, an enum, a bool and an optional field.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Receipt {
    store: String,
    total: f64,
    currency: Currency,
    paid: bool,
    items: Vec<Item>,
    note: Option<String>,
}

/// A work status: snake_case variants, one renamed with aliases.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "snake_case")]
enum Status {
    Todo,
    InProgress,
    #[serde(rename = "done", alias = "completed", alias = "finished")]
    Done,
    Blocked,
}

/// A school grade: `A+`, `A` and `A-` differ only in punctuation, so `A –` is ambiguous.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
enum Grade {
    #[serde(rename = "A+")]
    APlus,
    A,
    #[serde(rename = "A-")]
    AMinus,
    B,
    C,
    F,
}

/// A player's contract decision: `resign` (quit) and `re-sign` (sign again) differ only in
/// punctuation, so `RE SIGN` is ambiguous.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
enum Decision {
    #[serde(rename = "resign")]
    Resign,
    #[serde(rename = "re-sign")]
    ReSign,
    #[serde(rename = "undecided")]
    Undecided,
}

/// A contract note holding a [`Decision`].
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Contract {
    player: String,
    decision: Decision,
}

/// A ticket: an enum field, a bool, an optional string and a list of strings.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Ticket {
    title: String,
    status: Status,
    urgent: bool,
    assignee: Option<String>,
    tags: Vec<String>,
}

/// A coordinate that rejects unknown fields.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(deny_unknown_fields)]
struct Coord {
    lat: f64,
    lon: f64,
}

fn default_true() -> bool {
    true
}

/// Settings whose fields have serde defaults.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Settings {
    name: String,
    #[serde(default)]
    retries: u32,
    #[serde(default = "default_true")]
    verbose: bool,
    #[serde(default)]
    tags: Vec<String>,
    timeout_secs: Option<f64>,
}

/// A contact whose fields have serde renames and aliases.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Contact {
    #[serde(alias = "full_name", alias = "fullName")]
    name: String,
    #[serde(rename = "e-mail", alias = "email", alias = "mail")]
    email: String,
    age: Option<u8>,
}

/// An agent's next step: an internally tagged data enum.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(tag = "action", rename_all = "snake_case")]
enum Action {
    Search {
        query: String,
        #[serde(default)]
        limit: Option<u32>,
    },
    Reply {
        text: String,
    },
    Stop,
}

// ---------------------------------------------------------------------------------------------
// The runner.
// ---------------------------------------------------------------------------------------------

/// The category files; each must exist and hold at least one case.
const CATEGORIES: &[&str] = &[
    "extraction",
    "repair",
    "truncation",
    "coercion",
    "failures",
    "smollm2",
];

/// The corpus must not shrink below this.
const MIN_CASES: usize = 300;

const KEYS: &[&str] = &[
    "name",
    "target",
    "input",
    "expect",
    "error",
    "path",
    "field",
    "candidates",
    "fixes",
    "fixes_exact",
    "known_issue",
];

#[derive(Debug)]
struct Case {
    file: String,
    line: usize,
    name: String,
    target: String,
    input: String,
    expect: Expect,
    fixes: Vec<String>,
    fixes_exact: Option<Vec<String>>,
    known_issue: Option<String>,
}

#[derive(Debug)]
enum Expect {
    Value(Value),
    Error {
        kind: String,
        path: Option<String>,
        field: Option<String>,
        candidates: Option<Vec<String>>,
    },
}

/// What a parse produced, in comparable form.
#[derive(Debug)]
enum Outcome {
    Value {
        value: Value,
        fixes: Vec<String>,
        /// Each fix as `Kind@path`, in the order recorded.
        trace: Vec<String>,
    },
    Error(ErrorInfo),
}

#[derive(Debug)]
struct ErrorInfo {
    kind: String,
    path: Option<String>,
    field: Option<String>,
    candidates: Option<Vec<String>>,
    message: String,
}

fn outcome<T: LlmOutput + Serialize>(input: &str) -> Outcome {
    match T::parse(input) {
        Ok(parsed) => Outcome::Value {
            value: serde_json::to_value(&parsed.value).expect("a parsed value serializes"),
            fixes: parsed
                .fixes
                .iter()
                .map(|f| format!("{:?}", f.kind))
                .collect(),
            trace: parsed
                .fixes
                .iter()
                .map(|f| format!("{:?}@{}", f.kind, f.path))
                .collect(),
        },
        Err(err) => Outcome::Error(error_info(&err)),
    }
}

fn error_info(err: &ParseError) -> ErrorInfo {
    let path = err.path().map(ToString::to_string);
    let (kind, field, candidates) = match err.kind() {
        ParseErrorKind::Empty => ("Empty".to_owned(), None, None),
        ParseErrorKind::NoJson => ("NoJson".to_owned(), None, None),
        ParseErrorKind::TooDeep { .. } => ("TooDeep".to_owned(), None, None),
        ParseErrorKind::TooLarge { .. } => ("TooLarge".to_owned(), None, None),
        ParseErrorKind::Shape { .. } => ("Shape".to_owned(), None, None),
        ParseErrorKind::Coerce(c) => {
            let (name, field, candidates) = match c {
                CoerceError::MissingField { field, .. } => {
                    ("MissingField".to_owned(), Some(field.clone()), None)
                }
                CoerceError::UnknownField { field, .. } => {
                    ("UnknownField".to_owned(), Some(field.clone()), None)
                }
                CoerceError::InvalidType { .. } => ("InvalidType".to_owned(), None, None),
                CoerceError::UnknownVariant { .. } => ("UnknownVariant".to_owned(), None, None),
                CoerceError::AmbiguousVariant { candidates, .. } => (
                    "AmbiguousVariant".to_owned(),
                    None,
                    Some(candidates.clone()),
                ),
                other => (debug_name(other), None, None),
            };
            (format!("Coerce.{name}"), field, candidates)
        }
        other => (debug_name(other), None, None),
    };
    ErrorInfo {
        kind,
        path,
        field,
        candidates,
        message: err.to_string(),
    }
}

/// The variant name at the start of a Debug rendering (`MissingField { .. }` -> `MissingField`).
fn debug_name(value: &impl std::fmt::Debug) -> String {
    format!("{value:?}")
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Parses `input` as the type named `target`; `None` for an unknown target.
fn run_case(target: &str, input: &str) -> Option<Outcome> {
    Some(match target {
        "Invoice" => outcome::<Invoice>(input),
        "Item" => outcome::<Item>(input),
        "Receipt" => outcome::<Receipt>(input),
        "Currency" => outcome::<Currency>(input),
        "Status" => outcome::<Status>(input),
        "Grade" => outcome::<Grade>(input),
        "Decision" => outcome::<Decision>(input),
        "Contract" => outcome::<Contract>(input),
        "Ticket" => outcome::<Ticket>(input),
        "Coord" => outcome::<Coord>(input),
        "Settings" => outcome::<Settings>(input),
        "Contact" => outcome::<Contact>(input),
        "Action" => outcome::<Action>(input),
        "u32" => outcome::<u32>(input),
        "i64" => outcome::<i64>(input),
        "f64" => outcome::<f64>(input),
        "bool" => outcome::<bool>(input),
        "String" => outcome::<String>(input),
        "Option<u32>" => outcome::<Option<u32>>(input),
        "Vec<String>" => outcome::<Vec<String>>(input),
        "Vec<u32>" => outcome::<Vec<u32>>(input),
        "Vec<Item>" => outcome::<Vec<Item>>(input),
        "Value" => outcome::<Value>(input),
        _ => return None,
    })
}

/// JSON equality where numbers compare by value (`5` equals `5.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| same(x, y)))
        }
        _ => a == b,
    }
}

/// Why `got` does not meet the case's expectation; `None` when it does.
fn check(case: &Case, got: &Outcome) -> Option<String> {
    match (&case.expect, got) {
        (Expect::Value(want), Outcome::Value { value, fixes, .. }) => {
            if !same(want, value) {
                return Some(format!(
                    "expected value {want}\n    got value      {value} (fixes {fixes:?})"
                ));
            }
            let missing: Vec<&String> = case.fixes.iter().filter(|f| !fixes.contains(f)).collect();
            if !missing.is_empty() {
                return Some(format!(
                    "value ok, but fixes {missing:?} missing\n    expected fixes to include {:?}\n    got fixes {fixes:?}",
                    case.fixes
                ));
            }
            if let Some(exact) = &case.fixes_exact {
                let mut want: Vec<&String> = exact.iter().collect();
                let mut have: Vec<&String> = fixes.iter().collect();
                want.sort();
                have.sort();
                if want != have {
                    return Some(format!(
                        "value ok, but expected exactly fixes {exact:?}\n    got fixes {fixes:?}"
                    ));
                }
            }
            None
        }
        (Expect::Value(want), Outcome::Error(err)) => Some(format!(
            "expected value {want}\n    got error {} at {} ({})",
            err.kind,
            err.path.as_deref().unwrap_or("-"),
            err.message
        )),
        (Expect::Error { kind, .. }, Outcome::Value { value, fixes, .. }) => Some(format!(
            "expected error {kind}\n    got value {value} (fixes {fixes:?})"
        )),
        (
            Expect::Error {
                kind,
                path,
                field,
                candidates,
            },
            Outcome::Error(err),
        ) => {
            let mut problems = Vec::new();
            if *kind != err.kind {
                problems.push(format!("kind {} (expected {kind})", err.kind));
            }
            if let Some(path) = path
                && err.path.as_ref() != Some(path)
            {
                problems.push(format!("path {:?} (expected {path:?})", err.path));
            }
            if let Some(field) = field
                && err.field.as_ref() != Some(field)
            {
                problems.push(format!("field {:?} (expected {field:?})", err.field));
            }
            if let Some(candidates) = candidates {
                let want: BTreeSet<&String> = candidates.iter().collect();
                let have: Option<BTreeSet<&String>> =
                    err.candidates.as_ref().map(|c| c.iter().collect());
                if have.as_ref() != Some(&want) {
                    problems.push(format!(
                        "candidates {:?} (expected {candidates:?})",
                        err.candidates
                    ));
                }
            }
            (!problems.is_empty()).then(|| {
                format!(
                    "expected error {kind} at {}\n    got error with {} ({})",
                    path.as_deref().unwrap_or("any path"),
                    problems.join(", "),
                    err.message
                )
            })
        }
    }
}

fn corpus_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn string_list(value: Option<&Value>, what: &str, at: &str) -> Option<Vec<String>> {
    value.map(|v| {
        v.as_array()
            .unwrap_or_else(|| panic!("{at}: `{what}` must be an array of strings"))
            .iter()
            .map(|s| {
                s.as_str()
                    .unwrap_or_else(|| panic!("{at}: `{what}` must hold strings"))
                    .to_owned()
            })
            .collect()
    })
}

/// Reads every `.jsonl` file of the corpus, checking each line's form.
fn load() -> Vec<Case> {
    let dir = corpus_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("{file}:{}", i + 1);
            let obj: serde_json::Map<String, Value> = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{at}: not a JSON object: {e}"));
            if let Some(unknown) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
                panic!("{at}: unknown key `{unknown}`");
            }
            let text_of = |key: &str| -> Option<String> {
                obj.get(key).map(|v| {
                    v.as_str()
                        .unwrap_or_else(|| panic!("{at}: `{key}` must be a string"))
                        .to_owned()
                })
            };
            let name = text_of("name").unwrap_or_else(|| panic!("{at}: no `name`"));
            let expect = match (obj.get("expect"), text_of("error")) {
                (Some(value), None) => {
                    for key in ["path", "field", "candidates"] {
                        assert!(
                            !obj.contains_key(key),
                            "{at} ({name}): `{key}` goes with `error`"
                        );
                    }
                    Expect::Value(value.clone())
                }
                (None, Some(kind)) => {
                    assert!(
                        !obj.contains_key("fixes") && !obj.contains_key("fixes_exact"),
                        "{at} ({name}): `fixes` go with `expect`"
                    );
                    Expect::Error {
                        kind,
                        path: text_of("path"),
                        field: text_of("field"),
                        candidates: string_list(obj.get("candidates"), "candidates", &at),
                    }
                }
                _ => panic!("{at} ({name}): exactly one of `expect` and `error` is required"),
            };
            cases.push(Case {
                file: file.clone(),
                line: i + 1,
                target: text_of("target").unwrap_or_else(|| panic!("{at}: no `target`")),
                input: text_of("input").unwrap_or_else(|| panic!("{at}: no `input`")),
                fixes: string_list(obj.get("fixes"), "fixes", &at).unwrap_or_default(),
                fixes_exact: string_list(obj.get("fixes_exact"), "fixes_exact", &at),
                known_issue: text_of("known_issue"),
                expect,
                name,
            });
        }
    }
    cases
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 160;
    if text.chars().count() <= MAX {
        format!("{text:?}")
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut:?}… ({} chars)", text.chars().count())
    }
}

#[test]
fn corpus() {
    let cases = load();

    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &cases {
        *per_file.entry(case.file.as_str()).or_default() += 1;
    }
    for category in CATEGORIES {
        let file = format!("{category}.jsonl");
        assert!(
            per_file.get(file.as_str()).is_some_and(|n| *n > 0),
            "corpus file {file} is missing or empty"
        );
    }
    assert!(
        cases.len() >= MIN_CASES,
        "the corpus has {} cases; it must keep at least {MIN_CASES}",
        cases.len()
    );
    let mut names = BTreeSet::new();
    for case in &cases {
        assert!(
            names.insert(case.name.as_str()),
            "{}:{}: duplicate case name {}",
            case.file,
            case.line,
            case.name
        );
    }

    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    let mut now_passing = Vec::new();
    for case in &cases {
        let got = run_case(&case.target, &case.input).unwrap_or_else(|| {
            panic!(
                "{}:{} ({}): unknown target {}",
                case.file, case.line, case.name, case.target
            )
        });
        let problem = check(case, &got);
        match (&case.known_issue, problem) {
            (Some(why), Some(_)) => skipped.push((case, why)),
            (Some(_), None) => now_passing.push(case),
            (None, Some(problem)) => failures.push((case, problem)),
            (None, None) => {}
        }
    }

    println!(
        "corpus: {} cases in {} files ({}), {} skipped as known issues",
        cases.len(),
        per_file.len(),
        per_file
            .iter()
            .map(|(f, n)| format!("{f}: {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        skipped.len()
    );
    for (case, why) in &skipped {
        println!(
            "  known issue {} ({}:{}): {why}",
            case.name, case.file, case.line
        );
    }
    for case in &now_passing {
        println!(
            "  {} ({}:{}) is marked as a known issue but passes now: remove the mark",
            case.name, case.file, case.line
        );
    }

    assert!(
        now_passing.is_empty(),
        "{} cases marked as known issues pass now; remove their marks",
        now_passing.len()
    );
    if !failures.is_empty() {
        let mut report = format!(
            "{} of {} corpus cases failed ({} more skipped as known issues):\n",
            failures.len(),
            cases.len(),
            skipped.len()
        );
        for (case, problem) in &failures {
            let _ = write!(
                report,
                "\n- {} ({}:{}, target {})\n    input {}\n    {problem}\n",
                case.name,
                case.file,
                case.line,
                case.target,
                excerpt(&case.input)
            );
        }
        panic!("{report}");
    }
}

/// Every case's fixes with their paths, in order, or its error: the expectations above check
/// kinds as a set; this pins where each fix was recorded and in what order, so a change to
/// either shows up in review (`INSTA_UPDATE=always` rewrites the snapshot).
#[test]
fn corpus_fix_paths_and_order() {
    let mut cases = load();
    cases.sort_by(|a, b| (&a.file, &a.name).cmp(&(&b.file, &b.name)));
    let mut out = String::new();
    for case in &cases {
        let line = match run_case(&case.target, &case.input) {
            Some(Outcome::Value { trace, .. }) if trace.is_empty() => "clean".to_owned(),
            Some(Outcome::Value { trace, .. }) => trace.join(" "),
            Some(Outcome::Error(err)) => format!(
                "error {} at {}",
                err.kind,
                err.path.as_deref().unwrap_or("-")
            ),
            None => format!("unknown target {}", case.target),
        };
        out.push_str(&format!("{} {}: {line}\n", case.file, case.name));
    }
    insta::assert_snapshot!(out);
}
