#!/usr/bin/env python3
"""Helper of scripts/compile-bench.sh (Python 3.11, standard library only).

  compile_bench_gen.py generate --root REPO --out DIR [--structs N] [--seed S] [--core-path P]
      Writes a throw-away cargo workspace in DIR with two crates holding the same N structs:
        serde_only  #[derive(Serialize, Deserialize)]
        with_schema #[derive(Serialize, Deserialize, JsonSchema)] (what LlmOutput requires beside it)
        with_llm    #[derive(Serialize, Deserialize, JsonSchema, LlmOutput)] + #[llm(...)] rules
      Dependencies (llm-core by path, serde and schemars at the versions of the repo's
      [workspace.dependencies]) are the same for both crates; the repo's Cargo.lock and
      rust-toolchain.toml are copied in so versions and toolchain match the repo.

  compile_bench_gen.py breakdown FILE [--top K]
      Splits a `-Zunpretty=expanded` file into its top-level items, and prints the bytes each
      derive (the trait of the item's first `impl`) accounts for and the K largest items.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tomllib
from collections import Counter
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Field pool: (name, type, doc comment or None, rules that make sense on it).
# Rules follow the llm-core attribute syntax; a field gets at most one rule per key.

TEXT = [
    ("title", "String", "Short title, as a person would write it.", ["len(min = 1, max = 120)", "non_empty"]),
    ("summary", "String", "One or two sentences.", ["len(max = 500)", 'deny = ["as an AI", "I cannot"]']),
    ("name", "String", None, ["len(min = 1, max = 80)", "non_empty"]),
    ("email", "String", "Contact address.", ["email"]),
    ("website", "Option<String>", None, ["url"]),
    ("source_url", "String", "Where the fact was found.", ["url"]),
    ("language", "String", "ISO 639-1 code.", ['regex = "^[a-z]{2}$"']),
    ("currency", "String", "ISO 4217 code.", ['regex = "^[A-Z]{3}$"']),
    ("country", "String", None, ['regex = "^[A-Z]{2}$"']),
    ("sentiment", "String", None, ['one_of = ["positive", "negative", "neutral", "mixed"]']),
    ("status", "String", "Lifecycle state.", ['one_of = ["open", "pending", "closed"]']),
    ("category", "String", None, ['one_of = ["billing", "bug", "feature", "other"]']),
    ("reason", "String", "Why, in the model's words.", ["custom = crate::checks::no_placeholder", "len(max = 300)"]),
    ("description", "String", None, ["len(max = 2000)", 'deny = ["lorem ipsum"]']),
    ("sku", "String", None, ['regex = "^[A-Z0-9-]{4,20}$"']),
    ("date", "String", "Date as YYYY-MM-DD.", [r'regex = "^\\d{4}-\\d{2}-\\d{2}$"']),
    ("phone", "Option<String>", None, [r'regex = "^\\+?[0-9 ]{6,20}$"']),
    ("note", "Option<String>", "Anything that did not fit elsewhere.", ["len(max = 200)"]),
    ("due_date", "Option<String>", None, [r'regex = "^\\d{4}-\\d{2}-\\d{2}$"']),
    ("author", "Option<String>", None, ["non_empty"]),
    ("answer", "String", None, ["non_empty", "custom = crate::checks::no_placeholder"]),
    ("quote", "String", "Verbatim from the source.", ["len(min = 1, max = 400)", 'deny = ["[citation needed]"]']),
    ("label", "String", None, []),
    ("external_id", "Option<String>", None, []),
]
INTEGER = [
    ("quantity", "u32", None, ["range(min = 1)", "range(min = 1, max = 10000)"]),
    ("priority", "u8", "1 is the most urgent.", ["range(min = 1, max = 5)", "one_of = [1, 2, 3, 4, 5]"]),
    ("year", "i32", None, ["range(min = 1900, max = 2100)"]),
    ("age", "Option<u32>", None, ["range(max = 130)"]),
    ("page", "u32", "Page the fact was found on.", ["range(min = 1)"]),
    ("count", "u64", None, []),
    ("rating", "u8", "Stars, 1 to 5.", ["range(min = 1, max = 5)"]),
    ("duration_minutes", "Option<u32>", None, ["range(min = 1, max = 1440)"]),
    ("offset", "i64", None, []),
    ("rank", "u16", None, ["range(min = 1)"]),
]
FLOAT = [
    ("amount", "f64", "In the document's currency.", ["range(min = 0)"]),
    ("confidence", "f64", "How sure the model is, from 0 to 1.", ["confidence(min = 0.5)", "confidence(min = 0.7)"]),
    ("score", "f64", None, ["range(min = 0, max = 1)"]),
    ("price", "f64", None, ["range(min = 0)"]),
    ("latitude", "f64", None, ["range(min = -90, max = 90)"]),
    ("longitude", "f64", None, ["range(min = -180, max = 180)"]),
    ("tax_rate", "Option<f64>", None, ["range(min = 0, max = 1)"]),
    ("weight_kg", "Option<f64>", None, []),
]
BOOL = [
    ("is_urgent", "bool", "Needs an answer today.", []),
    ("verified", "bool", None, []),
    ("needs_review", "bool", "A person should look at this.", []),
    ("is_recurring", "bool", None, []),
    ("resolved", "bool", None, []),
    ("has_attachment", "bool", None, []),
]
VEC = [
    ("tags", "Vec<String>", None, ["len(max = 10)", "non_empty"]),
    ("keywords", "Vec<String>", "Lowercase, most relevant first.", ["len(min = 1, max = 20)"]),
    ("aliases", "Vec<String>", None, []),
    ("steps", "Vec<String>", "In order.", ["non_empty"]),
    ("scores", "Vec<f64>", None, ["len(max = 5)"]),
    ("line_numbers", "Vec<u32>", None, []),
]
POOLS = [TEXT, TEXT, TEXT, INTEGER, FLOAT, BOOL, VEC]  # text is what models return most

DOMAINS = [
    "Invoice", "Ticket", "Product", "Review", "Meeting", "Contract", "Recipe", "Flight",
    "Patient", "Job", "Article", "Email", "Receipt", "Lead", "Incident", "Order", "Paper",
    "Event", "Claim", "Listing",
]
KINDS = ["Summary", "Item", "Party", "Extraction", "Detail"]


def rule_key(rule: str) -> str:
    return re.match(r"[a-z_]+", rule).group(0)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def make_structs(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    base = [d + k for k in KINDS for d in DOMAINS]
    names = [n if i < len(base) else f"{n}V{i // len(base) + 1}" for i, n in
             ((i, base[i % len(base)]) for i in range(count))]
    structs = []
    for i, sname in enumerate(names):
        nfields = rng.randint(4, 8)
        nested = []
        if i >= 3:  # references to earlier structs, as nested fields
            for earlier in rng.sample(structs, k=min(len(structs), rng.choice([0, 0, 1, 1, 1, 2]))):
                e = earlier["name"]
                form = rng.choice(["plain", "vec", "vec", "option"])
                if form == "plain":
                    nested.append((snake(e), e, None, []))
                elif form == "vec":
                    nested.append((snake(e) + "s", f"Vec<{e}>", f"Every {snake(e).replace('_', ' ')} mentioned.", ["len(max = 50)", "non_empty"]))
                else:
                    nested.append((snake(e), f"Option<{e}>", None, []))
        picks: list[tuple] = []
        used = {f[0] for f in nested}
        while len(picks) + len(nested) < nfields:
            cand = rng.choice(rng.choice(POOLS))
            if cand[0] not in used:
                used.add(cand[0])
                picks.append(cand)
        fields = picks + nested
        rng.shuffle(fields)
        structs.append({
            "name": sname,
            "doc": f"The {snake(sname).replace('_', ' ')} a model returns." if rng.random() < 0.6 else None,
            "fields": [{"name": n, "ty": t, "doc": d, "cands": c, "rules": []} for n, t, d, c in fields],
        })
    # Rules: keep the number of fields with a rule at about half of all fields ("one rule on
    # every second field"); a field with nothing sensible to check passes its turn on. About one
    # ruled field in six gets a second rule of another kind.
    total = ruled = 0
    for s in structs:
        for f in s["fields"]:
            total += 1
            if f["cands"] and ruled < (total + 1) // 2:
                first = rng.choice(f["cands"])
                f["rules"].append(first)
                others = [r for r in f["cands"] if rule_key(r) != rule_key(first)]
                if others and rng.random() < 1 / 6:
                    f["rules"].append(rng.choice(others))
                ruled += 1
    return structs


DERIVES = {
    "serde_only": "Serialize, Deserialize",
    "with_schema": "Serialize, Deserialize, JsonSchema",
    "with_llm": "Serialize, Deserialize, JsonSchema, LlmOutput",
}


def render(structs: list[dict], crate: str) -> str:
    derives = DERIVES[crate]
    with_llm = crate == "with_llm"
    uses = "use serde::{Deserialize, Serialize};" if crate == "serde_only" else "use llm_core::prelude::*;"
    out = [
        "//! Generated by llm-core's scripts/compile_bench_gen.py for scripts/compile-bench.sh.",
        f"//! {len(structs)} structs deriving {derives}. Do not edit: regenerated on each run.",
        "",
        uses,
        "",
        "/// Checks named by `custom = ...` rules (present in both crates so the sources differ only",
        "/// by derives and `#[llm]` attributes).",
        "pub mod checks {",
        "    /// Rejects template placeholders left in by the model.",
        "    pub fn no_placeholder(s: &str) -> Result<(), String> {",
        '        if s.contains("TODO") || s.contains("<placeholder>") {',
        '            Err("contains a placeholder".to_owned())',
        "        } else {",
        "            Ok(())",
        "        }",
        "    }",
        "}",
        "",
    ]
    for s in structs:
        if s["doc"]:
            out.append(f"/// {s['doc']}")
        out.append(f"#[derive({derives})]")
        out.append(f"pub struct {s['name']} {{")
        for f in s["fields"]:
            if f["doc"]:
                out.append(f"    /// {f['doc']}")
            if with_llm and f["rules"]:
                out.append(f"    #[llm({', '.join(f['rules'])})]")
            out.append(f"    pub {f['name']}: {f['ty']},")
        out.append("}")
        out.append("")
    return "\n".join(out)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    return str(v)


def write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def generate(root: Path, out: Path, count: int, seed: int, core: Path) -> None:
    manifest = tomllib.loads((root / "Cargo.toml").read_text())
    wdeps = manifest["workspace"]["dependencies"]
    wpkg = manifest["workspace"].get("package", {})
    deps = {"llm-core": {"path": str(core)}}
    for name in ("serde", "schemars"):
        spec = wdeps[name]
        deps[name] = {"version": spec} if isinstance(spec, str) else dict(spec)
    dep_lines = "\n".join(f"{k} = {toml_value(v)}" for k, v in deps.items())

    members = list(DERIVES)
    # profile.dev.package."*" mirrors the repo (dependencies without debug info); the two
    # measured crates are workspace members and so get the plain `dev` profile.
    profile = manifest.get("profile", {})
    profile_text = ""
    for pname, pkgs in profile.get("dev", {}).get("package", {}).items():
        body = "\n".join(f"{k} = {toml_value(v)}" for k, v in pkgs.items())
        profile_text += f'\n[profile.dev.package."{pname}"]\n{body}\n'
    write_if_changed(
        out / "Cargo.toml",
        "# Generated by llm-core's scripts/compile_bench_gen.py.\n"
        f"[workspace]\nresolver = \"{manifest['workspace'].get('resolver', '3')}\"\n"
        f"members = {toml_value(members)}\n{profile_text}",
    )
    for name in ("Cargo.lock", "rust-toolchain.toml"):
        if (root / name).exists():
            shutil.copyfile(root / name, out / name)

    structs = make_structs(count, seed)
    for crate in members:
        write_if_changed(
            out / crate / "Cargo.toml",
            f"[package]\nname = \"{crate}\"\nversion = \"0.0.0\"\n"
            f"edition = \"{wpkg.get('edition', '2024')}\"\npublish = false\n\n"
            f"[dependencies]\n{dep_lines}\n",
        )
        write_if_changed(out / crate / "src" / "lib.rs", render(structs, crate))

    fields = [f for s in structs for f in s["fields"]]
    kinds = Counter(rule_key(r) for f in fields for r in f["rules"])
    nested = sum(1 for f in fields if re.search(r"\b(" + "|".join(s["name"] for s in structs) + r")\b", f["ty"]))
    print(f"generated {len(structs)} structs, {len(fields)} fields "
          f"({nested} nested, {sum(1 for f in fields if f['doc'])} with docs), "
          f"{sum(1 for f in fields if f['rules'])} fields with rules, {sum(kinds.values())} rules: "
          + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))


# ---------------------------------------------------------------------------------------------
# Expansion breakdown.

DERIVE_OF = [("LlmOutput", "LlmOutput"), ("JsonSchema", "JsonSchema"),
             ("Deserialize", "Deserialize"), ("Serialize", "Serialize")]


def top_level_items(text: str) -> list[str]:
    """Top-level items of rustc's pretty-printed output: an item starts at column 0 with its
    attributes and doc comments, and runs until the next line at column 0 that is not a closing
    brace or the rest of a multi-line attribute."""
    items: list[list[str]] = []
    current: list[str] = []
    in_attrs = False  # the current item has only attributes so far
    attr_depth = 0  # unclosed `[` of a multi-line attribute
    for line in text.splitlines(keepends=True):
        if attr_depth > 0:
            current.append(line)
            attr_depth += line.count("[") - line.count("]")
            continue
        col0 = line[:1] not in ("", " ", "\t", "\n", "}", ")", "]")
        if col0 and not in_attrs and current:
            items.append(current)
            current = []
        current.append(line)
        if col0:
            in_attrs = line.startswith(("#[", "#![", "//"))
            if line.startswith("#"):
                attr_depth = max(0, line.count("[") - line.count("]"))
    if current:
        items.append(current)
    return ["".join(i) for i in items]


def classify(item: str) -> tuple[str, str]:
    m = re.search(r"\bimpl\b[^{]*?(?:::)?(\w+)(?:<[^{]*?>)?\s+for\s+(\w+)", item)
    if m:
        trait, ty = m.group(1), m.group(2)
        for key, label in DERIVE_OF:
            if key == trait:
                return label, ty
        return f"impl {trait}", ty
    m = re.search(r"\b(struct|mod|use|fn|extern crate|enum|const|static)\s+(\w+)?", item)
    if m:
        kind = m.group(1)
        return ("struct definitions" if kind == "struct" else f"other ({kind})"), m.group(2) or ""
    return "other", ""


def breakdown(path: Path, top: int) -> None:
    text = path.read_text()
    items = top_level_items(text)
    per = Counter()
    counts = Counter()
    sized = []
    for item in items:
        label, ty = classify(item)
        per[label] += len(item.encode())
        counts[label] += 1
        sized.append((len(item.encode()), item.count("\n"), label, ty))
    total = len(text.encode())
    print(f"  {path.name}: {total} bytes in {len(items)} top-level items")
    for label, size in per.most_common():
        print(f"    {label:<22} {size:>10} bytes  {100 * size / total:5.1f}%  ({counts[label]} items, "
              f"{size / counts[label]:.0f} bytes each on average)")
    print(f"    largest {top} items:")
    for size, lines, label, ty in sorted(sized, reverse=True)[:top]:
        print(f"      {size:>8} bytes {lines:>5} lines  {label} for {ty}")
    print("    largest item of each derive:")
    for key, label in DERIVE_OF:
        mine = [x for x in sized if x[2] == label]
        if mine:
            size, lines, _, ty = max(mine)
            print(f"      {size:>8} bytes {lines:>5} lines  {label} for {ty}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--root", type=Path, required=True)
    g.add_argument("--out", type=Path, required=True)
    g.add_argument("--structs", type=int, default=100)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--core-path", type=Path, help="llm-core to depend on (default: ROOT/llm-core)")
    b = sub.add_parser("breakdown")
    b.add_argument("file", type=Path)
    b.add_argument("--top", type=int, default=3)
    args = ap.parse_args()
    if args.cmd == "generate":
        root = args.root.resolve()
        core = (args.core_path or root / "llm-core").resolve()
        generate(root, args.out, args.structs, args.seed, core)
    else:
        breakdown(args.file, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
