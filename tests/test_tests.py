"""Every test must be able to fail. This reads the suite's source (ast) and fails on the shapes of
test that cannot:

- an assert comparing an expression with itself (`assert x == x`), or asserting a constant;
- a conditional assert that passes whenever its condition is false (`assert a == b if c else True`,
  `assert a == b or True`);
- a skip (pytest.skip, skipif, xfail, or an `except NoReverseMatch` that returns) because a URL or
  route is missing: a missing page is a failure;
- a test that requests a page and asserts nothing but its status code: an error page, a leak or an
  empty list passes that as well; and a refusal (4xx) whose response is thrown away once its status
  is read (`assert client.get(url).status_code == 404`): refusals are checked with tests/checks.py,
  which reads the Chinese message and what the answer must not show;
- a wall-clock limit (time.time, perf_counter, monotonic) in an assert: under load it fails for
  nothing, and timing belongs to `make bench`; only tests marked `benchmark` may do it.

The guard's own tests below feed it small bad snippets, so the guard itself can fail too."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

# Tests that are about a status and nothing else, each with why. Keep it short: a refusal shows a
# Chinese page and leaves data unchanged, and that is what its test should check.
STATUS_ONLY_ALLOWED: dict[str, str] = {}

REQUEST_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "generic"}
# Calls that leave no trace: comparing two of them on the same arguments is comparing one value.
PURE_CALLS = {"len", "str", "int", "float", "bool", "sorted", "list", "set", "tuple", "dict", "sum", "min", "max"}
PURE_CALLS |= {"abs", "round", "repr", "Decimal", "frozenset", "type", "isinstance"}
WALL_CLOCKS = {"time", "time_ns", "perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns"}
SKIPS = {"skip", "skipif", "xfail", "importorskip"}
MISSING_ROUTE = re.compile(
    r"\burls?\b|\broutes?\b|\breverse\b|NoReverseMatch|Resolver404|\bnot (yet )?(implemented|wired)\b"
    r"|路由|网址|链接不存在|地址不存在|未实现|未配置页面",
    re.IGNORECASE,
)
ROUTE_ERRORS = {"NoReverseMatch", "Resolver404"}
# Context managers that check something themselves (a count of queries, an exception raised).
CHECKING_CONTEXTS = {
    "raises",
    "warns",
    "django_assert_num_queries",
    "django_assert_max_num_queries",
    "assertNumQueries",
    "assertRaises",
    "assertRaisesMessage",
}


@dataclass
class Offence:
    path: str
    line: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.text}"


@dataclass
class Suite:
    """What the guard knows across files: the helpers that check content (they assert something
    other than a status), so a test calling one is not a status-only test."""

    content_helpers: set[str] = field(default_factory=set)


def _dump(node: ast.AST) -> str:
    return ast.dump(node, annotate_fields=False, include_attributes=False)


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _calls(node: ast.AST):
    return (n for n in ast.walk(node) if isinstance(n, ast.Call))


def _is_pure(node: ast.AST) -> bool:
    """No call with effects inside: `f() == f()` may check determinism, `len(x) == len(x)` does not."""
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and _name(n.func) not in PURE_CALLS:
            return False
        if isinstance(n, ast.Await | ast.Yield | ast.YieldFrom | ast.NamedExpr):
            return False
    return True


def _truthy_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value)


def _strings(node: ast.AST) -> str:
    return " ".join(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))


# --- (a) and (b): asserts that cannot fail ------------------------------------------------------


def _module_names(tree: ast.Module) -> set[str]:
    """Names the module binds by import, def or class: always true, so `assert Role` checks nothing."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def _assert_offences(node: ast.Assert, always_true: set[str] = frozenset()) -> list[tuple[str, str]]:
    found = []
    test = node.test
    if isinstance(test, ast.Constant) and test.value:
        found.append(("constant assert", "asserts a constant"))
    if isinstance(test, ast.Name) and test.id in always_true:
        found.append(("constant assert", f"asserts {test.id}, an imported or defined name"))
    for compare in (n for n in ast.walk(test) if isinstance(n, ast.Compare)):
        operands = [compare.left, *compare.comparators]
        for left, right in zip(operands, operands[1:], strict=False):
            pairs = [(left, right)]
            # (a, x, b) == (c, x, d): the middle element is compared with itself.
            same_shape = isinstance(left, ast.Tuple | ast.List) and isinstance(right, ast.Tuple | ast.List)
            if same_shape and len(left.elts) == len(right.elts):
                pairs += list(zip(left.elts, right.elts, strict=True))
            for a, b in pairs:
                if _dump(a) == _dump(b) and _is_pure(a):
                    found.append(("compares a value with itself", ast.unparse(a)))
                    break
    # The assert's condition itself and its `and`/`or` parts: an IfExp inside a comparison
    # (`status == (200 if shown else 404)`) is a value, not a condition.
    parts, conditions = [test], []
    while parts:
        part = parts.pop()
        conditions.append(part)
        if isinstance(part, ast.BoolOp):
            parts.extend(part.values)
    for n in conditions:
        if isinstance(n, ast.IfExp) and (_truthy_constant(n.body) or _truthy_constant(n.orelse)):
            found.append(("conditional assert", "passes whenever its condition does not hold"))
        if isinstance(n, ast.BoolOp) and isinstance(n.op, ast.Or) and any(map(_truthy_constant, n.values)):
            found.append(("conditional assert", "`or` a constant: always true"))
    return found


# --- (c): skipping on a missing URL -------------------------------------------------------------


def _skip_offences(tree: ast.AST) -> list[tuple[int, str, str]]:
    found = []
    for call in _calls(tree):
        if _name(call.func) in SKIPS and MISSING_ROUTE.search(_strings(call)):
            found.append((call.lineno, "skips on a missing URL", _strings(call)[:80]))
    for handler in (n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)):
        caught = {_name(n) for n in ast.walk(handler.type)} if handler.type else set()
        if not caught & ROUTE_ERRORS:
            continue
        skips = any(_name(c.func) in SKIPS for c in _calls(handler))
        gives_up = all(isinstance(s, ast.Pass | ast.Return | ast.Continue) for s in handler.body)
        if skips or gives_up:
            found.append(
                (handler.lineno, "skips on a missing URL", f"except {', '.join(sorted(caught & ROUTE_ERRORS))}")
            )
    return found


# --- (d): tests asserting only a status code ----------------------------------------------------


def _is_status_compare(node: ast.AST) -> bool:
    """`x.status_code == 200`, `x.status_code in (302, 303)`: a status against constants."""
    if not isinstance(node, ast.Compare):
        return False
    operands = [node.left, *node.comparators]
    statuses = [o for o in operands if isinstance(o, ast.Attribute) and o.attr == "status_code"]
    others = [o for o in operands if o not in statuses]
    constant = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Attribute, ast.Name)
    return bool(statuses) and all(isinstance(o, constant) and "status_code" not in ast.unparse(o) for o in others)


def _is_status_assert(node: ast.Assert) -> bool:
    test = node.test
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    return all(_is_status_compare(p) for p in parts)


def _is_request(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    receiver = ast.unparse(node.func.value)
    return node.func.attr in REQUEST_METHODS and bool(
        re.search(r"client|api|login|browser|anon|visitor|^c$|^town$|^county$|^city$", receiver, re.IGNORECASE)
    )


def _refusal_codes(node: ast.AST) -> bool:
    values = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return all(isinstance(v, ast.Constant) and isinstance(v.value, int) and 400 <= v.value < 500 for v in values)


def _thrown_away_refusals(tree: ast.AST) -> list[tuple[int, str, str]]:
    """`assert client.get(url).status_code == 404`: the refusal's response is thrown away, so its
    Chinese message, what it hides and what it left unchanged are never looked at."""
    found = []
    for node in (n for n in ast.walk(tree) if isinstance(n, ast.Assert)):
        for compare in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            operands = [compare.left, *compare.comparators]
            inline = [
                o for o in operands if isinstance(o, ast.Attribute) and o.attr == "status_code" and _is_request(o.value)
            ]
            if inline and any(_refusal_codes(o) for o in operands if o not in inline):
                found.append((node.lineno, "refusal checked by its status only", ast.unparse(compare)[:90]))
    return found


def _own_nodes(func: ast.AST):
    """The nodes of a function, not of the functions defined inside it (those are helpers)."""
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _checks_content(func: ast.AST) -> bool:
    """Whether a function (or a function it defines, as a fixture does) asserts anything besides a
    status code."""
    return any(isinstance(n, ast.Assert) and not _is_status_assert(n) for n in ast.walk(func))


def _helper_called(call: ast.Call) -> str:
    """The helper a call names: `page_refused(...)` or `checks.page_refused(...)`, not a method."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if (
        isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "checks"
    ):
        return f"checks.{call.func.attr}"
    return ""


def _requests_a_page(func: ast.AST) -> bool:
    return any(_is_request(call) for call in _calls(func))


def _status_only(func: ast.FunctionDef, suite: Suite) -> bool:
    if not _requests_a_page(func):
        return False
    nodes = list(_own_nodes(func))
    asserts = [n for n in nodes if isinstance(n, ast.Assert)]
    if not any(_is_status_assert(a) for a in asserts):
        return False
    if any(not _is_status_assert(a) for a in asserts):
        return False
    for n in nodes:
        if isinstance(n, ast.withitem) and isinstance(n.context_expr, ast.Call):
            if _name(n.context_expr.func) in CHECKING_CONTEXTS:
                return False
        if isinstance(n, ast.Call) and _helper_called(n) in suite.content_helpers:
            return False
    return True


# --- (e): wall-clock limits ---------------------------------------------------------------------


def _reads_wall_clock(node: ast.AST, tainted: set[str]) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and _name(n.func) in WALL_CLOCKS:
            owner = n.func.value if isinstance(n.func, ast.Attribute) else None
            if owner is None or _name(owner) == "time":
                return True
        if isinstance(n, ast.Name) and n.id in tainted:
            return True
    return False


def _marked_benchmark(decorators) -> bool:
    return any("benchmark" in ast.unparse(d) for d in decorators)


def _timing_offences(func: ast.AST) -> list[tuple[int, str, str]]:
    tainted: set[str] = set()
    found = []
    # Statements in source order, so `start = perf_counter()` taints `elapsed = perf_counter() - start`.
    for node in sorted(_own_nodes(func), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value is not None:
            if _reads_wall_clock(node.value, tainted):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                tainted |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        if isinstance(node, ast.Assert) and _reads_wall_clock(node.test, tainted):
            found.append((node.lineno, "wall-clock limit", ast.unparse(node.test)[:80]))
    return found


# --- the whole file -----------------------------------------------------------------------------


def _functions(tree: ast.Module):
    """(function, marked benchmark) for every function of the module, with classes' methods."""
    module_benchmark = any(
        isinstance(n, ast.Assign)
        and any(_name(t) == "pytestmark" for t in n.targets)
        and "benchmark" in ast.unparse(n.value)
        for n in tree.body
    )

    def visit(nodes, benchmark):
        for node in nodes:
            if isinstance(node, ast.ClassDef):
                yield from visit(node.body, benchmark or _marked_benchmark(node.decorator_list))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield node, benchmark or _marked_benchmark(node.decorator_list)
                yield from visit(node.body, benchmark or _marked_benchmark(node.decorator_list))

    yield from visit(tree.body, module_benchmark)


def content_helpers(tree: ast.Module) -> set[str]:
    """Names of the module's own helper functions (and fixtures) that assert content."""
    functions = (n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    return {f.name for f in functions if not f.name.startswith("test_") and _checks_content(f)}


def offences(source: str, path: str = "<snippet>", suite: Suite | None = None) -> list[Offence]:
    tree = ast.parse(source)
    suite = suite or Suite(content_helpers=content_helpers(tree))
    found: list[Offence] = []
    always_true = _module_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            found += [Offence(path, node.lineno, kind, text) for kind, text in _assert_offences(node, always_true)]
    found += [Offence(path, line, kind, text) for line, kind, text in _skip_offences(tree)]
    found += [Offence(path, line, kind, text) for line, kind, text in _thrown_away_refusals(tree)]
    for func, benchmark in _functions(tree):
        if not benchmark:
            found += [Offence(path, line, kind, text) for line, kind, text in _timing_offences(func)]
        if func.name.startswith("test_") and _status_only(func, suite):
            key = f"{path}::{func.name}"
            if key not in STATUS_ONLY_ALLOWED:
                found.append(Offence(path, func.lineno, "asserts only status codes", func.name))
    return sorted(found, key=lambda o: (o.path, o.line))


def _suite_files() -> dict[str, str]:
    return {str(p.relative_to(TESTS.parent)): p.read_text() for p in sorted(TESTS.rglob("*.py"))}


def _module_path(importer: str, node: ast.ImportFrom) -> str | None:
    """The suite file an import reads from (`from tests.checks import ...`, `from .conftest import ...`)."""
    if node.level:
        base = Path(importer).parent
        for _ in range(node.level - 1):
            base = base.parent
        parts = [*base.parts, *(node.module or "").split(".")]
    elif node.module and node.module.split(".")[0] == "tests":
        parts = node.module.split(".")
    else:
        return None
    return "/".join(p for p in parts if p) + ".py"


def _helpers_seen_from(path: str, files: dict[str, str], trees: dict[str, ast.Module]) -> set[str]:
    """The content helpers a file can call: its own, its folders' conftest fixtures, and those it
    imports from other test modules (a name alone would mix up two files' helpers)."""
    seen = content_helpers(trees[path])
    folder = Path(path).parent
    while folder.parts:
        conftest = str(folder / "conftest.py")
        if conftest in trees:
            seen |= content_helpers(trees[conftest])
        folder = folder.parent
    for node in ast.walk(trees[path]):
        if isinstance(node, ast.ImportFrom):
            source = _module_path(path, node)
            if source in trees:
                theirs = content_helpers(trees[source])
                seen |= {alias.asname or alias.name for alias in node.names if alias.name in theirs}
            elif node.module == "tests" and any(alias.name == "checks" for alias in node.names):
                seen |= {f"checks.{name}" for name in content_helpers(trees["tests/checks.py"])}
    return seen


def suite_offences() -> list[Offence]:
    files = _suite_files()
    trees = {path: ast.parse(source) for path, source in files.items()}
    return [
        o
        for path, source in files.items()
        for o in offences(source, path, Suite(_helpers_seen_from(path, files, trees)))
    ]


# --- the suite ----------------------------------------------------------------------------------


def test_every_test_in_the_suite_can_fail():
    found = suite_offences()
    assert not found, "\n".join(map(str, found))


def test_the_status_only_allow_list_names_status_only_tests():
    """An allowed test that has since learned to check more (or is gone) leaves the list."""
    files = _suite_files()
    trees = {path: ast.parse(source) for path, source in files.items()}
    for key in STATUS_ONLY_ALLOWED:
        path, name = key.split("::")
        func = next((f for f, _ in _functions(trees[path]) if f.name == name), None) if path in trees else None
        assert func is not None, f"{key} no longer exists"
        assert _status_only(func, Suite(_helpers_seen_from(path, files, trees))), (
            f"{key} checks more than a status now: remove it from the list"
        )


def test_the_guard_reads_every_test_file():
    files = _suite_files()
    assert "tests/test_tests.py" in files
    assert sum(path.split("/")[-1].startswith("test_") for path in files) > 80


# --- the guard can fail -------------------------------------------------------------------------


def _kinds(source: str) -> list[str]:
    return [o.kind for o in offences(source)]


@pytest.mark.parametrize(
    "snippet",
    [
        "def test_x(row):\n    assert row['a'] == row['a']\n",
        "def test_x(page):\n    assert len(page.rows) == len(page.rows)\n",
        "def test_x(a, b):\n    assert a == b and b.total >= b.total\n",
        "def test_x(a):\n    assert a.x == 1 == 1\n",
        "def test_x(clue, today):\n    assert (clue.source, clue.amount, clue.day) == ('自查', clue.amount, today)\n",
    ],
)
def test_guard_finds_a_comparison_with_itself(snippet):
    assert _kinds(snippet) == ["compares a value with itself"]


def test_guard_finds_a_constant_assert():
    assert _kinds("def test_x():\n    assert True\n") == ["constant assert"]
    assert _kinds("def test_x():\n    assert '规则'\n") == ["constant assert"]
    assert _kinds("from villages.models import Role\ndef test_x():\n    assert Role\n") == ["constant assert"]
    assert _kinds("def test_x(report):\n    assert report\n") == []


@pytest.mark.parametrize(
    "snippet",
    [
        "def test_x(a, b, rate):\n    assert a == b if rate else True\n",
        "def test_x(a, b, rate):\n    assert a and (a == b if rate else 1)\n",
        "def test_x(a, b, rate):\n    assert (True if not rate else a == b)\n",
        "def test_x(a, b):\n    assert a == b or True\n",
    ],
)
def test_guard_finds_a_conditional_assert(snippet):
    assert _kinds(snippet) == ["conditional assert"]


@pytest.mark.parametrize(
    "snippet",
    [
        "import pytest\ndef test_x():\n    pytest.skip('URL not wired yet')\n",
        "import pytest\ndef test_x():\n    pytest.skip(reason='dashboards:county 路由未实现')\n",
        "import pytest\n@pytest.mark.skipif(True, reason='NoReverseMatch: no export route')\ndef test_x():\n    pass\n",
        "import pytest\n@pytest.mark.xfail(reason='the url is missing')\ndef test_x():\n    pass\n",
        (
            "import pytest\nfrom django.urls import NoReverseMatch, reverse\n"
            "def test_x(client):\n    try:\n        url = reverse('assets:export')\n"
            "    except NoReverseMatch:\n        pytest.skip('not there')\n"
        ),
        (
            "from django.urls import NoReverseMatch, reverse\n"
            "def test_x(client):\n    try:\n        url = reverse('assets:export')\n"
            "    except NoReverseMatch:\n        return\n    assert client.get(url).content\n"
        ),
    ],
)
def test_guard_finds_a_skip_on_a_missing_url(snippet):
    assert "skips on a missing URL" in _kinds(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "def test_x(client):\n    assert client.get('/dashboards/').status_code == 200\n",
        (
            "def test_x(login, clerk):\n    c = login(clerk)\n    r = c.post('/income/1/approve/')\n"
            "    assert r.status_code == 403\n    assert c.get('/').status_code in (200, 302)\n"
        ),
        (
            "def test_x(api_login, user):\n    for url in ('/api/a/', '/api/b/'):\n"
            "        response = api_login(user).get(url)\n        assert response.status_code == 404\n"
        ),
        # A helper that only checks the status does not count as checking content.
        (
            "def _ok(r):\n    assert r.status_code == 200\n    return r\n"
            "def test_x(client):\n    _ok(client.get('/'))\n    assert client.get('/a/').status_code == 200\n"
        ),
    ],
)
def test_guard_finds_a_test_asserting_only_status_codes(snippet):
    assert _kinds(snippet) == ["asserts only status codes"]


@pytest.mark.parametrize(
    "snippet",
    [
        "def test_x(client, report):\n    assert client.get('/x/').status_code == 404\n    assert report.status == 'draft'\n",
        (
            "def test_x(api_login, clerk, plan):\n    assert api_login(clerk).post('/api/p/', {}).status_code in (401, 403)\n"
            "    assert plan.version == 1\n"
        ),
        (
            "def test_x(login, clerk, plan):\n    assert (\n        login(clerk).post('/plan/', {'share': '10'}).status_code\n"
            "        == 403\n    )\n    assert plan.share == 60\n"
        ),
    ],
)
def test_guard_finds_a_refusal_thrown_away(snippet):
    assert _kinds(snippet) == ["refusal checked by its status only"]


@pytest.mark.parametrize(
    "snippet",
    [
        (
            "import time\ndef test_x(client):\n    start = time.perf_counter()\n    client.get('/')\n"
            "    assert time.perf_counter() - start < 0.5\n"
        ),
        (
            "import time\ndef test_x(build):\n    t0 = time.time()\n    build()\n    elapsed = time.time() - t0\n"
            "    assert elapsed < 2, elapsed\n"
        ),
        (
            "from time import monotonic\ndef test_x(build):\n    began = monotonic()\n    build()\n"
            "    took = monotonic() - began\n    assert took <= 1.0\n"
        ),
    ],
)
def test_guard_finds_a_wall_clock_limit(snippet):
    assert _kinds(snippet) == ["wall-clock limit"]


@pytest.mark.parametrize(
    "snippet",
    [
        # Two computations compared, a determinism check, a real condition.
        "def test_x(a, b):\n    assert a['x'] == b['x']\n",
        "def test_x(build):\n    assert build(seed=1) == build(seed=1)\n",
        "def test_x(a, b, rate):\n    assert a == (b if rate else 0)\n",
        # A status with the page's content, a refusal checked by a helper, an expected exception.
        (
            "def test_x(client):\n    r = client.get('/')\n    assert r.status_code == 200\n"
            "    assert '数据看板' in r.content.decode()\n"
        ),
        (
            "from tests.checks import page_refused\n"
            "def test_x(client):\n    page_refused(client.get('/x/'), 404, hides=['万乐村'])\n"
        ),
        # A refusal kept and looked at; a status of a page opened in passing.
        (
            "def test_x(client, report):\n    response = client.get('/x/')\n    assert response.status_code == 404\n"
            "    assert '页面不存在' in response.content.decode() and report.status == 'draft'\n"
        ),
        "def test_x(client, report):\n    assert client.get('/x/').status_code == 200\n    assert report.status == 'draft'\n",
        (
            "def test_x(client, django_assert_num_queries):\n    with django_assert_num_queries(5):\n"
            "        assert client.get('/').status_code == 200\n"
        ),
        # A skip for a missing program, not a missing page; a polling deadline; CPU time; a benchmark.
        "import pytest\ndef test_x():\n    pytest.skip('/usr/bin/chromium 不存在')\n",
        (
            "import time\ndef test_x(job):\n    deadline = time.monotonic() + 60\n"
            "    while time.monotonic() < deadline and not job.done():\n        time.sleep(1)\n    assert job.done()\n"
        ),
        (
            "import time\ndef test_x(build):\n    start = time.process_time()\n    build()\n"
            "    assert time.process_time() - start < 5\n"
        ),
        (
            "import time, pytest\n@pytest.mark.benchmark\ndef test_x(build):\n    start = time.perf_counter()\n"
            "    build()\n    assert time.perf_counter() - start < 5\n"
        ),
    ],
)
def test_guard_passes_tests_that_can_fail(snippet):
    assert _kinds(snippet) == []
