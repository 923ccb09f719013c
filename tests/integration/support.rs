//! What the provider tests share: output types, requests in each mode, a canary key, and
//! helpers to read what a mock server received.

use std::borrow::Cow;
use std::sync::Arc;

use llm_core::call::Rejected;
use llm_core::prelude::*;
use llm_core::provider::{Mode, ProviderError, Request, ResponseFormat};
use serde_json::Value;
use wiremock::MockServer;

/// A key that must never show up in any output.
pub(crate) const CANARY: &str = "sk-canary-123456";

/// A line item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub(crate) struct Item {
    /// What was sold.
    #[llm(len(min = 1, max = 40))]
    pub(crate) name: String,
    #[llm(range(min = 1))]
    pub(crate) qty: u32,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub(crate) struct Invoice {
    #[llm(regex = "^[A-Z][A-Za-z ]+$")]
    pub(crate) vendor: String,
    #[llm(range(min = 0.0))]
    pub(crate) total: f64,
    pub(crate) items: Vec<Item>,
    /// A note, when the invoice has one.
    pub(crate) note: Option<String>,
}

/// A ticket's priority.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Priority {
    Low,
    High,
}

/// A shape, internally tagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(crate) enum Shape {
    Circle { r: f64 },
    Square { side: f64 },
}

/// The invoice the happy paths answer with, as JSON text.
pub(crate) const INVOICE_JSON: &str = r#"{"vendor": "ACME Corp", "total": 12.5, "items": [{"name": "bolts", "qty": 3}], "note": null}"#;

/// The invoice in [`INVOICE_JSON`].
pub(crate) fn invoice() -> Invoice {
    Invoice {
        vendor: "ACME Corp".into(),
        total: 12.5,
        items: vec![Item {
            name: "bolts".into(),
            qty: 3,
        }],
        note: None,
    }
}

/// A request for a `T` in `mode`, with a system prompt, a temperature and a token limit.
pub(crate) fn json_request<T: LlmOutput>(mode: Mode) -> Request {
    let mut request = Request::user("Extract it from: ACME Corp, 3 bolts, $12.50");
    request.system = Some(Cow::Borrowed("You extract data."));
    request.temperature = Some(0.5);
    request.max_tokens = Some(200);
    request.format = ResponseFormat::Json {
        name: Cow::Borrowed("extract"),
        schema: Arc::new(T::schema().to_value()),
        mode,
    };
    request
}

/// The canonical schema of `T`, as JSON.
pub(crate) fn schema_of<T: LlmOutput>() -> Value {
    T::schema().to_value()
}

/// A base URL on 127.0.0.1 where nothing listens (wiremock pools its servers, so a dropped
/// `MockServer` may still answer).
pub(crate) fn closed_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("a bound port").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// The JSON bodies of every request the server received, in order.
pub(crate) async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.body_json::<Value>().expect("the request body is JSON"))
        .collect()
}

/// The header `name` of the only request the server received.
pub(crate) async fn header(server: &MockServer, name: &str) -> Option<String> {
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests[0]
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The provider error inside `err`; panics on any other error.
pub(crate) fn provider_error(err: LlmError) -> ProviderError {
    match err {
        LlmError::Provider(err) => err,
        other => panic!("expected a provider error, got {other:?}"),
    }
}

/// The rejected call `err` is; panics on any other error.
pub(crate) fn rejected(err: &LlmError) -> &Rejected {
    match err {
        LlmError::Rejected(rejected) => rejected,
        other => panic!("expected a rejected call, got {other:?}"),
    }
}

/// Asserts that neither the Display nor the Debug of `value` holds the canary key.
pub(crate) fn assert_no_canary(value: &(impl std::fmt::Display + std::fmt::Debug)) {
    let shown = format!("{value} {value:?}");
    assert!(!shown.contains(CANARY), "the key leaked: {shown}");
    assert!(!shown.contains("canary-123456"), "the key leaked: {shown}");
}
