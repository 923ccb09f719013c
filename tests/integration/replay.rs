//! Recording live exchanges and replaying them offline.

use std::path::PathBuf;
use std::sync::Arc;

use llm_core::prelude::*;
use llm_core::provider::fake::FakeProvider;
use llm_core::provider::replay::{Record, Replay};
use llm_core::provider::{Provider, Response, Usage};

#[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Label {
    #[llm(one_of = ["spam", "ham"])]
    label: String,
}

#[llm_fn(prompt = "Label this message: {text}", retries = 1, temperature = 0.0)]
async fn label(llm: &Llm, text: &str) -> Result<Label, LlmError>;

#[llm_fn(
    prompt = "Label this message, please: {text}",
    name = "label",
    retries = 1
)]
async fn label_reworded(llm: &Llm, text: &str) -> Result<Label, LlmError>;

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("llm-replay-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A live provider stand-in: a fake scripted with replies for `label`.
fn live(replies: &[&str]) -> Arc<FakeProvider> {
    let fake = Arc::new(FakeProvider::new());
    for reply in replies {
        fake.push_reply(
            Some(&label::PROMPT),
            Response::text(*reply)
                .with_usage(Usage::new(30, 8))
                .with_model("smollm2"),
        );
    }
    fake
}

#[tokio::test]
async fn recorded_exchanges_replay_offline_reasks_included() {
    let dir = scratch_dir("roundtrip");
    let fake = live(&[r#"{"label": "eggs"}"#, r#"{"label": "spam"}"#]);
    let recording = Llm::new(Record::new(fake.clone() as Arc<dyn Provider>, &dir));
    let recorded = label::with_provenance(&recording, "WIN A PRIZE sk-canary-123456789")
        .await
        .unwrap();
    assert_eq!(recorded.provenance.attempt_count(), 2);

    let file = std::fs::read_to_string(dir.join("label.json")).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(saved["hash"], label::PROMPT.hash_hex());
    assert_eq!(saved["exchanges"].as_array().unwrap().len(), 2);
    assert!(
        !file.contains("sk-canary"),
        "credentials are redacted: {file}"
    );
    assert!(file.contains("[redacted]"));

    let replay = Llm::new(Replay::new(&dir));
    assert!(replay.is_replay());
    let replayed = label::with_provenance(&replay, "WIN A PRIZE sk-canary-123456789")
        .await
        .unwrap();
    assert_eq!(replayed.value, recorded.value);
    assert_eq!(
        replayed.provenance.attempt_count(),
        2,
        "the re-ask replays too"
    );
    assert_eq!(replayed.provenance.usage, recorded.provenance.usage);
    assert_eq!(replayed.provenance.model.as_deref(), Some("smollm2"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_request_never_recorded_says_how_to_record_it() {
    let dir = scratch_dir("missing");
    let fake = live(&[r#"{"label": "ham"}"#]);
    let recording = Llm::new(Record::new(fake as Arc<dyn Provider>, &dir));
    label(&recording, "lunch at noon?").await.unwrap();

    let replay = Llm::new(Replay::new(&dir));
    let err = label(&replay, "another message").await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, LlmError::NotRecorded(_)), "{err:?}");
    assert!(
        message.starts_with("no recorded reply for `label`"),
        "{message}"
    );
    assert!(
        message.contains("none of its 1 recorded requests is this one"),
        "{message}"
    );
    assert!(message.contains("LLM_RECORD=1"), "{message}");

    let empty = Llm::new(Replay::new(dir.join("nowhere")));
    let err = label(&empty, "lunch at noon?").await.unwrap_err();
    assert!(err.to_string().contains("the file does not exist"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_changed_prompt_is_named_as_the_reason() {
    let dir = scratch_dir("changed");
    let fake = live(&[r#"{"label": "ham"}"#]);
    let recording = Llm::new(Record::new(fake as Arc<dyn Provider>, &dir));
    label(&recording, "lunch at noon?").await.unwrap();

    // Same name, another template: another hash.
    let replay = Llm::new(Replay::new(&dir));
    let err = label_reworded(&replay, "lunch at noon?").await.unwrap_err();
    let LlmError::NotRecorded(missing) = &err else {
        panic!("expected NotRecorded, got {err:?}");
    };
    assert!(missing.prompt_changed());
    assert!(
        err.to_string().contains(&format!(
            "it was recorded for prompt hash {}, so the prompt, its settings or its output type changed since",
            label::PROMPT.hash_hex()
        )),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_environment_picks_live_or_replay() {
    let replay = Llm::from_lookup_or_replay(&|_| None, "examples/recorded").unwrap();
    assert!(replay.is_replay());
    let live = Llm::from_lookup_or_replay(
        &|name| (name == "LLM_BASE_URL").then(|| "http://127.0.0.1:9/v1".to_owned()),
        "examples/recorded",
    )
    .unwrap();
    assert_eq!(live.provider().name(), "openai");
}
