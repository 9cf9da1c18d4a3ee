#!/usr/bin/env python3
"""Two more database shapes for the question suite (deterministic; Python 3.11 standard library only).

Usage:  python3 sample-data/shapes/make_shapes.py [--out DIR]      (default: sample-data/shapes/out/)

Writes into DIR:

* ``wide.db``  one flat table ``gem_sales`` (a jeweller's sales ledger, diamonds-style): 23 columns,
  ~30k rows, 2021-03-01 .. 2024-08-17 (ISO text dates in ``sold_on``); low-cardinality text
  categories (``color`` D..J, ``cut``, ``clarity``, ``boutique``, ``territory``, ``channel``,
  ``setting``, ``grading_lab``), numeric measures (``carat``, ``list_price``, ``sale_price``, ...).
  Volume grows ~18 %/year, peaks in December and before Valentine's day, dips in January/August.
* ``odd.db``   a small B2B schema with awkward names and date storage:
    - ``Clients``          ("ClientID" pk, "Client Name", "Segment", "Country", "Joined" TEXT DD/MM/YYYY)
    - ``group``            ("id" pk, "Product Line", "Target Margin")                (reserved word)
    - ``Sales Orders``     ("Order No" pk, "ClientID" (key implied by the name only), "group_id"
                            REFERENCES "group"(id) (declared), "Order Date" INTEGER yyyymmdd,
                            "Net Value", "Qty", "Stage")
    - ``Service Tickets``  ("Ticket" pk, "ClientID" REFERENCES "Clients"("ClientID") (declared),
                            "Opened" INTEGER unix epoch seconds, "Severity", "Hours Spent", "Resolved")
    - ``Payments``         ("PaymentID" pk, "Order No" (implied), "Paid On" TEXT YYYY/MM/DD,
                            "Amount Paid", "Payment Type")
  plus ``odd.glossary.json`` (copied from this directory) beside it.

Every run writes the same rows (one random.Random per database with a fixed seed, no clock).
Files are written to a temporary name, vacuumed and renamed into place.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import shutil
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The sampling helpers are the sample business's own (one definition for both generators).
sys.path.insert(0, os.path.dirname(HERE))
from generate import cumulative, pick, poisson  # noqa: E402


def money(x):
    return round(x + 1e-9, 2)


def write_db(path, schema, fill):
    tmp = f"{path}.tmp-{os.getpid()}"
    for p in (tmp, tmp + "-journal"):
        if os.path.exists(p):
            os.remove(p)
    con = sqlite3.connect(tmp, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute("BEGIN")
        for stmt in schema.split(";"):
            if stmt.strip():
                con.execute(stmt)
        counts = fill(con)
        con.execute("COMMIT")
        con.execute("VACUUM")
    finally:
        con.close()
    os.replace(tmp, path)
    return counts


# ---------------------------------------------------------------------------------------------
# wide.db: gem_sales

WIDE_SEED = 7101
WIDE_START = dt.date(2021, 3, 1)
WIDE_END = dt.date(2024, 8, 17)  # deliberately not a period end: "last year" = 2023, "last quarter" = Q2 2024

WIDE_SCHEMA = """
CREATE TABLE gem_sales (
    line_id INTEGER PRIMARY KEY,
    sold_on TEXT NOT NULL,
    boutique TEXT NOT NULL,
    territory TEXT NOT NULL,
    channel TEXT NOT NULL,
    rep_code TEXT NOT NULL,
    color TEXT NOT NULL,
    cut TEXT NOT NULL,
    clarity TEXT NOT NULL,
    setting TEXT NOT NULL,
    grading_lab TEXT NOT NULL,
    carat REAL NOT NULL,
    depth_pct REAL NOT NULL,
    table_pct REAL NOT NULL,
    length_mm REAL NOT NULL,
    width_mm REAL NOT NULL,
    height_mm REAL NOT NULL,
    list_price REAL NOT NULL,
    discount_pct REAL NOT NULL,
    sale_price REAL NOT NULL,
    buyer_age INTEGER NOT NULL,
    lead_days INTEGER NOT NULL,
    returned INTEGER NOT NULL
);
CREATE INDEX idx_gem_sales_sold_on ON gem_sales(sold_on);
"""

BOUTIQUES = [  # (city, territory, weight, price level)
    ("Antwerp", "EMEA", 0.16, 1.00), ("Geneva", "EMEA", 0.12, 1.25), ("London", "EMEA", 0.14, 1.10),
    ("Mumbai", "APAC", 0.13, 0.85), ("Singapore", "APAC", 0.12, 1.05), ("Tokyo", "APAC", 0.10, 1.15),
    ("New York", "Americas", 0.15, 1.10), ("Toronto", "Americas", 0.08, 0.95),
]
CHANNELS = [("Walk-in", 0.55), ("Online", 0.30), ("Broker", 0.15)]
COLORS = [("D", 0.08), ("E", 0.16), ("F", 0.18), ("G", 0.21), ("H", 0.16), ("I", 0.12), ("J", 0.09)]
COLOR_FACTOR = {"D": 1.45, "E": 1.32, "F": 1.22, "G": 1.10, "H": 1.00, "I": 0.88, "J": 0.78}
CUTS = [("Fair", 0.04), ("Good", 0.10), ("Very Good", 0.23), ("Premium", 0.26), ("Ideal", 0.37)]
CUT_FACTOR = {"Fair": 0.80, "Good": 0.90, "Very Good": 0.98, "Premium": 1.04, "Ideal": 1.08}
CLARITIES = [("I1", 0.02), ("SI2", 0.16), ("SI1", 0.24), ("VS2", 0.22), ("VS1", 0.15),
             ("VVS2", 0.10), ("VVS1", 0.07), ("IF", 0.04)]
CLARITY_FACTOR = {"I1": 0.60, "SI2": 0.85, "SI1": 0.95, "VS2": 1.05, "VS1": 1.12, "VVS2": 1.22,
                  "VVS1": 1.32, "IF": 1.50}
SETTINGS = [("Loose", 0.30), ("Ring", 0.40), ("Pendant", 0.18), ("Earrings", 0.12)]
SETTING_ADD = {"Loose": 0.0, "Ring": 650.0, "Pendant": 380.0, "Earrings": 520.0}
LABS = [("GIA", 0.62), ("IGI", 0.28), ("HRD", 0.10)]
WIDE_MONTH = {1: 0.80, 2: 1.15, 3: 0.95, 4: 1.00, 5: 1.08, 6: 1.02, 7: 0.92, 8: 0.85, 9: 0.95,
              10: 1.00, 11: 1.12, 12: 1.45}


def wide_rows():
    rng = random.Random(WIDE_SEED)
    boutiques = cumulative([((c, t, lvl), w) for c, t, w, lvl in BOUTIQUES])
    channels, colors, cuts = cumulative(CHANNELS), cumulative(COLORS), cumulative(CUTS)
    clarities, settings, labs = cumulative(CLARITIES), cumulative(SETTINGS), cumulative(LABS)
    reps = {c: [f"{c[:3].upper()}-{k:02d}" for k in range(1, 8)] for c, _, _, _ in BOUTIQUES}
    rows = []
    line_id = 0
    n_days = (WIDE_END - WIDE_START).days + 1
    for i in range(n_days):
        day = WIDE_START + dt.timedelta(days=i)
        years = i / 365.25
        lam = 17.0 * 1.18 ** years * WIDE_MONTH[day.month]
        if day.weekday() == 5:
            lam *= 1.35
        elif day.weekday() == 6:
            lam *= 0.70
        if day.month == 2 and 7 <= day.day <= 14:
            lam *= 1.6  # Valentine's week
        n = poisson(rng, lam)
        if i == n_days - 1:
            n = max(n, 1)
        for _ in range(n):
            line_id += 1
            city, territory, level = pick(rng, boutiques)
            channel = pick(rng, channels)
            color, cut, clarity = pick(rng, colors), pick(rng, cuts), pick(rng, clarities)
            setting, lab = pick(rng, settings), pick(rng, labs)
            carat = round(min(4.5, max(0.2, math.exp(rng.gauss(math.log(0.72), 0.45)))), 2)
            depth = round(rng.gauss(61.8, 1.3), 1)
            table = round(rng.gauss(57.4, 2.1), 1)
            diameter = 6.5 * carat ** (1 / 3)
            length = round(diameter * (1 + abs(rng.gauss(0, 0.01))), 2)
            width = round(diameter * (1 - abs(rng.gauss(0, 0.01))), 2)
            height = round(diameter * depth / 100, 2)
            base = 4200.0 * carat ** 1.85 * COLOR_FACTOR[color] * CUT_FACTOR[cut] * CLARITY_FACTOR[clarity]
            list_price = money((base * level * math.exp(rng.gauss(0, 0.08)) + SETTING_ADD[setting])
                               * 1.03 ** years)
            if channel == "Broker":
                disc = rng.uniform(8, 22)
            elif channel == "Online":
                disc = rng.uniform(0, 15)
            else:
                disc = rng.choice([0, 0, 0, 5, 10]) + rng.uniform(0, 3)
            disc = round(disc, 1)
            sale = money(list_price * (1 - disc / 100))
            age = int(min(85, max(19, round(rng.gauss(41, 11)))))
            lead = int(min(45, max(0, round(rng.expovariate(1 / (9 if setting != "Loose" else 3))))))
            p_ret = 0.08 if channel == "Online" else 0.025
            returned = 1 if rng.random() < p_ret else 0
            rows.append((line_id, day.isoformat(), city, territory, channel, rng.choice(reps[city]),
                         color, cut, clarity, setting, lab, carat, depth, table, length, width,
                         height, list_price, disc, sale, age, lead, returned))
    return rows


def build_wide(path):
    rows = wide_rows()

    def fill(con):
        con.executemany("INSERT INTO gem_sales VALUES (" + ",".join("?" * 23) + ")", rows)
        return {"gem_sales": len(rows)}

    return write_db(path, WIDE_SCHEMA, fill)


# ---------------------------------------------------------------------------------------------
# odd.db

ODD_SEED = 5309
ODD_START = dt.date(2022, 1, 3)
ODD_END = dt.date(2024, 6, 28)  # orders; tickets and payments end close to it (see below)

ODD_SCHEMA = """
CREATE TABLE "Clients" (
    "ClientID" INTEGER PRIMARY KEY,
    "Client Name" TEXT NOT NULL,
    "Segment" TEXT NOT NULL,
    "Country" TEXT NOT NULL,
    "Joined" TEXT NOT NULL
);
CREATE TABLE "group" (
    "id" INTEGER PRIMARY KEY,
    "Product Line" TEXT NOT NULL,
    "Target Margin" REAL NOT NULL
);
CREATE TABLE "Sales Orders" (
    "Order No" INTEGER PRIMARY KEY,
    "ClientID" INTEGER NOT NULL,
    "group_id" INTEGER NOT NULL REFERENCES "group"("id"),
    "Order Date" INTEGER NOT NULL,
    "Net Value" REAL NOT NULL,
    "Qty" INTEGER NOT NULL,
    "Stage" TEXT NOT NULL
);
CREATE TABLE "Service Tickets" (
    "Ticket" INTEGER PRIMARY KEY,
    "ClientID" INTEGER NOT NULL REFERENCES "Clients"("ClientID"),
    "Opened" INTEGER NOT NULL,
    "Severity" TEXT NOT NULL,
    "Hours Spent" REAL NOT NULL,
    "Resolved" INTEGER NOT NULL
);
CREATE TABLE "Payments" (
    "PaymentID" INTEGER PRIMARY KEY,
    "Order No" INTEGER NOT NULL,
    "Paid On" TEXT NOT NULL,
    "Amount Paid" REAL NOT NULL,
    "Payment Type" TEXT NOT NULL
);
CREATE INDEX "Sales Orders by date" ON "Sales Orders"("Order Date");
CREATE INDEX "Sales Orders by client" ON "Sales Orders"("ClientID");
"""

SEGMENTS = [("Enterprise", 0.18), ("Mid-Market", 0.37), ("Small Business", 0.45)]
SEGMENT_SIZE = {"Enterprise": 3.2, "Mid-Market": 1.4, "Small Business": 0.6}
COUNTRIES = [("Germany", 0.30), ("France", 0.22), ("Netherlands", 0.14), ("Spain", 0.13),
             ("Italy", 0.12), ("Poland", 0.09)]
LINES = [  # id, product line, target margin, typical unit price, weight
    (1, "Sensors", 0.42, 85.0, 0.34),
    (2, "Valves", 0.31, 240.0, 0.24),
    (3, "Pumps", 0.27, 1150.0, 0.14),
    (4, "Controllers", 0.48, 620.0, 0.16),
    (5, "Cabling", 0.22, 35.0, 0.12),
]
STAGES = [("Shipped", 0.86), ("Backordered", 0.08), ("Cancelled", 0.06)]
SEVERITIES = [("Low", 0.55), ("Medium", 0.33), ("High", 0.12)]
SEVERITY_HOURS = {"Low": 1.5, "Medium": 4.0, "High": 11.0}
PAY_TYPES = [("Wire", 0.58), ("Card", 0.17), ("Direct Debit", 0.25)]
ODD_MONTH = {1: 0.85, 2: 0.95, 3: 1.15, 4: 1.00, 5: 1.00, 6: 1.12, 7: 0.90, 8: 0.70, 9: 1.05,
             10: 1.05, 11: 1.08, 12: 1.15}

COMPANY_A = ["Nord", "Süd", "Alpen", "Rhein", "Baltic", "Iberia", "Lumen", "Vector", "Atlas", "Helios",
             "Delta", "Orion", "Castor", "Kappa", "Tecno", "Magna", "Vela", "Stern", "Aurora", "Ferro"]
COMPANY_B = ["Werke", "Industrie", "Systems", "Logistik", "Energie", "Foods", "Pharma", "Automation",
             "Metall", "Chemie", "Hydraulik", "Technik", "Group", "Solutions", "Textil"]
COMPANY_C = ["GmbH", "SA", "BV", "SpA", "S.L.", "Sp. z o.o.", "AG", "SAS"]


def yyyymmdd(day):
    return day.year * 10000 + day.month * 100 + day.day


def odd_rows():
    rng = random.Random(ODD_SEED)
    segments, countries = cumulative(SEGMENTS), cumulative(COUNTRIES)
    stages, severities, pay_types = cumulative(STAGES), cumulative(SEVERITIES), cumulative(PAY_TYPES)
    lines = cumulative([((lid, price), w) for lid, _, _, price, w in LINES])

    # clients: joined 2019-01-01 .. 2024-06-20, more recently (growth)
    clients = []
    join_span = (dt.date(2024, 6, 20) - dt.date(2019, 1, 1)).days
    joined_days = sorted(int(join_span * math.sqrt(rng.random())) for _ in range(640))
    for cid, jd in enumerate(joined_days, start=1):
        joined = dt.date(2019, 1, 1) + dt.timedelta(days=jd)
        name = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(COMPANY_C)}"
        seg = pick(rng, segments)
        clients.append((cid, name, seg, pick(rng, countries), joined))
    client_rows = [(c, n, s, k, j.strftime("%d/%m/%Y")) for c, n, s, k, j in clients]
    group_rows = [(lid, name, margin) for lid, name, margin, _, _ in LINES]

    orders, payments, tickets = [], [], []
    order_no, pay_id, ticket_id = 100000, 0, 0
    n_days = (ODD_END - ODD_START).days + 1
    for i in range(n_days):
        day = ODD_START + dt.timedelta(days=i)
        if day.weekday() >= 5:
            continue  # B2B: weekdays only
        years = i / 365.25
        eligible = [c for c in clients if c[4] <= day]
        lam = 11.0 * 1.22 ** years * ODD_MONTH[day.month]
        n = poisson(rng, lam)
        if day == ODD_END:
            n = max(n, 1)
        weights = [SEGMENT_SIZE[c[2]] for c in eligible]
        for _ in range(n):
            order_no += 1
            cl = rng.choices(eligible, weights=weights, k=1)[0]
            lid, unit = pick(rng, lines)
            qty = max(1, int(round(math.exp(rng.gauss(math.log(6 * SEGMENT_SIZE[cl[2]]), 0.7)))))
            value = money(qty * unit * math.exp(rng.gauss(0, 0.12)))
            stage = pick(rng, stages)
            if (ODD_END - day).days < 20 and stage == "Shipped" and rng.random() < 0.5:
                stage = "Backordered"
            orders.append((order_no, cl[0], lid, yyyymmdd(day), value, qty, stage))
            if stage == "Shipped":
                paid = day + dt.timedelta(days=int(rng.triangular(5, 75, 30)))
                if paid <= ODD_END:
                    pay_id += 1
                    if rng.random() < 0.15:  # paid in two instalments
                        first = money(value * 0.5)
                        payments.append((pay_id, order_no, paid.strftime("%Y/%m/%d"), first,
                                         pick(rng, pay_types)))
                        paid2 = paid + dt.timedelta(days=30)
                        if paid2 <= ODD_END:
                            pay_id += 1
                            payments.append((pay_id, order_no, paid2.strftime("%Y/%m/%d"),
                                             money(value - first), pick(rng, pay_types)))
                    else:
                        payments.append((pay_id, order_no, paid.strftime("%Y/%m/%d"), value,
                                         pick(rng, pay_types)))
        # tickets: working days only, ~3-4/day, Monday peak
        t_lam = 3.2 * 1.10 ** years * (1.5 if day.weekday() == 0 else 1.0)
        for _ in range(poisson(rng, t_lam)):
            ticket_id += 1
            cl = rng.choice(eligible)
            sev = pick(rng, severities)
            secs = int(rng.uniform(7 * 3600, 19 * 3600))
            opened = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()) + secs
            hours = round(SEVERITY_HOURS[sev] * math.exp(rng.gauss(0, 0.5)), 1)
            resolved = 1 if (ODD_END - day).days > 10 or rng.random() < 0.4 else 0
            tickets.append((ticket_id, cl[0], opened, sev, hours, resolved))
    payments.sort(key=lambda p: (p[2], p[0]))
    payments = [(k,) + p[1:] for k, p in enumerate(payments, start=1)]
    return client_rows, group_rows, orders, tickets, payments


def build_odd(path):
    client_rows, group_rows, orders, tickets, payments = odd_rows()

    def fill(con):
        con.executemany('INSERT INTO "Clients" VALUES (?,?,?,?,?)', client_rows)
        con.executemany('INSERT INTO "group" VALUES (?,?,?)', group_rows)
        con.executemany('INSERT INTO "Sales Orders" VALUES (?,?,?,?,?,?,?)', orders)
        con.executemany('INSERT INTO "Service Tickets" VALUES (?,?,?,?,?,?)', tickets)
        con.executemany('INSERT INTO "Payments" VALUES (?,?,?,?,?)', payments)
        return {"Clients": len(client_rows), "group": len(group_rows), "Sales Orders": len(orders),
                "Service Tickets": len(tickets), "Payments": len(payments)}

    return write_db(path, ODD_SCHEMA, fill)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate the wide.db and odd.db question-suite databases.")
    ap.add_argument("--out", default=os.path.join(HERE, "out"), help="output directory")
    args = ap.parse_args(argv)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    for name, build in (("wide.db", build_wide), ("odd.db", build_odd)):
        path = os.path.join(out, name)
        counts = build(path)
        print(f"wrote {path} ({os.path.getsize(path)} bytes): "
              + ", ".join(f"{t}={n}" for t, n in counts.items()))
    shutil.copyfile(os.path.join(HERE, "odd.glossary.json"), os.path.join(out, "odd.glossary.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
