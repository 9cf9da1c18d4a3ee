#!/usr/bin/env python3
"""Draws Sightline's app icon and writes every size the bundler asks for (tauri.conf.json
`bundle.icon`): RGBA PNGs, an .ico and an .icns holding PNGs. Pure Python, deterministic:

    python3 icons/make_icons.py            # rewrites the files in icons/

The picture: a rounded indigo square with a rising line of four points, the last one brighter,
as in "the line of sight over your data".
"""

import math
import struct
import sys
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent
TOP = (79, 70, 229)      # indigo
BOTTOM = (49, 46, 129)
LINE = (255, 255, 255)
ACCENT = (251, 191, 36)  # amber
POINTS = [(0.2, 0.68), (0.42, 0.52), (0.6, 0.58), (0.8, 0.3)]


def inside_rounded(x, y, r):
    """x, y, r in unit coordinates of the square [0.06, 0.94]."""
    lo, hi = 0.06, 0.94
    cx = min(max(x, lo + r), hi - r)
    cy = min(max(y, lo + r), hi - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r and lo <= x <= hi and lo <= y <= hi


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def shade(x, y):
    """The colour (r, g, b, a) at a unit point."""
    if not inside_rounded(x, y, 0.2):
        return (0, 0, 0, 0)
    if math.hypot(x - POINTS[-1][0], y - POINTS[-1][1]) <= 0.075:
        return ACCENT + (255,)
    for (ax, ay), (bx, by) in zip(POINTS, POINTS[1:]):
        if segment_distance(x, y, ax, ay, bx, by) <= 0.035:
            return LINE + (255,)
    for px, py in POINTS[:-1]:
        if math.hypot(x - px, y - py) <= 0.055:
            return LINE + (255,)
    t = y
    return tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM)) + (255,)


def render(size, samples=4):
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(samples):
                for si in range(samples):
                    r, g, b, a = shade((i + (si + 0.5) / samples) / size, (j + (sj + 0.5) / samples) / size)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3] / (samples * samples)
            if acc[3]:
                row += bytes(round(c / acc[3]) for c in acc[:3]) + bytes([round(alpha)])
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    return rows


def png(rows, size):
    raw = b"".join(b"\0" + r for r in rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico(pngs):
    """An .ico whose entries are PNGs (read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in pngs:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        blobs += data
    return header + entries + blobs


def icns(pngs):
    """An .icns whose entries are PNGs: ic07 (128), ic08 (256), ic09 (512)."""
    kinds = {128: b"ic07", 256: b"ic08", 512: b"ic09"}
    body = b"".join(kinds[s] + struct.pack(">I", len(d) + 8) + d for s, d in pngs if s in kinds)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main():
    sizes = [32, 128, 256, 512]
    made = {size: png(render(size), size) for size in sizes}
    files = {
        "32x32.png": made[32],
        "128x128.png": made[128],
        "128x128@2x.png": made[256],
        "icon.png": made[512],
        "icon.ico": ico([(32, made[32]), (256, made[256])]),
        "icon.icns": icns([(128, made[128]), (256, made[256]), (512, made[512])]),
    }
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
