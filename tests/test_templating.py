"""The template environment's output escaping gives what stock Jinja gives."""

from __future__ import annotations

import jinja2
import markupsafe
import pytest

from digest import templating
from digest.templating import Environment, escape_text


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class _Text(str):
    pass


@pytest.mark.parametrize("value", [
    "", "plain", "<script>alert('x') & \"y\"</script>", "&amp; already", 42, 1.5, None,
    markupsafe.Markup("<em>kept</em>"), _Html(), _Text("<sub>class</sub>"), ["<li>"],
])
def test_escape_text_is_markupsafe_escape_as_text(value: object) -> None:
    assert escape_text(value) == str(markupsafe.escape(value))


def test_escape_text_answers_the_same_from_its_cache_and_after_clearing_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "_ESCAPED_MAX", 3)
    monkeypatch.setattr(templating, "_ESCAPED", {})
    values = [f"<{n}> & '{n}\"" for n in range(10)] * 2 + ["plain", "plain"]
    assert [escape_text(v) for v in values] == [str(markupsafe.escape(v)) for v in values]
    assert 0 < len(templating._ESCAPED) <= 3


TEMPLATE = """\
{% macro link(url, text) %}<a href="{{ url }}">{{ text }}</a>{% endmacro %}
{% macro box() %}<div>{{ caller() }}</div>{% endmacro %}
{% set captured %}<i>{{ title }}</i>{% endset %}
{{ title }} {{ safe }} {{ number }} {{ link(url, title) }} {{ captured }}
{{ title ~ safe }} {{ title | upper }} {{ title | e }} {{ safe | safe }} {{ [title] | join(", ") }}
{% filter upper %}{{ title }}{% endfilter %} {% call box() %}{{ title }}{% endcall %}
{% for t in [title, safe] %}{{ loop.index }}:{{ t }};{% endfor %}
{% include "inner.html" %} {{ self.block_one() }}
{% block block_one %}[{{ title }}]{% endblock %}
{% autoescape false %}{{ title }}{% endautoescape %}
"""


def _both(templates: dict[str, str], name: str, values: dict[str, object],
          functions: dict[str, object] | None = None) -> list[object]:
    """What our Environment and stock Jinja make of a template, with these global
    `functions`: text, or the error."""
    outcomes: list[object] = []
    for environment in (Environment, jinja2.Environment):
        env = environment(loader=jinja2.DictLoader(templates), autoescape=True,
                          undefined=jinja2.StrictUndefined)
        env.globals.update(functions or {})
        try:
            outcomes.append(env.get_template(name).render(values))
        except Exception as error:  # the error itself is compared
            outcomes.append((type(error), str(error)))
    return outcomes


def test_templates_render_as_with_stock_jinja() -> None:
    templates = {"page.html": TEMPLATE, "inner.html": "<p>{{ title }} & {{ safe }}</p>"}
    values = {"title": "Tom & \"Jerry\" <3 'x'", "safe": markupsafe.Markup("<b>bold</b>"),
              "number": 7, "url": "https://e.org/?a=1&b=<2>"}
    rendered = _both(templates, "page.html", values)
    assert rendered[0] == rendered[1]
    assert isinstance(rendered[0], str)
    assert "Tom &amp; &#34;Jerry&#34; &lt;3 &#39;x&#39;" in rendered[0]


def test_a_missing_value_is_still_an_error() -> None:
    template = Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
        "{{ nothing }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render()


class _Item:
    def __init__(self, name: str, ok: bool) -> None:
        self.name, self.ok = name, ok
        self.child = self if ok else None

    @property
    def broken(self) -> str:
        raise AttributeError("a property that fails")

    def shout(self, suffix: str) -> str:
        return self.name.upper() + suffix


ATTRIBUTES = """\
{% macro show(value=obj.title) %}<{{ value }}|{{ caller() if caller is defined }}>{% endmacro %}
{% set ns = namespace(total=0) %}
{% for item in obj.entries if item.ok %}{% set ns.total = ns.total + item.name | length %}\
{{ loop.index }}={{ item.name }}/{{ item.child.child.name }};{% endfor %}
{{ ns.total }} {{ show() }} {{ show(obj.entries[0].name) }}
{% call(x) show(obj.title) %}{{ obj.entries[1].shout("!") }}{% endcall %}
{% set captured %}{{ obj.title }}{% endset %}{% set plain = obj.sep %}{{ captured }}{{ plain }}
{{ obj.entries | map(attribute="name") | join(obj.sep) }} {{ obj.entries[1:] | length }}
{{ data.key }} {{ data.nested.deep }} {{ data["key"] }} {{ data.items is defined }}
{{ obj.missing is defined }} {{ obj.broken is defined }} {{ (obj.title if obj.flag else data.key) }}
{% with inner = obj.entries[0] %}{{ inner.name }}{% endwith %}
{% include "inner.html" %}{% block body %}[{{ obj.title }}]{% endblock %}
"""


def test_attribute_access_gives_what_stock_jinja_gives() -> None:
    templates = {"page.html": ATTRIBUTES, "child.html": "{% extends 'page.html' %}"
                 "{% block body %}{{ super() }}{{ obj.entries[0].name }}{% endblock %}",
                 "inner.html": "<p>{{ obj.title }} {{ data.key }}</p>"}
    values = {"obj": {"title": "T & <t>", "sep": ", ", "flag": False,
                      "entries": [_Item("one", True), _Item("two & 2", False),
                                _Item("three", True)]},
              "data": {"key": "value", "nested": {"deep": "<deep>"}}}

    class _Object:
        def __init__(self, fields: dict[str, object]) -> None:
            self.__dict__.update(fields)

        @property
        def broken(self) -> str:
            raise AttributeError("a property that fails")

    for obj in (values["obj"], _Object(values["obj"])):  # a dict (item fallback), an object
        for name in ("page.html", "child.html"):
            ours, stock = _both(templates, name, {**values, "obj": obj})
            assert isinstance(ours, str) and "2=three/three;" in ours and "TWO &amp; 2!" in ours
            assert ours == stock


@pytest.mark.parametrize("text", ["{{ obj.nothing }}", "{{ obj.nothing.deeper }}",
                                  "{{ obj.broken }}", "{{ missing.name }}",
                                  "{{ obj.entries.name }}"])
def test_a_missing_attribute_is_the_error_stock_jinja_gives(text: str) -> None:
    values = {"obj": _Item("x", True) if "broken" in text else {"entries": [1]}}
    ours, stock = _both({"t.html": text}, "t.html", values)
    assert isinstance(ours, tuple) and ours[0] is jinja2.UndefinedError
    assert ours == stock


class _Counter:
    """A callable object whose __call__ takes the context, as Jinja allows."""

    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context, name: str) -> str:
        return f"{name}={context.get(name)}"


@jinja2.pass_context
def _from_context(context: jinja2.runtime.Context, name: str) -> str:
    return f"{name}:{context.get(name)}"


@jinja2.pass_environment
def _from_environment(environment: jinja2.Environment, text: str) -> str:
    return f"{type(environment).__name__ != ''}/{text}"


def _stops() -> str:
    raise StopIteration


CALLS = """\
{% macro box(x) %}<{{ x }}:{{ caller() if caller is defined else "" }}>{% endmacro %}
{{ plain("a") }} {{ plain("b", end="!") }} {{ from_context("title") }}
{{ from_environment("e") }} {{ counter("title") }} {{ box(plain("m")) }}
{% call box("c") %}{{ plain("inside") }}{% endcall %}
{% for n in range(3) %}{% set local = n * 2 %}{{ plain(n) }}{{ from_context("local") }};{% endfor %}
{% block body %}{% set inner = "block" %}{{ plain(inner) }}{{ from_context("inner") }}{% endblock %}
{{ lipsum(1, false, 3, 5) | length > 0 }} {{ dict(a=1).a }} {{ namespace(v=plain("n")).v }}
"""


def test_function_calls_give_what_stock_jinja_gives() -> None:
    def plain(value: object, end: str = "") -> str:
        return f"[{value}]{end}"

    functions = {"plain": plain, "from_context": _from_context,
                 "from_environment": _from_environment, "counter": _Counter(),
                 "stops": _stops}
    templates = {"t.html": CALLS, "stops.html": "{{ stops() }}"}
    ours, stock = _both(templates, "t.html", {"title": "T"}, functions)
    assert ours == stock
    assert isinstance(ours, str)
    assert "title:T" in ours and "title=T" in ours and "local:4;" in ours
    assert "inner:block" in ours and "<c:[inside]>" in ours
    ours, stock = _both(templates, "stops.html", {}, functions)
    assert ours == stock
    assert isinstance(ours, tuple) and ours[0] is jinja2.UndefinedError
    assert "StopIteration" in ours[1]
