//! Running each task in each mode, and the Markdown report.

use super::*;

/// One call, measured.
#[derive(Debug)]
pub(super) struct Outcome {
    pub(super) kind: Kind,
    pub(super) mode: Mode,
    /// A value reached the caller.
    pub(super) typed: bool,
    /// It passed every rule.
    pub(super) valid: bool,
    /// It passed every rule and matched the gold answer.
    pub(super) score: Score,
    pub(super) failure: Option<Failure>,
    pub(super) attempts: usize,
    pub(super) usage: Usage,
    pub(super) latency: Duration,
}

/// `reply` with its value checked against the rules (grounded values against `sources`),
/// scored against the gold answer when it passed, and serialised for the report.
pub(super) fn checked<T: LlmOutput + Serialize>(
    reply: Reply<T>,
    sources: &Arc<Sources>,
    score: impl FnOnce(&T) -> Score,
) -> (Reply<Value>, bool, Score) {
    let verdict = reply.value.as_ref().map(|v| rules_pass(v, sources));
    let (valid, score) = match (&reply.value, verdict) {
        (Some(v), Some(Ok(()))) => (true, score(v)),
        (_, Some(Err(err))) => {
            let reply = Reply {
                error: Some(err.to_string()),
                ..reply
            };
            return (erase(reply), false, Score::default());
        }
        _ => (false, Score::default()),
    };
    (erase(reply), valid, score)
}

pub(super) fn erase<T: Serialize>(reply: Reply<T>) -> Reply<Value> {
    Reply {
        value: reply.value.map(|v| json!(v)),
        failure: reply.failure,
        attempts: reply.attempts,
        usage: reply.usage,
        model: reply.model,
        raw: reply.raw,
        error: reply.error,
    }
}

pub(super) async fn run_one(
    llm: &Llm,
    clock: &ModelClock,
    task: &Task,
    mode: Mode,
) -> (Outcome, Value, Option<String>) {
    let sources = Arc::new(Sources::new([task.text.as_str()]));
    let started = clock.spent();
    let (reply, valid, score) = match &task.gold {
        Gold::Order(gold) => checked(call_extract(llm, mode, &task.text).await, &sources, |v| {
            score_order(v, gold)
        }),
        Gold::Triage(gold) => checked(call_classify(llm, mode, &task.text).await, &sources, |v| {
            score_triage(v, gold)
        }),
    };
    let latency = clock.spent().saturating_sub(started);
    let replies: Vec<Value> = reply
        .raw
        .iter()
        .map(|(text, error)| json!({"text": text, "error": error}))
        .collect();
    let log = json!({
        "id": task.id,
        "kind": task.kind.name(),
        "mode": mode.name(),
        "typed": reply.value.is_some(),
        "valid": valid,
        "correct": score.correct,
        "fields": score.fields,
        "failure": reply.failure.map(Failure::name),
        "error": reply.error,
        "value": reply.value,
        "attempts": reply.attempts,
        "input_tokens": reply.usage.input_tokens,
        "output_tokens": reply.usage.output_tokens,
        "latency_ms": latency.as_millis(),
        "replies": replies,
    });
    let outcome = Outcome {
        kind: task.kind,
        mode,
        typed: reply.value.is_some(),
        valid,
        score,
        failure: reply.failure,
        attempts: reply.attempts,
        usage: reply.usage,
        latency,
    };
    (outcome, log, reply.model)
}

/// Sums over a set of calls.
#[derive(Debug, Default)]
pub(super) struct Totals {
    pub(super) calls: usize,
    pub(super) typed: usize,
    pub(super) valid: usize,
    pub(super) correct: usize,
    pub(super) strict: usize,
    pub(super) invalid_reached: usize,
    pub(super) attempts: usize,
    pub(super) input_tokens: u64,
    pub(super) output_tokens: u64,
    pub(super) latency: Duration,
    pub(super) failures: [usize; 4],
    pub(super) fields: Vec<usize>,
}

impl Totals {
    pub(super) fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Self {
        let mut t = Totals::default();
        for o in outcomes {
            t.calls += 1;
            t.typed += usize::from(o.typed);
            t.valid += usize::from(o.valid);
            t.correct += usize::from(o.score.correct);
            t.strict += usize::from(o.score.strict);
            t.invalid_reached += usize::from(o.typed && !o.valid);
            t.attempts += o.attempts;
            t.input_tokens += o.usage.input_tokens;
            t.output_tokens += o.usage.output_tokens;
            t.latency += o.latency;
            if let Some(f) = o.failure {
                t.failures[Failure::ALL.iter().position(|x| *x == f).unwrap_or(0)] += 1;
            }
            t.fields.resize(t.fields.len().max(o.score.fields.len()), 0);
            for (i, right) in o.score.fields.iter().enumerate() {
                t.fields[i] += usize::from(*right);
            }
        }
        t
    }

    pub(super) fn share(&self, n: usize) -> String {
        if self.calls == 0 {
            return "-".to_owned();
        }
        format!("{:.1}% ({n})", 100.0 * n as f64 / self.calls as f64)
    }

    pub(super) fn mean(&self, sum: f64) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            sum / self.calls as f64
        }
    }

    /// The columns shared by the summary tables.
    pub(super) fn row(&self) -> String {
        format!(
            "{} | {} | {} | {} | {:.2} | {:.0} ({:.0} + {:.0}) | {:.1} s |",
            self.calls,
            self.share(self.valid),
            self.share(self.correct),
            self.share(self.invalid_reached),
            self.mean(self.attempts as f64),
            self.mean((self.input_tokens + self.output_tokens) as f64),
            self.mean(self.input_tokens as f64),
            self.mean(self.output_tokens as f64),
            self.mean(self.latency.as_secs_f64()),
        )
    }
}

pub(super) const SUMMARY_HEADER: &str = "calls | typed, passes every rule | also correct vs gold | \
     invalid value reached the caller | avg attempts | avg tokens (in + out) | avg latency |";

/// The Markdown report of `outcomes`.
pub(super) fn report(outcomes: &[Outcome], modes: &[Mode], header: &str) -> String {
    let kinds = [Kind::Extraction, Kind::Classification];
    let mut out = String::new();
    let _ = writeln!(out, "{header}\n");
    let _ = writeln!(out, "**All tasks**\n\n| mode | {SUMMARY_HEADER}");
    let _ = writeln!(out, "| --- |{}", " ---: |".repeat(7));
    for &mode in modes {
        let t = Totals::of(outcomes.iter().filter(|o| o.mode == mode));
        let _ = writeln!(out, "| {} | {}", mode.describe(), t.row());
    }

    let _ = writeln!(
        out,
        "\n**Per task type**\n\n| task | mode | {SUMMARY_HEADER}"
    );
    let _ = writeln!(out, "| --- | --- |{}", " ---: |".repeat(7));
    for kind in kinds {
        for &mode in modes {
            let t = Totals::of(outcomes.iter().filter(|o| o.mode == mode && o.kind == kind));
            let _ = writeln!(out, "| {} | {} | {}", kind.name(), mode.name(), t.row());
        }
    }

    let _ = write!(out, "\n**How calls ended**\n\n| mode | value returned |");
    for f in Failure::ALL {
        let _ = write!(out, " {} |", f.name());
    }
    let _ = writeln!(out, "\n| --- |{}", " ---: |".repeat(1 + Failure::ALL.len()));
    for &mode in modes {
        let t = Totals::of(outcomes.iter().filter(|o| o.mode == mode));
        let _ = write!(out, "| {} | {} |", mode.name(), t.typed);
        for n in t.failures {
            let _ = write!(out, " {n} |");
        }
        let _ = writeln!(out);
    }

    let _ = write!(
        out,
        "\n**Fields right** (share of calls of the type whose value passed the rules and had the field right)\n\n| mode |"
    );
    for name in EXTRACTION_FIELDS.iter().chain(&CLASSIFICATION_FIELDS) {
        let _ = write!(out, " {name} |");
    }
    let _ = write!(out, " category + priority |");
    let columns = EXTRACTION_FIELDS.len() + CLASSIFICATION_FIELDS.len() + 1;
    let _ = writeln!(out, "\n| --- |{}", " ---: |".repeat(columns));
    for &mode in modes {
        let _ = write!(out, "| {} |", mode.name());
        for (kind, fields) in [
            (Kind::Extraction, EXTRACTION_FIELDS.len()),
            (Kind::Classification, CLASSIFICATION_FIELDS.len()),
        ] {
            let t = Totals::of(outcomes.iter().filter(|o| o.mode == mode && o.kind == kind));
            for i in 0..fields {
                let _ = write!(out, " {} |", t.share(t.fields.get(i).copied().unwrap_or(0)));
            }
            if kind == Kind::Classification {
                let _ = write!(out, " {} |", t.share(t.strict));
            }
        }
        let _ = writeln!(out);
    }
    out
}

pub(super) fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub(super) fn selected_modes() -> Result<Vec<Mode>, String> {
    let Some(list) = env("ACCURACY_MODES") else {
        return Ok(Mode::ALL.to_vec());
    };
    list.split(',')
        .map(|name| {
            let name = name.trim();
            Mode::ALL
                .into_iter()
                .find(|m| m.name() == name)
                .ok_or_else(|| {
                    let known: Vec<_> = Mode::ALL.iter().map(|m| m.name()).collect();
                    format!(
                        "ACCURACY_MODES: unknown mode `{name}` (known: {})",
                        known.join(", ")
                    )
                })
        })
        .collect()
}

/// The first `limit` tasks of each type, in file order.
pub(super) fn limited(tasks: Vec<Task>) -> Result<Vec<Task>, String> {
    let Some(limit) = env("ACCURACY_LIMIT") else {
        return Ok(tasks);
    };
    let limit: usize = limit
        .trim()
        .parse()
        .map_err(|_| format!("ACCURACY_LIMIT must be a number, not `{limit}`"))?;
    let mut seen = [0usize; 2];
    Ok(tasks
        .into_iter()
        .filter(|t| {
            let n = &mut seen[usize::from(t.kind == Kind::Classification)];
            *n += 1;
            *n <= limit
        })
        .collect())
}
