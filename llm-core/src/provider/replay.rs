//! Recorded exchanges: [`Record`] saves what a live provider answered, [`Replay`] serves it back
//! offline.
//!
//! Recordings are readable JSON files, one per prompt (`<dir>/<prompt name>.json`), holding the
//! prompt's hash and every exchange keyed by a hash of the rendered request (system prompt,
//! messages, model settings, mode). Text is redacted before it is written. A request with no
//! recording fails with [`NotRecorded`], which says how to record it, and says so when the
//! prompt's hash changed since the file was recorded.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::{BoxFuture, FinishReason, Provider, Request, Response, ResponseFormat, Role, Usage};
use crate::LlmError;
use crate::output::hash::fnv1a;

/// The environment variable that turns recording on in [`Llm::from_env_or_replay`](crate::Llm::from_env_or_replay).
pub const RECORD_VAR: &str = "LLM_RECORD";

/// The recordings of one prompt, as stored in its file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cassette {
    prompt: String,
    /// The prompt's hash when recorded, 16 hex digits.
    hash: String,
    exchanges: Vec<Exchange>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Exchange {
    /// A hash of the rendered request, 16 hex digits.
    key: String,
    request: RecordedRequest,
    response: RecordedResponse,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RecordedRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    messages: Vec<RecordedMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    mode: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RecordedMessage {
    role: String,
    content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RecordedResponse {
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    finish: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    rebuilt: bool,
}

impl RecordedRequest {
    fn of(request: &Request) -> Self {
        Self {
            model: request.model.as_deref().map(str::to_owned),
            system: request.system.as_deref().map(str::to_owned),
            messages: request
                .messages
                .iter()
                .map(|m| RecordedMessage {
                    role: match m.role {
                        Role::User => "user",
                        Role::Assistant => "assistant",
                    }
                    .to_owned(),
                    content: m.content.clone(),
                })
                .collect(),
            temperature: request.temperature,
            max_tokens: request.max_tokens,
            mode: match &request.format {
                ResponseFormat::Json { mode, .. } => mode.as_str().to_owned(),
                _ => "text".to_owned(),
            },
        }
    }

    /// The key of this request: a hash of its canonical JSON, redacted as it is stored.
    fn key(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        format!("{:016x}", fnv1a(text.as_bytes()))
    }

    fn redacted(mut self) -> Self {
        self.system = self.system.map(|s| redact(&s));
        for message in &mut self.messages {
            message.content = redact(&message.content);
        }
        self
    }
}

impl RecordedResponse {
    fn of(response: &Response) -> Self {
        Self {
            text: redact(&response.text),
            model: response.model.clone(),
            input_tokens: response.usage.input_tokens,
            output_tokens: response.usage.output_tokens,
            finish: match &response.finish {
                FinishReason::Stop => "stop".to_owned(),
                FinishReason::Length => "length".to_owned(),
                FinishReason::ContentFilter => "content_filter".to_owned(),
                FinishReason::Other(other) => other.clone(),
            },
            rebuilt: response.rebuilt,
        }
    }

    fn to_response(&self) -> Response {
        let finish = match self.finish.as_str() {
            "stop" => FinishReason::Stop,
            "length" => FinishReason::Length,
            "content_filter" => FinishReason::ContentFilter,
            other => FinishReason::Other(other.to_owned()),
        };
        let mut response = Response::text(self.text.clone())
            .with_usage(Usage::new(self.input_tokens, self.output_tokens))
            .with_finish(finish);
        response.model.clone_from(&self.model);
        response.rebuilt = self.rebuilt;
        response
    }
}

/// Masks what looks like a credential: API keys (`sk-...`, `sk-ant-...`) and bearer tokens.
fn redact(text: &str) -> String {
    static SECRET: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(sk-[a-z0-9_-]{8,}|bearer\s+[a-z0-9._~+/-]{8,}=*)").ok()
    });
    match SECRET.as_ref() {
        Some(re) => re.replace_all(text, "[redacted]").into_owned(),
        None => text.to_owned(),
    }
}

/// The file of `prompt`'s recordings in `dir`.
fn cassette_path(dir: &Path, request: &Request) -> PathBuf {
    let name = request.prompt.map_or("_unnamed", |p| p.name);
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{safe}.json"))
}

fn prompt_hash(request: &Request) -> String {
    request
        .prompt
        .map_or_else(|| "none".to_owned(), |p| p.hash_hex())
}

fn load(path: &Path) -> Result<Option<Cassette>, RecordingError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| RecordingError::new(path, RecordingErrorKind::Format(source))),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(RecordingError::new(path, RecordingErrorKind::Io(source))),
    }
}

/// Serves recorded replies; a provider that never touches the network.
///
/// ```no_run
/// use llm_core::Llm;
/// use llm_core::provider::replay::Replay;
///
/// let llm = Llm::new(Replay::new("examples/recorded"));
/// ```
#[derive(Debug)]
pub struct Replay {
    dir: PathBuf,
    loaded: Mutex<HashMap<PathBuf, Option<Cassette>>>,
}

impl Replay {
    /// Replays the recordings in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            loaded: Mutex::default(),
        }
    }

    fn find(&self, request: &Request) -> Result<Response, LlmError> {
        let path = cassette_path(&self.dir, request);
        let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        let cassette = match loaded.get(&path) {
            Some(cassette) => cassette,
            None => {
                let cassette = load(&path)?;
                loaded.entry(path.clone()).or_insert(cassette)
            }
        };
        let recorded = RecordedRequest::of(request).redacted();
        let key = recorded.key();
        let hash = prompt_hash(request);
        let not_recorded = |reason| NotRecorded {
            prompt: request.prompt.map(|p| p.name),
            hash: hash.clone(),
            key: key.clone(),
            path: path.clone(),
            reason,
        };
        let Some(cassette) = cassette else {
            return Err(not_recorded(Missing::NoFile).into());
        };
        if cassette.hash != hash {
            return Err(not_recorded(Missing::HashChanged {
                recorded: cassette.hash.clone(),
            })
            .into());
        }
        match cassette.exchanges.iter().find(|e| e.key == key) {
            Some(exchange) => Ok(exchange.response.to_response()),
            None => Err(not_recorded(Missing::NoMatch {
                recorded: cassette.exchanges.len(),
            })
            .into()),
        }
    }
}

impl Provider for Replay {
    fn name(&self) -> &str {
        "replay"
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        Box::pin(async move { self.find(request) })
    }
}

/// Forwards to a live provider and saves every successful exchange, redacted, in `dir`.
///
/// Files are rewritten whole (through a temporary file and a rename) after each exchange; a
/// prompt whose hash changed starts a fresh file.
#[derive(Debug)]
pub struct Record {
    inner: Arc<dyn Provider>,
    dir: PathBuf,
    lock: Mutex<()>,
}

impl Record {
    /// Records what `inner` answers into `dir`.
    pub fn new(inner: Arc<dyn Provider>, dir: impl Into<PathBuf>) -> Self {
        Self {
            inner,
            dir: dir.into(),
            lock: Mutex::new(()),
        }
    }

    fn save(&self, request: &Request, response: &Response) -> Result<(), RecordingError> {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let path = cassette_path(&self.dir, request);
        let hash = prompt_hash(request);
        let mut cassette = match load(&path)? {
            Some(c) if c.hash == hash => c,
            _ => Cassette {
                prompt: request.prompt.map_or("_unnamed", |p| p.name).to_owned(),
                hash,
                exchanges: Vec::new(),
            },
        };
        let recorded = RecordedRequest::of(request).redacted();
        let key = recorded.key();
        let exchange = Exchange {
            key: key.clone(),
            request: recorded,
            response: RecordedResponse::of(response),
        };
        match cassette.exchanges.iter_mut().find(|e| e.key == key) {
            Some(existing) => *existing = exchange,
            None => cassette.exchanges.push(exchange),
        }
        let io = |source| RecordingError::new(&path, RecordingErrorKind::Io(source));
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let mut text = serde_json::to_string_pretty(&cassette)
            .map_err(|source| RecordingError::new(&path, RecordingErrorKind::Format(source)))?;
        text.push('\n');
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }
}

impl Provider for Record {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        Box::pin(async move {
            let response = self.inner.complete(request).await?;
            self.save(request, &response)?;
            Ok(response)
        })
    }
}

/// A request that has no recorded reply.
#[derive(Debug)]
pub struct NotRecorded {
    prompt: Option<&'static str>,
    hash: String,
    key: String,
    path: PathBuf,
    reason: Missing,
}

#[derive(Debug)]
enum Missing {
    NoFile,
    HashChanged { recorded: String },
    NoMatch { recorded: usize },
}

impl NotRecorded {
    /// The file that was looked in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether recordings exist for this prompt but under another hash: the prompt changed.
    pub fn prompt_changed(&self) -> bool {
        matches!(self.reason, Missing::HashChanged { .. })
    }
}

impl fmt::Display for NotRecorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prompt = self.prompt.map_or_else(
            || "a request without a prompt".to_owned(),
            |p| format!("`{p}`"),
        );
        write!(
            f,
            "no recorded reply for {prompt} (prompt hash {}, request {}) in {}: ",
            self.hash,
            self.key,
            self.path.display()
        )?;
        match &self.reason {
            Missing::NoFile => f.write_str("the file does not exist")?,
            Missing::HashChanged { recorded } => write!(
                f,
                "it was recorded for prompt hash {recorded}, so the prompt, its settings or its output type changed since"
            )?,
            Missing::NoMatch { recorded } => write!(
                f,
                "none of its {recorded} recorded requests is this one (the input or a re-ask differs)"
            )?,
        }
        write!(
            f,
            "; record it by running again with {RECORD_VAR}=1 and a live model (LLM_BASE_URL, OPENAI_API_KEY or ANTHROPIC_API_KEY)"
        )
    }
}

impl std::error::Error for NotRecorded {}

/// A recording file that could not be read or written.
#[derive(Debug)]
pub struct RecordingError {
    path: PathBuf,
    kind: RecordingErrorKind,
}

#[derive(Debug)]
enum RecordingErrorKind {
    Io(std::io::Error),
    Format(serde_json::Error),
}

impl RecordingError {
    fn new(path: &Path, kind: RecordingErrorKind) -> Self {
        Self {
            path: path.to_owned(),
            kind,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for RecordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            RecordingErrorKind::Io(_) => {
                write!(f, "cannot access the recording {}", self.path.display())
            }
            RecordingErrorKind::Format(_) => {
                write!(f, "the recording {} is not valid", self.path.display())
            }
        }
    }
}

impl std::error::Error for RecordingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            RecordingErrorKind::Io(err) => Some(err),
            RecordingErrorKind::Format(err) => Some(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked() {
        assert_eq!(
            redact("key sk-abcdef123456 and Bearer abc.def-ghi_jkl"),
            "key [redacted] and [redacted]"
        );
        assert_eq!(redact("no secrets: skate, bear"), "no secrets: skate, bear");
    }
}
