//! Parser benchmarks; see BENCHMARKS.md at the repository root.
//!
//! `cargo bench -p llm-core --bench parse` runs five sections and then prints a summary of
//! ratios, each measured in this one run (the machine is shared, so only ratios are reported):
//!
//! 1. `clean`: clean JSON into a typed struct, `T::parse` vs `serde_json::from_str::<T>`, for
//!    generated invoices of about 0.5, 2, 5 and 10 KB and for `twitter.json`,
//!    `citm_catalog.json`, `canada.json` (from `benches/data/`, see the README there).
//! 2. `damaged`: malformed LLM-style outputs generated from the invoices, `T::parse(damaged)` vs
//!    `serde_json::from_str::<T>(repaired)`.
//! 3. `repair_json`: schema-free `repair_json` over all malformed inputs (and over the inputs of
//!    `tests/corpus/*.jsonl`); `scripts/bench-json-repair.sh` compares it with Python's
//!    `json_repair`. With `LLM_BENCH_INPUTS_OUT=path` the inputs are written there as JSON Lines.
//! 4. `stream`: a ~20 KB document fed to `StreamParser<T>` in 4-byte chunks vs one full parse,
//!    the repairer alone, and re-parsing the buffer after every chunk.
//! 5. `alloc`: allocations per call and per KB, counted by running this binary under valgrind
//!    (the workspace forbids `unsafe`, so a counting `#[global_allocator]` cannot be written
//!    here); skipped with a note when valgrind is missing.
//!
//! Every criterion benchmark records its samples; the summary's times are the median time per
//! iteration over those samples. Each ratio is also re-measured "paired": both sides timed in
//! alternation, 31 rounds, median of the per-round ratios, which cancels drift on a noisy machine;
//! the pass/miss verdicts use the paired ratio.
//! A criterion filter (`cargo bench -p llm-core --bench parse -- stream`) runs only the matching
//! benchmarks and summary sections; `alloc` is a section name too.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};
use llm_core::parse::{Limits, Repairer, StreamParser, parse_with_schema, repair_json};
use llm_core::prelude::*;
use serde_json::Value;

// =============================================================================================
// Target types.
// =============================================================================================

/// An invoice as a model might be asked to extract it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Invoice {
    invoice_number: String,
    issue_date: String,
    due_date: Option<String>,
    status: Status,
    currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vendor: Option<Party>,
    customer: Party,
    items: Vec<LineItem>,
    subtotal: f64,
    tax_total: f64,
    total: f64,
    paid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    po_number: Option<String>,
    /// Free text, last: where a reply cut off by the token limit ends.
    notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "snake_case")]
enum Status {
    Draft,
    Sent,
    Paid,
    Overdue,
    Void,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "UPPERCASE")]
enum Currency {
    Usd,
    Eur,
    Gbp,
    Chf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "snake_case")]
enum Unit {
    Each,
    Hour,
    Kg,
    Box,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Party {
    name: String,
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tax_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Address {
    street: String,
    city: String,
    postal_code: String,
    country: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct LineItem {
    sku: String,
    description: String,
    quantity: u32,
    unit: Unit,
    unit_price: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    discount_pct: Option<f64>,
    tax_rate: f64,
    tags: Vec<String>,
}

/// Typed structs for the classic serde benchmark files, written from the files' contents; they
/// cover every field the files hold, so both parsers do the same work. The fields are only
/// deserialized, never read.
#[allow(dead_code)]
mod classic {
    use llm_core::prelude::*;
    use serde_json::Value;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    pub(crate) struct Twitter {
        statuses: Vec<Status>,
        search_metadata: SearchMetadata,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Status {
        metadata: Metadata,
        created_at: String,
        id: u64,
        id_str: String,
        text: String,
        source: String,
        truncated: bool,
        in_reply_to_status_id: Option<u64>,
        in_reply_to_status_id_str: Option<String>,
        in_reply_to_user_id: Option<u64>,
        in_reply_to_user_id_str: Option<String>,
        in_reply_to_screen_name: Option<String>,
        user: User,
        geo: Option<Value>,
        coordinates: Option<Value>,
        place: Option<Value>,
        contributors: Option<Value>,
        retweeted_status: Option<Box<Retweeted>>,
        retweet_count: u32,
        favorite_count: u32,
        entities: Entities,
        favorited: bool,
        retweeted: bool,
        possibly_sensitive: Option<bool>,
        lang: String,
    }

    /// A retweeted status: a status without a retweet of its own.
    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Retweeted {
        metadata: Metadata,
        created_at: String,
        id: u64,
        id_str: String,
        text: String,
        source: String,
        truncated: bool,
        in_reply_to_status_id: Option<u64>,
        in_reply_to_status_id_str: Option<String>,
        in_reply_to_user_id: Option<u64>,
        in_reply_to_user_id_str: Option<String>,
        in_reply_to_screen_name: Option<String>,
        user: User,
        geo: Option<Value>,
        coordinates: Option<Value>,
        place: Option<Value>,
        contributors: Option<Value>,
        retweet_count: u32,
        favorite_count: u32,
        entities: Entities,
        favorited: bool,
        retweeted: bool,
        possibly_sensitive: Option<bool>,
        lang: String,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Metadata {
        result_type: String,
        iso_language_code: String,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct User {
        id: u64,
        id_str: String,
        name: String,
        screen_name: String,
        location: String,
        description: String,
        url: Option<String>,
        entities: UserEntities,
        protected: bool,
        followers_count: u32,
        friends_count: u32,
        listed_count: u32,
        created_at: String,
        favourites_count: u32,
        utc_offset: Option<i32>,
        time_zone: Option<String>,
        geo_enabled: bool,
        verified: bool,
        statuses_count: u32,
        lang: String,
        contributors_enabled: bool,
        is_translator: bool,
        is_translation_enabled: bool,
        profile_background_color: String,
        profile_background_image_url: String,
        profile_background_image_url_https: String,
        profile_background_tile: bool,
        profile_image_url: String,
        profile_image_url_https: String,
        profile_banner_url: Option<String>,
        profile_link_color: String,
        profile_sidebar_border_color: String,
        profile_sidebar_fill_color: String,
        profile_text_color: String,
        profile_use_background_image: bool,
        default_profile: bool,
        default_profile_image: bool,
        following: bool,
        follow_request_sent: bool,
        notifications: bool,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct UserEntities {
        url: Option<UserUrls>,
        description: UserUrls,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct UserUrls {
        urls: Vec<Url>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Url {
        url: String,
        expanded_url: String,
        display_url: String,
        indices: Vec<u32>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Entities {
        hashtags: Vec<Hashtag>,
        symbols: Vec<Hashtag>,
        urls: Vec<Url>,
        user_mentions: Vec<UserMention>,
        media: Option<Vec<Media>>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Hashtag {
        text: String,
        indices: Vec<u32>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct UserMention {
        screen_name: String,
        name: String,
        id: u64,
        id_str: String,
        indices: Vec<u32>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Media {
        id: u64,
        id_str: String,
        indices: Vec<u32>,
        media_url: String,
        media_url_https: String,
        url: String,
        display_url: String,
        expanded_url: String,
        #[serde(rename = "type")]
        kind: String,
        sizes: Sizes,
        source_status_id: Option<u64>,
        source_status_id_str: Option<String>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Sizes {
        medium: Size,
        small: Size,
        thumb: Size,
        large: Size,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Size {
        w: u32,
        h: u32,
        resize: String,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct SearchMetadata {
        completed_in: f64,
        max_id: u64,
        max_id_str: String,
        next_results: String,
        query: String,
        refresh_url: String,
        count: u32,
        since_id: u64,
        since_id_str: String,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct CitmCatalog {
        area_names: BTreeMap<String, String>,
        audience_sub_category_names: BTreeMap<String, String>,
        block_names: BTreeMap<String, String>,
        events: BTreeMap<String, Event>,
        performances: Vec<Performance>,
        seat_category_names: BTreeMap<String, String>,
        sub_topic_names: BTreeMap<String, String>,
        subject_names: BTreeMap<String, String>,
        topic_names: BTreeMap<String, String>,
        topic_sub_topics: BTreeMap<String, Vec<u64>>,
        venue_names: BTreeMap<String, String>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    #[serde(rename_all = "camelCase")]
    struct Event {
        description: Option<String>,
        id: u64,
        logo: Option<String>,
        name: String,
        sub_topic_ids: Vec<u64>,
        subject_code: Option<String>,
        subtitle: Option<String>,
        topic_ids: Vec<u64>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    #[serde(rename_all = "camelCase")]
    struct Performance {
        event_id: u64,
        id: u64,
        logo: Option<String>,
        name: Option<String>,
        prices: Vec<Price>,
        seat_categories: Vec<SeatCategory>,
        seat_map_image: Option<String>,
        start: u64,
        venue_code: String,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    #[serde(rename_all = "camelCase")]
    struct Price {
        amount: u64,
        audience_sub_category_id: u64,
        seat_category_id: u64,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    #[serde(rename_all = "camelCase")]
    struct SeatCategory {
        areas: Vec<Area>,
        seat_category_id: u64,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    #[serde(rename_all = "camelCase")]
    struct Area {
        area_id: u64,
        block_ids: Vec<u64>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    pub(crate) struct Canada {
        #[serde(rename = "type")]
        kind: ObjType,
        features: Vec<Feature>,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    enum ObjType {
        FeatureCollection,
        Feature,
        Polygon,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Feature {
        #[serde(rename = "type")]
        kind: ObjType,
        properties: Properties,
        geometry: Geometry,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Properties {
        name: String,
    }

    #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
    struct Geometry {
        #[serde(rename = "type")]
        kind: ObjType,
        /// (longitude, latitude) pairs; tuples are not `LlmOutput`, hence `opaque`.
        #[llm(opaque)]
        coordinates: Vec<Vec<(f64, f64)>>,
    }
}

// =============================================================================================
// Deterministic inputs.
// =============================================================================================

/// xorshift64*: small, deterministic, good enough to vary the payloads.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn words(&mut self, min: u64, max: u64) -> String {
        let n = min + self.below(max - min + 1);
        (0..n)
            .map(|_| *self.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

const WORDS: &[&str] = &[
    "steel",
    "bolt",
    "hex",
    "washer",
    "bracket",
    "mount",
    "cable",
    "assembly",
    "service",
    "labour",
    "consulting",
    "hours",
    "premium",
    "standard",
    "café",
    "crème",
    "Zürich",
    "naïve",
    "déjà",
    "widget",
    "gadget",
    "module",
    "sensor",
    "thermal",
    "paste",
    "kit",
    "replacement",
    "fan",
    "annual",
    "license",
    "support",
    "tier",
    "onsite",
    "remote",
    "freight",
    "insurance",
    "pallet",
    "galvanised",
    "M8",
    "M10",
    "x40mm",
    "(pack of 50)",
    "\"heavy duty\"",
    "50/50",
    "#2",
];

const NAMES: &[&str] = &[
    "Acme Corp",
    "Globex GmbH",
    "Initech Ltd",
    "Umbrella S.A.",
    "Hooli Inc.",
    "Vandelay Imports",
    "Müller & Söhne KG",
    "Soylent Foods",
    "Stark Industries",
    "Wayne Enterprises",
];

const CITIES: &[(&str, &str)] = &[
    ("Berlin", "DE"),
    ("Zürich", "CH"),
    ("London", "GB"),
    ("Springfield", "US"),
    ("Lyon", "FR"),
    ("Québec", "CA"),
];

fn money(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn party(rng: &mut Rng, with_address: bool) -> Party {
    let name = rng.pick(NAMES).to_string();
    let email = rng
        .chance(70)
        .then(|| format!("billing{}@example.com", rng.below(100)));
    let address = with_address.then(|| {
        let (city, country) = *rng.pick(CITIES);
        Address {
            street: format!("{} {} Street", 1 + rng.below(250), rng.pick(WORDS)),
            city: city.to_owned(),
            postal_code: format!("{:05}", rng.below(100_000)),
            country: country.to_owned(),
        }
    });
    let tax_id = rng
        .chance(50)
        .then(|| format!("VAT-{:09}", rng.below(1_000_000_000)));
    Party {
        name,
        email,
        address,
        tax_id,
    }
}

fn line_item(rng: &mut Rng) -> LineItem {
    let n_tags = rng.below(4);
    LineItem {
        sku: format!("SKU-{:04}-{:02}", rng.below(10_000), rng.below(100)),
        description: rng.words(3, 9),
        quantity: 1 + rng.below(50) as u32,
        unit: *rng.pick(&[Unit::Each, Unit::Hour, Unit::Kg, Unit::Box]),
        unit_price: money((1 + rng.below(99_999)) as f64 / 100.0),
        discount_pct: rng.chance(30).then(|| (5 * (1 + rng.below(6))) as f64),
        tax_rate: *rng.pick(&[0.0, 0.07, 0.2, 0.077]),
        tags: (0..n_tags).map(|_| rng.pick(WORDS).to_string()).collect(),
    }
}

/// An invoice whose pretty-printed JSON is at least `target` bytes (and small ones just above).
fn invoice(seed: u64, target: usize) -> Invoice {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut inv = Invoice {
        invoice_number: format!("INV-{:06}", rng.below(1_000_000)),
        issue_date: format!("2025-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
        due_date: rng
            .chance(60)
            .then(|| format!("2025-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28))),
        status: *rng.pick(&[
            Status::Draft,
            Status::Sent,
            Status::Paid,
            Status::Overdue,
            Status::Void,
        ]),
        currency: *rng.pick(&[Currency::Usd, Currency::Eur, Currency::Gbp, Currency::Chf]),
        vendor: None,
        customer: party(&mut rng, false),
        items: vec![line_item(&mut rng)],
        subtotal: 0.0,
        tax_total: 0.0,
        total: 0.0,
        paid: rng.chance(50),
        po_number: None,
        notes: Some(format!("Net 30, \"as agreed\". {}.", rng.words(3, 6))),
    };
    let size = |inv: &Invoice| serde_json::to_string_pretty(inv).map_or(0, |s| s.len());
    // Grow in a fixed order until the target is reached.
    let mut step = 0;
    while size(&inv) < target {
        match step {
            0 => inv.customer = party(&mut rng, true),
            1 => inv.vendor = Some(party(&mut rng, true)),
            2 => inv.po_number = Some(format!("PO-{}", rng.below(100_000))),
            3 => {
                inv.notes = Some(format!(
                    "Payment terms \"net 30\"; late fees apply after the due date. {}.\n\
                     Questions: reply to this e-mail or call the number on the letterhead. {}.",
                    rng.words(10, 20),
                    rng.words(10, 20)
                ))
            }
            _ => inv.items.push(line_item(&mut rng)),
        }
        step += 1;
    }
    let subtotal: f64 = inv
        .items
        .iter()
        .map(|i| {
            f64::from(i.quantity) * i.unit_price * (1.0 - i.discount_pct.unwrap_or(0.0) / 100.0)
        })
        .sum();
    let tax: f64 = inv
        .items
        .iter()
        .map(|i| f64::from(i.quantity) * i.unit_price * i.tax_rate)
        .sum();
    inv.subtotal = money(subtotal);
    inv.tax_total = money(tax);
    inv.total = money(subtotal + tax);
    inv
}

// --- Damage ----------------------------------------------------------------------------------

/// Text-level damage applied while writing a value as pretty JSON.
#[derive(Clone, Copy, Default)]
struct Damage {
    single_quotes: bool,
    unquoted_keys: bool,
    trailing_commas: bool,
    comments: bool,
    python: bool,
    /// Type drift: numbers as strings (`"5"`), bools as `"yes"`/`"no"`, enum values in the
    /// wrong case.
    drift: bool,
}

/// Writes `value` as `serde_json::to_string_pretty` would, with `damage` applied.
fn write_damaged(value: &Value, damage: Damage) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0, None, damage);
    out
}

fn write_string(out: &mut String, s: &str, damage: Damage) {
    let json = serde_json::to_string(s).unwrap_or_default();
    if damage.single_quotes {
        let inner = &json[1..json.len() - 1];
        out.push('\'');
        out.push_str(&inner.replace("\\\"", "\"").replace('\'', "\\'"));
        out.push('\'');
    } else {
        out.push_str(&json);
    }
}

fn indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, value: &Value, level: usize, key: Option<&str>, d: Damage) {
    match value {
        Value::Null => out.push_str(if d.python { "None" } else { "null" }),
        Value::Bool(b) if d.drift => write_string(out, if *b { "yes" } else { "no" }, d),
        Value::Bool(b) => out.push_str(match (b, d.python) {
            (true, true) => "True",
            (false, true) => "False",
            (true, false) => "true",
            (false, false) => "false",
        }),
        Value::Number(n) if d.drift => write_string(out, &n.to_string(), d),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) if d.drift && key == Some("status") => {
            write_string(out, &s.to_uppercase(), d);
        }
        Value::String(s) if d.drift && key == Some("currency") => {
            write_string(out, &s.to_lowercase(), d);
        }
        Value::String(s) => write_string(out, s, d),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                indent(out, level + 1);
                write_value(out, item, level + 1, None, d);
                if i + 1 < items.len() || d.trailing_commas {
                    out.push(',');
                }
                if d.comments && item.is_object() {
                    let _ = write!(out, " // item {}", i + 1);
                }
            }
            indent(out, level);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push('{');
            if d.comments && level == 0 {
                indent(out, 1);
                out.push_str("/* exported by the billing assistant */");
            }
            for (i, (k, v)) in map.iter().enumerate() {
                indent(out, level + 1);
                if d.unquoted_keys {
                    out.push_str(k);
                } else {
                    write_string(out, k, d);
                }
                out.push_str(": ");
                write_value(out, v, level + 1, Some(k), d);
                if i + 1 < map.len() || d.trailing_commas {
                    out.push(',');
                }
            }
            indent(out, level);
            out.push('}');
        }
    }
}

const PROSE_BEFORE: &str = "Sure! Here is the invoice extracted from the document you sent:\n\n";
const PROSE_AFTER: &str =
    "\n\nLet me know if you need the line items in a different format, or a summary.";

/// The damage variants, in report order.
const VARIANTS: &[&str] = &[
    "prose",
    "fence",
    "trailing_commas",
    "single_quotes",
    "unquoted_keys",
    "comments",
    "python_literals",
    "type_drift",
    "truncated",
    "mixed",
];

/// The reply cut off halfway through the last field, the free-text `notes`.
fn truncate_in_notes(clean: &str) -> String {
    let start = clean
        .rfind("\"notes\": \"")
        .map_or(clean.len() / 2, |i| i + 10);
    let end = clean[start..].find('"').map_or(clean.len(), |i| start + i);
    let mut cut = start + (end - start) / 2;
    while !clean.is_char_boundary(cut) {
        cut += 1;
    }
    clean[..cut].to_owned()
}

fn damaged(variant: &str, value: &Value, clean: &str) -> String {
    let d = |damage: Damage| write_damaged(value, damage);
    match variant {
        "prose" => format!("{PROSE_BEFORE}{clean}{PROSE_AFTER}"),
        "fence" => format!("```json\n{clean}\n```"),
        "trailing_commas" => d(Damage {
            trailing_commas: true,
            ..Damage::default()
        }),
        "single_quotes" => d(Damage {
            single_quotes: true,
            ..Damage::default()
        }),
        "unquoted_keys" => d(Damage {
            unquoted_keys: true,
            ..Damage::default()
        }),
        "comments" => d(Damage {
            comments: true,
            ..Damage::default()
        }),
        "python_literals" => d(Damage {
            python: true,
            ..Damage::default()
        }),
        "type_drift" => d(Damage {
            drift: true,
            ..Damage::default()
        }),
        "truncated" => truncate_in_notes(clean),
        "mixed" => {
            let body = d(Damage {
                single_quotes: true,
                unquoted_keys: true,
                trailing_commas: true,
                comments: true,
                python: true,
                drift: true,
            });
            format!("{PROSE_BEFORE}```json\n{body}\n```{PROSE_AFTER}")
        }
        other => panic!("unknown variant {other}"),
    }
}

// --- All inputs ------------------------------------------------------------------------------

/// Invoice payload sizes (target bytes, label).
const SIZES: &[(usize, &str)] = &[
    (512, "0.5KB"),
    (2048, "2KB"),
    (5120, "5KB"),
    (10240, "10KB"),
];

struct Payload {
    label: &'static str,
    value: Invoice,
    clean: String,
    /// One per entry of [`VARIANTS`].
    damaged: Vec<DamagedCase>,
}

struct DamagedCase {
    variant: &'static str,
    input: String,
    /// Clean JSON of the value the damaged text holds: the source text, or for a truncated
    /// reply `serde_json::to_string_pretty` of the parsed value.
    repaired: String,
    fixes: usize,
}

fn payload(seed: u64, target: usize, label: &'static str) -> Payload {
    let value = invoice(seed, target);
    let clean = serde_json::to_string_pretty(&value).expect("serialize");
    let tree = serde_json::to_value(&value).expect("to_value");
    assert_eq!(
        write_damaged(&tree, Damage::default()),
        clean,
        "the damage writer must match to_string_pretty"
    );
    let damaged = VARIANTS
        .iter()
        .map(|&variant| {
            let input = damaged(variant, &tree, &clean);
            let parsed = Invoice::parse(&input)
                .unwrap_or_else(|e| panic!("{label}/{variant} does not parse: {e}"));
            let repaired = if variant == "truncated" {
                assert_ne!(parsed.value, value);
                serde_json::to_string_pretty(&parsed.value).expect("serialize")
            } else {
                assert_eq!(
                    parsed.value, value,
                    "{label}/{variant} parses to another value"
                );
                clean.clone()
            };
            assert!(!parsed.fixes.is_empty(), "{label}/{variant} needed no fix");
            DamagedCase {
                variant,
                input,
                repaired,
                fixes: parsed.fixes.len(),
            }
        })
        .collect();
    Payload {
        label,
        value,
        clean,
        damaged,
    }
}

fn payloads() -> Vec<Payload> {
    (0..SIZES.len()).map(sized_payload).collect()
}

/// The payload of size `SIZES[index]`, as [`payloads`] makes it.
fn sized_payload(index: usize) -> Payload {
    let (target, label) = SIZES[index];
    payload(index as u64 + 1, target, label)
}

/// The ~20 KB streaming documents: clean, and with every damage (`mixed`).
fn stream_docs() -> (String, String) {
    let value = invoice(42, 20 * 1024);
    let clean = serde_json::to_string_pretty(&value).expect("serialize");
    let tree = serde_json::to_value(&value).expect("to_value");
    let mixed = damaged("mixed", &tree, &clean);
    (clean, mixed)
}

/// Splits `text` into chunks of 4 bytes, moved forward to the next character boundary.
fn chunks(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + size).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        out.push(&text[start..end]);
        start = end;
    }
    out
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data")
}

/// Reads `benches/data/<name>.json.xz` by running `xz -dc`.
fn load_xz(name: &str) -> Result<String, String> {
    let path = data_dir().join(format!("{name}.json.xz"));
    let output = Command::new("xz")
        .arg("-dc")
        .arg(&path)
        .output()
        .map_err(|e| format!("cannot run xz: {e}"))?;
    if !output.status.success() {
        return Err(format!("xz -dc {} failed", path.display()));
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}

/// The `input` of every case in `tests/corpus/*.jsonl`, if the corpus exists.
fn corpus_inputs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
        for (n, line) in text.lines().enumerate() {
            let Ok(case) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let Some(input) = case.get("input").and_then(Value::as_str) {
                let name = case
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("line{}", n + 1), str::to_owned);
                out.push((
                    format!("{}/{name}", stem.clone().unwrap_or_default()),
                    input.to_owned(),
                ));
            }
        }
    }
    out
}

// =============================================================================================
// Recording criterion's samples.
// =============================================================================================

thread_local! {
    /// Samples per benchmark id: (iterations, elapsed).
    static SAMPLES: RefCell<BTreeMap<String, Vec<(u64, Duration)>>> = RefCell::default();
}

/// Median time per iteration over the recorded samples of `id`, if it ran.
fn measured(id: &str) -> Option<f64> {
    SAMPLES.with(|s| {
        let s = s.borrow();
        let samples = s.get(id)?;
        let mut per: Vec<f64> = samples
            .iter()
            .map(|(n, d)| d.as_secs_f64() / *n as f64)
            .collect();
        Some(median(&mut per))
    })
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Registers `f` as benchmark `group/id`, timing it with `iter_custom` so the samples are kept.
fn bench(g: &mut BenchmarkGroup<'_, WallTime>, group: &str, id: &str, mut f: impl FnMut()) {
    let full = format!("{group}/{id}");
    g.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            let elapsed = start.elapsed();
            SAMPLES.with(|s| {
                s.borrow_mut()
                    .entry(full.clone())
                    .or_default()
                    .push((iters, elapsed))
            });
            elapsed
        })
    });
}

// =============================================================================================
// Benchmarks.
// =============================================================================================

struct Classic {
    twitter: String,
    citm: String,
    canada: String,
}

fn bench_clean(c: &mut Criterion, payloads: &[Payload], classic: Option<&Classic>) {
    let mut g = c.benchmark_group("clean");
    for p in payloads {
        let text = p.clean.as_str();
        assert_eq!(
            serde_json::from_str::<Invoice>(text).ok().as_ref(),
            Some(&p.value)
        );
        assert!(Invoice::parse(text).is_ok_and(|r| r.fixes.is_empty()));
        bench(
            &mut g,
            "clean",
            &format!("invoice_{}/serde", p.label),
            || {
                black_box(serde_json::from_str::<Invoice>(black_box(text)).ok());
            },
        );
        bench(
            &mut g,
            "clean",
            &format!("invoice_{}/parse", p.label),
            || {
                black_box(Invoice::parse(black_box(text)).ok());
            },
        );
    }
    if let Some(classic) = classic {
        g.sample_size(20);
        classic_pair::<classic::Twitter>(&mut g, "twitter", &classic.twitter);
        classic_pair::<classic::CitmCatalog>(&mut g, "citm_catalog", &classic.citm);
        classic_pair::<classic::Canada>(&mut g, "canada", &classic.canada);
    }
    g.finish();
}

fn classic_pair<T: LlmOutput>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, text: &str) {
    // The fast path must succeed: a struct that does not match would send `parse` down the
    // repair path and measure something else.
    if let Err(e) = serde_json::from_str::<T>(text) {
        panic!("{name}: the typed struct does not match the file: {e}");
    }
    assert!(T::parse(text).is_ok_and(|r| r.fixes.is_empty()));
    bench(g, "clean", &format!("{name}/serde"), || {
        black_box(serde_json::from_str::<T>(black_box(text)).ok());
    });
    bench(g, "clean", &format!("{name}/parse"), || {
        black_box(T::parse(black_box(text)).ok());
    });
}

fn bench_damaged(c: &mut Criterion, payloads: &[Payload]) {
    let mut g = c.benchmark_group("damaged");
    // Every variant at each size, as one batch.
    for p in payloads {
        bench(
            &mut g,
            "damaged",
            &format!("all_{}/serde_repaired", p.label),
            || {
                for case in &p.damaged {
                    black_box(serde_json::from_str::<Invoice>(black_box(&case.repaired)).ok());
                }
            },
        );
        bench(&mut g, "damaged", &format!("all_{}/parse", p.label), || {
            for case in &p.damaged {
                black_box(Invoice::parse(black_box(&case.input)).ok());
            }
        });
    }
    // Each variant at 10 KB. The serde baseline is the same clean text for all but `truncated`.
    let p = payloads.last().expect("payloads");
    let clean = p.clean.as_str();
    bench(&mut g, "damaged", "10KB_clean/serde", || {
        black_box(serde_json::from_str::<Invoice>(black_box(clean)).ok());
    });
    // Reference points on the clean 10 KB text: the floor of the repair path.
    let schema = invoice_schema();
    assert_eq!(
        repair_path::<Invoice>(clean, &schema).as_ref(),
        Some(&p.value)
    );
    bench(&mut g, "damaged", "10KB_clean/serde_via_value", || {
        let v = serde_json::from_str::<Value>(black_box(clean)).ok();
        black_box(v.and_then(|v| serde_json::from_value::<Invoice>(v).ok()));
    });
    bench(&mut g, "damaged", "10KB_clean/repairer", || {
        black_box(repairer_whole(black_box(clean)));
    });
    bench(&mut g, "damaged", "10KB_clean/repair_path", || {
        black_box(repair_path::<Invoice>(black_box(clean), &schema));
    });
    for case in &p.damaged {
        if case.repaired != p.clean {
            let repaired = case.repaired.as_str();
            bench(
                &mut g,
                "damaged",
                &format!("10KB_{}/serde", case.variant),
                || {
                    black_box(serde_json::from_str::<Invoice>(black_box(repaired)).ok());
                },
            );
        }
        let input = case.input.as_str();
        bench(
            &mut g,
            "damaged",
            &format!("10KB_{}/parse", case.variant),
            || {
                black_box(Invoice::parse(black_box(input)).ok());
            },
        );
    }
    g.finish();
}

fn bench_repair_json(c: &mut Criterion, generated: &[&str], corpus: &[&str]) {
    let mut g = c.benchmark_group("repair_json");
    for (name, inputs) in [("generated", generated), ("corpus", corpus)] {
        if inputs.is_empty() {
            continue;
        }
        bench(&mut g, "repair_json", &format!("{name}_all"), || {
            for text in inputs {
                black_box(repair_json(black_box(text)).ok());
            }
        });
        // The generated replies are invoices: `T::parse` reads them into the type, repair and
        // typed result in one (the corpus holds replies of many types).
        if name == "generated" {
            bench(&mut g, "repair_json", "generated_typed", || {
                for text in inputs {
                    black_box(Invoice::parse(black_box(text)).ok());
                }
            });
        }
        // The floor: serde alone reading what `repair_json` returns, written as JSON.
        let repaired = repaired_texts(inputs);
        bench(
            &mut g,
            "repair_json",
            &format!("{name}_serde_repaired"),
            || {
                for text in &repaired {
                    black_box(serde_json::from_str::<Value>(black_box(text)).ok());
                }
            },
        );
    }
    g.finish();
}

/// What `repair_json` returns for each of `inputs` it repairs, written as compact JSON.
fn repaired_texts(inputs: &[&str]) -> Vec<String> {
    inputs
        .iter()
        .filter_map(|text| repair_json(text).ok())
        .filter_map(|parsed| serde_json::to_string(&parsed.value).ok())
        .collect()
}

/// `T::parse` without its serde fast path: the repair path every reply that is not clean JSON
/// takes (extraction, repair, coercion, deserialization), with the same schema `T::parse` uses.
fn repair_path<T: LlmOutput>(text: &str, schema: &Value) -> Option<T> {
    parse_with_schema::<T>(text, schema, Limits::default())
        .ok()
        .map(|p| p.value)
}

fn invoice_schema() -> Value {
    Invoice::schema().to_value()
}

/// What `StreamParser` feeds its repairer: the text from the first `{` or `[` on.
fn from_first_bracket(doc: &str) -> &str {
    doc.find(['{', '[']).map_or(doc, |i| &doc[i..])
}

fn repairer_whole(text: &str) -> Option<Value> {
    let mut r = Repairer::new(Limits::default());
    r.feed(text);
    r.finish().ok().map(|(value, _)| value)
}

fn stream_4b(chunks: &[&str]) -> Option<Invoice> {
    let mut parser = StreamParser::<Invoice>::new();
    for chunk in chunks {
        black_box(parser.feed(chunk));
    }
    parser.finish().ok().map(|p| p.value)
}

fn naive_reparse(chunks: &[&str]) -> usize {
    let mut buf = String::new();
    let mut ok = 0;
    for chunk in chunks {
        buf.push_str(chunk);
        ok += usize::from(black_box(repair_json(&buf)).is_ok());
    }
    ok
}

fn bench_stream(c: &mut Criterion, clean: &str, mixed: &str) {
    let mut g = c.benchmark_group("stream");
    let schema = invoice_schema();
    for (label, doc) in [("clean20KB", clean), ("mixed20KB", mixed)] {
        let parts = chunks(doc, 4);
        let whole = Invoice::parse(doc).expect("stream doc parses").value;
        assert_eq!(stream_4b(&parts).as_ref(), Some(&whole));
        assert_eq!(repair_path::<Invoice>(doc, &schema).as_ref(), Some(&whole));
        let json = from_first_bracket(doc);
        assert!(repairer_whole(json).is_some());
        bench(&mut g, "stream", &format!("{label}/stream_4B"), || {
            black_box(stream_4b(black_box(&parts)));
        });
        bench(&mut g, "stream", &format!("{label}/parse_whole"), || {
            black_box(Invoice::parse(black_box(doc)).ok());
        });
        bench(&mut g, "stream", &format!("{label}/stream_whole"), || {
            black_box(stream_4b(black_box(&[doc])));
        });
        bench(
            &mut g,
            "stream",
            &format!("{label}/repair_path_whole"),
            || {
                black_box(repair_path::<Invoice>(black_box(doc), &schema));
            },
        );
        bench(&mut g, "stream", &format!("{label}/repairer_whole"), || {
            black_box(repairer_whole(black_box(json)));
        });
    }
    // Re-reading the buffer after each of ~5,000 chunks: quadratic, so few samples.
    let parts = chunks(clean, 4);
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(500));
    bench(&mut g, "stream", "clean20KB/naive_reparse", || {
        black_box(naive_reparse(black_box(&parts)));
    });
    g.finish();
}

// =============================================================================================
// Paired ratios.
// =============================================================================================

struct Paired {
    median: f64,
    min: f64,
    max: f64,
}

/// Times `base` and `cand` in alternation and returns cand/base per round (median, min, max).
fn paired(base: &mut dyn FnMut(), cand: &mut dyn FnMut()) -> Paired {
    const ROUNDS: usize = 31;
    const ROUND: Duration = Duration::from_millis(10);
    let time = |f: &mut dyn FnMut(), n: u64| {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        start.elapsed().as_secs_f64()
    };
    // Calibrate: as many calls as fit in ROUND for the slower side, at least one.
    base();
    cand();
    let one = time(base, 1).max(time(cand, 1)).max(1e-9);
    let n = ((ROUND.as_secs_f64() / one) as u64).max(1);
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (tb, tc) = if round % 2 == 0 {
            let tb = time(base, n);
            (tb, time(cand, n))
        } else {
            let tc = time(cand, n);
            (time(base, n), tc)
        };
        ratios.push(tc / tb);
    }
    let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ratios.iter().copied().fold(0.0, f64::max);
    Paired {
        median: median(&mut ratios),
        min,
        max,
    }
}

// =============================================================================================
// Allocation counts (valgrind).
// =============================================================================================

const ALLOC_ENV: &str = "LLM_BENCH_ALLOC_CHILD";

/// The allocation cases: name, what it runs.
fn alloc_cases() -> Vec<&'static str> {
    let mut cases = vec![
        "serde_clean_10KB",
        "parse_clean_10KB",
        "repairer_clean_10KB",
        "serde_truncated_10KB",
        "serde_value_clean_10KB",
        "repair_path_clean_10KB",
    ];
    cases.extend(VARIANTS.iter().map(|v| match *v {
        "prose" => "parse_prose_10KB",
        "fence" => "parse_fence_10KB",
        "trailing_commas" => "parse_trailing_commas_10KB",
        "single_quotes" => "parse_single_quotes_10KB",
        "unquoted_keys" => "parse_unquoted_keys_10KB",
        "comments" => "parse_comments_10KB",
        "python_literals" => "parse_python_literals_10KB",
        "type_drift" => "parse_type_drift_10KB",
        "truncated" => "parse_truncated_10KB",
        _ => "parse_mixed_10KB",
    }));
    cases.extend([
        "repair_json_mixed_10KB",
        "repairer_mixed_10KB",
        "serde_clean_20KB",
        "parse_clean_20KB",
        "stream4B_clean_20KB",
        "stream4B_mixed_20KB",
    ]);
    cases
}

/// Runs one allocation case `iters` times (in the child process under valgrind); returns the
/// input's size in bytes.
fn run_alloc_case(case: &str, iters: u64) -> usize {
    let p = sized_payload(SIZES.len() - 1);
    let (clean20, mixed20) = stream_docs();
    let find = |variant: &str| {
        p.damaged
            .iter()
            .find(|c| c.variant == variant)
            .expect("variant")
    };
    let run = |text: &str, f: &dyn Fn(&str)| {
        for _ in 0..iters {
            f(black_box(text));
        }
        text.len()
    };
    let serde = |t: &str| {
        black_box(serde_json::from_str::<Invoice>(t).ok());
    };
    let parse = |t: &str| {
        black_box(Invoice::parse(t).ok());
    };
    // Chunks cut once, as the criterion bench does: the case counts the stream alone.
    let (clean_parts, mixed_parts) = (chunks(&clean20, 4), chunks(&mixed20, 4));
    let stream = |t: &str| {
        let parts = if t == clean20 {
            &clean_parts
        } else {
            &mixed_parts
        };
        black_box(stream_4b(parts));
    };
    match case {
        "serde_clean_10KB" => run(&p.clean, &serde),
        "parse_clean_10KB" => run(&p.clean, &parse),
        "repairer_clean_10KB" => run(&p.clean, &|t| {
            black_box(repairer_whole(t));
        }),
        "serde_truncated_10KB" => run(&find("truncated").repaired, &serde),
        "serde_value_clean_10KB" => run(&p.clean, &|t| {
            black_box(serde_json::from_str::<Value>(t).ok());
        }),
        "repair_path_clean_10KB" => {
            let schema = invoice_schema();
            run(&p.clean, &|t| {
                black_box(repair_path::<Invoice>(t, &schema));
            })
        }
        "repair_json_mixed_10KB" => run(&find("mixed").input, &|t| {
            black_box(repair_json(t).ok());
        }),
        // Every corpus input once per iteration (not in `alloc_cases`: for counting
        // instructions under callgrind); the repairer alone and serde alone read the inputs
        // serde reads as a `Value`, for comparing the two on clean text.
        "repair_json_corpus" | "repairer_clean_corpus" | "serde_value_clean_corpus" => {
            let mut corpus: Vec<String> = corpus_inputs().into_iter().map(|(_, t)| t).collect();
            if case != "repair_json_corpus" {
                corpus.retain(|t| serde_json::from_str::<Value>(t).is_ok());
            }
            for _ in 0..iters {
                for t in &corpus {
                    match case {
                        "repair_json_corpus" => {
                            black_box(repair_json(black_box(t)).ok());
                        }
                        "repairer_clean_corpus" => {
                            black_box(repairer_whole(black_box(t)));
                        }
                        _ => {
                            black_box(serde_json::from_str::<Value>(black_box(t)).ok());
                        }
                    }
                }
            }
            corpus.iter().map(String::len).sum()
        }
        // What `repair_json` returns, printed, for every corpus and generated input and for
        // every cut of the corpus inputs and every one with a character left out, on stdout (for
        // comparing two builds).
        "repair_json_dump" => {
            let corpus: Vec<String> = corpus_inputs().into_iter().map(|(_, t)| t).collect();
            let all = payloads();
            let generated = all
                .iter()
                .flat_map(|p| p.damaged.iter().map(|c| c.input.clone()));
            let mut inputs: Vec<String> = corpus.iter().cloned().chain(generated).collect();
            for t in &corpus {
                inputs.extend(t.char_indices().map(|(i, _)| t[..i].to_owned()));
                inputs.extend(
                    t.char_indices()
                        .map(|(i, c)| format!("{}{}", &t[..i], &t[i + c.len_utf8()..])),
                );
            }
            let mut out = String::new();
            for t in &inputs {
                let _ = writeln!(out, "{t:?} => {:?}", repair_json(t));
                if std::env::var_os("LLM_BENCH_DUMP_TYPED").is_some() {
                    let _ = writeln!(out, "  typed {:?}", Invoice::parse(t));
                    let _ = writeln!(out, "  stream {:?}", stream_4b(&chunks(t, 4)));
                }
            }
            print!("{out}");
            inputs.len()
        }
        // One text from the environment (`LLM_BENCH_TEXT`), for counting a single reply's
        // instructions: `repair_json_text`, `parse_text` (as `Invoice`) or `stream_text` (4-byte
        // chunks).
        "repair_json_text" | "parse_text" | "stream_text" => {
            let text = std::env::var("LLM_BENCH_TEXT").unwrap_or_default();
            let parts = chunks(&text, 4);
            for _ in 0..iters {
                match case {
                    "repair_json_text" => {
                        black_box(repair_json(black_box(&text)).ok());
                    }
                    "parse_text" => {
                        black_box(Invoice::parse(black_box(&text)).ok());
                    }
                    _ => {
                        black_box(stream_4b(black_box(&parts)));
                    }
                }
            }
            text.len()
        }
        // The text from the environment read by serde alone into a `Value`, the cost
        // `repair_json_text` has on clean JSON at the least.
        "serde_value_text" => {
            let text = std::env::var("LLM_BENCH_TEXT").unwrap_or_default();
            for _ in 0..iters {
                black_box(serde_json::from_str::<Value>(black_box(&text)).ok());
            }
            text.len()
        }
        // Every generated malformed input once per iteration, as in `repair_json/generated_all`.
        "repair_json_generated" => {
            let all = payloads();
            let inputs: Vec<&str> = all
                .iter()
                .flat_map(|p| p.damaged.iter().map(|c| c.input.as_str()))
                .collect();
            for _ in 0..iters {
                for t in &inputs {
                    black_box(repair_json(black_box(t)).ok());
                }
            }
            inputs.iter().map(|t| t.len()).sum()
        }
        "repairer_mixed_10KB" => {
            // The fenced body only: the repairer alone does not extract.
            let input = &find("mixed").input;
            let body = input
                .split("```json\n")
                .nth(1)
                .and_then(|b| b.split("\n```").next())
                .expect("fenced body");
            run(body, &|t| {
                black_box(repairer_whole(t));
            })
        }
        "serde_clean_20KB" => run(&clean20, &serde),
        "parse_clean_20KB" => run(&clean20, &parse),
        "stream4B_clean_20KB" => run(&clean20, &stream),
        "stream4B_mixed_20KB" => run(&mixed20, &stream),
        // `parse_<variant>_<size>` reads a generated input as `Invoice`; `serde_<variant>_<size>`
        // reads its repaired text with serde alone, the ratio's baseline.
        other => {
            let (reader, rest) = other.split_once('_').expect("case name");
            let (variant, label) = rest.rsplit_once('_').expect("case name");
            let index = SIZES
                .iter()
                .position(|&(_, l)| l == label)
                .expect("size label");
            let p = sized_payload(index);
            let case = p
                .damaged
                .iter()
                .find(|c| c.variant == variant)
                .expect("variant");
            match reader {
                "parse" => run(&case.input, &parse),
                _ => run(&case.repaired, &serde),
            }
        }
    }
}

/// Total heap allocations of this binary running `case` `iters` times under valgrind.
fn valgrind_allocs(case: &str, iters: u64) -> Result<(u64, usize), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new("valgrind")
        .args([
            "--tool=memcheck",
            "--leak-check=no",
            "--undef-value-errors=no",
        ])
        .arg(&exe)
        .env(ALLOC_ENV, format!("{case}:{iters}"))
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let allocs = stderr
        .lines()
        .find_map(|l| {
            let rest = l.split("total heap usage: ").nth(1)?;
            rest.split(" allocs")
                .next()?
                .replace(',', "")
                .parse::<u64>()
                .ok()
        })
        .ok_or_else(|| format!("no heap summary from valgrind for {case}: {stderr}"))?;
    let bytes = stdout
        .lines()
        .find_map(|l| l.strip_prefix("ALLOC_CASE_BYTES=")?.parse().ok())
        .ok_or_else(|| format!("no input size from the child for {case}"))?;
    Ok((allocs, bytes))
}

// =============================================================================================
// Summary.
// =============================================================================================

/// Criterion's filter (the first positional argument), if any.
fn filter() -> Option<String> {
    const TAKES_VALUE: &[&str] = &[
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--profile-time",
        "--output-format",
        "--color",
        "--plotting-backend",
        "--format",
        "--logfile",
        "--skip",
        "--test-threads",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if TAKES_VALUE.contains(&arg.as_str()) {
            i += 2;
            continue;
        }
        if !arg.starts_with('-') {
            return Some(arg.clone());
        }
        i += 1;
    }
    None
}

fn fmt_time(secs: f64) -> String {
    if secs >= 1e-1 {
        format!("{:.3} s", secs)
    } else if secs >= 1e-4 {
        format!("{:.3} ms", secs * 1e3)
    } else {
        format!("{:.2} µs", secs * 1e6)
    }
}

fn kb(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.2} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

fn verdict(ratio: f64, target: f64, at_most: bool) -> String {
    let pass = if at_most {
        ratio <= target
    } else {
        ratio >= target
    };
    if pass {
        "pass".to_owned()
    } else if at_most {
        format!("miss (+{:.0}%)", (ratio / target - 1.0) * 100.0)
    } else {
        format!("miss ({:.0}% short)", (1.0 - ratio / target) * 100.0)
    }
}

/// One comparison row: criterion medians of both sides and the paired ratio.
struct Row {
    label: String,
    bytes: usize,
    base: f64,
    cand: f64,
    paired: Paired,
}

fn row(
    label: String,
    bytes: usize,
    base_id: &str,
    cand_id: &str,
    base: &mut dyn FnMut(),
    cand: &mut dyn FnMut(),
) -> Option<Row> {
    let b = measured(base_id)?;
    let c = measured(cand_id)?;
    Some(Row {
        label,
        bytes,
        base: b,
        cand: c,
        paired: paired(base, cand),
    })
}

fn print_rows(out: &mut String, title: &str, base: &str, cand: &str, rows: &[Row], target: f64) {
    let _ = writeln!(out, "\n### {title}\n");
    let _ = writeln!(
        out,
        "| input | size | {base} | {cand} | ratio (criterion medians) | ratio (paired, median [min-max]) | target ≤ {target}x |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for r in rows {
        let ratio = r.cand / r.base;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.2}x | {:.2}x [{:.2}-{:.2}] | {} |",
            r.label,
            kb(r.bytes),
            fmt_time(r.base),
            fmt_time(r.cand),
            ratio,
            r.paired.median,
            r.paired.min,
            r.paired.max,
            verdict(r.paired.median, target, true),
        );
    }
}

fn summary(
    payloads: &[Payload],
    classic: Option<&Classic>,
    generated: &[&str],
    corpus: &[&str],
    stream: (&str, &str),
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n## llm-core parse benchmarks: summary\n");
    let _ = writeln!(
        out,
        "Times are medians per iteration over criterion's samples. \"paired\" re-times both \
         sides in alternation (31 rounds of ~10 ms per side, alternating which goes first) and \
         gives the median [min-max] of the per-round ratios; the verdicts use the paired median, \
         since criterion's two medians are measured seconds apart on a shared machine."
    );

    // 1. Clean.
    let mut rows = Vec::new();
    for p in payloads {
        let t = p.clean.as_str();
        rows.extend(row(
            format!("invoice {}", p.label),
            t.len(),
            &format!("clean/invoice_{}/serde", p.label),
            &format!("clean/invoice_{}/parse", p.label),
            &mut || {
                black_box(serde_json::from_str::<Invoice>(black_box(t)).ok());
            },
            &mut || {
                black_box(Invoice::parse(black_box(t)).ok());
            },
        ));
    }
    if let Some(cl) = classic {
        fn classic_row<T: LlmOutput>(name: &str, t: &str) -> Option<Row> {
            row(
                format!("{name}.json"),
                t.len(),
                &format!("clean/{name}/serde"),
                &format!("clean/{name}/parse"),
                &mut || {
                    black_box(serde_json::from_str::<T>(black_box(t)).ok());
                },
                &mut || {
                    black_box(T::parse(black_box(t)).ok());
                },
            )
        }
        rows.extend(classic_row::<classic::Twitter>("twitter", &cl.twitter));
        rows.extend(classic_row::<classic::CitmCatalog>(
            "citm_catalog",
            &cl.citm,
        ));
        rows.extend(classic_row::<classic::Canada>("canada", &cl.canada));
    }
    if !rows.is_empty() {
        print_rows(
            &mut out,
            "1. Clean JSON into a typed struct: `T::parse` vs `serde_json::from_str::<T>`",
            "serde_json::from_str",
            "T::parse",
            &rows,
            1.3,
        );
    }

    // 2. Damaged.
    let mut rows = Vec::new();
    for p in payloads {
        let bytes = p.damaged.iter().map(|c| c.input.len()).sum();
        rows.extend(row(
            format!("all {} variants, {} payload", p.damaged.len(), p.label),
            bytes,
            &format!("damaged/all_{}/serde_repaired", p.label),
            &format!("damaged/all_{}/parse", p.label),
            &mut || {
                for c in &p.damaged {
                    black_box(serde_json::from_str::<Invoice>(black_box(&c.repaired)).ok());
                }
            },
            &mut || {
                for c in &p.damaged {
                    black_box(Invoice::parse(black_box(&c.input)).ok());
                }
            },
        ));
    }
    if let Some(p) = payloads.last() {
        for c in &p.damaged {
            let base_id = if c.repaired == p.clean {
                "damaged/10KB_clean/serde".to_owned()
            } else {
                format!("damaged/10KB_{}/serde", c.variant)
            };
            rows.extend(row(
                format!("{} (10KB, {} fixes)", c.variant, c.fixes),
                c.input.len(),
                &base_id,
                &format!("damaged/10KB_{}/parse", c.variant),
                &mut || {
                    black_box(serde_json::from_str::<Invoice>(black_box(&c.repaired)).ok());
                },
                &mut || {
                    black_box(Invoice::parse(black_box(&c.input)).ok());
                },
            ));
        }
    }
    if !rows.is_empty() {
        print_rows(
            &mut out,
            "2. Malformed outputs: `T::parse(damaged)` vs `serde_json::from_str::<T>(repaired)`",
            "serde (repaired)",
            "T::parse (damaged)",
            &rows,
            3.0,
        );
    }

    if let (Some(p), Some(serde)) = (payloads.last(), measured("damaged/10KB_clean/serde")) {
        let refs = [
            (
                "serde_via_value",
                "`serde_json::from_str::<Value>` then `from_value::<T>`",
            ),
            (
                "repairer",
                "`Repairer` alone (text to `Value`, no extraction, no typing)",
            ),
            (
                "repair_path",
                "`parse_with_schema::<T>`: T::parse's repair path, whole",
            ),
        ];
        let mut table = String::new();
        for (id, what) in refs {
            if let Some(t) = measured(&format!("damaged/10KB_clean/{id}")) {
                let _ = writeln!(table, "| {what} | {} | {:.2}x |", fmt_time(t), t / serde);
            }
        }
        if !table.is_empty() {
            let _ = writeln!(
                out,
                "\nReference points on the clean 10KB invoice ({}), against \
                 `serde_json::from_str::<T>` ({}):\n\n| path | time | vs serde typed |\n\
                 | --- | ---: | ---: |\n{table}",
                kb(p.clean.len()),
                fmt_time(serde)
            );
        }
    }

    // 3. repair_json, for the json_repair script; against serde reading what it returns.
    let sets = [("generated", generated), ("corpus", corpus)];
    let mut any = false;
    for (name, inputs) in sets {
        let Some(t) = measured(&format!("repair_json/{name}_all")) else {
            continue;
        };
        if !any {
            let _ = writeln!(
                out,
                "\n### 3. Schema-free `repair_json` over the malformed inputs\n\n\
                 \"serde on the repaired\": `serde_json::from_str::<Value>` over what `repair_json` \
                 returns for each input, written as compact JSON (the inputs it repairs).\n\n\
                 | input set | inputs | bytes | `repair_json` per pass | throughput \
                 | serde on the repaired, per pass | ratio (criterion) | ratio (paired) |\n\
                 | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
            );
            any = true;
        }
        let bytes: usize = inputs.iter().map(|t| t.len()).sum();
        let floor = measured(&format!("repair_json/{name}_serde_repaired"));
        let (floor_cells, p) = match floor {
            Some(f) => {
                let repaired = repaired_texts(inputs);
                let p = paired(
                    &mut || {
                        for text in &repaired {
                            black_box(serde_json::from_str::<Value>(black_box(text)).ok());
                        }
                    },
                    &mut || {
                        for text in inputs {
                            black_box(repair_json(black_box(text)).ok());
                        }
                    },
                );
                (
                    format!("{} | {:.2}x", fmt_time(f), t / f),
                    format!("{:.2}x [{:.2}-{:.2}]", p.median, p.min, p.max),
                )
            }
            None => ("- | -".to_owned(), "-".to_owned()),
        };
        let _ = writeln!(
            out,
            "| {name}_all | {} | {} | {} | {:.1} MB/s | {floor_cells} | {p} |",
            inputs.len(),
            kb(bytes),
            fmt_time(t),
            bytes as f64 / t / 1e6
        );
    }
    if let (Some(typed), Some(t)) = (
        measured("repair_json/generated_typed"),
        measured("repair_json/generated_all"),
    ) {
        let _ = writeln!(
            out,
            "\n`Invoice::parse` over the generated inputs (repair and typed result): {} per pass, \
             {:.2}x `repair_json`'s time (criterion medians).",
            fmt_time(typed),
            typed / t
        );
    }
    if any {
        let _ = writeln!(out);
        for (name, inputs) in sets {
            for (id, what) in [
                ("all", "seconds_per_pass"),
                ("serde_repaired", "serde_repaired_seconds_per_pass"),
                ("typed", "typed_seconds_per_pass"),
            ] {
                if let Some(t) = measured(&format!("repair_json/{name}_{id}")) {
                    let _ = writeln!(
                        out,
                        "BENCH_RESULT repair_json/{name}_all {what}={t:.9} inputs={}",
                        inputs.len()
                    );
                }
            }
        }
    }

    // 4. Streaming.
    let mut stream_rows = String::new();
    for (label, doc) in [("clean20KB", stream.0), ("mixed20KB", stream.1)] {
        let parts = chunks(doc, 4);
        let Some(s) = measured(&format!("stream/{label}/stream_4B")) else {
            continue;
        };
        let mut one = |other: &str, name: &str, f: &mut dyn FnMut()| {
            let Some(o) = measured(&format!("stream/{label}/{other}")) else {
                return;
            };
            let p = paired(f, &mut || {
                black_box(stream_4b(black_box(&parts)));
            });
            let ratio = s / o;
            let _ = writeln!(
                stream_rows,
                "| {label} ({}, {} chunks) | {name} | {} | {} | {:.2}x | {:.2}x [{:.2}-{:.2}] | {} |",
                kb(doc.len()),
                parts.len(),
                fmt_time(o),
                fmt_time(s),
                ratio,
                p.median,
                p.min,
                p.max,
                verdict(p.median, 2.0, true)
            );
        };
        one("parse_whole", "`T::parse` of the whole text", &mut || {
            black_box(Invoice::parse(black_box(doc)).ok());
        });
        one(
            "stream_whole",
            "the same `StreamParser` fed the whole text as one chunk",
            &mut || {
                black_box(stream_4b(black_box(&[doc])));
            },
        );
        let schema = invoice_schema();
        one(
            "repair_path_whole",
            "`parse_with_schema` (T::parse's repair path) of the whole text",
            &mut || {
                black_box(repair_path::<Invoice>(black_box(doc), &schema));
            },
        );
        let json = from_first_bracket(doc);
        one(
            "repairer_whole",
            "`Repairer` alone, whole text from the first `{`",
            &mut || {
                black_box(repairer_whole(black_box(json)));
            },
        );
    }
    if !stream_rows.is_empty() {
        let _ = writeln!(
            out,
            "\n### 4. Streaming: `StreamParser<T>` fed 4-byte chunks vs one full parse\n\n\
             | document | compared with | one full parse | streamed, 4 B chunks | ratio (criterion) | ratio (paired) | target ≤ 2x |\n\
             | --- | --- | ---: | ---: | ---: | ---: | --- |\n{stream_rows}"
        );
    }
    if let (Some(s), Some(n)) = (
        measured("stream/clean20KB/stream_4B"),
        measured("stream/clean20KB/naive_reparse"),
    ) {
        let _ = writeln!(
            out,
            "Naive alternative (clean20KB, `repair_json` of the whole buffer after every chunk): \
             {} per document vs {} streamed: streaming is {:.0}x faster.",
            fmt_time(n),
            fmt_time(s),
            n / s
        );
    }
    out
}

fn alloc_summary() -> String {
    let mut out = String::new();
    if Command::new("valgrind").arg("--version").output().is_err() {
        let _ = writeln!(
            out,
            "\n### 5. Allocations\n\nSkipped: valgrind is not installed (`apt-get install valgrind`)."
        );
        return out;
    }
    const LOW: u64 = 2;
    const HIGH: u64 = 12;
    let _ = writeln!(
        out,
        "\n### 5. Allocations per call (valgrind memcheck: malloc, calloc and realloc calls; \
         ({HIGH} calls − {LOW} calls) / {})\n\n\
         | case | input | allocations per call | per KB of input |\n| --- | ---: | ---: | ---: |",
        HIGH - LOW
    );
    for case in alloc_cases() {
        match (valgrind_allocs(case, LOW), valgrind_allocs(case, HIGH)) {
            (Ok((lo, bytes)), Ok((hi, _))) => {
                let per_call = hi.saturating_sub(lo) as f64 / (HIGH - LOW) as f64;
                let _ = writeln!(
                    out,
                    "| {case} | {} | {:.0} | {:.1} |",
                    kb(bytes),
                    per_call,
                    per_call / (bytes as f64 / 1024.0)
                );
            }
            (Err(e), _) | (_, Err(e)) => {
                let _ = writeln!(
                    out,
                    "| {case} | – | error: {} | – |",
                    e.lines().next().unwrap_or("")
                );
            }
        }
    }
    out
}

// =============================================================================================
// Main.
// =============================================================================================

/// Set to the inputs file `LLM_BENCH_INPUTS_OUT` wrote: the bench then times `repair_json` on
/// request for `scripts/bench_json_repair.py`, which alternates it with `json_repair` on the same
/// inputs (see [`pair_server`]).
const PAIR_ENV: &str = "LLM_BENCH_PAIR_SERVER";

/// Reads the inputs of each set from `path` (JSON Lines: `set`, `input`), then answers each line
/// `<set> <passes>` on stdin with the seconds one pass of `repair_json` over that set's inputs
/// took, timed over that many passes; `<set> <passes> typed` times `Invoice::parse` instead (the
/// generated set's type). Until stdin ends.
fn pair_server(path: &str) {
    let text = std::fs::read_to_string(path).expect("read the inputs file");
    let mut sets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let case: Value = serde_json::from_str(line).expect("an inputs line");
        let (Some(set), Some(input)) = (case["set"].as_str(), case["input"].as_str()) else {
            continue;
        };
        sets.entry(set.to_owned())
            .or_default()
            .push(input.to_owned());
    }
    for request in std::io::stdin().lines() {
        let request = request.expect("a request");
        let mut words = request.split_whitespace();
        let (Some(set), Some(passes)) = (words.next(), words.next()) else {
            continue;
        };
        let typed = words.next() == Some("typed");
        let inputs = sets.get(set).map(Vec::as_slice).unwrap_or_default();
        let passes: u32 = passes.parse().expect("a number of passes");
        let start = Instant::now();
        for _ in 0..passes {
            for text in inputs {
                if typed {
                    black_box(Invoice::parse(black_box(text)).ok());
                } else {
                    black_box(repair_json(black_box(text)).ok());
                }
            }
        }
        println!(
            "{:.9}",
            start.elapsed().as_secs_f64() / f64::from(passes.max(1))
        );
    }
}

fn main() {
    if let Ok(spec) = std::env::var(ALLOC_ENV) {
        let (case, iters) = spec.split_once(':').expect("case:iters");
        let bytes = run_alloc_case(case, iters.parse().expect("iters"));
        println!("ALLOC_CASE_BYTES={bytes}");
        return;
    }
    if let Ok(path) = std::env::var(PAIR_ENV) {
        pair_server(&path);
        return;
    }

    let args: Vec<String> = std::env::args().collect();
    // `cargo test --benches` runs without `--bench`: criterion then runs each benchmark once as a
    // test, and there is nothing to summarize.
    let test_mode = !args.iter().any(|a| a == "--bench")
        || args
            .iter()
            .any(|a| a == "--test" || a == "--list" || a == "--profile-time");
    let filter = filter();
    let wants = |section: &str| {
        filter
            .as_deref()
            .is_none_or(|f| section.contains(f) || f.contains(section))
    };

    let payloads = payloads();
    let classic = match (
        load_xz("twitter"),
        load_xz("citm_catalog"),
        load_xz("canada"),
    ) {
        (Ok(twitter), Ok(citm), Ok(canada)) => Some(Classic {
            twitter,
            citm,
            canada,
        }),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            eprintln!("skipping twitter/citm_catalog/canada: {e}");
            None
        }
    };
    let generated: Vec<&str> = payloads
        .iter()
        .flat_map(|p| p.damaged.iter().map(|c| c.input.as_str()))
        .collect();
    let corpus = corpus_inputs();
    let corpus_texts: Vec<&str> = corpus.iter().map(|(_, t)| t.as_str()).collect();
    let (stream_clean, stream_mixed) = stream_docs();

    if let Ok(path) = std::env::var("LLM_BENCH_INPUTS_OUT") {
        let mut lines = String::new();
        let named = payloads
            .iter()
            .flat_map(|p| {
                p.damaged.iter().map(|c| {
                    (
                        "generated",
                        format!("{}/{}", c.variant, p.label),
                        c.input.as_str(),
                    )
                })
            })
            .chain(
                corpus
                    .iter()
                    .map(|(n, t)| ("corpus", n.clone(), t.as_str())),
            );
        for (set, name, input) in named {
            let rust = repair_json(input).ok().map(|p| p.value);
            let line = serde_json::json!({"set": set, "name": name, "input": input, "rust": rust});
            let _ = writeln!(lines, "{line}");
        }
        if let Some(dir) = Path::new(&path).parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(&path, lines).expect("write the inputs file");
        eprintln!("wrote the malformed inputs to {path}");
    }

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(40)
        .configure_from_args();
    bench_clean(&mut c, &payloads, classic.as_ref());
    bench_damaged(&mut c, &payloads);
    bench_repair_json(&mut c, &generated, &corpus_texts);
    bench_stream(&mut c, &stream_clean, &stream_mixed);
    c.final_summary();

    if test_mode {
        return;
    }
    let mut report = summary(
        &payloads,
        classic.as_ref(),
        &generated,
        &corpus_texts,
        (&stream_clean, &stream_mixed),
    );
    if wants("alloc") && std::env::var("LLM_BENCH_NO_ALLOC").is_err() {
        report.push_str(&alloc_summary());
    }
    println!("{report}");
    if let Ok(path) = std::env::var("LLM_BENCH_SUMMARY_OUT") {
        let _ = std::fs::write(path, &report);
    }
}
