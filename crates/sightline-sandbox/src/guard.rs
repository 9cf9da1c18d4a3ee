//! The static guard of SECURITY.md S4: parses the code with a real Python parser and rejects, before
//! anything runs and in every mode, the constructs that reach outside an analysis.
//!
//! Parser choice: `rustpython-parser` 0.4 (crates.io). It is pure Rust (no C toolchain, unlike
//! `tree-sitter-python`), builds on rustc 1.95, parses Python 3.11 syntax into a typed AST with
//! source offsets, and fails on invalid code instead of recovering (tree-sitter keeps going with
//! error nodes, which a guard would have to second-guess). Ruff's parser is newer but is published
//! only as an "internal component" 0.0.x crate without a stable API. The crate's own `Visitor`
//! does not descend into keyword arguments, defaults, `with` items or `match` cases, so this module
//! walks the tree itself with exhaustive matches: a new node kind fails to compile here instead of
//! being skipped silently.
//!
//! The guard is defence in depth, not the boundary (the container or bubblewrap is). It is
//! deliberately stricter than S4's list where an analysis loses nothing: private attributes
//! (`_x`), frame and code attributes (`gi_frame`, `f_globals`), dunder names inside strings
//! (`df.eval("a.__class__...")`, `"{0.__globals__}".format(f)`), pandas options, and `.show()`.

use rustpython_parser::Parse as _;
use rustpython_parser::ast::{
    self, Arguments, Comprehension, Constant, ExceptHandler, Expr, Keyword, MatchCase, Pattern,
    Stmt, TypeParam, WithItem,
};

/// The modules code may import (the top-level package; submodules of them are allowed too).
pub const ALLOWED_MODULES: &[&str] = &[
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "sklearn",
    "plotly",
    "math",
    "statistics",
    "datetime",
    "json",
    "collections",
    "itertools",
    "functools",
    "re",
];

/// Where data files live inside the sandbox; IO paths must stay under it.
pub const WORKSPACE: &str = "/workspace";

/// Why the guard refused the code: the 1-based line and a sentence for a business user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub line: usize,
    pub reason: String,
    /// True when the code is not valid Python at all (rather than valid but forbidden).
    pub syntax: bool,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.syntax {
            write!(
                f,
                "The code is not valid Python (line {}): {}",
                self.line, self.reason
            )
        } else {
            write!(
                f,
                "The code was refused (line {}): {}",
                self.line, self.reason
            )
        }
    }
}

/// Builtins that run code, open files, reach the interpreter's namespaces or start a pager or
/// debugger. Refused wherever the name appears, not only when called (`f = eval` is refused too).
const DENIED_BUILTINS: &[(&str, &str)] = &[
    ("eval", "eval() runs arbitrary code"),
    ("exec", "exec() runs arbitrary code"),
    ("compile", "compile() builds arbitrary code"),
    (
        "open",
        "open() reads and writes files; use the DataFrames or /workspace CSV files given to you",
    ),
    ("__import__", "__import__() imports any module"),
    ("globals", "globals() exposes the interpreter's namespace"),
    ("locals", "locals() exposes the interpreter's namespace"),
    ("vars", "vars() exposes an object's internals"),
    ("breakpoint", "breakpoint() starts a debugger"),
    (
        "input",
        "input() waits for a keyboard that does not exist here",
    ),
    ("help", "help() starts a pager"),
    (
        "exit",
        "exit() stops the interpreter; assign `result` instead",
    ),
    (
        "quit",
        "quit() stops the interpreter; assign `result` instead",
    ),
    ("memoryview", "memoryview() exposes raw memory"),
];

/// Attribute names that lead to the operating system, native code, the import system or
/// interpreter internals, whatever object they are read from (`pd.io.common.os`,
/// `np.ctypeslib`, `arr.ctypes`, `gen.gi_frame.f_builtins`).
const DENIED_ATTRIBUTES: &[&str] = &[
    "os",
    "sys",
    "subprocess",
    "socket",
    "shutil",
    "pathlib",
    "Path",
    "glob",
    "builtins",
    "importlib",
    "ctypes",
    "ctypeslib",
    "cffi",
    "pickle",
    "marshal",
    "tempfile",
    "distutils",
    "f2py",
    "common",
    "clipboard",
    "clipboards",
    "pytables",
    "compat",
    "pickle_compat",
    "system",
    "popen",
    "Popen",
    "spawn",
    "fork",
    "kill",
    "execv",
    "execve",
    "execl",
    "exec_command",
    "check_output",
    "CDLL",
    "PyDLL",
    "cdll",
    "pydll",
    "dlopen",
    "LoadLibrary",
    "load_library",
    "urlopen",
    "get_handle",
    "DataSource",
    "open",
    "from_custom_template",
    "gi_frame",
    "gi_code",
    "cr_frame",
    "cr_code",
    "ag_frame",
    "ag_code",
    "f_globals",
    "f_locals",
    "f_builtins",
    "f_back",
    "f_code",
    "tb_frame",
    "tb_next",
    "co_code",
    "func_globals",
];

/// Methods that evaluate strings as expressions (S4: `DataFrame.eval`/`query`, `pd.eval`).
const EVALUATING_METHODS: &[&str] = &["eval", "query"];

/// Loaders of pickled objects, which can call any function while loading.
const PICKLE_METHODS: &[&str] = &[
    "read_pickle",
    "to_pickle",
    "load_pickle",
    "save_pickle",
    "load",
    "save",
];

/// Calls that read or write a file named by their first argument (or a path keyword).
const IO_METHODS: &[&str] = &[
    "to_csv",
    "to_excel",
    "to_json",
    "to_parquet",
    "to_feather",
    "to_hdf",
    "to_stata",
    "to_html",
    "to_latex",
    "to_markdown",
    "to_xml",
    "to_orc",
    "to_string",
    "savefig",
    "write_html",
    "write_image",
    "write_json",
    "savetxt",
    "savez",
    "savez_compressed",
    "tofile",
    "fromfile",
    "loadtxt",
    "genfromtxt",
    "memmap",
    "open_memmap",
    "ExcelWriter",
    "HDFStore",
    "ExcelFile",
    "loadmat",
    "savemat",
    "mmread",
    "mmwrite",
];

/// Calls with no safe form in a sandbox: databases, the clipboard, remote data, pandas options
/// (a plotting backend option imports any module), styles read from any path, a browser.
const DENIED_CALLS: &[(&str, &str)] = &[
    (
        "to_sql",
        "databases are not reachable from the sandbox; work on the DataFrames given to you",
    ),
    (
        "read_sql",
        "databases are not reachable from the sandbox; work on the DataFrames given to you",
    ),
    (
        "read_sql_query",
        "databases are not reachable from the sandbox; work on the DataFrames given to you",
    ),
    (
        "read_sql_table",
        "databases are not reachable from the sandbox; work on the DataFrames given to you",
    ),
    ("read_gbq", "remote data cannot be read from the sandbox"),
    (
        "read_clipboard",
        "the clipboard is not reachable from the sandbox",
    ),
    (
        "to_clipboard",
        "the clipboard is not reachable from the sandbox",
    ),
    ("read_html", "web pages cannot be read from the sandbox"),
    ("set_option", "changing pandas options is not allowed"),
    ("option_context", "changing pandas options is not allowed"),
    ("options", "changing pandas options is not allowed"),
    (
        "style",
        "styles can load files from any path; style the Plotly figure instead",
    ),
    (
        "show",
        "show() would try to open a window or browser; assign the figure to `fig` instead",
    ),
];

/// Keyword arguments that name a file.
const PATH_KEYWORDS: &[&str] = &[
    "path",
    "path_or_buf",
    "path_or_buffer",
    "filepath_or_buffer",
    "filename",
    "fname",
    "file",
    "buf",
    "excel_writer",
    "io",
    "file_name",
];

/// Checks `code`; `Ok(())` when it may run.
pub fn check(code: &str) -> Result<(), Rejection> {
    let lines = LineIndex::new(code);
    let suite = ast::Suite::parse(code, "<analysis>").map_err(|e| Rejection {
        line: lines.line(e.offset.to_usize()),
        reason: syntax_reason(&e.error),
        syntax: true,
    })?;
    let mut walker = Walker {
        lines: &lines,
        found: None,
    };
    walker.stmts(&suite);
    match walker.found {
        Some(rejection) => Err(rejection),
        None => Ok(()),
    }
}

/// The parser's message in plainer words where we can.
fn syntax_reason(error: &rustpython_parser::ParseErrorType) -> String {
    if error.is_indentation_error() {
        return "the indentation is wrong".to_string();
    }
    if error.is_tab_error() {
        return "tabs and spaces are mixed in the indentation".to_string();
    }
    match error {
        rustpython_parser::ParseErrorType::Eof => {
            "the code ends too early (an unclosed bracket, string or block?)".to_string()
        }
        other => other.to_string(),
    }
}

/// Byte offset → 1-based line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(code: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(code.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

struct Walker<'a> {
    lines: &'a LineIndex,
    /// The first violation in source order (the walk visits statements in order).
    found: Option<Rejection>,
}

impl Walker<'_> {
    fn reject(&mut self, offset: ast::text_size::TextSize, reason: impl Into<String>) {
        let line = self.lines.line(offset.to_usize());
        let replace = match &self.found {
            None => true,
            Some(existing) => line < existing.line,
        };
        if replace {
            self.found = Some(Rejection {
                line,
                reason: reason.into(),
                syntax: false,
            });
        }
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for stmt in stmts {
            self.stmt(stmt);
        }
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        for expr in exprs {
            self.expr(expr);
        }
    }

    fn opt(&mut self, expr: &Option<Box<Expr>>) {
        if let Some(expr) = expr {
            self.expr(expr);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::FunctionDef(s) => {
                self.binding(s.range.start(), s.name.as_str());
                self.exprs(&s.decorator_list);
                self.arguments(&s.args);
                self.opt(&s.returns);
                self.type_params(&s.type_params);
                self.stmts(&s.body);
            }
            Stmt::AsyncFunctionDef(s) => {
                self.binding(s.range.start(), s.name.as_str());
                self.exprs(&s.decorator_list);
                self.arguments(&s.args);
                self.opt(&s.returns);
                self.type_params(&s.type_params);
                self.stmts(&s.body);
            }
            Stmt::ClassDef(s) => {
                self.binding(s.range.start(), s.name.as_str());
                self.exprs(&s.decorator_list);
                self.exprs(&s.bases);
                self.keywords(&s.keywords);
                self.type_params(&s.type_params);
                self.stmts(&s.body);
            }
            Stmt::Return(s) => self.opt(&s.value),
            Stmt::Delete(s) => self.exprs(&s.targets),
            Stmt::Assign(s) => {
                self.exprs(&s.targets);
                self.expr(&s.value);
            }
            Stmt::TypeAlias(s) => {
                self.expr(&s.name);
                self.type_params(&s.type_params);
                self.expr(&s.value);
            }
            Stmt::AugAssign(s) => {
                self.expr(&s.target);
                self.expr(&s.value);
            }
            Stmt::AnnAssign(s) => {
                self.expr(&s.target);
                self.expr(&s.annotation);
                self.opt(&s.value);
            }
            Stmt::For(s) => {
                self.expr(&s.target);
                self.expr(&s.iter);
                self.stmts(&s.body);
                self.stmts(&s.orelse);
            }
            Stmt::AsyncFor(s) => {
                self.expr(&s.target);
                self.expr(&s.iter);
                self.stmts(&s.body);
                self.stmts(&s.orelse);
            }
            Stmt::While(s) => {
                self.expr(&s.test);
                self.stmts(&s.body);
                self.stmts(&s.orelse);
            }
            Stmt::If(s) => {
                self.expr(&s.test);
                self.stmts(&s.body);
                self.stmts(&s.orelse);
            }
            Stmt::With(s) => {
                self.with_items(&s.items);
                self.stmts(&s.body);
            }
            Stmt::AsyncWith(s) => {
                self.with_items(&s.items);
                self.stmts(&s.body);
            }
            Stmt::Match(s) => {
                self.expr(&s.subject);
                for case in &s.cases {
                    self.match_case(case);
                }
            }
            Stmt::Raise(s) => {
                self.opt(&s.exc);
                self.opt(&s.cause);
            }
            Stmt::Try(s) => {
                self.stmts(&s.body);
                self.handlers(&s.handlers);
                self.stmts(&s.orelse);
                self.stmts(&s.finalbody);
            }
            Stmt::TryStar(s) => {
                self.stmts(&s.body);
                self.handlers(&s.handlers);
                self.stmts(&s.orelse);
                self.stmts(&s.finalbody);
            }
            Stmt::Assert(s) => {
                self.expr(&s.test);
                self.opt(&s.msg);
            }
            Stmt::Import(s) => {
                for alias in &s.names {
                    self.module(alias.range.start(), alias.name.as_str());
                    if let Some(name) = &alias.asname {
                        self.binding(alias.range.start(), name.as_str());
                    }
                }
            }
            Stmt::ImportFrom(s) => self.import_from(s),
            Stmt::Global(s) => {
                for name in &s.names {
                    self.binding(s.range.start(), name.as_str());
                }
            }
            Stmt::Nonlocal(s) => {
                for name in &s.names {
                    self.binding(s.range.start(), name.as_str());
                }
            }
            Stmt::Expr(s) => self.expr(&s.value),
            Stmt::Pass(_) | Stmt::Break(_) | Stmt::Continue(_) => {}
        }
    }

    fn import_from(&mut self, s: &ast::StmtImportFrom) {
        let at = s.range.start();
        if s.level.is_some_and(|level| level.to_u32() > 0) {
            self.reject(at, "relative imports are not allowed");
            return;
        }
        let Some(module) = &s.module else {
            self.reject(at, "relative imports are not allowed");
            return;
        };
        self.module(at, module.as_str());
        for alias in &s.names {
            let name = alias.name.as_str();
            if name == "*" {
                self.reject(
                    at,
                    format!("`from {module} import *` is not allowed; import the names you use"),
                );
                continue;
            }
            // An imported name is an attribute of the module: `from pandas import eval`.
            self.attribute_name(at, name);
            self.called_name(at, name);
            if let Some(asname) = &alias.asname {
                self.binding(at, asname.as_str());
            }
        }
    }

    /// `import a.b.c` / `from a.b import x`: the top package must be allowed and no part of the
    /// dotted path may be a denied attribute (`numpy.ctypeslib`).
    fn module(&mut self, at: ast::text_size::TextSize, dotted: &str) {
        let mut parts = dotted.split('.');
        let top = parts.next().unwrap_or_default();
        if !ALLOWED_MODULES.contains(&top) {
            self.reject(
                at,
                format!(
                    "importing '{top}' is not allowed; the sandbox offers {}",
                    ALLOWED_MODULES.join(", ")
                ),
            );
            return;
        }
        for part in parts {
            self.attribute_name(at, part);
        }
    }

    /// A name the code binds (function, class, import alias, global) must not be a dunder.
    fn binding(&mut self, at: ast::text_size::TextSize, name: &str) {
        if is_dunder(name) {
            self.reject(
                at,
                format!("the name '{name}' is reserved for Python internals"),
            );
        }
    }

    fn arguments(&mut self, args: &Arguments) {
        for arg in args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
        {
            self.binding(arg.def.range.start(), arg.def.arg.as_str());
            self.opt(&arg.def.annotation);
            self.opt(&arg.default);
        }
        for arg in args.vararg.iter().chain(&args.kwarg) {
            self.binding(arg.range.start(), arg.arg.as_str());
            self.opt(&arg.annotation);
        }
    }

    fn type_params(&mut self, params: &[TypeParam]) {
        for param in params {
            match param {
                TypeParam::TypeVar(p) => self.opt(&p.bound),
                TypeParam::ParamSpec(_) | TypeParam::TypeVarTuple(_) => {}
            }
        }
    }

    fn keywords(&mut self, keywords: &[Keyword]) {
        for keyword in keywords {
            self.expr(&keyword.value);
        }
    }

    fn with_items(&mut self, items: &[WithItem]) {
        for item in items {
            self.expr(&item.context_expr);
            self.opt(&item.optional_vars);
        }
    }

    fn handlers(&mut self, handlers: &[ExceptHandler]) {
        for handler in handlers {
            let ExceptHandler::ExceptHandler(h) = handler;
            self.opt(&h.type_);
            if let Some(name) = &h.name {
                self.binding(h.range.start(), name.as_str());
            }
            self.stmts(&h.body);
        }
    }

    fn match_case(&mut self, case: &MatchCase) {
        self.pattern(&case.pattern);
        self.opt(&case.guard);
        self.stmts(&case.body);
    }

    fn pattern(&mut self, pattern: &Pattern) {
        match pattern {
            Pattern::MatchValue(p) => self.expr(&p.value),
            Pattern::MatchSingleton(_) => {}
            Pattern::MatchSequence(p) => self.patterns(&p.patterns),
            Pattern::MatchMapping(p) => {
                self.exprs(&p.keys);
                self.patterns(&p.patterns);
                if let Some(rest) = &p.rest {
                    self.binding(p.range.start(), rest.as_str());
                }
            }
            Pattern::MatchClass(p) => {
                self.expr(&p.cls);
                self.patterns(&p.patterns);
                // `case C(__class__=x)` reads an attribute.
                for attr in &p.kwd_attrs {
                    self.attribute_name(p.range.start(), attr.as_str());
                }
                self.patterns(&p.kwd_patterns);
            }
            Pattern::MatchStar(p) => {
                if let Some(name) = &p.name {
                    self.binding(p.range.start(), name.as_str());
                }
            }
            Pattern::MatchAs(p) => {
                if let Some(inner) = &p.pattern {
                    self.pattern(inner);
                }
                if let Some(name) = &p.name {
                    self.binding(p.range.start(), name.as_str());
                }
            }
            Pattern::MatchOr(p) => self.patterns(&p.patterns),
        }
    }

    fn patterns(&mut self, patterns: &[Pattern]) {
        for pattern in patterns {
            self.pattern(pattern);
        }
    }

    fn comprehensions(&mut self, generators: &[Comprehension]) {
        for generator in generators {
            self.expr(&generator.target);
            self.expr(&generator.iter);
            self.exprs(&generator.ifs);
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::BoolOp(e) => self.exprs(&e.values),
            Expr::NamedExpr(e) => {
                self.expr(&e.target);
                self.expr(&e.value);
            }
            Expr::BinOp(e) => {
                self.expr(&e.left);
                self.expr(&e.right);
            }
            Expr::UnaryOp(e) => self.expr(&e.operand),
            Expr::Lambda(e) => {
                self.arguments(&e.args);
                self.expr(&e.body);
            }
            Expr::IfExp(e) => {
                self.expr(&e.test);
                self.expr(&e.body);
                self.expr(&e.orelse);
            }
            Expr::Dict(e) => {
                for key in e.keys.iter().flatten() {
                    self.expr(key);
                }
                self.exprs(&e.values);
            }
            Expr::Set(e) => self.exprs(&e.elts),
            Expr::ListComp(e) => {
                self.expr(&e.elt);
                self.comprehensions(&e.generators);
            }
            Expr::SetComp(e) => {
                self.expr(&e.elt);
                self.comprehensions(&e.generators);
            }
            Expr::DictComp(e) => {
                self.expr(&e.key);
                self.expr(&e.value);
                self.comprehensions(&e.generators);
            }
            Expr::GeneratorExp(e) => {
                self.expr(&e.elt);
                self.comprehensions(&e.generators);
            }
            Expr::Await(e) => self.expr(&e.value),
            Expr::Yield(e) => self.opt(&e.value),
            Expr::YieldFrom(e) => self.expr(&e.value),
            Expr::Compare(e) => {
                self.expr(&e.left);
                self.exprs(&e.comparators);
            }
            Expr::Call(e) => {
                self.call(e);
                // `getattr(...)` as the callee was judged whole by `call`; anywhere else the bare
                // name is refused by `name`.
                let attr_builtin =
                    matches!(e.func.as_ref(), Expr::Name(n) if is_attr_builtin(n.id.as_str()));
                if !attr_builtin {
                    self.expr(&e.func);
                }
                self.exprs(&e.args);
                self.keywords(&e.keywords);
            }
            Expr::FormattedValue(e) => {
                self.expr(&e.value);
                self.opt(&e.format_spec);
            }
            Expr::JoinedStr(e) => self.exprs(&e.values),
            Expr::Constant(e) => self.constant(e.range.start(), &e.value),
            Expr::Attribute(e) => {
                // Inner first, so `pd.io.common.os` is refused at `.common`, the first step
                // a reader meets.
                self.expr(&e.value);
                self.attribute_name(e.range.start(), e.attr.as_str());
            }
            Expr::Subscript(e) => {
                self.expr(&e.value);
                self.expr(&e.slice);
            }
            Expr::Starred(e) => self.expr(&e.value),
            Expr::Name(e) => self.name(e.range.start(), e.id.as_str()),
            Expr::List(e) => self.exprs(&e.elts),
            Expr::Tuple(e) => self.exprs(&e.elts),
            Expr::Slice(e) => {
                self.opt(&e.lower);
                self.opt(&e.upper);
                self.opt(&e.step);
            }
        }
    }

    /// A bare name: denied builtins and dunders (`__builtins__`, `__loader__`).
    fn name(&mut self, at: ast::text_size::TextSize, name: &str) {
        if let Some((_, why)) = DENIED_BUILTINS.iter().find(|(n, _)| *n == name) {
            self.reject(at, format!("`{name}` is not allowed: {why}"));
        } else if is_dunder(name) {
            self.reject(
                at,
                format!("`{name}` is not allowed: names like __this__ reach Python internals"),
            );
        } else if is_attr_builtin(name) {
            self.reject(
                at,
                format!(
                    "`{name}` may only be called directly, with the attribute name written as text"
                ),
            );
        }
    }

    /// An attribute name read, written or imported: dunders, private names and the denied list.
    fn attribute_name(&mut self, at: ast::text_size::TextSize, attr: &str) {
        if is_dunder(attr) {
            self.reject(
                at,
                format!(
                    "`.{attr}` is not allowed: attributes like __this__ reach Python internals"
                ),
            );
        } else if attr.starts_with('_') {
            self.reject(
                at,
                format!(
                    "`.{attr}` is not allowed: private attributes (starting with _) are off limits"
                ),
            );
        } else if DENIED_ATTRIBUTES.contains(&attr) {
            self.reject(
                at,
                format!(
                    "`.{attr}` is not allowed: it leads to the operating system, files or native code"
                ),
            );
        } else if EVALUATING_METHODS.contains(&attr) {
            self.reject(
                at,
                format!(
                    "`.{attr}(...)` is not allowed: it evaluates text as code; use ordinary pandas indexing such as df[df['x'] > 0]"
                ),
            );
        } else if PICKLE_METHODS.contains(&attr) {
            self.reject(
                at,
                format!(
                    "`.{attr}(...)` is not allowed: loading or saving pickled objects can run any code; read the CSV files in {WORKSPACE} instead"
                ),
            );
        } else if let Some((_, why)) = DENIED_CALLS.iter().find(|(n, _)| *n == attr) {
            self.reject(at, format!("`.{attr}` is not allowed: {why}"));
        }
    }

    /// A name imported from a module and then called bare (`from pandas import read_csv`) is held
    /// to the same path rules; refusing the import of IO names keeps the rule in one place.
    fn called_name(&mut self, at: ast::text_size::TextSize, name: &str) {
        if is_io_name(name) {
            self.reject(
                at,
                format!("import `{name}` through its module (for example pd.{name}) so its file path can be checked"),
            );
        }
    }

    fn constant(&mut self, at: ast::text_size::TextSize, value: &Constant) {
        match value {
            Constant::Str(s) if contains_dunder(s) => self.reject(
                at,
                "text containing names like __this__ is not allowed: it can reach Python internals through eval, query or format",
            ),
            Constant::Tuple(items) => {
                for item in items {
                    self.constant(at, item);
                }
            }
            _ => {}
        }
    }

    /// Rules that need the whole call: getattr & co, IO paths, `allow_pickle`.
    fn call(&mut self, call: &ast::ExprCall) {
        let at = call.range.start();
        for keyword in &call.keywords {
            if keyword
                .arg
                .as_ref()
                .is_some_and(|a| a.as_str() == "allow_pickle")
                && !matches!(&keyword.value, Expr::Constant(c) if matches!(c.value, Constant::Bool(false)))
            {
                self.reject(
                    at,
                    "allow_pickle is not allowed: pickled data can run any code while loading",
                );
            }
        }
        let callee = match call.func.as_ref() {
            Expr::Name(n) => n.id.as_str(),
            Expr::Attribute(a) => a.attr.as_str(),
            _ => return,
        };
        if is_attr_builtin(callee) {
            match call.args.get(1) {
                Some(Expr::Constant(c)) => match &c.value {
                    Constant::Str(name) => self.attribute_name(at, name),
                    _ => self.reject(
                        at,
                        format!("{callee}() needs the attribute name written as text"),
                    ),
                },
                _ => self.reject(
                    at,
                    format!(
                        "{callee}() with a computed attribute name is not allowed; write the attribute directly (obj.name)"
                    ),
                ),
            }
            return;
        }
        if is_io_name(callee) {
            self.io_call(call, callee);
        }
    }

    fn io_call(&mut self, call: &ast::ExprCall, callee: &str) {
        let at = call.range.start();
        let mut paths: Vec<&Expr> = call.args.first().into_iter().collect();
        paths.extend(
            call.keywords
                .iter()
                .filter(|k| {
                    k.arg
                        .as_ref()
                        .is_some_and(|a| PATH_KEYWORDS.contains(&a.as_str()))
                })
                .map(|k| &k.value),
        );
        if call.keywords.iter().any(|k| k.arg.is_none()) {
            self.reject(
                at,
                format!("{callee}(**options) is not allowed: write the file path out so it can be checked"),
            );
        }
        for path in paths {
            match path {
                Expr::Constant(c) => match &c.value {
                    Constant::Str(p) => {
                        if let Err(why) = workspace_path(p) {
                            self.reject(at, format!("{callee}('{p}') is not allowed: {why}"));
                        }
                    }
                    Constant::None => {}
                    _ => self.reject(
                        at,
                        format!("{callee}() needs a file path written as text, such as '{WORKSPACE}/out.csv'"),
                    ),
                },
                _ => self.reject(
                    at,
                    format!(
                        "{callee}() needs its file path written out as text, such as '{WORKSPACE}/sales.csv', so the sandbox can check it stays in {WORKSPACE}"
                    ),
                ),
            }
        }
    }
}

fn is_attr_builtin(name: &str) -> bool {
    matches!(name, "getattr" | "setattr" | "delattr" | "hasattr")
}

fn is_io_name(name: &str) -> bool {
    (name.starts_with("read_") && !DENIED_CALLS.iter().any(|(n, _)| *n == name))
        || IO_METHODS.contains(&name)
}

/// A literal path is allowed when it stays inside the workspace: absolute under it, or relative
/// (the working directory is the workspace), with no `..`, home, URL or NUL.
fn workspace_path(path: &str) -> Result<(), String> {
    if path.contains("://") {
        return Err("URLs cannot be reached from the sandbox".to_string());
    }
    if path.contains('\0') || path.contains('\\') || path.starts_with('~') {
        return Err(format!("files must be in {WORKSPACE}"));
    }
    let relative = if let Some(rest) = path.strip_prefix(WORKSPACE) {
        if !(rest.is_empty() || rest.starts_with('/')) {
            return Err(format!("files must be in {WORKSPACE}"));
        }
        rest.trim_start_matches('/')
    } else if path.starts_with('/') {
        return Err(format!("files must be in {WORKSPACE}"));
    } else {
        path
    };
    if relative.split('/').any(|part| part == "..") {
        return Err(format!("'..' would leave {WORKSPACE}"));
    }
    Ok(())
}

fn is_dunder(name: &str) -> bool {
    name.len() > 4 && name.starts_with("__") && name.ends_with("__")
}

/// True when the text holds `__word__` anywhere (`"a.__class__"`, `"{0.__globals__}"`).
fn contains_dunder(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = text[i..].find("__") {
        let start = i + pos + 2;
        let word_len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let word = &text[start..start + word_len];
        let trimmed = word.trim_end_matches('_');
        if !trimmed.is_empty() && word.len() >= trimmed.len() + 2 {
            return true;
        }
        i = start;
        if i >= text.len() {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dunder_text_is_found() {
        for (text, expected) in [
            ("a.__class__", true),
            ("{0.__globals__}", true),
            ("__init__", true),
            ("total__sales", false),
            ("x__", false),
            ("revenue", false),
            ("__", false),
            ("____", false),
        ] {
            assert_eq!(contains_dunder(text), expected, "for {text:?}");
        }
    }

    #[test]
    fn workspace_paths() {
        for (path, ok) in [
            ("/workspace/sales.csv", true),
            ("sales.csv", true),
            ("out/x.csv", true),
            ("/workspace", true),
            ("/workspacex/a", false),
            ("/etc/passwd", false),
            ("../etc/passwd", false),
            ("/workspace/../etc/passwd", false),
            ("~/.ssh/id_rsa", false),
            ("http://example.com/x.csv", false),
            ("file:///etc/passwd", false),
        ] {
            assert_eq!(workspace_path(path).is_ok(), ok, "for {path:?}");
        }
    }

    #[test]
    fn lines_are_one_based() {
        let index = LineIndex::new("a\nbb\nccc");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 2);
        assert_eq!(index.line(3), 2);
        assert_eq!(index.line(5), 3);
    }
}
