"""Curation: `digest new` scaffolds an article, `digest import` turns raw article text,
RSS/Atom feeds and web pages into article files under content/YYYY/MM/.

One job per module:
  items     Draft (an article about to be written), Candidate, CurateError, Skip
  dates     reading timestamps as news sites write them
  convert   sanitized HTML -> Markdown; plain text -> Markdown that renders as written
  rawtext   raw article text (decoding, headline, timestamp, dateline, furniture, hashtags)
  feeds     RSS/Atom entries (feedparser) -> drafts
  html      saved or fetched web pages (trafilatura, optional: digest[html]) -> a draft
  fetch     URLs over HTTP with timeouts, a size limit and clear errors (httpx)
  sources   one command-line input (file, URL, '-') -> bytes and a detected format
  dedup     normalized URLs, the index of what content/ already holds, similar titles
  writer    a draft -> front matter + body, a free path, written without overwriting
  new       `digest new`
  run       `digest import`: the loop, one line per item, progress, summary
  commands  the click commands (new_command, import_command)
"""
