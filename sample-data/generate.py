#!/usr/bin/env python3
"""Sightline sample database generator (deterministic; Python 3.11 standard library only).

Usage:  python3 sample-data/generate.py [--out PATH] [--verbose]   (default: sample-data/sample.db)

Builds a small e-commerce SQLite database for 2023-01-01 .. 2025-12-31 whose patterns are planted
on purpose, so that forecasts, correlations, anomaly detection and summaries have something real to
find. Every run writes the same bytes: one random.Random(SEED), no clock, no hash-ordered sets.
All rows go in through executemany in one transaction; the file is vacuumed, written to a
temporary path with journal_mode=DELETE, then renamed over the target.

What is planted (sample-data/README.md has the verified numbers; check_planted.py re-derives them):

* customers (5000): the daily signup rate doubles linearly from start to end, plus a launch cohort
  of ~250 extra customers in January 2023 (exponential decay, tau 10 days). Churn is drawn from a
  logistic model   z = -2.9 + 0.55*support_tickets - 1.25*(satisfaction - 3.5) + 0.80*[plan='Basic']
  (age: coefficient 0), so tickets (strong +), satisfaction (strong -) and the Basic plan
  (moderate +) drive churn and age does not. satisfaction = 4.3 - 0.28*tickets + N(0, 0.65),
  clipped to 1..5. A churned customer stops ordering and paying after an unrecorded churn date.
* products (120, 24 per category): popularity = exp(0.30*(quality-6)) * (price/40)^-0.6
  * exp(-0.012*price), so units sold fall with price and rise with quality_score. Names follow
  price rank within a category (the dearest Electronics item is the drone, not the phone mount).
* orders: Poisson counts with mean 23 * 1.15^years * 1.30 on Sat/Sun * month factor (Feb 0.80,
  Nov/Dec 1.33, see MONTH_FACTOR) * marketing lift; status completed 92 % / refunded 4.5 % /
  cancelled 3.5 %; amount = sum(quantity * unit_price) of the order's items; a customer orders only
  on or after the signup date.
* marketing_spend: one row per day and channel. Search, Social, Email follow trend and season; Social
  has 8 campaigns a year (x2.2), Email goes out Tue/Thu (x2.5), TV spends only during 5 flights a
  year. Marketing lift on orders = (total spend / normal spend for the season)^0.40, so daily
  completed revenue correlates positively with daily total spend.
* transactions: Poisson counts with mean 58 * 1.06^years * 0.75 on Mondays, amounts lognormal
  (median 36, log-sd 0.45). Exactly three anomalous days in the daily total: 2024-03-15 (x4),
  2025-07-04 (near outage, x0.1), 2025-11-28 (x3); the transaction count of those days is fixed
  at multiplier * expected. Five single transactions have huge amounts (OUTLIER_TRANSACTIONS), on
  days chosen so that their daily totals stay ordinary (|z| < 3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sqlite3
import sys

SEED = 20240315
START = dt.date(2023, 1, 1)
END = dt.date(2025, 12, 31)
N_DAYS = (END - START).days + 1  # 1096

N_CUSTOMERS = 5000
LAUNCH_COHORT = 250  # extra signups in the first weeks (exponential decay, tau 10 days)

REGIONS = [("North", 0.28), ("South", 0.22), ("East", 0.27), ("West", 0.23)]
PLANS = [("Basic", 0.50), ("Standard", 0.33), ("Premium", 0.17)]
PLAN_FEE = {"Basic": 29.0, "Standard": 59.0, "Premium": 99.0}
PLAN_ORDER_WEIGHT = {"Basic": 0.8, "Standard": 1.0, "Premium": 1.3}

# Churn model (logit scale). CHURN_B0 is chosen so that overall churn is about 25 %.
CHURN_B0 = -2.9
CHURN_TICKETS = 0.55
CHURN_SATISFACTION = -1.25  # per point above 3.5
CHURN_BASIC = 0.80
CHURN_AGE = 0.0

# Orders
ORDERS_BASE = 23.0  # orders/day on a weekday at the start, before seasonality and lift
ORDER_TREND = 1.15  # per year
WEEKEND_FACTOR = 1.30
MONTH_FACTOR = {1: 1.03, 2: 0.80, 3: 0.95, 4: 1.00, 5: 1.00, 6: 0.98,
                7: 0.95, 8: 0.96, 9: 1.00, 10: 1.03, 11: 1.33, 12: 1.33}
MARKETING_ELASTICITY = 0.40
STATUSES = [("completed", 0.92), ("refunded", 0.045), ("cancelled", 0.035)]
ITEMS_PER_ORDER = [(1, 0.72), (2, 0.20), (3, 0.06), (4, 0.02)]
QUANTITY = [(1, 0.55), (2, 0.22), (3, 0.12), (4, 0.07), (5, 0.04)]

# Products
CATEGORY_PRICE = {  # median price, log-sd, min, max
    "Electronics": (110.0, 0.55, 15.0, 600.0),
    "Home": (42.0, 0.42, 8.0, 250.0),
    "Office": (24.0, 0.42, 4.0, 150.0),
    "Outdoor": (58.0, 0.50, 10.0, 350.0),
    "Toys": (26.0, 0.42, 5.0, 120.0),
}
# popularity weight = exp(POP_QUALITY*(quality-6)) * (price/40)^-POP_PRICE_POWER * exp(-POP_PRICE_EXP*price)
POP_QUALITY = 0.30
POP_PRICE_POWER = 0.6
POP_PRICE_EXP = 0.012

# Marketing (USD/day at the start, before trend/season)
SPEND_TREND = 1.12
SPEND_MONTH = {1: 0.95, 2: 0.90, 3: 1.00, 4: 1.00, 5: 1.00, 6: 0.95,
               7: 0.90, 8: 0.95, 9: 1.05, 10: 1.10, 11: 1.30, 12: 1.25}
SEARCH_BASE = 420.0
SOCIAL_BASE = 260.0
EMAIL_BASE = 55.0
TV_FLIGHT_DAILY = 1400.0

# Transactions
TX_BASE = 58.0  # per non-Monday day at the start
TX_TREND = 1.06
TX_MONDAY = 0.75
TX_MEDIAN = 36.0
TX_SIGMA = 0.45
PAYMENT_METHODS = [("card", 0.65), ("paypal", 0.25), ("bank_transfer", 0.10)]
ANOMALY_DAYS = {  # date -> multiplier of the expected number of transactions (hence of the total)
    dt.date(2024, 3, 15): 4.0,
    dt.date(2025, 7, 4): 0.1,
    dt.date(2025, 11, 28): 3.0,
}
OUTLIER_TRANSACTIONS = [  # (date, amount, payment_method): each > 20x the median amount
    (dt.date(2023, 5, 8), 985.00, "bank_transfer"),
    (dt.date(2023, 9, 19), 812.40, "card"),
    (dt.date(2024, 6, 10), 1240.00, "bank_transfer"),
    (dt.date(2025, 1, 21), 860.75, "paypal"),
    (dt.date(2025, 9, 15), 1095.20, "card"),
]

FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Benjamin", "Harper", "Henry", "Evelyn", "Alexander", "Aria",
    "Daniel", "Chloe", "Samuel", "Grace", "David", "Nora", "Joseph", "Zoe", "Carter", "Lily",
    "Owen", "Hannah", "Wyatt", "Layla", "Jack", "Ella", "Luke", "Maya", "Gabriel", "Leah",
    "Anthony", "Aaliyah", "Isaac", "Priya", "Dylan", "Sofia", "Ethan", "Yuki", "Omar", "Fatima",
    "Diego", "Ana", "Wei", "Mei", "Ravi", "Ingrid", "Lars", "Chiara", "Marco", "Amara", "Kofi",
]
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Kim", "Chen", "Novak",
    "Schmidt", "Rossi", "Okafor", "Silva", "Larsen", "Tanaka",
]
PRODUCT_NAMES = {  # cheapest to dearest: the k-th cheapest product of a category gets the k-th name
    "Electronics": [
        "Car Phone Mount", "Smart Plug", "Wireless Mouse", "USB-C Hub", "Portable Charger", "Webcam HD",
        "Bluetooth Speaker", "Gaming Controller", "Wireless Earbuds", "4K Streaming Stick",
        "Fitness Tracker", "Mechanical Keyboard", "Dash Cam", "Smart Doorbell", "E-Reader",
        "Wi-Fi Router", "External SSD 1TB", "Noise-Cancelling Headphones", "Soundbar", "Action Camera",
        "Smart Watch", "Tablet 10-inch", "Monitor 27-inch", "Drone Mini",
    ],
    "Home": [
        "Doormat", "Scented Candle", "Picture Frame Set", "Spice Rack", "Cutting Board", "Shower Curtain",
        "Ceramic Mug Set", "Wall Clock", "French Press", "Storage Baskets", "Glass Food Containers",
        "Bath Towel Set", "Electric Kettle", "Memory Foam Pillow", "Throw Blanket", "Table Lamp",
        "Chef's Knife", "Cast Iron Skillet", "Cotton Sheet Set", "Dinnerware Set", "Area Rug",
        "Air Purifier", "Stand Mixer", "Robot Vacuum",
    ],
    "Office": [
        "Sticky Notes", "Highlighters 6-pack", "Gel Pens 12-pack", "Spiral Notebook", "Clipboard",
        "Mesh Pencil Cup", "Printer Paper Ream", "File Folders", "Stapler", "Bookends", "Weekly Planner",
        "Cable Organizer", "Desk Mat", "Desk Organizer", "Label Maker", "Whiteboard", "Footrest",
        "Ergonomic Chair Cushion", "Laptop Stand", "Monitor Stand", "Desk Lamp LED", "Paper Shredder",
        "Document Scanner", "Standing Desk Converter",
    ],
    "Outdoor": [
        "Water Bottle", "Insulated Tumbler", "Bird Feeder", "Headlamp", "Picnic Blanket", "Solar Lantern",
        "Patio String Lights", "Garden Hose", "Pruning Shears", "Yoga Mat", "Folding Chair",
        "Grill Tool Set", "Trekking Poles", "Bike Helmet", "Hammock", "Camping Stove", "Rain Jacket",
        "Kayak Paddle", "Fishing Rod", "Binoculars", "Sleeping Bag", "Hiking Backpack", "Cooler 30L",
        "Camping Tent",
    ],
    "Toys": [
        "Yo-Yo Pro", "Play Dough Set", "Stacking Rings", "Bubble Machine", "Kite", "Card Game Party",
        "Water Blaster", "Plush Bear", "Dinosaur Figures", "Jigsaw Puzzle 1000", "Art Kit",
        "Puppet Theater", "Train Tracks Expansion", "Board Game Classic", "Chess Set", "Marble Run",
        "Science Kit", "Building Blocks Set", "Wooden Train Set", "Magnetic Tiles", "Remote Control Car",
        "Robot Kit", "Toy Kitchen", "Dollhouse",
    ],
}

SCHEMA = """
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    plan TEXT NOT NULL,
    signup_date TEXT NOT NULL,
    age INTEGER NOT NULL,
    churned INTEGER NOT NULL,
    monthly_spend REAL NOT NULL,
    support_tickets INTEGER NOT NULL,
    satisfaction REAL NOT NULL
);
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    price REAL NOT NULL,
    quality_score REAL NOT NULL
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    order_date TEXT NOT NULL,
    status TEXT NOT NULL,
    amount REAL NOT NULL
);
CREATE TABLE order_items (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    quantity INTEGER NOT NULL,
    unit_price REAL NOT NULL
);
CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    transaction_date TEXT NOT NULL,
    amount REAL NOT NULL,
    payment_method TEXT NOT NULL
);
CREATE TABLE marketing_spend (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL,
    channel TEXT NOT NULL,
    spend REAL NOT NULL
);
CREATE INDEX idx_customers_signup_date ON customers(signup_date);
CREATE INDEX idx_orders_customer_id ON orders(customer_id);
CREATE INDEX idx_orders_order_date ON orders(order_date);
CREATE INDEX idx_order_items_order_id ON order_items(order_id);
CREATE INDEX idx_order_items_product_id ON order_items(product_id);
CREATE INDEX idx_transactions_customer_id ON transactions(customer_id);
CREATE INDEX idx_transactions_transaction_date ON transactions(transaction_date);
CREATE INDEX idx_marketing_spend_date ON marketing_spend(date);
"""


# ---------------------------------------------------------------------------------------------
# small helpers (all randomness goes through the one `rng` passed in)

def cumulative(pairs):
    values = [v for v, _ in pairs]
    cum, acc = [], 0.0
    for _, w in pairs:
        acc += w
        cum.append(acc)
    return values, cum


def pick(rng, table):
    values, cum = table
    return rng.choices(values, cum_weights=cum, k=1)[0]


def poisson(rng, lam):
    """Knuth's multiplication method (the lambdas used here are < 500); normal approximation above."""
    if lam <= 0:
        return 0
    if lam > 500:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit = math.exp(-lam)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def years_since_start(day):
    return (day - START).days / 365.25


def day_of(i):
    return START + dt.timedelta(days=i)


def iso(day):
    return day.isoformat()


def money(x):
    return round(x + 1e-9, 2)


# ---------------------------------------------------------------------------------------------
# customers

def make_customers(rng):
    # signup day weights: linear growth (rate doubles over the 3 years) + launch cohort
    base_total = N_CUSTOMERS - LAUNCH_COHORT
    tau = 10.0
    launch_norm = sum(math.exp(-i / tau) for i in range(N_DAYS))
    growth = [1.0 + i / (N_DAYS - 1) for i in range(N_DAYS)]
    growth_norm = sum(growth)
    weights = [base_total * growth[i] / growth_norm + LAUNCH_COHORT * math.exp(-i / tau) / launch_norm
               for i in range(N_DAYS)]
    cum, acc = [], 0.0
    for w in weights:
        acc += w
        cum.append(acc)
    signup_idx = sorted(rng.choices(range(N_DAYS), cum_weights=cum, k=N_CUSTOMERS))

    regions = cumulative(REGIONS)
    plans = cumulative(PLANS)
    customers = []  # dicts, id order == signup order
    for cid, di in enumerate(signup_idx, start=1):
        signup = day_of(di)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        region = pick(rng, regions)
        plan = pick(rng, plans)
        age = int(round(rng.triangular(18, 80, 36)))
        age = min(80, max(18, age))
        tickets = min(15, poisson(rng, 2.2))
        sat = 4.3 - 0.28 * tickets + rng.gauss(0.0, 0.65)
        sat = round(min(5.0, max(1.0, sat)), 1)
        monthly_spend = money(PLAN_FEE[plan] * math.exp(rng.gauss(0.0, 0.25)))
        z = (CHURN_B0 + CHURN_TICKETS * tickets + CHURN_SATISFACTION * (sat - 3.5)
             + CHURN_BASIC * (1 if plan == "Basic" else 0) + CHURN_AGE * (age - 45))
        p_churn = 1.0 / (1.0 + math.exp(-z))
        churned = 1 if rng.random() < p_churn else 0
        churn_idx = None
        if churned:
            # unrecorded churn date somewhere in the customer's lifetime (at least 14 days in)
            first = min(N_DAYS - 1, di + 14)
            churn_idx = first + int(rng.random() * (N_DAYS - first))
        customers.append({
            "id": cid, "name": name, "region": region, "plan": plan, "signup_idx": di,
            "age": age, "churned": churned, "monthly_spend": monthly_spend,
            "support_tickets": tickets, "satisfaction": sat, "churn_idx": churn_idx,
        })
    return customers


class CustomerPicker:
    """Picks a customer who has signed up by day i and has not churned yet, weighted by plan."""

    def __init__(self, customers):
        self.customers = customers
        self.signup_idx = [c["signup_idx"] for c in customers]
        wmax = max(PLAN_ORDER_WEIGHT.values())
        self.accept = [PLAN_ORDER_WEIGHT[c["plan"]] / wmax for c in customers]

    def eligible_count(self, i):
        # customers are sorted by signup day: count those with signup_idx <= i
        lo, hi = 0, len(self.signup_idx)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.signup_idx[mid] <= i:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def pick(self, rng, i, n_eligible):
        for _ in range(200):
            c = self.customers[int(rng.random() * n_eligible)]
            if c["churn_idx"] is not None and i > c["churn_idx"]:
                continue
            if rng.random() <= self.accept[c["id"] - 1]:
                return c["id"]
        return self.customers[int(rng.random() * n_eligible)]["id"]


# ---------------------------------------------------------------------------------------------
# products

def make_products(rng):
    products = []
    for category in ["Electronics", "Home", "Office", "Outdoor", "Toys"]:
        median, sigma, lo, hi = CATEGORY_PRICE[category]
        drawn = []
        for _ in PRODUCT_NAMES[category]:
            price = median * math.exp(rng.gauss(0.0, sigma))
            price = min(hi, max(lo, price))
            price = money(max(1.0, round(price)) - 0.01)
            quality = round(min(10.0, max(1.0, rng.gauss(6.3, 1.8))), 1)
            drawn.append((price, quality))
        # names follow price rank (a drone costs more than a phone mount); quality stays independent
        prices = sorted(p for p, _ in drawn)
        entries = [(name, price, quality) for name, price, (_, quality)
                   in zip(PRODUCT_NAMES[category], prices, drawn)]
        rng.shuffle(entries)  # ids are not in price order
        for name, price, quality in entries:
            products.append({"id": len(products) + 1, "name": name, "category": category,
                             "price": price, "quality_score": quality})
    for p in products:
        p["weight"] = (math.exp(POP_QUALITY * (p["quality_score"] - 6.0)) * (p["price"] / 40.0) ** (-POP_PRICE_POWER)
                       * math.exp(-POP_PRICE_EXP * p["price"]))
    return products


# ---------------------------------------------------------------------------------------------
# marketing spend

def make_flights(rng, per_year, min_len, max_len):
    """Non-overlapping [start, end] day-index ranges, per_year of them in each calendar year."""
    flights = []
    for year in (2023, 2024, 2025):
        y0 = (dt.date(year, 1, 1) - START).days
        y1 = (dt.date(year, 12, 31) - START).days
        placed = []
        tries = 0
        while len(placed) < per_year and tries < 1000:
            tries += 1
            length = rng.randint(min_len, max_len)
            s = rng.randint(y0, y1 - length + 1)
            e = s + length - 1
            if all(e + 7 < a or s > b + 7 for a, b in placed):
                placed.append((s, e))
        flights.extend(sorted(placed))
    return flights


def in_flight(i, flights):
    return any(a <= i <= b for a, b in flights)


def make_marketing(rng):
    tv_flights = make_flights(rng, 5, 10, 21)
    social_campaigns = make_flights(rng, 8, 7, 14)
    rows = []  # (day_idx, channel, spend)
    totals = [0.0] * N_DAYS
    normal = [0.0] * N_DAYS
    tv_share = sum(b - a + 1 for a, b in tv_flights) / N_DAYS
    social_share = sum(b - a + 1 for a, b in social_campaigns) / N_DAYS
    for i in range(N_DAYS):
        day = day_of(i)
        level = SPEND_TREND ** years_since_start(day) * SPEND_MONTH[day.month]
        search = SEARCH_BASE * level * math.exp(rng.gauss(0.0, 0.12))
        social = SOCIAL_BASE * level * math.exp(rng.gauss(0.0, 0.18))
        if in_flight(i, social_campaigns):
            social *= 2.2
        email = EMAIL_BASE * level * math.exp(rng.gauss(0.0, 0.25))
        if day.weekday() in (1, 3):  # newsletters go out on Tuesdays and Thursdays
            email *= 2.5
        tv = TV_FLIGHT_DAILY * level * math.exp(rng.gauss(0.0, 0.10)) if in_flight(i, tv_flights) else 0.0
        spends = [("Search", search), ("Social", social), ("Email", email), ("TV", tv)]
        for channel, s in spends:
            s = money(s)
            rows.append((i, channel, s))
            totals[i] += s
        # spend of an ordinary day at this level (campaigns averaged in)
        normal[i] = level * (SEARCH_BASE + SOCIAL_BASE * (1 + 1.2 * social_share)
                             + EMAIL_BASE * (1 + 1.5 * 2 / 7) + TV_FLIGHT_DAILY * tv_share)
    return rows, totals, normal, tv_flights, social_campaigns


# ---------------------------------------------------------------------------------------------
# orders and items

def make_orders(rng, picker, products, spend_totals, spend_normal):
    statuses = cumulative(STATUSES)
    n_items = cumulative(ITEMS_PER_ORDER)
    quantities = cumulative(QUANTITY)
    product_ids = [p["id"] for p in products]
    cum, acc = [], 0.0
    for p in products:
        acc += p["weight"]
        cum.append(acc)
    price = {p["id"]: p["price"] for p in products}

    orders, items = [], []
    order_id = item_id = 0
    for i in range(N_DAYS):
        day = day_of(i)
        lift = (spend_totals[i] / spend_normal[i]) ** MARKETING_ELASTICITY
        lam = (ORDERS_BASE * ORDER_TREND ** years_since_start(day)
               * (WEEKEND_FACTOR if day.weekday() >= 5 else 1.0)
               * MONTH_FACTOR[day.month] * lift)
        n = poisson(rng, lam)
        if i == N_DAYS - 1:
            n = max(n, 1)  # the data must reach 2025-12-31
        n_eligible = picker.eligible_count(i)
        date_text = iso(day)
        for _ in range(n):
            order_id += 1
            cid = picker.pick(rng, i, n_eligible)
            k = pick(rng, n_items)
            chosen = []
            while len(chosen) < k:
                pid = rng.choices(product_ids, cum_weights=cum, k=1)[0]
                if pid not in chosen:
                    chosen.append(pid)
            total = 0.0
            for pid in chosen:
                item_id += 1
                q = pick(rng, quantities)
                items.append((item_id, order_id, pid, q, price[pid]))
                total += q * price[pid]
            orders.append((order_id, cid, date_text, pick(rng, statuses), money(total)))
    return orders, items


# ---------------------------------------------------------------------------------------------
# transactions

def make_transactions(rng, picker):
    methods = cumulative(PAYMENT_METHODS)
    outliers = {d: (amt, m) for d, amt, m in OUTLIER_TRANSACTIONS}
    rows = []
    expected = {}  # date -> expected daily total without the planted effects
    planted_ids = []
    mean_amount = TX_MEDIAN * math.exp(TX_SIGMA ** 2 / 2)
    tx_id = 0
    for i in range(N_DAYS):
        day = day_of(i)
        lam = TX_BASE * TX_TREND ** years_since_start(day) * (TX_MONDAY if day.weekday() == 0 else 1.0)
        expected[day] = lam * mean_amount
        if day in ANOMALY_DAYS:
            n = int(round(lam * ANOMALY_DAYS[day]))  # fixed count: the planted size is exact-ish
        else:
            n = poisson(rng, lam)
        outlier_pos = int(rng.random() * (n + 1)) if day in outliers else -1
        n_eligible = picker.eligible_count(i)
        date_text = iso(day)
        for j in range(n + (1 if day in outliers else 0)):
            tx_id += 1
            cid = picker.pick(rng, i, n_eligible)
            if j == outlier_pos:
                amt, method = outliers[day]
                planted_ids.append((tx_id, date_text, amt))
            else:
                amt = money(TX_MEDIAN * math.exp(rng.gauss(0.0, TX_SIGMA)))
                method = pick(rng, methods)
            rows.append((tx_id, cid, date_text, amt, method))
    return rows, expected, planted_ids


# ---------------------------------------------------------------------------------------------

def build(path):
    rng = random.Random(SEED)
    customers = make_customers(rng)
    products = make_products(rng)
    mk_rows, spend_totals, spend_normal, tv_flights, social_campaigns = make_marketing(rng)
    picker = CustomerPicker(customers)
    orders, items = make_orders(rng, picker, products, spend_totals, spend_normal)
    transactions, tx_expected, planted_ids = make_transactions(rng, picker)

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("BEGIN")
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                con.execute(stmt)
        con.executemany(
            "INSERT INTO customers (id, name, region, plan, signup_date, age, churned, monthly_spend,"
            " support_tickets, satisfaction) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(c["id"], c["name"], c["region"], c["plan"], iso(day_of(c["signup_idx"])), c["age"],
              c["churned"], c["monthly_spend"], c["support_tickets"], c["satisfaction"])
             for c in customers])
        con.executemany(
            "INSERT INTO products (id, name, category, price, quality_score) VALUES (?,?,?,?,?)",
            [(p["id"], p["name"], p["category"], p["price"], p["quality_score"]) for p in products])
        con.executemany(
            "INSERT INTO orders (id, customer_id, order_date, status, amount) VALUES (?,?,?,?,?)", orders)
        con.executemany(
            "INSERT INTO order_items (id, order_id, product_id, quantity, unit_price) VALUES (?,?,?,?,?)",
            items)
        con.executemany(
            "INSERT INTO transactions (id, customer_id, transaction_date, amount, payment_method)"
            " VALUES (?,?,?,?,?)", transactions)
        con.executemany(
            "INSERT INTO marketing_spend (id, date, channel, spend) VALUES (?,?,?,?)",
            [(k, iso(day_of(i)), ch, s) for k, (i, ch, s) in enumerate(mk_rows, start=1)])
        con.execute("COMMIT")
        con.execute("VACUUM")
    finally:
        con.close()

    return {
        "customers": len(customers), "products": len(products), "orders": len(orders),
        "order_items": len(items), "transactions": len(transactions), "marketing_spend": len(mk_rows),
        "tv_flights": [(iso(day_of(a)), iso(day_of(b))) for a, b in tv_flights],
        "social_campaigns": [(iso(day_of(a)), iso(day_of(b))) for a, b in social_campaigns],
        "planted_transactions": planted_ids,
        "tx_expected": {iso(d): round(tx_expected[d], 2) for d in ANOMALY_DAYS},
    }


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Generate the Sightline sample database.")
    ap.add_argument("--out", default=os.path.join(here, "sample.db"), help="output path")
    ap.add_argument("--verbose", action="store_true", help="print flights and planted ids")
    args = ap.parse_args(argv)

    out = os.path.abspath(args.out)
    tmp = f"{out}.tmp-{os.getpid()}"
    for p in (tmp, tmp + "-journal"):
        if os.path.exists(p):
            os.remove(p)
    try:
        info = build(tmp)
        os.replace(tmp, out)
    finally:
        for p in (tmp, tmp + "-journal"):
            if os.path.exists(p):
                os.remove(p)
    counts = ", ".join(f"{t}={info[t]}" for t in
                       ("customers", "products", "orders", "order_items", "transactions", "marketing_spend"))
    print(f"wrote {out} ({os.path.getsize(out)} bytes): {counts}")
    if args.verbose:
        print("TV flights:", info["tv_flights"])
        print("Social campaigns:", info["social_campaigns"])
        print("planted outlier transactions (id, date, amount):", info["planted_transactions"])
        print("expected daily totals on anomaly days:", info["tx_expected"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
