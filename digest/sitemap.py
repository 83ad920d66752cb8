"""sitemap.xml and robots.txt."""

from __future__ import annotations

from html import escape

from digest.site import SitePlan
from digest.views import SiteView


def sitemap(plan: SitePlan, site: SiteView) -> bytes:
    """Every page but the 404, with the article date as lastmod for article pages."""
    lastmod = {view.url: article.last_modified.isoformat() for article, view in plan.articles}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in plan.pages:
        if page.template == "404.html":
            continue
        entry = f"<url><loc>{escape(site.abs(page.url), quote=False)}</loc>"
        if page.url in lastmod:
            entry += f"<lastmod>{lastmod[page.url]}</lastmod>"
        lines.append(entry + "</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def robots(site: SiteView) -> bytes:
    sitemap_url = site.abs(site.base_path + "sitemap.xml")
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n".encode()
