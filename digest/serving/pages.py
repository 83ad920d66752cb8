"""What only the preview server adds: the live-reload script (put into HTML responses
as they are sent, never into files on disk) and the build-error page."""

from __future__ import annotations

import html
import json
import re

from digest.serving import EVENTS

MARKER = "digest-live-reload"
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def _js(value: str) -> str:
    """A JavaScript string literal that is safe inside <script>."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def reload_script(base_path: str, version: str) -> str:
    """Reloads the tab when the site is rebuilt (or was rebuilt since this page was served)."""
    return (
        f'<script id="{MARKER}">/* digest serve: live reload; not in built files */\n'
        "(() => {\n"
        f"  const served = {_js(version)};\n"
        f"  const events = new EventSource({_js(base_path + EVENTS)});\n"
        '  events.addEventListener("hello", (e) => {\n'
        "    if (e.data !== served) location.reload();\n"
        "  });\n"
        '  events.addEventListener("reload", () => location.reload());\n'
        "})();\n"
        "</script>\n"
    )


def inject(page: bytes, base_path: str, version: str) -> bytes:
    """The page with the reload script before its last </body> (or at the end)."""
    script = reload_script(base_path, version).encode("utf-8")
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + script
    at = ends[-1].start()
    return page[:at] + script + page[at:]


_STYLE = """
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: #1b1b1f; color: #f2f2f2; }
.overlay { max-width: 60rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #2a1215;
  border: 2px solid #e5484d; border-radius: 8px; }
h1 { margin-top: 0; font-size: 1.4rem; color: #ff9592; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #111; padding: 1rem;
  border-radius: 4px; font: 14px/1.45 ui-monospace, monospace; }
p { color: #c8c8c8; }
"""


def error_page(message: str, base_path: str, version: str) -> bytes:
    """The page every HTML request gets while the last build failed."""
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Build failed · digest serve</title>\n<style>{_STYLE}</style>\n</head>\n"
        '<body>\n<main class="overlay" role="alert" id="digest-build-error">\n'
        "<h1>digest: the site could not be built</h1>\n"
        f"<pre>{html.escape(message)}</pre>\n"
        "<p>Fix the file and save it: this page reloads by itself, and the server keeps "
        "running.</p>\n</main>\n</body>\n</html>\n"
    )
    return inject(page.encode("utf-8"), base_path, version)


def not_found_page(path: str, base_path: str) -> bytes:
    """For requests outside the base path (the site is served only under it)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Not found · digest serve</title>\n</head>\n<body>\n"
        f"<h1>Not found</h1>\n<p>{html.escape(path)} is not part of the site. The site is "
        f'served under <a href="{html.escape(base_path)}">{html.escape(base_path)}</a>, '
        "as base_url says.</p>\n</body>\n</html>\n"
    ).encode()
