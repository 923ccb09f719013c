//! `#[llm_fn]` over HTTP: the real call path (render, provider, parse, validate, re-ask) against
//! an OpenAI-compatible mock server on 127.0.0.1.

use crate::support::rejected;
use llm_core::call::AttemptError;
use llm_core::parse::FixKind;
use llm_core::prelude::*;
use llm_core::provider::openai::OpenAi;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A line item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Line {
    #[llm(len(min = 1, max = 40))]
    name: String,
    #[llm(range(min = 1))]
    qty: u32,
}

#[llm_fn(
    system = "You extract line items.",
    prompt = "Extract the line item from: {text}",
    retries = 1,
    max_tokens = 200
)]
async fn extract_line(llm: &Llm, text: &str) -> Result<Line, LlmError>;

fn completion(content: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "mock-model",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60}
    }))
}

async fn server_replying(replies: &[ResponseTemplate]) -> MockServer {
    let server = MockServer::start().await;
    for (i, reply) in replies.iter().enumerate() {
        let mock = Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(reply.clone());
        // Each reply answers one request, in order; the last one answers the rest.
        if i + 1 < replies.len() {
            mock.up_to_n_times(1).mount(&server).await;
        } else {
            mock.mount(&server).await;
        }
    }
    server
}

fn llm_for(server: &MockServer) -> Llm {
    Llm::new(OpenAi::new(format!("{}/v1", server.uri())).unwrap())
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn a_fenced_reply_is_repaired_and_typed() {
    let server = server_replying(&[completion(
        "Sure! Here it is:\n```json\n{'name': 'bolts', qty: '3',}\n```",
    )])
    .await;
    let answer = extract_line::with_provenance(&llm_for(&server), "3 bolts")
        .await
        .unwrap();
    assert_eq!(
        answer.value,
        Line {
            name: "bolts".into(),
            qty: 3
        }
    );
    assert_eq!(answer.provenance.provider, "openai");
    assert_eq!(answer.provenance.model.as_deref(), Some("mock-model"));
    assert_eq!(answer.provenance.usage.total(), 60);
    let kinds: Vec<&FixKind> = answer.provenance.fixes().iter().map(|f| &f.kind).collect();
    assert!(kinds.contains(&&FixKind::SingleQuotes), "{kinds:?}");

    let sent = &bodies(&server).await[0];
    assert_eq!(
        sent["messages"][0],
        json!({"role": "system", "content": "You extract line items."})
    );
    assert_eq!(
        sent["messages"][1]["content"],
        "Extract the line item from: 3 bolts"
    );
    assert_eq!(sent["max_tokens"], 200);
    assert_eq!(sent["response_format"]["type"], "json_schema");
    assert_eq!(
        sent["response_format"]["json_schema"]["name"],
        "extract_line"
    );
}

#[tokio::test]
async fn a_broken_rule_is_reasked_over_http_then_accepted() {
    let server = server_replying(&[
        completion(r#"{"name": "bolts", "qty": 0}"#),
        completion(r#"{"name": "bolts", "qty": 3}"#),
    ])
    .await;
    let answer = extract_line::with_provenance(&llm_for(&server), "3 bolts")
        .await
        .unwrap();
    assert_eq!(answer.value.qty, 3);
    assert_eq!(answer.provenance.attempt_count(), 2);
    assert_eq!(
        answer.provenance.usage.total(),
        120,
        "usage summed over attempts"
    );

    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2);
    let messages = sent[1]["messages"].as_array().unwrap();
    assert_eq!(
        messages.len(),
        4,
        "system, prompt, previous answer, correction"
    );
    assert_eq!(
        messages[2],
        json!({"role": "assistant", "content": r#"{"name": "bolts", "qty": 0}"#})
    );
    assert_eq!(
        messages[3]["content"],
        "Your answer broke these rules:\n- qty: must be at least 1 (found 0)\nAnswer again with corrected JSON only."
    );
}

#[tokio::test]
async fn when_the_reasks_run_out_every_attempt_is_kept() {
    let server =
        server_replying(&[completion("I am not sure."), completion(r#"{"name": ""}"#)]).await;
    let err = extract_line(&llm_for(&server), "3 bolts")
        .await
        .unwrap_err();
    let rejected = rejected(&err);
    assert_eq!(rejected.attempts().len(), 2);
    assert!(matches!(
        rejected.attempts()[0].error,
        Some(AttemptError::Parse(_))
    ));
    assert_eq!(rejected.attempts()[1].raw, r#"{"name": ""}"#);
    assert_eq!(rejected.usage().total(), 120);
    assert_eq!(bodies(&server).await.len(), 2);
}

#[tokio::test]
async fn client_errors_are_never_reasked_or_retried() {
    for status in [400, 401, 403, 404, 422] {
        let server = server_replying(&[ResponseTemplate::new(status).set_body_json(json!({
            "error": {"message": "bad request", "type": "invalid_request_error"}
        }))])
        .await;
        let err = extract_line(&llm_for(&server), "3 bolts")
            .await
            .unwrap_err();
        let LlmError::Provider(provider) = &err else {
            panic!("expected Provider for {status}, got {err:?}");
        };
        assert_eq!(provider.status(), Some(status));
        assert!(!err.is_retryable());
        assert_eq!(bodies(&server).await.len(), 1, "{status} was sent again");
    }
}

#[tokio::test]
async fn a_reply_cut_off_by_the_token_limit_is_a_typed_truncation() {
    let cut = ResponseTemplate::new(200).set_body_json(json!({
        "model": "mock-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "{\"name\": \"bol"}, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 200}
    }));
    let server = server_replying(&[cut]).await;
    let err = extract_line(&llm_for(&server), "3 bolts")
        .await
        .unwrap_err();
    let rejected = rejected(&err);
    assert!(matches!(
        rejected.last_error(),
        Some(AttemptError::Truncated { max_tokens: Some(200), partial }) if partial == "{\"name\": \"bol"
    ));
}
