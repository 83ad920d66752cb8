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


def test_templates_render_as_with_stock_jinja() -> None:
    templates = {"page.html": TEMPLATE, "inner.html": "<p>{{ title }} & {{ safe }}</p>"}
    values = {"title": "Tom & \"Jerry\" <3 'x'", "safe": markupsafe.Markup("<b>bold</b>"),
              "number": 7, "url": "https://e.org/?a=1&b=<2>"}
    rendered = [
        environment(loader=jinja2.DictLoader(templates), autoescape=True,
                    undefined=jinja2.StrictUndefined).get_template("page.html").render(values)
        for environment in (Environment, jinja2.Environment)
    ]
    assert rendered[0] == rendered[1]
    assert "Tom &amp; &#34;Jerry&#34; &lt;3 &#39;x&#39;" in rendered[0]


def test_a_missing_value_is_still_an_error() -> None:
    template = Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
        "{{ nothing }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render()
