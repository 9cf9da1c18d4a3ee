"""Compares the contents of two SQLite files (schema and every row, via iterdump).

Used by scripts/test to prove the committed sample.db is what generate.py makes: byte layouts may
differ between SQLite versions, contents may not. Exit 0 when equal, 1 with the first difference.
"""
import sqlite3
import sys


def dump(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def main():
    if len(sys.argv) != 3:
        print("usage: compare.py A.db B.db", file=sys.stderr)
        return 2
    a, b = dump(sys.argv[1]), dump(sys.argv[2])
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            print(f"differ at statement {i}:\n  {x[:200]}\n  {y[:200]}", file=sys.stderr)
            return 1
    if len(a) != len(b):
        print(f"differ in length: {len(a)} vs {len(b)} statements", file=sys.stderr)
        return 1
    print(f"same contents ({len(a)} statements)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
