#!/usr/bin/env python3
"""Re-derives, from the database alone, every planted fact that sample-data/README.md claims,
and checks that glossary.json labels every non-id column and that each term evaluates.

Usage:  python3 sample-data/check_planted.py [--db PATH]     (default: sample-data/sample.db)

Standard library only. Prints the numbers; exits 1 if a planted property does not hold
(the checks are the ones the README promises, with the tolerances given there).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sqlite3
import statistics
import sys

PLANTED_DAYS = {"2024-03-15": "spike ~4x", "2025-07-04": "near outage ~0.1x", "2025-11-28": "spike ~3x"}
PLANTED_OUTLIER_DATES = ["2023-05-08", "2023-09-19", "2024-06-10", "2025-01-21", "2025-09-15"]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"  !! FAILED: {what}")


def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy)


def zscores(values):
    m = statistics.fmean(values)
    s = statistics.stdev(values)  # ddof=1, as pandas
    return [(v - m) / s for v in values], m, s


def solve(a, b):
    """Gaussian elimination with partial pivoting for a small dense system."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    return [m[i][n] / m[i][i] for i in range(n)]


def logistic_fit(x, y, iters=25):
    """Newton-Raphson (IRLS) for logistic regression; x rows already include the intercept."""
    k = len(x[0])
    beta = [0.0] * k
    for _ in range(iters):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for row, yi in zip(x, y):
            z = sum(b * v for b, v in zip(beta, row))
            p = 1.0 / (1.0 + math.exp(-z))
            w = p * (1 - p)
            for i in range(k):
                grad[i] += (yi - p) * row[i]
                for j in range(k):
                    hess[i][j] += w * row[i] * row[j]
        step = solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < 1e-9:
            break
    return beta


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.path.join(here, "sample.db"))
    args = ap.parse_args(argv)
    con = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    q = lambda sql, *p: con.execute(sql, p).fetchall()  # noqa: E731

    print(f"== file: {args.db} ({os.path.getsize(args.db):,} bytes)")
    for t in ["customers", "products", "orders", "order_items", "transactions", "marketing_spend"]:
        print(f"  {t:16s} {q(f'SELECT COUNT(*) FROM {t}')[0][0]:>7,} rows")
    check(q("PRAGMA foreign_key_check") == [], "foreign keys hold")
    check(q("PRAGMA journal_mode")[0][0] == "delete", "journal_mode is delete")

    # ---------------------------------------------------------------- customers / churn
    print("\n== customers and churn")
    rows = q("SELECT churned, support_tickets, satisfaction, plan, age, monthly_spend, signup_date FROM customers")
    churn = [r[0] for r in rows]
    rate = sum(churn) / len(churn)
    print(f"  overall churn rate: {rate:.3f}")
    check(0.20 <= rate <= 0.30, "churn rate in 20-30 %")
    for plan in ["Basic", "Standard", "Premium"]:
        sub = [r[0] for r in rows if r[3] == plan]
        print(f"  churn rate {plan:8s}: {sum(sub) / len(sub):.3f} (n={len(sub)})")
    corr = {
        "support_tickets": pearson([r[1] for r in rows], churn),
        "satisfaction": pearson([r[2] for r in rows], churn),
        "is_basic_plan": pearson([1.0 if r[3] == "Basic" else 0.0 for r in rows], churn),
        "monthly_spend": pearson([r[5] for r in rows], churn),
        "age": pearson([r[4] for r in rows], churn),
    }
    for k, v in corr.items():
        print(f"  corr(churned, {k:15s}) = {v:+.3f}")
    check(corr["support_tickets"] > 0.25, "tickets strongly positive with churn")
    check(corr["satisfaction"] < -0.25, "satisfaction strongly negative with churn")
    check(0.05 < corr["is_basic_plan"] < corr["support_tickets"], "Basic plan moderately positive")
    check(abs(corr["age"]) < 0.05, "age ~ no effect")
    r_ts = pearson([r[1] for r in rows], [r[2] for r in rows])
    print(f"  corr(support_tickets, satisfaction) = {r_ts:+.3f}")
    check(-0.7 < r_ts < -0.2, "satisfaction somewhat negatively related to tickets")
    x = [[1.0, r[1], r[2] - 3.5, 1.0 if r[3] == "Basic" else 0.0, (r[4] - 45) / 10.0] for r in rows]
    beta = logistic_fit(x, churn)
    print("  logistic fit (true values in parentheses): intercept {:+.2f} (-2.90), tickets {:+.2f} (+0.55), "
          "satisfaction-3.5 {:+.2f} (-1.25), Basic {:+.2f} (+0.80), age per 10y {:+.2f} (0)".format(*beta))
    signups = {}
    for r in rows:
        signups[r[6][:4]] = signups.get(r[6][:4], 0) + 1
    print(f"  signups per year: {signups}")
    quarters = {}
    for r in rows:
        key = f"{r[6][:4]}-Q{(int(r[6][5:7]) - 1) // 3 + 1}"
        quarters[key] = quarters.get(key, 0) + 1
    print(f"  signups per quarter: {quarters}")
    jan = q("SELECT COUNT(*) FROM customers WHERE signup_date BETWEEN '2023-01-01' AND '2023-01-31'")[0][0]
    print(f"  signups in January 2023 (launch cohort included): {jan}")
    bad = q("SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.order_date < c.signup_date")[0][0]
    bad += q("SELECT COUNT(*) FROM transactions t JOIN customers c ON c.id = t.customer_id "
             "WHERE t.transaction_date < c.signup_date")[0][0]
    print(f"  orders/transactions dated before the customer's signup: {bad}")
    check(bad == 0, "nobody buys before signing up")

    # ---------------------------------------------------------------- products
    print("\n== products: price, quality and sales (completed orders)")
    prows = q("""SELECT p.id, p.price, p.quality_score, COALESCE(s.units, 0), COALESCE(s.revenue, 0)
                 FROM products p LEFT JOIN (
                     SELECT oi.product_id, SUM(oi.quantity) AS units, SUM(oi.quantity * oi.unit_price) AS revenue
                     FROM order_items oi JOIN orders o ON o.id = oi.order_id
                     WHERE o.status = 'completed' GROUP BY oi.product_id) s ON s.product_id = p.id
                 ORDER BY p.id""")
    price = [r[1] for r in prows]
    quality = [r[2] for r in prows]
    units = [r[3] for r in prows]
    revenue = [r[4] for r in prows]
    r_pu, r_qu, r_pr = pearson(price, units), pearson(quality, units), pearson(price, revenue)
    print(f"  corr(price, units sold)          = {r_pu:+.3f}")
    print(f"  corr(quality_score, units sold)  = {r_qu:+.3f}")
    print(f"  corr(price, product revenue)     = {r_pr:+.3f}")
    print(f"  corr(quality_score, product revenue) = {pearson(quality, revenue):+.3f}")
    print(f"  corr(log price, log units)       = {pearson([math.log(v) for v in price], [math.log(max(v, 1)) for v in units]):+.3f}")
    names = dict(q("SELECT id, name FROM products"))
    ranked = sorted(prows, key=lambda r: -r[3])
    fmt = lambda r: f"{names[r[0]]} ({r[1]:.2f} USD, quality {r[2]}, {r[3]:,} units)"  # noqa: E731
    print("  best sellers: " + "; ".join(fmt(r) for r in ranked[:3]))
    print("  worst sellers: " + "; ".join(fmt(r) for r in ranked[-3:]))
    check(r_pu < -0.3, "price negatively correlated with units sold")
    check(r_qu > 0.3, "quality positively correlated with units sold")
    mism = q("""SELECT COUNT(*) FROM orders o JOIN (SELECT order_id, ROUND(SUM(quantity * unit_price), 2) s
                FROM order_items GROUP BY order_id) i ON i.order_id = o.id WHERE ABS(o.amount - i.s) > 0.005""")[0][0]
    noitems = q("SELECT COUNT(*) FROM orders WHERE id NOT IN (SELECT order_id FROM order_items)")[0][0]
    print(f"  orders whose amount != sum(quantity*unit_price): {mism}; orders without items: {noitems}")
    check(mism == 0 and noitems == 0, "order amount equals its items")

    # ---------------------------------------------------------------- orders: volume and seasonality
    print("\n== orders: volume, trend, seasonality")
    lo, hi = q("SELECT MIN(order_date), MAX(order_date) FROM orders")[0]
    print(f"  order dates: {lo} .. {hi}")
    check(lo == "2023-01-01" and hi == "2025-12-31", "orders span 2023-01-01..2025-12-31")
    status = q("SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY 2 DESC")
    total = sum(c for _, c in status)
    print("  status shares: " + ", ".join(f"{s} {c / total:.3f}" for s, c in status))
    daily = {d: (n, rev) for d, n, rev in q(
        "SELECT order_date, COUNT(*), SUM(CASE WHEN status = 'completed' THEN amount ELSE 0 END) "
        "FROM orders GROUP BY order_date ORDER BY order_date")}
    days = sorted(daily)
    print(f"  days with orders: {len(days)}; average orders/day: {total / len(days):.1f}")
    by_year = {}
    for d in days:
        y = d[:4]
        n, rev = daily[d]
        a = by_year.setdefault(y, [0, 0.0])
        a[0] += n
        a[1] += rev
    for y in sorted(by_year):
        print(f"  {y}: {by_year[y][0]:,} orders, completed revenue {by_year[y][1]:,.2f}")
    g1 = by_year["2024"][0] / by_year["2023"][0] - 1
    g2 = by_year["2025"][0] / by_year["2024"][0] - 1
    print(f"  order growth: 2024 vs 2023 {g1:+.1%}, 2025 vs 2024 {g2:+.1%}")
    wk = [daily[d][0] for d in days if dt.date.fromisoformat(d).weekday() < 5]
    we = [daily[d][0] for d in days if dt.date.fromisoformat(d).weekday() >= 5]
    print(f"  weekend/weekday orders per day: {statistics.fmean(we) / statistics.fmean(wk):.3f}")
    months = {}
    for d in days:
        months.setdefault(int(d[5:7]), []).append(daily[d][0])
    overall = statistics.fmean(daily[d][0] for d in days)
    print("  month-of-year index (orders/day vs average): " + ", ".join(
        f"{m:02d}:{statistics.fmean(v) / overall:.2f}" for m, v in sorted(months.items())))
    nd = statistics.fmean(months[11] + months[12])
    rest = statistics.fmean([v for m in range(1, 11) for v in months[m]])
    print(f"  Nov+Dec vs Jan-Oct orders/day: {nd / rest - 1:+.1%}")
    rev_daily = [daily[d][1] for d in days]
    zs, m, s = zscores(rev_daily)
    hi_days = [(days[i], round(rev_daily[i], 2), round(z, 2)) for i, z in enumerate(zs) if abs(z) > 3]
    print(f"  daily completed revenue: mean {m:,.2f}, sd {s:,.2f}; days with |z|>3: {hi_days}")

    # ---------------------------------------------------------------- marketing
    print("\n== marketing spend vs revenue (daily totals)")
    spend = dict(q("SELECT date, SUM(spend) FROM marketing_spend GROUP BY date"))
    per_day_channels = q("SELECT COUNT(*) FROM (SELECT date FROM marketing_spend GROUP BY date HAVING COUNT(*) = 4)")[0][0]
    print(f"  days with one row per channel: {per_day_channels}")
    sp = [spend[d] for d in days]
    r_rev = pearson(sp, rev_daily)
    r_cnt = pearson(sp, [daily[d][0] for d in days])
    print(f"  corr(daily total spend, daily completed revenue) = {r_rev:+.3f}")
    print(f"  corr(daily total spend, daily order count)       = {r_cnt:+.3f}")
    check(0.4 <= r_rev <= 0.7, "spend/revenue correlation in 0.4-0.7")
    for ch, tot in q("SELECT channel, ROUND(SUM(spend), 2) FROM marketing_spend GROUP BY channel ORDER BY 2 DESC"):
        print(f"  total spend {ch:6s}: {tot:,.2f}")

    # ---------------------------------------------------------------- transactions
    print("\n== transactions: daily totals and planted anomalies")
    tx = q("SELECT transaction_date, COUNT(*), SUM(amount) FROM transactions GROUP BY transaction_date ORDER BY 1")
    tdays = [r[0] for r in tx]
    tcount = [r[1] for r in tx]
    ttotal = [r[2] for r in tx]
    print(f"  dates {tdays[0]} .. {tdays[-1]} ({len(tdays)} days), average {statistics.fmean(tcount):.1f} transactions/day")
    mon = [c for d, c in zip(tdays, tcount) if dt.date.fromisoformat(d).weekday() == 0 and d not in PLANTED_DAYS]
    oth = [c for d, c in zip(tdays, tcount) if dt.date.fromisoformat(d).weekday() != 0 and d not in PLANTED_DAYS]
    print(f"  Monday vs other days (count/day): {statistics.fmean(mon) / statistics.fmean(oth) - 1:+.1%}")
    zs, m, s = zscores(ttotal)
    print(f"  daily total amount: mean {m:,.2f}, sd {s:,.2f} (ddof=1, all days)")
    flagged = [(tdays[i], round(ttotal[i], 2), round(z, 2)) for i, z in enumerate(zs) if abs(z) > 3]
    print(f"  days with |z| > 3: {flagged}")
    check(sorted(d for d, _, _ in flagged) == sorted(PLANTED_DAYS), "exactly the 3 planted days have |z| > 3")
    idx = {d: i for i, d in enumerate(tdays)}
    for d, what in PLANTED_DAYS.items():
        i = idx[d]
        wd = dt.date.fromisoformat(d).weekday()
        # baseline: the same weekday in the 4 weeks before and after
        base = [ttotal[idx[(dt.date.fromisoformat(d) + dt.timedelta(weeks=k)).isoformat()]]
                for k in (-4, -3, -2, -1, 1, 2, 3, 4)]
        print(f"  {d} ({what}, {['Mon','Tue','Wed','Thu','Fri','Sat','Sun'][wd]}): {tcount[i]} transactions, "
              f"total {ttotal[i]:,.2f}, {ttotal[i] / statistics.fmean(base):.2f}x the same weekday +-4 weeks, z = {zs[i]:+.2f}")
    mean_amount = 36.0 * math.exp(0.45 ** 2 / 2)  # generator: median 36, log-sd 0.45
    for d, what in PLANTED_DAYS.items():
        day = dt.date.fromisoformat(d)
        lam = 58.0 * 1.06 ** ((day - dt.date(2023, 1, 1)).days / 365.25) * (0.75 if day.weekday() == 0 else 1.0)
        print(f"  {d}: model-expected total {lam * mean_amount:,.2f}, actual/expected {ttotal[idx[d]] / (lam * mean_amount):.2f}")
    mz = [z for d, z in zip(tdays, zs) if dt.date.fromisoformat(d).weekday() == 0]
    print(f"  ordinary Mondays: mean z {statistics.fmean(mz):+.2f}, min z {min(mz):+.2f}, max |z| {max(abs(z) for z in mz):.2f}")
    rest = [abs(z) for d, z in zip(tdays, zs) if d not in PLANTED_DAYS]
    print(f"  largest |z| among non-planted days: {max(rest):.2f}")

    med = statistics.median(r[0] for r in q("SELECT amount FROM transactions"))
    top = q("SELECT id, transaction_date, amount, payment_method FROM transactions ORDER BY amount DESC LIMIT 7")
    print(f"  median transaction amount: {med:.2f}")
    for r in top:
        print(f"    id {r[0]:>6} {r[1]} amount {r[2]:>8.2f} ({r[2] / med:5.1f}x median) {r[3]}, day z = {zs[idx[r[1]]]:+.2f}")
    planted = top[:5]
    check(sorted(r[1] for r in planted) == sorted(PLANTED_OUTLIER_DATES), "top-5 amounts are the planted outliers")
    check(all(r[2] > 20 * med for r in planted), "planted outliers exceed 20x the median")
    check(top[5][2] < 0.5 * planted[-1][2], "ordinary amounts are far below the planted outliers")
    amounts = [r[0] for r in q("SELECT amount FROM transactions")]
    za, ma, sa = zscores(amounts)
    print(f"  amount mean {ma:.2f}, sd {sa:.2f}; z of the planted outliers: "
          + ", ".join(f"{(r[2] - ma) / sa:.1f}" for r in planted)
          + f"; largest ordinary z: {(top[5][2] - ma) / sa:.1f}")

    # ---------------------------------------------------------------- glossary
    print("\n== glossary.json")
    gpath = os.path.join(os.path.dirname(os.path.abspath(args.db)), "glossary.json")
    if not os.path.exists(gpath):
        gpath = os.path.join(here, "glossary.json")
    with open(gpath, encoding="utf-8") as f:
        glossary = json.load(f)
    tables = [r[0] for r in q("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    wanted = {f"{t}.{c[1]}" for t in tables for c in q(f"PRAGMA table_info({t})") if c[1] != "id"}
    missing = sorted(wanted - set(glossary["columns"]))
    extra = sorted(set(glossary["columns"]) - wanted)
    print(f"  {len(glossary['terms'])} terms; {len(glossary['columns'])} column labels; missing {missing}; unknown {extra}")
    check(not missing and not extra, "glossary labels every non-id column and nothing else")
    for t in glossary["terms"]:
        agg = {"sum": "SUM", "avg": "AVG", "count": "COUNT", "min": "MIN", "max": "MAX"}[t["aggregation"]]
        sql = f"SELECT {agg}({t['expression']}) FROM {t['table']}"
        if t.get("filter"):
            sql += f" WHERE {t['filter']}"
        try:
            value = q(sql)[0][0]
            if t.get("date_column"):
                q(f"SELECT MIN({t['date_column']}), MAX({t['date_column']}) FROM {t['table']}")
            print(f"  {t['term']:20s} {sql:75s} = {value:,.2f}  (dated by {t.get('date_column')})")
        except sqlite3.Error as e:
            check(False, f"glossary term {t['term']} evaluates ({e})")

    print("\n" + ("ALL CHECKS PASSED" if not failures else f"{len(failures)} CHECK(S) FAILED"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
