"""A Jinja environment whose output expressions escape without making Markup objects.

With autoescape on, Jinja compiles `{{ value }}` to `escape(value)`, and markupsafe's
escape wraps every result in a new Markup string, through two Python-level calls: on a
page with seventy values that is a quarter of its rendering time. The wrapping is not
needed there: output is joined into the page, and output captured by a macro, a
`{% set %}` or a `{% call %}` block is marked safe as a whole by Jinja. So templates
compiled here bind `escape` to `escape_text`, which gives the same characters as plain
text. Filters and the `|e` filter still use markupsafe.

The rest takes Jinja's per-render work out of the way, with the same output: attribute
access and the text between two tags (see _CodeGenerator), calls of the environment's
own functions (_Context.call), templates looked up by name and globals (Environment).
tests/test_templating.py renders each construct here and with stock Jinja.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.nodes import Template

# Values escaped before, by value: a page shows the same titles, links and site-wide
# values again and again (on an article page, the cache answers for most of its seventy
# escapes). Cleared when full, so it stays small however many values a site has.
_ESCAPED: dict[str, str] = {}
_ESCAPED_MAX = 100_000


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def escape_text(value: Any) -> str:
    """markupsafe.escape(value), as a str: the same replacements, and objects with an
    __html__ method (Markup) are trusted as markupsafe trusts them."""
    if type(value) is str:
        escaped = _ESCAPED.get(value)
        if escaped is None:
            if len(_ESCAPED) >= _ESCAPED_MAX:
                _ESCAPED.clear()
            escaped = _ESCAPED[value] = _escape(value)
        return escaped
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape(str(value))


class _CodeGenerator(CodeGenerator):
    @optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        """`obj.name` as Python's getattr, in C; only when the object has no such
        attribute, its item of that name or an undefined value, as Jinja's
        environment.getattr gives them. Jinja calls that Python method for every dot, a
        hundred times a page. The object is evaluated once, into a temporary name."""
        if self.environment.is_async:
            super().visit_Getattr(node, frame)
            return
        obj, value = self.temporary_identifier(), self.temporary_identifier()
        self.write(f"({value} if ({value} := getattr(({obj} := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing "
                   f"else environment.item_or_undefined({obj}, {node.attr!r}))")

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        """Text and values between two tags as one string: Jinja yields each piece on its
        own, and every piece then passes through the generator of each template above
        (an article page's pieces through article.html's and base.html's). The pieces
        are gathered as Jinja gathers them in a macro or a {% set %} block."""
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 2:
            super().visit_Output(node, frame)
            return
        buffer = self.temporary_identifier()
        self.writeline(f"{buffer} = []")
        frame.buffer = buffer
        try:
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None
        self.writeline(f"yield concat({buffer})")

    def visit_Template(self, node: Template, frame: Frame | None = None) -> None:
        super().visit_Template(node, frame)
        # Module level, after everything: the template's functions look `escape` up
        # when they run, so they find this one rather than the one imported at the top.
        self.writeline("from digest.templating import escape_text as escape")


def _takes_no_context(value: Any) -> bool:
    """A callable that Jinja calls as it is: not marked with pass_context,
    pass_eval_context or pass_environment (which set `jinja_pass_arg`), nor is its
    __call__."""
    method = getattr(value, "__call__", None)  # noqa: B004 - where Jinja looks for a mark
    return callable(value) and not hasattr(value, "jinja_pass_arg") \
        and not hasattr(method, "jinja_pass_arg")


class _Context(jinja2.runtime.Context):
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Jinja's, straight to the call for the environment's own functions (a list
        page calls `entry` ten times): Jinja looks for context-passing marks on every
        call."""
        if id(__obj) not in __self.environment.plain_functions():
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator
    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: dict[tuple[str, str | None], jinja2.Template] = {}
        self._plain: dict[int, Any] | None = None

    def plain_functions(self) -> dict[int, Any]:
        """The global functions that take no context, by id, worked out once: globals do
        not change once templates are loaded (see make_globals). The dict keeps the
        functions alive, so no other object can take one of their ids."""
        if self._plain is None:
            self._plain = {id(value): value for value in self.globals.values()
                           if _takes_no_context(value)}
        return self._plain

    def item_or_undefined(self, obj: Any, attribute: str) -> Any:
        """What Jinja's getattr gives once the object has no such attribute: the item of
        that name (`pagination.number` of a dict), else an undefined value."""
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def get_template(self, name: str | jinja2.Template, parent: str | None = None,
                     globals: Any = None) -> jinja2.Template:
        """Jinja's, remembered by name: every `{% extends %}` and `{% include %}` asks
        for its template on each render, and Jinja's own cache makes a weak reference
        and checks the template each time. Without auto_reload the answer never changes."""
        if globals is not None or self.auto_reload or not isinstance(name, str):
            return super().get_template(name, parent, globals)
        key = (name, parent)
        template = self._loaded.get(key)
        if template is None:
            template = self._loaded[key] = super().get_template(name, parent)
        return template

    def make_globals(self, d: Any = None) -> dict[str, Any]:
        """A template's globals as one plain dict, not Jinja's ChainMap over the
        environment's: every render copies them into its context with dict(), which
        reads a ChainMap key by key in Python, a quarter of the time of rendering a list
        entry. The globals are set before the first template loads (render.Renderer),
        as Jinja asks, so the copy holds the same values."""
        return {**self.globals, **(d or {})}
