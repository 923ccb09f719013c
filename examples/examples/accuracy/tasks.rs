//! The tasks, and scoring against their gold answers.

use super::*;

/// One line of `tasks.jsonl`.
#[derive(Debug, Deserialize)]
pub(super) struct TaskLine {
    pub(super) id: String,
    pub(super) kind: Kind,
    pub(super) text: String,
    pub(super) gold: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Kind {
    Extraction,
    Classification,
}

impl Kind {
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Extraction => "extraction",
            Kind::Classification => "classification",
        }
    }
}

#[derive(Debug)]
pub(super) enum Gold {
    Order(Order),
    Triage(Triage),
}

#[derive(Debug)]
pub(super) struct Task {
    pub(super) id: String,
    pub(super) kind: Kind,
    pub(super) text: String,
    pub(super) gold: Gold,
}

/// Reads the task set and checks that each gold answer passes its type's rules.
pub(super) fn load_tasks() -> Result<Vec<Task>, String> {
    let mut tasks: Vec<Task> = Vec::new();
    for (n, line) in TASKS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let at = |e: &dyn std::fmt::Display| format!("tasks.jsonl line {}: {e}", n + 1);
        let line: TaskLine = serde_json::from_str(line).map_err(|e| at(&e))?;
        let sources = Arc::new(Sources::new([line.text.as_str()]));
        let gold = match line.kind {
            Kind::Extraction => {
                let order: Order = serde_json::from_value(line.gold).map_err(|e| at(&e))?;
                rules_pass(&order, &sources).map_err(|e| at(&e))?;
                Gold::Order(order)
            }
            Kind::Classification => {
                let triage: Triage = serde_json::from_value(line.gold).map_err(|e| at(&e))?;
                rules_pass(&triage, &sources).map_err(|e| at(&e))?;
                Gold::Triage(triage)
            }
        };
        if tasks.iter().any(|t| t.id == line.id) {
            return Err(at(&format!("duplicate id {}", line.id)));
        }
        tasks.push(Task {
            id: line.id,
            kind: line.kind,
            text: line.text,
            gold,
        });
    }
    Ok(tasks)
}

/// The rules exactly as a call checks them: grounded values against the call's input.
pub(super) fn rules_pass<T: LlmOutput>(
    value: &T,
    sources: &Arc<Sources>,
) -> Result<(), ValidationError> {
    let mut v = Validator::with_sources(Arc::clone(sources));
    value.validate_in(&mut v);
    v.finish()
}

/// How an answer compares with the gold one.
#[derive(Debug, Default, Clone)]
pub(super) struct Score {
    pub(super) correct: bool,
    /// Classification: category and priority both right. Extraction: same as `correct`.
    pub(super) strict: bool,
    /// Extraction: vendor, total, currency, items. Classification: category, priority.
    pub(super) fields: Vec<bool>,
}

pub(super) const EXTRACTION_FIELDS: [&str; 4] = ["vendor", "total", "currency", "items"];
pub(super) const CLASSIFICATION_FIELDS: [&str; 2] = ["category", "priority"];

pub(super) fn score_order(got: &Order, gold: &Order) -> Score {
    let vendor = vendor_key(&got.vendor) == vendor_key(&gold.vendor);
    let total = (got.total - gold.total).abs() < 0.005;
    let currency = got.currency == gold.currency;
    let items = items_match(&got.items, &gold.items);
    let correct = vendor && total && currency && items;
    Score {
        correct,
        strict: correct,
        fields: vec![vendor, total, currency, items],
    }
}

pub(super) fn score_triage(got: &Triage, gold: &Triage) -> Score {
    let category = got.category == gold.category;
    let priority = got.priority == gold.priority;
    Score {
        correct: category,
        strict: category && priority,
        fields: vec![category, priority],
    }
}

/// Lowercase words of letters and digits, everything else a separator.
pub(super) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

pub(super) fn vendor_key(name: &str) -> String {
    let mut w = words(name);
    if w.len() > 1
        && matches!(
            w.last().map(String::as_str),
            Some("ltd" | "co" | "inc" | "llc")
        )
    {
        w.pop();
    }
    w.join(" ")
}

pub(super) fn item_key(name: &str) -> String {
    let singular = |w: String| match w.strip_suffix('s') {
        Some(stem) if stem.len() > 2 => stem.to_owned(),
        _ => w,
    };
    words(name)
        .into_iter()
        .map(singular)
        .collect::<Vec<_>>()
        .join(" ")
}

/// As many items as the gold, each gold item matched by a different one with the same quantity
/// whose name equals, contains or is contained in the gold name.
pub(super) fn items_match(got: &[Item], gold: &[Item]) -> bool {
    if got.len() != gold.len() {
        return false;
    }
    let mut used = vec![false; got.len()];
    gold.iter().all(|want| {
        let key = item_key(&want.name);
        let found = got.iter().enumerate().position(|(i, item)| {
            let k = item_key(&item.name);
            !used[i]
                && item.qty == want.qty
                && !k.is_empty()
                && (k.contains(&key) || key.contains(&k))
        });
        found.map(|i| used[i] = true).is_some()
    })
}

// ---------------------------------------------------------------------------------------------
