//! The static guard (S4) as data: each case is code and the verdict it must get, with the line a
//! rejection must name. Every escape of SECURITY.md is here, and so is ordinary analytics code
//! that must pass.

use sightline_sandbox::guard::check;

#[derive(Debug, Clone, Copy)]
enum Expect {
    Pass,
    /// Refused at this line, with this text in the reason.
    Reject(usize, &'static str),
    /// Not valid Python, at this line.
    Syntax(usize),
}
use Expect::{Pass, Reject, Syntax};

const CASES: &[(&str, Expect)] = &[
    // --- the seed's examples and ordinary analytics: must pass ---
    (
        "import pandas as pd\nimport numpy as np\n\ndf = pd.DataFrame({'x': [1, 2, 3], 'y': [4, 5, 6]})\nresult = {'mean_y': df['y'].mean()}",
        Pass,
    ),
    ("result = {'sum': int(sales['amount'].sum())}", Pass),
    (
        "g = sales.groupby('region')['amount'].agg(['sum', 'mean'])\nresult = g.reset_index().to_dict(orient='records')",
        Pass,
    ),
    (
        "import plotly.express as px\nfig = px.line(sales, x='month', y='revenue', title='Revenue')",
        Pass,
    ),
    (
        "import plotly.graph_objects as go\nfig = go.Figure(data=[go.Bar(x=[1, 2], y=[3, 4])])\nfig.update_layout(title='t')",
        Pass,
    ),
    (
        "import plotly.io as pio\npio.templates.default = 'plotly_white'",
        Pass,
    ),
    (
        "import statsmodels.api as sm\nX = sm.add_constant(sales[['price']])\nmodel = sm.OLS(sales['units'], X).fit()\nresult = {'r2': model.rsquared, 'params': model.params.to_dict()}",
        Pass,
    ),
    (
        "from statsmodels.tsa.holtwinters import ExponentialSmoothing\nm = ExponentialSmoothing(sales['revenue'], trend='add').fit()\nresult = list(m.forecast(3))",
        Pass,
    ),
    (
        "from statsmodels.tsa.arima.model import ARIMA\nresult = ARIMA(sales['revenue'], order=(1, 1, 1)).fit().forecast(3).tolist()",
        Pass,
    ),
    (
        "from scipy import stats\nz = stats.zscore(sales['amount'])\nresult = sales[abs(z) > 3].index.tolist()",
        Pass,
    ),
    (
        "from sklearn.ensemble import IsolationForest\nlabels = IsolationForest(random_state=0).fit_predict(sales[['amount']])\nresult = int((labels == -1).sum())",
        Pass,
    ),
    (
        "from sklearn.linear_model import LinearRegression\nm = LinearRegression().fit(sales[['x']], sales['y'])\nresult = m.coef_.tolist()",
        Pass,
    ),
    (
        "import math, statistics, datetime, json, re\nfrom collections import Counter\nfrom itertools import groupby\nfrom functools import reduce\nresult = json.loads(json.dumps({'a': math.sqrt(statistics.mean([1, 4]))}))",
        Pass,
    ),
    (
        "df = pd.read_csv('/workspace/sales.csv')\ndf.to_csv('/workspace/out.csv', index=False)\nresult = len(df)",
        Pass,
    ),
    (
        "df = pd.read_csv('sales.csv', parse_dates=['day'])\nresult = df['day'].max().isoformat()",
        Pass,
    ),
    ("text = sales.to_csv(index=False)\nresult = len(text)", Pass),
    (
        "corr = sales.corr(numeric_only=True)['churn'].drop('churn')\nresult = corr.sort_values(key=abs, ascending=False).to_dict()",
        Pass,
    ),
    (
        "value = getattr(sales, 'shape')\nresult = list(value)",
        Pass,
    ),
    (
        "def top(df, n=3):\n    return df.nlargest(n, 'amount')\nresult = top(sales).to_dict()",
        Pass,
    ),
    (
        "match len(sales):\n    case 0:\n        result = None\n    case n:\n        result = n",
        Pass,
    ),
    (
        "try:\n    result = 1 / 0\nexcept ZeroDivisionError as e:\n    result = str(e)",
        Pass,
    ),
    (
        "result = [x ** 2 for x in range(10) if x % 2]\nprint(f'{len(result)} values')",
        Pass,
    ),
    (
        "monthly = sales.set_index('day').resample('MS')['amount'].sum()\nresult = monthly.rolling(3).mean().dropna().tolist()",
        Pass,
    ),
    // --- imports outside the allowlist ---
    (
        "import os\nresult = os.listdir('/')",
        Reject(1, "importing 'os'"),
    ),
    (
        "import pandas as pd\nimport subprocess",
        Reject(2, "'subprocess'"),
    ),
    ("import sys", Reject(1, "'sys'")),
    ("import socket", Reject(1, "'socket'")),
    ("import ctypes", Reject(1, "'ctypes'")),
    (
        "import importlib\nimportlib.import_module('os')",
        Reject(1, "'importlib'"),
    ),
    ("from os import system", Reject(1, "'os'")),
    ("import matplotlib.pyplot as plt", Reject(1, "'matplotlib'")),
    ("import pickle", Reject(1, "'pickle'")),
    ("from . import x", Reject(1, "relative imports")),
    ("from pandas import *", Reject(1, "import *")),
    ("x = 1\nif x:\n    import shutil", Reject(3, "'shutil'")),
    // --- SECURITY.md's pandas/numpy escapes ---
    (
        "import pandas as pd\npd.io.common.os.system('id')",
        Reject(2, ".common"),
    ),
    (
        "import numpy as np\nnp.ctypeslib.ctypes.CDLL(None).system(b'id')",
        Reject(2, ".ctypeslib"),
    ),
    (
        "df.eval(\"a.__class__.__init__.__globals__['sys'].modules['os'].system('id')\")",
        Reject(1, ""),
    ),
    (
        "import pandas as pd\nresult = pd.read_csv('/etc/passwd')",
        Reject(2, "must be in /workspace"),
    ),
    ("df.to_pickle('/workspace/x.pkl')", Reject(1, "pickled")),
    ("from pandas.io.common import os", Reject(1, ".common")),
    ("from numpy import ctypeslib", Reject(1, ".ctypeslib")),
    ("import numpy.ctypeslib", Reject(1, ".ctypeslib")),
    ("a = np.zeros(3)\np = a.ctypes.data", Reject(2, ".ctypes")),
    // --- dunder access and introspection ---
    (
        "x = ().__class__.__base__.__subclasses__()",
        Reject(1, "__"),
    ),
    ("f = lambda: 0\ng = f.__globals__", Reject(2, "__globals__")),
    ("b = __builtins__", Reject(1, "__builtins__")),
    (
        "gen = (i for i in [1])\nb = gen.gi_frame.f_builtins",
        Reject(2, "gi_frame"),
    ),
    ("s = '{0.__class__}'.format(1)", Reject(1, "__this__")),
    ("x = sales._data", Reject(1, "private")),
    (
        "match sales:\n    case object(__class__=c):\n        pass",
        Reject(2, "__class__"),
    ),
    // --- builtins that run code, open files or expose namespaces ---
    ("eval('1+1')", Reject(1, "eval")),
    ("exec('x = 1')", Reject(1, "exec")),
    ("c = compile('1', 'f', 'eval')", Reject(1, "compile")),
    ("data = open('/etc/passwd').read()", Reject(1, "open()")),
    (
        "with open('/workspace/x.csv') as f:\n    pass",
        Reject(1, "open"),
    ),
    ("os = __import__('os')", Reject(1, "__import__")),
    ("g = globals()", Reject(1, "globals")),
    ("v = vars(sales)", Reject(1, "vars")),
    ("l = locals()", Reject(1, "locals")),
    ("run = eval\nrun('1')", Reject(1, "eval")),
    ("sales.apply(eval)", Reject(1, "eval")),
    ("f(x=eval('1'))", Reject(1, "eval")),
    ("def f(a=exec('x=1')):\n    pass", Reject(1, "exec")),
    ("breakpoint()", Reject(1, "breakpoint")),
    // --- getattr and friends ---
    (
        "name = 'sys'\nm = getattr(pd, name)",
        Reject(2, "computed attribute"),
    ),
    ("getattr(pd, '__loader__')", Reject(1, "")),
    ("getattr(pd.io, 'common')", Reject(1, ".common")),
    ("setattr(sales, '__class__', int)", Reject(1, "")),
    ("g = getattr\ng(pd, 'io')", Reject(1, "getattr")),
    ("delattr(sales, name)", Reject(1, "computed attribute")),
    // --- evaluating methods and pickle loaders ---
    ("big = sales.query('amount > 10')", Reject(1, ".query")),
    ("x = pd.eval('1 + 2')", Reject(1, ".eval")),
    ("from pandas import eval as e", Reject(1, "eval")),
    (
        "x = pd.read_pickle('/workspace/x.pkl')",
        Reject(1, "pickled"),
    ),
    (
        "x = np.load('/workspace/x.npy', allow_pickle=True)",
        Reject(1, "allow_pickle"),
    ),
    (
        "import statsmodels.api as sm\nm = sm.load('/workspace/m.pkl')",
        Reject(2, "pickled"),
    ),
    // --- IO outside /workspace ---
    (
        "sales.to_csv('/tmp/leak.csv')",
        Reject(1, "must be in /workspace"),
    ),
    ("sales.to_csv('../x.csv')", Reject(1, "'..'")),
    ("pd.read_csv('/workspace/../etc/passwd')", Reject(1, "'..'")),
    (
        "path = '/etc/passwd'\npd.read_csv(path)",
        Reject(2, "written out as text"),
    ),
    (
        "pd.read_csv(f'/workspace/{name}.csv')",
        Reject(1, "written out as text"),
    ),
    (
        "pd.read_csv('https://example.com/x.csv')",
        Reject(1, "URLs"),
    ),
    (
        "pd.read_csv(filepath_or_buffer='/etc/shadow')",
        Reject(1, "must be in /workspace"),
    ),
    (
        "pd.DataFrame.to_csv(sales, '/etc/x')",
        Reject(1, "written out as text"),
    ),
    ("sales.to_csv(**opts)", Reject(1, "**options")),
    (
        "np.savetxt('/root/x.txt', a)",
        Reject(1, "must be in /workspace"),
    ),
    (
        "fig.write_html('/home/u/x.html')",
        Reject(1, "must be in /workspace"),
    ),
    (
        "from pandas import read_csv",
        Reject(1, "through its module"),
    ),
    ("pd.read_sql('select 1', con)", Reject(1, "databases")),
    ("sales.to_clipboard()", Reject(1, "clipboard")),
    (
        "pd.set_option('plotting.backend', 'os')",
        Reject(1, "options"),
    ),
    ("fig.show()", Reject(1, "show")),
    // --- the first offending line is the one named ---
    ("x = 1\ny = 2\nimport os\nimport sys", Reject(3, "'os'")),
    // --- syntax errors name their line ---
    ("x = (1,\ny = 2\n", Syntax(2)),
    ("def f(:\n    pass", Syntax(1)),
    ("x = 1\n  y = 2", Syntax(2)),
    ("result = 1\nfor in range(3):\n    pass", Syntax(2)),
];

#[test]
fn guard_verdicts() {
    assert!(CASES.len() >= 40, "the table must stay broad");
    let mut failures = Vec::new();
    for (code, expect) in CASES {
        let verdict = check(code);
        let ok = match (expect, &verdict) {
            (Pass, Ok(())) => true,
            (Reject(line, text), Err(r)) => !r.syntax && r.line == *line && r.reason.contains(text),
            (Syntax(line), Err(r)) => r.syntax && r.line == *line,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{code:?}\n    expected {expect:?}\n    got {verdict:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} guard cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn rejections_read_as_sentences_with_the_line() {
    let rejection = check("x = 1\nimport os").unwrap_err();
    let message = rejection.to_string();
    assert!(
        message.starts_with("The code was refused (line 2):"),
        "a user must see where and why: {message}"
    );
    assert!(
        message.contains("pandas"),
        "it says what is allowed instead: {message}"
    );
    let syntax = check("x = (").unwrap_err().to_string();
    assert!(
        syntax.starts_with("The code is not valid Python (line 1)"),
        "{syntax}"
    );
}
