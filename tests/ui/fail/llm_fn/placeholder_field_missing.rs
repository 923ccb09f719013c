use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

struct Order {
    id: u32,
}

#[llm_fn(prompt = "Order {order.number}")]
async fn ask(llm: &Llm, order: &Order) -> Result<Reply, LlmError>;

fn main() {}
