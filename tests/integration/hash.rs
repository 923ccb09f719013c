//! `SCHEMA_HASH`: a compile-time fingerprint of shape, rules and docs, nested types included.

use llm_core::prelude::*;

mod v1 {
    use super::*;
    /// An item.
    #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
    pub(super) struct Item {
        #[llm(len(max = 10))]
        pub(super) name: String,
    }
    #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
    pub(super) struct Order {
        pub(super) items: Vec<Item>,
    }
}

mod doc_changed {
    use super::*;
    /// An item, described differently.
    #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
    pub(super) struct Item {
        #[llm(len(max = 10))]
        pub(super) name: String,
    }
    #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
    pub(super) struct Order {
        pub(super) items: Vec<Item>,
    }
}

mod rule_changed {
    use super::*;
    /// An item.
    #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
    pub(super) struct Item {
        #[llm(len(max = 11))]
        pub(super) name: String,
    }
    #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
    pub(super) struct Order {
        pub(super) items: Vec<Item>,
    }
}

mod rename_changed {
    use super::*;
    /// An item.
    #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
    pub(super) struct Item {
        #[serde(rename = "title")]
        #[llm(len(max = 10))]
        pub(super) name: String,
    }
}

mod cosmetic_changes {
    use super::*;
    /// An item.
    #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, LlmOutput)]
    pub(crate) struct Item {
        #[llm(len(max = 10))]
        pub(crate) name: String,
    }
}

#[test]
fn hash_is_a_stable_constant() {
    const HASH: u64 = v1::Item::SCHEMA_HASH;
    // Pinned: the hash must not change across builds, machines or compiler versions.
    assert_eq!(format!("{HASH:016x}"), "c53c610cd8741198");
}

#[test]
fn docs_rules_and_renames_change_the_hash_and_reach_containing_types() {
    assert_ne!(v1::Item::SCHEMA_HASH, doc_changed::Item::SCHEMA_HASH);
    assert_ne!(v1::Item::SCHEMA_HASH, rule_changed::Item::SCHEMA_HASH);
    assert_ne!(v1::Item::SCHEMA_HASH, rename_changed::Item::SCHEMA_HASH);
    // `Order` is written the same in each module: only its nested `Item` differs.
    assert_ne!(v1::Order::SCHEMA_HASH, doc_changed::Order::SCHEMA_HASH);
    assert_ne!(v1::Order::SCHEMA_HASH, rule_changed::Order::SCHEMA_HASH);
}

#[test]
fn visibility_other_derives_and_spacing_do_not_change_the_hash() {
    assert_eq!(v1::Item::SCHEMA_HASH, cosmetic_changes::Item::SCHEMA_HASH);
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Tree {
    label: String,
    children: Vec<Tree>,
}

#[test]
fn recursive_types_have_a_hash() {
    assert_ne!(Tree::SCHEMA_HASH, 0);
}
