//! The chat completions wire format: the request body built from a [`Request`], and the parts of
//! a reply this crate reads.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::StrictSchema;
use crate::provider::http::schema::{SchemaCache, description, tool_name};
use crate::provider::{FinishReason, Mode, Request, ResponseFormat, Role, Usage};

/// The body of `POST /chat/completions`.
#[derive(Debug, Serialize)]
pub(super) struct ChatRequest<'a> {
    model: &'a str,
    messages: Vec<ChatMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    /// The name every compatible server reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    /// OpenAI's current name for the same limit, which its reasoning models require.
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<JsonSchemaFormat<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<[Tool<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<ToolChoice<'a>>,
    /// Strict tools and parallel calls do not mix; one call is the answer anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    parallel_tool_calls: Option<bool>,
}

#[derive(Debug, Serialize)]
struct ChatMessage<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Debug, Serialize)]
struct JsonSchemaFormat<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    json_schema: JsonSchema<'a>,
}

#[derive(Debug, Serialize)]
struct JsonSchema<'a> {
    name: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    schema: SharedSchema,
    strict: bool,
}

#[derive(Debug, Serialize)]
struct Tool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: Function<'a>,
}

#[derive(Debug, Serialize)]
struct Function<'a> {
    name: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    parameters: SharedSchema,
    strict: bool,
}

#[derive(Debug, Serialize)]
struct ToolChoice<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: ToolChoiceFunction<'a>,
}

#[derive(Debug, Serialize)]
struct ToolChoiceFunction<'a> {
    name: Cow<'a, str>,
}

impl<'a> ChatRequest<'a> {
    /// The model asked.
    pub(super) fn model(&self) -> &'a str {
        self.model
    }

    /// The body for `request`, asking `model` when the request names none; the token limit is
    /// sent as `max_completion_tokens` when `completion_tokens` is set, as `max_tokens` otherwise.
    pub(super) fn new(request: &'a Request, model: &'a str, completion_tokens: bool) -> Self {
        let mut messages = Vec::with_capacity(request.messages.len() + 1);
        if let Some(system) = &request.system {
            messages.push(ChatMessage {
                role: "system",
                content: system,
            });
        }
        messages.extend(request.messages.iter().map(|m| ChatMessage {
            role: match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            },
            content: &m.content,
        }));
        let mut body = Self {
            model: request.model.as_deref().unwrap_or(model),
            messages,
            temperature: request.temperature,
            max_tokens: request.max_tokens.filter(|_| !completion_tokens),
            max_completion_tokens: request.max_tokens.filter(|_| completion_tokens),
            response_format: None,
            tools: None,
            tool_choice: None,
            parallel_tool_calls: None,
        };
        let ResponseFormat::Json { name, schema, mode } = &request.format else {
            return body;
        };
        let name = tool_name(name);
        let described = description(schema);
        match mode {
            Mode::Prompt => {}
            Mode::Native => {
                let (schema, strict) = SharedSchema::of(schema);
                body.response_format = Some(JsonSchemaFormat {
                    kind: "json_schema",
                    json_schema: JsonSchema {
                        name,
                        description: described,
                        schema,
                        strict,
                    },
                });
            }
            Mode::Tool => {
                let (schema, strict) = SharedSchema::of(schema);
                body.tool_choice = Some(ToolChoice {
                    kind: "function",
                    function: ToolChoiceFunction { name: name.clone() },
                });
                body.tools = Some([Tool {
                    kind: "function",
                    function: Function {
                        name,
                        description: described,
                        parameters: schema,
                        strict,
                    },
                }]);
                body.parallel_tool_calls = Some(false);
            }
        }
        body
    }
}

/// A strict schema shared between requests: the transform runs once per canonical schema.
#[derive(Debug)]
struct SharedSchema(Arc<StrictSchema>);

impl SharedSchema {
    /// The strict form of `schema` and whether it is strict.
    fn of(schema: &Arc<Value>) -> (Self, bool) {
        static CACHE: SchemaCache<StrictSchema> = SchemaCache::new();
        let strict = CACHE.get(schema, StrictSchema::from_canonical);
        let is_strict = strict.strict;
        (Self(strict), is_strict)
    }
}

impl Serialize for SharedSchema {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.schema.serialize(serializer)
    }
}

/// A chat completion, as far as this crate reads it.
#[derive(Debug, Deserialize)]
pub(super) struct ChatResponse {
    #[serde(default)]
    pub(super) model: Option<String>,
    pub(super) choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<ChatUsage>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Choice {
    pub(super) message: ChoiceMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ChoiceMessage {
    #[serde(default)]
    pub(super) content: Option<String>,
    #[serde(default)]
    pub(super) refusal: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCall>>,
}

#[derive(Debug, Deserialize)]
struct ToolCall {
    function: FunctionCall,
}

#[derive(Debug, Deserialize)]
struct FunctionCall {
    /// A string of JSON per the protocol; some servers send the object itself.
    #[serde(default)]
    arguments: Value,
}

#[derive(Debug, Deserialize)]
struct ChatUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
}

impl ChatResponse {
    /// Tokens spent; zero when the server does not say.
    pub(super) fn usage(&self) -> Usage {
        self.usage.as_ref().map_or_else(Usage::default, |u| {
            Usage::new(
                u.prompt_tokens.unwrap_or(0),
                u.completion_tokens.unwrap_or(0),
            )
        })
    }
}

impl Choice {
    /// Why the model stopped; a missing reason is a normal stop.
    pub(super) fn finish(&self) -> FinishReason {
        match self.finish_reason.as_deref() {
            None | Some("stop" | "tool_calls" | "function_call" | "eos") => FinishReason::Stop,
            Some("length") => FinishReason::Length,
            Some("content_filter") => FinishReason::ContentFilter,
            Some(other) => FinishReason::Other(other.to_owned()),
        }
    }
}

impl ChoiceMessage {
    /// The first tool call's arguments as JSON text, when the model made a call, and whether
    /// the text was rebuilt (a server that sends the arguments as an object, not as text).
    pub(super) fn tool_arguments(&self) -> Option<(String, bool)> {
        let call = self.tool_calls.as_ref()?.first()?;
        match &call.function.arguments {
            Value::String(text) => Some((text.clone(), false)),
            Value::Null => None,
            other => Some((other.to_string(), true)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    fn body(schema: Value, mode: Mode) -> Value {
        let mut request = Request::user("Count the words.");
        request.format = ResponseFormat::Json {
            name: Cow::Borrowed("count words"),
            schema: Arc::new(schema),
            mode,
        };
        serde_json::to_value(ChatRequest::new(&request, "m", false)).unwrap_or_default()
    }

    #[test]
    fn a_schema_without_a_strict_form_is_sent_with_strict_off() {
        let map = json!({ "type": "object", "additionalProperties": { "type": "integer" } });
        let native = body(map.clone(), Mode::Native);
        assert_eq!(native["response_format"]["json_schema"]["strict"], false);
        assert_eq!(
            native["response_format"]["json_schema"]["name"],
            "count_words"
        );
        assert_eq!(
            native["response_format"]["json_schema"]["schema"]["additionalProperties"],
            json!({ "type": "integer" })
        );
        let tool = body(map, Mode::Tool);
        assert_eq!(tool["tools"][0]["function"]["strict"], false);
        assert_eq!(tool["tool_choice"]["function"]["name"], "count_words");
    }
}
