#!/usr/bin/env python3
"""Writes tests/fixtures/leads-200.csv: 200 varied, made-up leads for batch tests
(`switchyard test workflows/lead-processing.json --csv tests/fixtures/leads-200.csv`).

Deterministic (a fixed seed, no clock): running it again gives the same file. Hot leads say
"urgent", "enterprise" and a budget; warm ones ask about pricing; cold ones are browsing.
Some cells are empty, some messages hold commas and quotes, some names are not ASCII.

    python3 scripts/gen-leads-csv.py            # write the file
    python3 scripts/gen-leads-csv.py --check    # exit 1 when the committed file differs
"""

import csv
import io
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "leads-200.csv"

FIRST = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Dennis", "Barbara", "Ken",
         "Frances", "Edsger", "Radia", "Tim", "Hedy", "John", "Sophie", "Chloé", "José", "Zoë",
         "Björn", "Ngozi", "Mei", "Arjun", "Olu", "Søren"]
LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Liskov",
        "Thompson", "Allen", "Dijkstra", "Perlman", "Berners-Lee", "Lamarr", "McCarthy",
        "Wilson", "Müller", "García", "O'Neil", "Åström", "Okafor", "Chen", "Patel", "Adeyemi"]
COMPANIES = ["Analytical Engines Ltd", "Navy Systems", "Bletchley Labs", "Orbital Mechanics Inc",
             "Kernel & Co", "Apollo Guidance", "Unix Works", "Abstract Types GmbH", "Plan 9 Ltd",
             "Compiler Shop", "Shortest Paths BV", "Spanning Trees", "Web Foundry", ""]
HOT = [
    "Urgent: we need an enterprise rollout this week, budget {budget}",
    "Urgent enterprise demo needed, our budget is {budget}, ready to buy",
    "We are ready to buy: urgent, enterprise plan for 300 seats, budget {budget}",
    "Urgent - enterprise contract needed asap, budget approved: {budget}",
]
WARM = [
    "Interested in pricing for a small team, could you send more information?",
    "Could you send me more information about your plans? We are comparing a few tools",
    "What does it cost for 10 users? Interested in pricing",
    "We are comparing tools for next quarter, please send pricing and more information",
]
COLD = [
    "Just browsing, student project",
    "Student here, no budget, just curious how this works",
    "Just curious, not interested right now",
    "Writing a school report about automation tools, just browsing",
]
SOURCES = ["website", "webinar", "partner", "ads", ""]


def leads():
    rng = random.Random(20261130)
    rows = []
    kinds = ["hot"] * 60 + ["warm"] * 70 + ["cold"] * 70
    rng.shuffle(kinds)
    for i, kind in enumerate(kinds):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        if i % 17 == 3:
            name = f"  {name.lower()} "  # untidy, the workflow trims and capitalises
        email = f"{first}.{last}{i}@example.com".lower().replace("'", "").replace(" ", "")
        if i % 11 == 5:
            email = email.upper()
        if kind == "hot":
            budget = rng.choice([25000, 50000, 80000, 95000, 120000, 250000])
            message = rng.choice(HOT).format(budget=budget)
            company = rng.choice(COMPANIES[:-1])
        elif kind == "warm":
            budget = rng.choice([0, 500, 1200, 3000, ""])
            message = rng.choice(WARM)
            company = rng.choice(COMPANIES)
        else:
            budget = rng.choice(["", "", 0])
            message = rng.choice(COLD)
            company = ""
        if i % 23 == 7:
            message += ', "asap" if possible'  # a comma and quotes inside a cell
        rows.append({"name": name, "email": email, "company": company, "budget": budget,
                     "message": message, "source": rng.choice(SOURCES)})
    return rows


def text():
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["name", "email", "company", "budget", "message", "source"],
                       lineterminator="\n")
    w.writeheader()
    w.writerows(leads())
    return buf.getvalue()


if __name__ == "__main__":
    fresh = text()
    if "--check" in sys.argv:
        if OUT.read_text(encoding="utf-8") != fresh:
            print(f"{OUT} is stale: run python3 scripts/gen-leads-csv.py", file=sys.stderr)
            sys.exit(1)
    else:
        OUT.write_text(fresh, encoding="utf-8")
        print(f"wrote {OUT} ({fresh.count(chr(10)) - 1} leads)")
