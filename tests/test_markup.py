"""The Markdown pipeline: article markup is kept, anything that runs or restyles is dropped."""

from __future__ import annotations

import re

import pytest

from digest.markup import Renderer, sanitize

RENDERER = Renderer()


def render(source: str) -> str:
    return RENDERER.render(source)


def test_paragraphs_headings_lists_quotes_links_images() -> None:
    html = render("## Head\n\nText with [a link](https://e.org/x \"T\") and ![Alt](/i.png).\n\n"
                  "- one\n- two\n\n1. first\n\n> quoted\n")
    assert "<h2>Head</h2>" in html
    assert '<a href="https://e.org/x" title="T" rel="noopener noreferrer nofollow">a link</a>' \
        in html
    assert '<img alt="Alt" src="/i.png">' in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n</ol>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html


def test_tables_are_kept_without_inline_styles() -> None:
    html = render("| City | Count |\n|:-----|------:|\n| Kyiv | 3 |\n")
    # In a focusable region, so a table wider than a phone scrolls by keyboard too.
    assert html == ('<div class="table-scroll" role="region" aria-label="Table" tabindex="0">'
                    "<table>\n<thead>\n<tr>\n<th>City</th>\n<th>Count</th>\n</tr>\n</thead>\n"
                    "<tbody>\n<tr>\n<td>Kyiv</td>\n<td>3</td>\n</tr>\n</tbody>\n</table></div>")


def test_fenced_code_keeps_the_language_class_and_escapes() -> None:
    html = render("```python\nprint('<b>')\n```\n")
    assert html == ('<pre tabindex="0"><code class="language-python">print(\'&lt;b&gt;\')\n'
                    "</code></pre>")


def test_footnotes_are_kept_with_their_ids_and_back_links() -> None:
    html = render("Claim[^1] and another[^src].\n\n[^1]: First note.\n[^src]: Second.\n")
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1"' in html
    assert '<div class="footnote">' in html
    assert '<li id="fn:1">' in html and '<li id="fn:src">' in html
    assert 'class="footnote-backref" href="#fnref:1" title="Back to reference 1"' in html


def test_renderer_is_reset_between_documents() -> None:
    first = render("A[^1]\n\n[^1]: one\n")
    second = render("B\n")
    assert "footnote" in first and second == "<p>B</p>"


@pytest.mark.parametrize(("source", "gone"), [
    ("Hi <script>alert(1)</script> there\n", "alert"),
    ("<style>body{display:none}</style>\n\nx\n", "display"),
    ('<p onclick="steal()">p</p>\n', "steal"),
    ('<img src="a.png" onerror="steal()">\n', "steal"),
    ("[x](javascript:alert(1))\n", "javascript"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>\n', "alert"),
    ('<a href=" javascript:alert(1)">x</a>\n', "alert"),
    ("[d](data:text/html;base64,PHNjcmlwdD4=)\n", "data:"),
    ("![i](data:image/svg+xml;base64,PHN2Zz4=)\n", "data:"),
    ('<iframe src="https://e.org/"></iframe>\n', "iframe"),
    ('<div style="position:fixed">x</div>\n', "style"),
    ('<form action="/x"><input name="a"></form>\n', "input"),
    ('<object data="x.swf"></object><embed src="x.swf">\n', "swf"),
    ('<svg><script>alert(1)</script></svg>\n', "alert"),
    ('<blockquote cite="javascript:alert(1)">q</blockquote>\n', "javascript"),
    ('<a href="https://e.org" target="_blank">x</a>\n', "target"),
    ("<!-- a secret comment -->\n", "secret"),
    ('<link rel="stylesheet" href="https://cdn.example/x.css">\n', "cdn"),
    ('<base href="https://evil.example/">\n', "evil"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">\n', "evil"),
])
def test_dangerous_markup_is_dropped(source: str, gone: str) -> None:
    html = render(source)
    assert gone.lower() not in html.lower(), html


def test_ids_and_classes_cannot_take_over_the_theme() -> None:
    html = render('<div id="main" class="skip-link footnote language-js">x</div>\n')
    assert html == '<div class="footnote language-js">x</div>'


def test_mailto_and_relative_links_are_kept() -> None:
    html = render("[m](mailto:desk@example.org) [r](../other/)\n")
    assert 'href="mailto:desk@example.org"' in html and 'href="../other/"' in html


def test_images_always_have_alt_and_src() -> None:
    assert sanitize('<img src="a.png">') == '<img alt="" src="a.png">'
    # An image whose URL was dropped leaves its (escaped) alt text, not an invalid <img>.
    assert render("![Chart <b>](data:image/png;base64,xx)\n") == "<p>Chart &lt;b&gt;</p>"
    assert sanitize('<img src="javascript:x" alt="<script>alert(1)</script>">') == (
        "&lt;script&gt;alert(1)&lt;/script&gt;")


@pytest.mark.parametrize(("source", "expected"), [
    ('<img src="a.png" width="100%" height="20" loading="soon">',
     '<img alt="" src="a.png" height="20">'),
    ('<img src="a.png" loading="LAZY">', '<img alt="" src="a.png" loading="lazy">'),
    ('<ol start="3" reversed><li>a</li></ol>', '<ol start="3" reversed=""><li>a</li></ol>'),
    ('<table><tr><th scope="bogus" colspan="0">a</th><td rowspan="2" colspan="2">b</td></tr>'
     '</table>',
     '<div class="table-scroll" role="region" aria-label="Table" tabindex="0"><table><tbody>'
     '<tr><th>a</th><td rowspan="2" colspan="2">b</td></tr></tbody></table></div>'),
    ('<p lang="uk" dir="RTL">x</p><p lang="not a tag!" dir="up">y</p>',
     '<p lang="uk" dir="rtl">x</p><p>y</p>'),
    ('<time datetime="2024-03-26">a</time>', '<time datetime="2024-03-26">a</time>'),
    ('<time datetime="2024-03-26T10:00:00+02:00">a</time>',
     '<time datetime="2024-03-26T10:00:00+02:00">a</time>'),
    ('<time datetime="12:30">a</time>', '<time datetime="12:30">a</time>'),
    ('<time datetime="2024-02-30" title="t">b</time>', '<span title="t">b</span>'),
    ("<time>yesterday</time>", "<span>yesterday</span>"),
    ('<q cite="https://e.org/">q</q>', '<q cite="https://e.org/">q</q>'),
])
def test_attribute_values_are_kept_only_when_valid_html(source: str, expected: str) -> None:
    assert sanitize(source) == expected


def test_raw_html_that_is_article_markup_survives() -> None:
    source = ('<figure><img src="/a.png" alt="A"><figcaption>Cap</figcaption></figure>\n\n'
              "<details><summary>More</summary><p>Hidden</p></details>\n\n"
              "H<sub>2</sub>O <abbr title=\"World Health Organization\">WHO</abbr> "
              "<mark>m</mark> <kbd>k</kbd>\n")
    html = render(source)
    for tag in ("figure", "figcaption", "details", "summary", "sub", "abbr", "mark", "kbd"):
        assert f"<{tag}" in html, tag
    assert 'title="World Health Organization"' in html


def test_output_never_holds_an_event_handler_attribute() -> None:
    handlers = " ".join(f'on{name}="x()"' for name in ("load", "error", "mouseover", "focus"))
    html = render(f"<p {handlers}>a</p><a href='https://e.org' {handlers}>b</a>\n")
    assert not re.search(r"\son\w+=", html)
