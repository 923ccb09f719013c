//! Model time, and reuse of identical requests.

use super::*;

/// Wraps the provider: adds up the time the model takes, and (when `reuse` is on) answers a
/// request identical on the wire to an earlier one with that one's reply.
///
/// At temperature 0, with llama-server's prompt cache off, the same request gets the same reply
/// (checked: baseline, lenient and the first re-ask attempt got byte-identical replies), so the
/// baseline, `lenient` and the first attempt of `lenient+reask` need one model call between them.
/// A reused reply is charged the time it took when it was first asked, so latencies stay those
/// of the model; its tokens are the real usage the server reported.
#[derive(Debug)]
pub(super) struct ModelClock {
    pub(super) inner: Arc<dyn Provider>,
    pub(super) reuse: bool,
    pub(super) state: Mutex<ClockState>,
}

#[derive(Debug, Default)]
pub(super) struct ClockState {
    pub(super) spent: Duration,
    pub(super) sent: usize,
    pub(super) reused: usize,
    pub(super) replies: HashMap<String, (Response, Duration)>,
}

impl ModelClock {
    pub(super) fn state(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Model time spent so far.
    pub(super) fn spent(&self) -> Duration {
        self.state().spent
    }

    /// What the server would see: everything but the prompt's identity, and the schema's name
    /// only when it is sent.
    pub(super) fn key(request: &Request) -> String {
        let format = match &request.format {
            ResponseFormat::Json {
                mode: Ask::Prompt, ..
            } => "json in the prompt".to_owned(),
            ResponseFormat::Json { name, mode, .. } => format!("{} {name}", mode.as_str()),
            other => format!("{other:?}"),
        };
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{format}",
            request.model,
            request.system,
            request.messages,
            request.temperature,
            request.max_tokens
        )
    }

    pub(super) async fn complete_timed(&self, request: &Request) -> Result<Response, LlmError> {
        let key = Self::key(request);
        if self.reuse {
            let mut state = self.state();
            if let Some((response, took)) = state.replies.get(&key).cloned() {
                state.spent += took;
                state.reused += 1;
                return Ok(response);
            }
        }
        let started = Instant::now();
        let response = self.inner.complete(request).await;
        let took = started.elapsed();
        let mut state = self.state();
        state.spent += took;
        state.sent += 1;
        if let Ok(response) = &response {
            state.replies.insert(key, (response.clone(), took));
        }
        response
    }
}

impl Provider for ModelClock {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        Box::pin(self.complete_timed(request))
    }
}
