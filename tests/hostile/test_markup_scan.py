"""The UI's source never hands text built from a name or a message to a markup-reading call.

Issue 19, item 2: a card named ``[/] x`` ended the app (MarkupError) and
``[@click=app.quit]x[/]`` became a live link, because Textual reads a plain ``str`` as content
markup. This scan reads every module of ``trello_tui/ui`` with ``ast`` and fails on a call
that reads its text as markup when that text is not known to be safe.

Covered (what Textual 8 reads as markup):

- ``notify(message)``: the message must be a string literal, or the call says
  ``markup=False`` (the message is a ``str``; a toast's title is never markup);
- ``Static``, ``Label`` (unless ``markup=False``), ``Button``, ``Option``, ``Selection``,
  ``Tab``, ``Checkbox``, ``RadioButton``, ``Collapsible(title=)``, ``DiscoveryHit``,
  ``Hit`` (its prompt) and ``SimpleCommand``; ``.update(...)`` (Static), ``.add_option``,
  ``.render_str``, ``Matcher.highlight``; the ``help=`` of a palette hit and any widget's
  ``tooltip=``; assignments to ``border_title``, ``border_subtitle`` and ``tooltip``;
  ``Content.from_markup`` / ``Text.from_markup`` (a literal template only: variables are
  substituted as plain text); what a ``render`` method returns; and every
  ``search_commands`` call (it reads each name as markup: ``safe.literal_commands`` instead).

Safe text: a literal; ``Content``/``Text``/``Strip``/``Segment`` built without markup
(``Content(...)``, ``Content.assemble``/``styled``, ``Text(...)``, ``Text.assemble``,
``trello_tui.ui.safe``'s ``plain``/``styled``/``escape``/``highlight``) and their methods;
a function of the same module annotated to return one; an f-string or ``+`` whose parts are
literals or numbers (``len(...)``); a name or ``self.`` attribute every assignment of which is
safe (or annotated ``Content``/``Text``). Anything else — an f-string of a name, ``str(exc)``,
``.format``, ``", ".join(names)``, an attribute such as ``card.name`` — is flagged.

Not covered, on purpose: ``title``/``sub_title`` (Textual 8 shows them with ``Content(title)``,
checked below), ``Input(placeholder=)`` (shown as ``Text``), and ``Binding(tooltip=)``, whose
texts are the literals of the ``COMMANDS`` table.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import trello_tui.ui

UI = Path(trello_tui.ui.__file__).parent

#: constructor -> (position, keyword) of the text it reads as markup
CONSTRUCTORS: dict[str, tuple[int, str]] = {
    "Static": (0, "content"),
    "Label": (0, "content"),
    "Button": (0, "label"),
    "Option": (0, "prompt"),
    "Selection": (0, "prompt"),
    "Tab": (0, "label"),
    "Checkbox": (0, "label"),
    "RadioButton": (0, "label"),
    "Collapsible": (-1, "title"),
    "DiscoveryHit": (0, "display"),
    "Hit": (1, "match_display"),
    "SimpleCommand": (0, "name"),
}
#: method -> (position, keyword) of the text it reads as markup
METHODS: dict[str, tuple[int, str]] = {
    "update": (0, "content"),
    "add_option": (0, "item"),
    "render_str": (0, "text_content"),
    "highlight": (0, "candidate"),
}
#: keywords read as markup by whatever takes them (Binding's tooltips are the COMMANDS table)
KEYWORDS = {"help": {"Hit", "DiscoveryHit"}, "tooltip": None}
ATTRIBUTES = {"border_title", "border_subtitle", "tooltip"}
#: constructors of objects that are not text (each checked where it is built)
OBJECTS = {"Option", "Selection", "Hit", "DiscoveryHit", "Binding"}
#: widgets whose ``update`` takes no Textual markup (Markdown is parsed as Markdown)
NOT_MARKUP_WIDGETS = {"Markdown", "MarkdownViewer", "TextArea", "Log", "Input"}
#: calls that build text without reading markup
BUILDERS = {"plain", "styled", "escape", "highlight", "Content", "Text", "Strip", "Segment"}
RICH_CLASSES = {"Content", "Text"}
RICH_CLASS_METHODS = {"assemble", "styled", "from_rich_text", "blank", "empty"}
RICH_METHODS = {
    "stylize",
    "stylize_before",
    "append",
    "append_text",
    "join",
    "copy",
    "pad",
    "pad_left",
    "pad_right",
    "truncate",
    "expand_tabs",
    "rstrip",
    "strip",
    "simplify",
    "crop",
    "adjust_cell_length",
}
NUMBER_FUNCS = {"len", "sum", "int", "float", "round", "abs", "min", "max"}
RICH_TYPES = ("Content", "Text", "Strip", "Segment", "Option", "Visual")
NOT_TEXT_TYPES = ("set[", "dict[", "frozenset[", "Mapping[", "Iterable[", "Sequence[", "list[")

#: what an expression is known to be: a literal (our own text, markup meant), a number, a
#: Content/Text built without markup, something that is not text at all; None: unknown
LITERAL, NUMBER, RICH, OTHER = "literal", "number", "rich", "other"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


class Scope:
    """Where a name is looked up: the enclosing function, class and module."""

    def __init__(
        self,
        module: ast.Module,
        function: ast.FunctionDef | ast.AsyncFunctionDef | None,
        cls: ast.ClassDef | None,
    ) -> None:
        self.module = module
        self.function = function
        self.cls = cls

    # -- what an expression is -------------------------------------------------------------

    def kind(self, node: ast.expr | None, seen: frozenset[str] = frozenset()) -> str | None:
        if node is None:
            return None
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or node.value is None:
                return OTHER
            return NUMBER if isinstance(node.value, int | float) else LITERAL
        if isinstance(node, ast.JoinedStr):
            parts = [
                self.kind(v.value, seen) for v in node.values if isinstance(v, ast.FormattedValue)
            ]
            return LITERAL if all(p in (LITERAL, NUMBER) for p in parts) else None
        if isinstance(node, ast.BinOp):
            left, right = self.kind(node.left, seen), self.kind(node.right, seen)
            if None in (left, right):
                return None
            if RICH in (left, right):
                return RICH
            return NUMBER if left == right == NUMBER else LITERAL
        if isinstance(node, ast.IfExp):
            kinds = {self.kind(node.body, seen), self.kind(node.orelse, seen)}
            if None in kinds:
                return None
            return RICH if RICH in kinds else kinds.pop()
        if isinstance(node, ast.Call):
            return self.call_kind(node, seen)
        if isinstance(node, ast.Name):
            return self.name_kind(node.id, seen)
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                return self.attribute_kind(node.attr, seen)
            return None
        not_text = (ast.Dict, ast.Set, ast.DictComp, ast.SetComp, ast.List, ast.ListComp)
        if isinstance(node, not_text):
            return OTHER
        return None

    def call_kind(self, node: ast.Call, seen: frozenset[str]) -> str | None:
        func = node.func
        if isinstance(func, ast.Name):
            if func.id in BUILDERS:
                return LITERAL if func.id == "escape" else RICH
            if func.id in OBJECTS or self.module_class(func.id) is not None:
                return OTHER  # an object, not a str (an Option is checked where it is built)
            if func.id in NUMBER_FUNCS:
                return NUMBER
            if func.id in ("set", "dict", "frozenset"):
                return OTHER
            return self.returns(self.module_function(func.id))
        if isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Name) and owner.id in RICH_CLASSES:
                if func.attr in RICH_CLASS_METHODS:
                    return RICH
                if func.attr == "from_markup":  # a literal template; variables are plain
                    first = node.args[0] if node.args else None
                    return RICH if isinstance(first, ast.Constant) else None
                return None
            if func.attr in RICH_METHODS and self.kind(owner, seen) == RICH:
                return RICH
            if isinstance(owner, ast.Call) and _callee(owner) == "super":
                return OTHER  # what Textual's own method makes
            if isinstance(owner, ast.Name) and owner.id == "self":
                return self.returns(self.method(func.attr))
        return None

    def returns(self, function: ast.FunctionDef | ast.AsyncFunctionDef | None) -> str | None:
        if function is None or function.returns is None:
            return None
        shown = ast.unparse(function.returns)
        return RICH if any(t in shown for t in RICH_TYPES) else None

    def annotation_kind(self, annotation: ast.expr | None) -> str | None:
        if annotation is None:
            return None
        shown = ast.unparse(annotation)
        if any(t in shown for t in RICH_TYPES):
            return RICH
        if shown in ("int", "float"):
            return NUMBER
        if shown.startswith(NOT_TEXT_TYPES) or shown == "bool":
            return OTHER
        return None

    def name_kind(self, name: str, seen: frozenset[str]) -> str | None:
        if name in seen:
            return None
        seen = seen | {name}
        if self.function is not None:
            arguments = self.function.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if arg.arg == name:
                    return self.annotation_kind(arg.annotation)
            found = self.bindings(self.function, name, seen)
            if found is not False:
                return found  # type: ignore[return-value]
        found = self.bindings(self.module, name, seen, top=True)
        return None if found is False else found  # type: ignore[return-value]

    def bindings(
        self, where: ast.AST, name: str, seen: frozenset[str], top: bool = False
    ) -> object:
        """The kind every binding of ``name`` in ``where`` agrees on; False if none."""
        kinds: list[str | None] = []
        nodes = where.body if top else ast.walk(where)  # type: ignore[attr-defined]
        for node in nodes:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                kinds.append(self.kind(node.value, seen))
            elif isinstance(node, ast.AnnAssign) and _is_name(node.target, name):
                kinds.append(self.annotation_kind(node.annotation) or self.kind(node.value, seen))
            elif isinstance(node, ast.NamedExpr) and _is_name(node.target, name):
                kinds.append(self.kind(node.value, seen))
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension) and _is_name(
                node.target, name
            ):
                # an element of what a same-module function returns (list[Text]), else unknown
                kinds.append(
                    self.kind(node.iter, seen) if isinstance(node.iter, ast.Call) else None
                )
        if not kinds:
            return False
        if None in kinds:
            return None
        return RICH if RICH in kinds else kinds[0]

    def attribute_kind(self, attr: str, seen: frozenset[str]) -> str | None:
        if self.cls is None or f"self.{attr}" in seen:
            return None
        seen = seen | {f"self.{attr}"}
        kinds: list[str | None] = []
        for node in self.cls.body:
            if isinstance(node, ast.AnnAssign) and _is_name(node.target, attr):
                kinds.append(self.annotation_kind(node.annotation) or self.kind(node.value, seen))
            elif isinstance(node, ast.Assign) and any(_is_name(t, attr) for t in node.targets):
                kinds.append(self.kind(node.value, seen))
        for function in self.cls.body:
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            inner = Scope(self.module, function, self.cls)
            for node in ast.walk(function):
                targets: list[ast.expr] = []
                if isinstance(node, ast.Assign):
                    targets = node.targets
                elif isinstance(node, ast.AnnAssign):
                    targets = [node.target]
                for target in targets:
                    if _is_self_attr(target, attr):
                        annotated = isinstance(node, ast.AnnAssign) and inner.annotation_kind(
                            node.annotation
                        )
                        value = node.value  # type: ignore[union-attr]
                        kinds.append(annotated or inner.kind(value, seen))
        if not kinds or None in kinds:
            return None
        return RICH if RICH in kinds else kinds[0]

    def module_function(self, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for node in self.module.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                return node
        return None

    def module_class(self, name: str) -> ast.ClassDef | None:
        for node in self.module.body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return node
        return None

    def method(self, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for node in self.cls.body if self.cls else []:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                return node
        return None

    def safe(self, node: ast.expr | None) -> bool:
        return self.kind(node) in (LITERAL, NUMBER, RICH, OTHER)


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_self_attr(node: ast.expr, attr: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == attr
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _queried_type(node: ast.expr) -> str | None:
    """``T`` of ``query_one(selector, T)`` (the widget an update goes to), else None."""
    if isinstance(node, ast.Call) and _callee(node) == "query_one" and node.args:
        last = node.args[-1]
        return last.id if isinstance(last, ast.Name) else None
    return None


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if 0 <= position < len(call.args):
        return call.args[position]
    return None


def _says_no_markup(call: ast.Call) -> bool:
    return any(
        kw.arg == "markup" and isinstance(kw.value, ast.Constant) and kw.value.value is False
        for kw in call.keywords
    )


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def scan_source(source: str, path: str = "<snippet>") -> list[Finding]:
    """Every markup-reading call of ``source`` given text not known to be safe."""
    module = ast.parse(source)
    findings: list[Finding] = []
    # a widget of this module built on Static or Label reads its content as they do
    constructors = dict(CONSTRUCTORS)
    switchable = {"Static", "Label"}  # these take markup=False
    for node in ast.walk(module):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id in ("Static", "Label") for base in node.bases
        ):
            constructors[node.name] = (0, "content")
            switchable.add(node.name)

    def flag(node: ast.AST, what: str) -> None:
        findings.append(Finding(path, getattr(node, "lineno", 0), what))

    def visit(node: ast.AST, scope: Scope) -> None:
        if isinstance(node, ast.ClassDef):
            scope = Scope(module, None, node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scope = Scope(module, node, scope.cls)
            if node.name == "render" and scope.cls is not None:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and not scope.safe(inner.value):
                        flag(inner, f"render() returns {ast.unparse(inner.value or node)}")
        if isinstance(node, ast.Call):
            check_call(node, scope)
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                named = isinstance(target, ast.Attribute) and target.attr in ATTRIBUTES
                if named and not scope.safe(node.value):
                    flag(node, f"{ast.unparse(target)} = {ast.unparse(node.value)}")  # type: ignore[arg-type]
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    def check_call(call: ast.Call, scope: Scope) -> None:
        name = _callee(call)
        shown = ast.unparse(call)
        if name == "notify":
            message = _argument(call, 0, "message")
            if not isinstance(message, ast.Constant) and not _says_no_markup(call):
                flag(call, f"{shown}: a message not a literal needs markup=False")
        elif name == "search_commands":
            flag(call, f"{shown}: reads every name as markup (use safe.literal_commands)")
        elif name == "from_markup":
            first = call.args[0] if call.args else None
            if not isinstance(first, ast.Constant):
                flag(call, f"{shown}: markup from a value (a literal template only)")
        elif isinstance(call.func, ast.Name) and name in constructors:
            if not (name in switchable and _says_no_markup(call)):
                text = _argument(call, *constructors[name])
                if text is not None and not scope.safe(text):
                    flag(call, f"{shown}: {ast.unparse(text)} is read as markup")
        elif isinstance(call.func, ast.Attribute) and name in METHODS and len(call.args) == 1:
            if _queried_type(call.func.value) in NOT_MARKUP_WIDGETS:
                return
            text = _argument(call, *METHODS[name])
            if text is not None and not scope.safe(text):
                flag(call, f"{shown}: {ast.unparse(text)} is read as markup")
        for kw in call.keywords:
            takers = KEYWORDS.get(kw.arg or "", set())
            taken = kw.arg in KEYWORDS and (takers is None or name in takers)
            if taken and name != "Binding" and not scope.safe(kw.value):
                flag(call, f"{shown}: {kw.arg}={ast.unparse(kw.value)} is read as markup")

    visit(module, Scope(module, None, None))
    return findings


def scan_ui() -> list[Finding]:
    findings: list[Finding] = []
    for path in sorted(UI.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        findings.extend(scan_source(source, str(path.relative_to(UI.parent.parent))))
    return findings


def test_no_ui_text_reaches_a_markup_reading_call_unescaped() -> None:
    findings = scan_ui()
    assert not findings, "text read as markup:\n" + "\n".join(map(str, findings))


def test_the_scan_reads_every_ui_module() -> None:
    modules = sorted(UI.rglob("*.py"))
    assert len(modules) > 30  # screens, widgets and the app: the scan is not looking elsewhere
    calls = sum(
        1
        for path in modules
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and _callee(node) == "notify"
    )
    assert calls > 30  # and it sees the toasts it is there for


FLAGGED = [
    # the report's own case: a new toast naming a card
    'def f(self, name: str) -> None:\n    self.notify(f"Moved {name}")',
    'def f(self, exc: Exception) -> None:\n    self.app.notify(f"Could not: {exc}", title="x")',
    "def f(self, card) -> None:\n    self.notify(card.name)",
    "def f(self, exc) -> None:\n    self.notify(str(exc))",
    'def f(self, names) -> None:\n    self.notify(", ".join(names))',
    'def f(self, card, where) -> None:\n    Option(f"{card.name}  [dim]{where}[/]", id="x")',
    "def f(self, entry) -> None:\n    Option(entry.text)",
    "def f(self, entry) -> None:\n    yield Static(entry.text)",
    'def f(self, name) -> None:\n    yield Label("Card: " + name)',
    'def f(self, name) -> None:\n    self.query_one(Static).update("{} moved".format(name))',
    "def f(self, exc) -> None:\n    self.info.update(str(exc))",
    "def f(self, name: str) -> None:\n    Content.from_markup(name)",
    'def f(self, name: str) -> None:\n    Text.from_markup(f"[b]{name}[/]")',
    "def f(self, card) -> None:\n    self.border_title = card.name",
    "def f(self, cmds) -> None:\n    self.app.search_commands(cmds)",
    "def f(self, matcher, title: str) -> None:\n    matcher.highlight(title)",
    "def f(self, s, run, h: str) -> None:\n    yield Hit(s, plain('x'), run, help=h)",
    "def f(self, card) -> None:\n    SimpleCommand(card.name, lambda: None)",
    "class W:\n    def render(self) -> str:\n        return self.name",
    "class P:\n    def __init__(self, title: str) -> None:\n"
    "        self.heading = title\n    def compose(self):\n        yield Static(self.heading)",
    "def f(self, lines) -> None:\n"
    '    text = "\\n".join(f"• {line}" for line in lines)\n    yield Static(text)',
    "def f(self, card) -> None:\n    self.query_one('#t', Static).update(card.name)",
    "class Header(Static):\n    pass\ndef f(self, lst) -> None:\n    yield Header(lst.name)",
]

ACCEPTED = [
    'def f(self, name: str) -> None:\n    self.notify(f"Moved {name}", markup=False)',
    'def f(self) -> None:\n    self.notify("Card URL copied")',
    'def f(self, n: int) -> None:\n    yield Static(f"{n} cards")',
    'def f(self, marked) -> None:\n    yield Static(f"{len(marked)} cards")',
    "def f(self, entry) -> None:\n    Option(plain(entry.text))",
    'def f(self, card, where) -> None:\n    Option(styled(card.name, "  ", (where, "dim")))',
    'def f(self, name) -> None:\n    Option(Text(name, style="bold"))',
    'def f(self, name) -> None:\n    self.info.update(Text.assemble((name, "bold"), " x"))',
    'def f(self, name) -> None:\n    Content.from_markup("[b]$name[/]", name=name)',
    "def f(self, name) -> None:\n    yield Static(name, markup=False)",
    "def f(self, names) -> None:\n    self.names.update({n: 1 for n in names})",
    "def f(self, marks: set[str]) -> None:\n    self.marks.update(marks)",
    "def f(self, name) -> None:\n    text = Text()\n    text.append(name)\n    self.q.update(text)",
    "def shown(name: str) -> Content:\n    return plain(name)\n"
    "def f(self, name) -> None:\n    Option(shown(name))",
    "class W:\n    def render(self) -> Text:\n        left = Text(self.name)\n"
    '        return left + Text(" ")',
    "def f(self, matcher, title: str) -> None:\n"
    '    Hit(1, highlight(matcher, title), run, help=escape("a"))',
    "def f(self, name) -> None:\n    self.border_title = plain(name)",
    "def f(self, card) -> None:\n    self.query_one('#d', Markdown).update(card.desc)",
    "class M:\n    def render(self) -> RenderableType:\n        found = super().render()\n"
    "        return found",
]


@pytest.mark.parametrize("snippet", FLAGGED)
def test_the_scan_flags(snippet: str) -> None:
    assert scan_source(textwrap.dedent(snippet)), snippet


@pytest.mark.parametrize("snippet", ACCEPTED)
def test_the_scan_accepts(snippet: str) -> None:
    assert scan_source(textwrap.dedent(snippet)) == [], snippet


def test_titles_are_shown_as_they_are() -> None:
    """Why titles are not scanned: Textual 8 shows a screen's title and sub-title as Content
    built without markup (a Header would; the app shows none, but keep it true)."""
    from textual.app import App

    shown = App().format_title("[/] x", "[@click=app.quit]x[/]")
    assert shown.plain == "[/] x — [@click=app.quit]x[/]"
    assert not [span for span in shown.spans if "@click" in str(span.style)]
