"""Sightline sandbox runner: runs exactly one analysis job and exits.

Baked into the sandbox image at /opt/sightline/runner.py (and used as is by the restricted mode).
Protocol (the host side is crates/sightline-sandbox/src/protocol.rs):

  stdin   one line  b"SIGHTLINE-JOB <n>\\n", then n bytes of JSON:
          {"nonce", "code", "data": [{"name", "csv"}], "workspace",
           "output_cap", "result_cap", "figure_cap"}
  stdout  b"\\n@@sightline-reply:<nonce>:<n>@@\\n", then n bytes of JSON:
          {"ok", "result", "visualization", "output", "output_dropped", "error", "error_kind"}

The code's own prints never reach stdout: sys.stdout and sys.stderr are replaced by one capped
buffer before the code runs, and the reply goes to a copy of the original stdout taken first.
While the code runs, the kept part of that buffer is also sent on the same copy as it is written,
at each line end and each flush, in frames b"\n@@sightline-out:<nonce>:<n>@@\n" + n bytes of
UTF-8, and b"\n@@sightline-cut:<nonce>:0@@\n" once output starts being dropped: if the run
never replies (a timeout, a crash), the host still has what was printed before.
With --warm the heavy packages are imported before the job is read, so a pre-started container
answers in milliseconds; the runner then writes b"\n@@sightline-ready@@\n" to stdout.
"""

import builtins
import datetime
import decimal
import json
import math
import os
import sys
import traceback

REPLY_MARK = "@@sightline-reply:"
READY_MARK = b"\n@@sightline-ready@@\n"
CODE_NAME = "<analysis>"


class LiveOutput:
    """Sends the kept output to the host as it is written (see the module's docstring)."""

    CHUNK = 3072  # bytes per frame: one write, under the pipe's atomic size

    def __init__(self, stream, nonce):
        self.stream = stream
        self.nonce = nonce
        self.pending = []
        self.size = 0
        self.was_cut = False
        self.broken = False

    def add(self, text):
        self.pending.append(text)
        self.size += len(text)
        if "\n" in text or self.size >= self.CHUNK:
            self.send()

    def send(self):
        if not self.pending:
            return
        data = "".join(self.pending).encode("utf-8", "replace")
        self.pending = []
        self.size = 0
        for start in range(0, len(data), self.CHUNK):
            self.frame("out", data[start:start + self.CHUNK])

    def cut(self):
        if not self.was_cut:
            self.send()
            self.was_cut = True
            self.frame("cut", b"")

    def frame(self, kind, body):
        if self.broken:
            return
        head = ("\n@@sightline-%s:%s:%d@@\n" % (kind, self.nonce, len(body))).encode("ascii")
        try:
            self.stream.write(head + body)
            self.stream.flush()
        except (OSError, ValueError):
            # The host is gone; the code's own run must not fail because of it.
            self.broken = True


class CappedOutput:
    """stdout+stderr of the code: keeps the first `cap` characters, counts the rest, and hands
    what it keeps to `live` (if any) as it arrives."""

    def __init__(self, cap, live=None):
        self.cap = cap
        self.parts = []
        self.kept = 0
        self.dropped = 0
        self.live = live

    def write(self, text):
        if not isinstance(text, str):
            text = str(text)
        room = self.cap - self.kept
        if room > 0:
            piece = text[:room]
            self.parts.append(piece)
            self.kept += len(piece)
            self.dropped += len(text) - len(piece)
            if self.live is not None and piece:
                self.live.add(piece)
        else:
            self.dropped += len(text)
        if self.dropped and self.live is not None:
            self.live.cut()
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self.live is not None:
            self.live.send()

    def isatty(self):
        return False

    def fileno(self):
        raise OSError("the sandbox output is not a file")

    @property
    def encoding(self):
        return "utf-8"

    def text(self):
        return "".join(self.parts)


class ResultError(Exception):
    """`result` or `fig` holds something that cannot be sent back as JSON."""


def plain(value, depth=0):
    """numpy/pandas/datetime values → JSON values (NaN and infinities become null)."""
    if depth > 64:
        raise ResultError("`result` is nested too deeply (more than 64 levels)")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return plain(float(value), depth)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    if isinstance(value, dict):
        return {str(plain_key(k)): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v, depth + 1) for v in value]
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    if pd is not None:
        if value is pd.NaT or value is pd.NA:
            return None
        if isinstance(value, pd.DataFrame):
            frame = value if isinstance(value.index, pd.RangeIndex) else value.reset_index()
            return {
                "columns": [str(c) for c in frame.columns],
                "rows": [[plain(v, depth + 2) for v in row] for row in frame.itertuples(index=False)],
            }
        if isinstance(value, pd.Series):
            return {str(plain_key(k)): plain(v, depth + 1) for k, v in value.items()}
        if isinstance(value, pd.Index):
            return [plain(v, depth + 1) for v in value]
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        if isinstance(value, pd.Timedelta):
            return str(value)
        if isinstance(value, pd.Period):
            return str(value)
    if np is not None:
        if isinstance(value, np.ndarray):
            return plain(value.tolist(), depth + 1)
        if isinstance(value, np.generic):
            return plain(value.item(), depth)
    raise ResultError(
        "`result` contains a value of type %s, which cannot be sent back; "
        "convert it to numbers, text, lists, dicts or a DataFrame" % type(value).__name__
    )


def plain_key(key):
    if isinstance(key, tuple):
        return " / ".join(str(plain_key(k)) for k in key)
    converted = plain(key)
    return converted if isinstance(converted, str) else json.dumps(converted)


def figure_json(fig):
    if hasattr(fig, "to_json") and hasattr(fig, "to_plotly_json"):
        return json.loads(fig.to_json())
    if isinstance(fig, dict) and "data" in fig:
        return plain(fig)
    raise ResultError("`fig` must be a Plotly figure (plotly.graph_objects.Figure or plotly.express)")


def code_line(exc):
    """The line of the analysis code where `exc` was raised, if it was raised there."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == CODE_NAME:
            line = frame.lineno
    if line is None and isinstance(exc, SyntaxError):
        line = exc.lineno
    return line


def describe(exc):
    line = code_line(exc)
    where = " (line %d)" % line if line else ""
    if isinstance(exc, SystemExit):
        return "the code called exit()%s; assign `result` instead" % where
    message = str(exc)
    name = type(exc).__name__
    return ("%s: %s%s" % (name, message, where)) if message else ("%s%s" % (name, where))


def read_job(stream):
    header = stream.readline(64)
    if not header.startswith(b"SIGHTLINE-JOB "):
        raise ValueError("no job header")
    size = int(header.split()[1])
    body = bytearray()
    while len(body) < size:
        chunk = stream.read(size - len(body))
        if not chunk:
            raise ValueError("the job ended early")
        body.extend(chunk)
    return json.loads(body.decode("utf-8"))


def run(job, live=None):
    """Runs one job; returns the reply dict. `live` receives the output as it is printed."""
    output = CappedOutput(int(job.get("output_cap", 65536)), live)
    reply = {"ok": False, "result": None, "visualization": None, "error": None, "error_kind": None}
    import numpy as np
    import pandas as pd

    workspace = job.get("workspace", "/workspace")
    frames = {}
    for item in job.get("data", []):
        name = item["name"]
        path = os.path.join(workspace, name + ".csv")
        with builtins.open(path, "w", encoding="utf-8") as handle:
            handle.write(item["csv"])
        try:
            frames[name] = pd.read_csv(path)
        except Exception as exc:  # the data, not the code, is at fault
            reply["error"] = "The data '%s' could not be read as CSV: %s" % (name, exc)
            reply["error_kind"] = "data"
            return finish(reply, output)

    scope = {"__name__": "__main__", "__builtins__": builtins, "pd": pd, "np": np}
    scope.update(frames)
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = output
    try:
        exec(compile(job["code"], CODE_NAME, "exec"), scope)
    except MemoryError:
        sys.stdout, sys.stderr = saved
        reply["error"] = "memory"
        reply["error_kind"] = "memory"
        return finish(reply, output)
    except BaseException as exc:  # the code's failure is the answer, whatever it raised
        sys.stdout, sys.stderr = saved
        reply["error"] = describe(exc)
        reply["error_kind"] = "code"
        return finish(reply, output)
    sys.stdout, sys.stderr = saved

    try:
        result = plain(scope.get("result"))
        text = json.dumps(result, allow_nan=False)
        if len(text) > int(job.get("result_cap", 4 << 20)):
            raise ResultError(
                "`result` is %.1f MB, more than the %.0f MB limit (truncated); return a summary "
                "such as aggregates or df.head(100) instead"
                % (len(text) / 1e6, int(job.get("result_cap", 4 << 20)) / 1e6)
            )
        reply["result"] = result
        if scope.get("fig") is not None:
            figure = figure_json(scope["fig"])
            size = len(json.dumps(figure, allow_nan=False))
            if size > int(job.get("figure_cap", 8 << 20)):
                raise ResultError(
                    "`fig` is %.1f MB, more than the %.0f MB limit (truncated); plot fewer points"
                    % (size / 1e6, int(job.get("figure_cap", 8 << 20)) / 1e6)
                )
            reply["visualization"] = figure
    except MemoryError:
        reply["result"] = None
        reply["error"] = "memory"
        reply["error_kind"] = "memory"
        return finish(reply, output)
    except (ResultError, TypeError, ValueError) as exc:
        reply["result"] = None
        reply["visualization"] = None
        reply["error"] = str(exc)
        reply["error_kind"] = "result"
        return finish(reply, output)
    reply["ok"] = True
    return finish(reply, output)


def finish(reply, output):
    reply["output"] = output.text()
    reply["output_dropped"] = output.dropped
    return reply


def main():
    reply_stream = os.fdopen(os.dup(1), "wb")
    if "--warm" in sys.argv:
        import numpy  # noqa: F401
        import pandas  # noqa: F401
        import plotly.express  # noqa: F401
        import plotly.graph_objects  # noqa: F401
        import scipy.stats  # noqa: F401
        import sklearn.linear_model  # noqa: F401
        import statsmodels.api  # noqa: F401
        # Tells the host the heavy imports are done; only then is this container a warm spare.
        reply_stream.write(READY_MARK)
        reply_stream.flush()
    else:
        import numpy  # noqa: F401
        import pandas  # noqa: F401
    job = read_job(sys.stdin.buffer)
    try:
        reply = run(job, LiveOutput(reply_stream, job.get("nonce", "")))
    except MemoryError:
        reply = {"ok": False, "result": None, "visualization": None, "output": "",
                 "output_dropped": 0, "error": "memory", "error_kind": "memory"}
    body = json.dumps(reply, allow_nan=False).encode("utf-8")
    head = ("\n%s%s:%d@@\n" % (REPLY_MARK, job.get("nonce", ""), len(body))).encode("ascii")
    reply_stream.write(head + body)
    reply_stream.flush()
    # Exit without interpreter teardown: threads the code started must not keep us alive.
    os._exit(0)


if __name__ == "__main__":
    main()
