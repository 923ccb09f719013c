//! The Messages API wire format: the request body built from a [`Request`], and the parts of a
//! reply this crate reads.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::tool_input_schema;
use crate::provider::http::schema::{SchemaCache, description, tool_name};
use crate::provider::{FinishReason, Mode, Request, ResponseFormat, Role, Usage};

/// The body of `POST /v1/messages`.
#[derive(Debug, Serialize)]
pub(super) struct MessagesRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'a str>,
    messages: Vec<Message<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<[Tool<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<ToolChoice<'a>>,
}

#[derive(Debug, Serialize)]
struct Message<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Debug, Serialize)]
struct Tool<'a> {
    name: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    /// Shared by every request of an output type (see `SchemaCache`).
    #[serde(serialize_with = "shared")]
    input_schema: Arc<Value>,
}

fn shared<S: serde::Serializer>(value: &Arc<Value>, serializer: S) -> Result<S::Ok, S::Error> {
    value.as_ref().serialize(serializer)
}

#[derive(Debug, Serialize)]
struct ToolChoice<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: Cow<'a, str>,
}

impl<'a> MessagesRequest<'a> {
    /// The body for `request`, asking `model` with at most `max_tokens` when the request sets
    /// neither.
    pub(super) fn new(request: &'a Request, model: &'a str, max_tokens: u32) -> Self {
        // The API rejects empty text; an empty earlier reply (cut off at once) is left out, and
        // the two user turns around it are read as one.
        let messages = request
            .messages
            .iter()
            .filter(|m| !(m.role == Role::Assistant && m.content.trim().is_empty()))
            .map(|m| Message {
                role: match m.role {
                    Role::User => "user",
                    Role::Assistant => "assistant",
                },
                content: &m.content,
            })
            .collect();
        let mut body = Self {
            model: request.model.as_deref().unwrap_or(model),
            max_tokens: request.max_tokens.unwrap_or(max_tokens),
            system: request.system.as_deref(),
            messages,
            temperature: request.temperature,
            tools: None,
            tool_choice: None,
        };
        if let ResponseFormat::Json { name, schema, mode } = &request.format
            && *mode != Mode::Prompt
        {
            // Native and tool mode are the same here: Anthropic's structured output is a tool.
            let name = tool_name(name);
            body.tool_choice = Some(ToolChoice {
                kind: "tool",
                name: name.clone(),
            });
            body.tools = Some([Tool {
                name,
                description: description(schema),
                input_schema: {
                    static CACHE: SchemaCache<Value> = SchemaCache::new();
                    CACHE.get(schema, tool_input_schema)
                },
            }]);
        }
        body
    }

    /// The model asked.
    pub(super) fn model(&self) -> &'a str {
        self.model
    }

    /// The forced tool's name, when the answer is a tool call.
    pub(super) fn tool(&self) -> Option<&str> {
        self.tool_choice.as_ref().map(|c| c.name.as_ref())
    }
}

/// A message, as far as this crate reads it.
#[derive(Debug, Deserialize)]
pub(super) struct MessagesResponse {
    #[serde(default)]
    pub(super) model: Option<String>,
    content: Vec<Block>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<MessagesUsage>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
enum Block {
    #[serde(rename = "text")]
    Text { text: String },
    #[serde(rename = "tool_use")]
    ToolUse {
        #[serde(default)]
        name: String,
        #[serde(default)]
        input: Value,
    },
    /// Thinking and any block type added later.
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct MessagesUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
}

impl MessagesResponse {
    /// Tokens spent; zero when the reply does not say.
    pub(super) fn usage(&self) -> Usage {
        self.usage.as_ref().map_or_else(Usage::default, |u| {
            Usage::new(u.input_tokens, u.output_tokens)
        })
    }

    /// Whether the model declined to answer.
    pub(super) fn refused(&self) -> bool {
        self.stop_reason.as_deref() == Some("refusal")
    }

    /// Why the model stopped; a missing reason is a normal stop.
    pub(super) fn finish(&self) -> FinishReason {
        match self.stop_reason.as_deref() {
            None | Some("end_turn" | "tool_use" | "stop_sequence") => FinishReason::Stop,
            Some("max_tokens") => FinishReason::Length,
            Some(other) => FinishReason::Other(other.to_owned()),
        }
    }

    /// The text blocks, joined.
    pub(super) fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|b| match b {
                Block::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The input of the call to `tool` (or of the first call, if none has its name), as JSON
    /// text.
    pub(super) fn tool_input(&self, tool: &str) -> Option<String> {
        let calls = || {
            self.content.iter().filter_map(|b| match b {
                Block::ToolUse { name, input } => Some((name, input)),
                _ => None,
            })
        };
        let (_, input) = calls()
            .find(|(name, _)| *name == tool)
            .or_else(|| calls().next())?;
        Some(input.to_string())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn replies_read_the_named_tool_call_and_stop_reasons() {
        let reply: MessagesResponse = serde_json::from_value(json!({
            "content": [
                { "type": "text", "text": "Calling." },
                { "type": "tool_use", "id": "a", "name": "other", "input": { "x": 1 } },
                { "type": "tool_use", "id": "b", "name": "answer", "input": { "y": 2 } }
            ],
            "stop_reason": "pause_turn"
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.tool_input("answer").as_deref(), Some(r#"{"y":2}"#));
        assert_eq!(reply.tool_input("missing").as_deref(), Some(r#"{"x":1}"#));
        assert_eq!(reply.text(), "Calling.");
        assert_eq!(reply.finish(), FinishReason::Other("pause_turn".into()));
        assert_eq!(reply.usage(), Usage::default());
    }
}
