#!/usr/bin/env python3
"""Writes the benchmark database bench/out/bench.db (and bench/out/glossary.json).

Standard library only and deterministic (fixed seed): the same file content on every machine.

    customers  ~50,000 rows   (id, region, plan, signup_date, age, churned, monthly_spend,
                               support_tickets, satisfaction)
    orders   1,000,000 rows   (id, customer_id, order_date 2021-01-01..2025-12-31, status,
                               amount, quantity)

Regeneration is skipped when the file already exists with the right row counts; pass --force
to rebuild it anyway.
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
SEED = 20240601
N_CUSTOMERS = 50_000
N_ORDERS = 1_000_000
START = dt.date(2021, 1, 1)
END = dt.date(2025, 12, 31)

REGIONS = ["North", "South", "East", "West", "Central"]
PLANS = ["basic", "pro", "enterprise"]
PLAN_PRICE = {"basic": 29.0, "pro": 79.0, "enterprise": 249.0}

GLOSSARY = {
    "terms": [
        {
            "term": "revenue",
            "synonyms": ["sales"],
            "table": "orders",
            "expression": "amount",
            "aggregation": "sum",
            "filter": "status = 'completed'",
            "date_column": "order_date",
        }
    ],
    "columns": {},
}

SCHEMA = """
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL,
    plan TEXT NOT NULL,
    signup_date TEXT NOT NULL,
    age INTEGER NOT NULL,
    churned INTEGER NOT NULL,
    monthly_spend REAL NOT NULL,
    support_tickets INTEGER NOT NULL,
    satisfaction REAL NOT NULL
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    order_date TEXT NOT NULL,
    status TEXT NOT NULL,
    amount REAL NOT NULL,
    quantity INTEGER NOT NULL
);
"""


def existing_counts(path):
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            c = con.execute("SELECT count(*) FROM customers").fetchone()[0]
            o = con.execute("SELECT count(*) FROM orders").fetchone()[0]
            return c, o
        finally:
            con.close()
    except sqlite3.Error:
        return None


def customers(rng):
    days = (END - START).days
    for cid in range(1, N_CUSTOMERS + 1):
        region = rng.choice(REGIONS)
        plan = rng.choices(PLANS, weights=[6, 3, 1])[0]
        signup = START + dt.timedelta(days=rng.randrange(days))
        age = max(18, min(85, int(rng.gauss(41, 12))))
        tickets = min(30, int(rng.expovariate(1 / 2.5)))
        satisfaction = round(max(1.0, min(10.0, rng.gauss(7.4 - 0.35 * tickets, 1.3))), 1)
        spend = round(PLAN_PRICE[plan] * rng.uniform(0.8, 1.6), 2)
        # Churn depends on tickets, satisfaction and plan, so correlation has signal to find.
        logit = -1.2 + 0.28 * tickets - 0.45 * (satisfaction - 7) - 0.004 * spend
        churned = 1 if rng.random() < 1 / (1 + math.exp(-logit)) else 0
        yield (cid, region, plan, signup.isoformat(), age, churned, spend, tickets, satisfaction)


def orders(rng):
    days = (END - START).days + 1
    dates = [(START + dt.timedelta(days=d)).isoformat() for d in range(days)]
    # Growth over five years, a yearly season and a weekly cycle, so forecasts and trends have
    # something to find; a few spike days so anomaly detection has something to flag.
    weights = []
    for d in range(days):
        day = START + dt.timedelta(days=d)
        growth = 1.0 + 0.6 * d / days
        season = 1.0 + 0.25 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 80) / 365.25)
        weekly = 1.15 if day.weekday() >= 5 else 1.0
        weights.append(growth * season * weekly)
    for spike in rng.sample(range(days), 12):
        weights[spike] *= 4.0
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    statuses = ["completed", "refunded", "cancelled"]
    for oid in range(1, N_ORDERS + 1):
        day = rng.choices(dates, cum_weights=cum)[0]
        status = rng.choices(statuses, weights=[88, 7, 5])[0]
        quantity = 1 + min(19, int(rng.expovariate(1 / 1.5)))
        unit = math.exp(rng.gauss(3.4, 0.6))
        amount = round(unit * quantity, 2)
        if rng.random() < 0.0005:  # rare huge orders: row-level outliers
            amount = round(amount * rng.uniform(20, 60), 2)
        yield (oid, rng.randrange(1, N_CUSTOMERS + 1), day, status, amount, quantity)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=OUT, help="output directory (default bench/out)")
    ap.add_argument("--force", action="store_true", help="rebuild even if the file looks right")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "bench.db")
    with open(os.path.join(args.out, "glossary.json"), "w") as f:
        json.dump(GLOSSARY, f, indent=2)
        f.write("\n")

    if not args.force and existing_counts(path) == (N_CUSTOMERS, N_ORDERS):
        print(f"{path} exists with {N_ORDERS:,} orders; not regenerating (use --force)")
        return 0

    t0 = time.perf_counter()
    tmp = path + ".tmp"
    for p in (tmp, tmp + "-journal"):
        if os.path.exists(p):
            os.remove(p)
    rng = random.Random(SEED)
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.executescript(SCHEMA)
    with con:
        con.executemany("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?)", customers(rng))
        con.executemany("INSERT INTO orders VALUES (?,?,?,?,?,?)", orders(rng))
    con.execute("ANALYZE")
    con.close()
    os.replace(tmp, path)
    counts = existing_counts(path)
    if counts != (N_CUSTOMERS, N_ORDERS):
        print(f"error: wrote {counts}, expected {(N_CUSTOMERS, N_ORDERS)}", file=sys.stderr)
        return 1
    size = os.path.getsize(path) / 1e6
    print(f"wrote {path}: {N_CUSTOMERS:,} customers, {N_ORDERS:,} orders, "
          f"{size:.0f} MB in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
