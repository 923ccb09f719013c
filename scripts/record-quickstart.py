#!/usr/bin/env python3
"""Record real model replies for the quickstart example (examples/recorded/invoices.json).

    eval "$(scripts/local-model.sh start)"            # sets LLM_BASE_URL
    LLM_BASE_URL=$LLM_BASE_URL scripts/record-quickstart.py
    scripts/local-model.sh stop

Sends each input below to an OpenAI-compatible `POST {LLM_BASE_URL}/chat/completions` with plain
prompting (no response_format, no grammar): the reply is whatever the model writes when told the
format instructions of `Invoice` (examples/examples/quickstart.rs). Greedy decoding with a fixed
seed, so a re-run against the same model and server gives the same replies.

If `Invoice` changes, re-record with its new instructions:
    scripts/record-quickstart.py --instructions FILE   # FILE holds Invoice::format_instructions()

Python 3.11 standard library only.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

MODEL = "smollm2-135m-instruct"
MODEL_DESCRIPTION = "SmolLM2-135M-Instruct Q4_1 via llama.cpp llama-server"
SYSTEM = "You extract invoices from text."
OUT = Path(__file__).resolve().parent.parent / "examples" / "recorded" / "invoices.json"

# Invoice::format_instructions() of examples/examples/quickstart.rs, exactly (the example compares).
INSTRUCTIONS = """\
Answer with one JSON value and nothing else: no prose, no code fences. Use this shape:
{ // An invoice extracted from free text.
  // The company that issued the invoice.
  "vendor": string, // 2 to 60 characters; must match ^[A-Z]
  // The amount due, in the invoice's currency.
  "total": number, // at least 0
  // ISO 4217 code.
  "currency": "USD" | "EUR" | "GBP",
  // The lines of the invoice.
  "items": [
    { // A line item on an invoice.
      // What was sold.
      "name": string, // 1 to 80 characters
      // How many.
      "qty": integer // at least 1
    },
    ...
  ] // at least 1 item
}
"""

INPUTS = [
    # A plain email, dollars.
    """\
Hi Sam,
Please find our invoice for last week's order below.
Acme Office Supplies
- 3 boxes of A4 printer paper
- 2 black toner cartridges
Total due: $184.50 within 30 days.
Thanks, Dana""",
    # OCR of a till receipt, euros with a decimal comma.
    """\
BÄCKEREI MÜLLER  Hauptstr. 12
RECHNUNG Nr 0087
2 x Roggenbrot      7,60
6 x Brezel          5,40
1 x Apfelkuchen    14,90
SUMME EUR          27,90""",
    # Pounds, services rather than goods.
    """\
Thames Valley Plumbing Ltd - Invoice #2291
Labour: 3 hours
Replacement valve: 1
Total due: £265.00
Payment by bank transfer please.""",
    # A currency code and a thousands separator.
    """\
INVOICE
From: Northwind Traders Inc.
To: Contoso LLC
Item                 Qty
Ergonomic chair       5
Standing desk         2
Amount due: 1,250.00 USD""",
    # The currency spelled out.
    """\
Dear guest, thank you for staying at Hotel Bellavista.
Your bill: 2 nights in a double room, 2 breakfasts, 1 parking ticket.
The total comes to 312 euros, already paid by card.""",
    # Not an invoice at all.
    """\
Hey team! Lunch on Friday at 12:30 at the Thai place on Elm Street to celebrate
Priya's promotion. Reply by Wednesday so I can book a table for 8. My treat!""",
    # An item with quantity zero (backordered).
    """\
Lumen Home Lighting - invoice 5512
Qty 4  Wall sconce
Qty 0  Desk lamp (backordered, not charged)
Qty 1  Dimmer switch
Total: $219.96""",
    # Noisy OCR: zeros for O's, broken spacing.
    """\
INV0ICE  N0. 4471
Greenleaf  Landscap1ng
Mowing  x4 visits
Hedge  trimming  x1
T0TAL  DUE  $ 320.00""",
    # A vendor written in lower case (the schema wants ^[A-Z]).
    """\
pixelworks studio
invoice for: logo design (1), business card layout (1), 3 rounds of revisions
amount payable: €950""",
    # Subtotal, tax and total: only the total is due.
    """\
Bright Spark Electrical
12 LED bulbs, 4 light switches, 1 fuse box
Subtotal £343.96
VAT (20%) £68.79
Total £412.75""",
    # Terse, one line.
    """\
Café Luna: 2 cappuccinos, 1 croissant, €9.40 total. Thanks for visiting!""",
    # A forwarded reminder with the amount in words and digits.
    """\
Fwd: Payment reminder
Blue Ridge Hosting reminds you that invoice BR-2024-031 for your annual
VPS plan (1 server, 2 extra IP addresses) of USD 480.00 is now overdue.""",
]


def ask(base_url: str, text: str, instructions: str) -> dict:
    body = {
        "model": MODEL,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {
                "role": "user",
                "content": f"Extract the invoice from:\n{text}\n\n{instructions}",
            },
        ],
        "temperature": 0.0,
        "max_tokens": 400,
        "seed": 42,
    }
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as err:
        detail = err.read().decode(errors="replace")[:500]
        sys.exit(f"record-quickstart: {base_url} answered {err.code}: {detail}")
    except urllib.error.URLError as err:
        sys.exit(f"record-quickstart: cannot reach {base_url}: {err.reason}")
    choice = answer["choices"][0]
    usage = answer.get("usage") or {}
    return {
        "input": text,
        "reply": choice["message"]["content"],
        "finish_reason": choice.get("finish_reason"),
        "usage": {
            "prompt_tokens": usage.get("prompt_tokens"),
            "completion_tokens": usage.get("completion_tokens"),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--base-url",
        default=os.environ.get("LLM_BASE_URL"),
        help="OpenAI-compatible base URL ending in /v1 (default: $LLM_BASE_URL)",
    )
    parser.add_argument(
        "--instructions",
        type=Path,
        help="file holding the format instructions (default: the ones in this script)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    args = parser.parse_args()
    if not args.base_url:
        sys.exit("record-quickstart: set LLM_BASE_URL (scripts/local-model.sh start prints it)")
    base_url = args.base_url.rstrip("/")
    instructions = args.instructions.read_text() if args.instructions else INSTRUCTIONS

    exchanges = []
    for i, text in enumerate(INPUTS, 1):
        print(f"record-quickstart: {i}/{len(INPUTS)} {text.splitlines()[0]}", file=sys.stderr)
        exchanges.append(ask(base_url, text, instructions))

    recording = {
        "model": MODEL_DESCRIPTION,
        "recorded_with": "scripts/record-quickstart.py",
        "system": SYSTEM,
        "instructions": instructions,
        "exchanges": exchanges,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(recording, indent=2, ensure_ascii=False) + "\n")
    print(f"record-quickstart: wrote {len(exchanges)} exchanges to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
