"""Plain, accessible HTML pages (the card page, the Notify outbox): one layout, no JavaScript, everything escaped.

Jinja autoescaping (render_template_string) escapes every value, so text from residents or services can never
become markup. The style follows the GOV.UK Design System's basics: large text and targets (at least 44px),
a visible focus ring, an error summary that links to each field, and hints tied to inputs.
"""
from __future__ import annotations

from typing import Any

from flask import render_template_string
from markupsafe import Markup

LAYOUT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{% if has_errors %}Error: {% endif %}{{ title }} - {{ service_name }}</title>
<style>
  body { margin: 0; font-family: Arial, Helvetica, sans-serif; font-size: 19px; line-height: 1.4; color: #0b0c0c; }
  .skip-link { position: absolute; left: -9999px; }
  .skip-link:focus { position: static; display: block; padding: 10px; background: #fd0; }
  header { background: #0b0c0c; color: #fff; padding: 12px 16px; }
  header p { margin: 0; font-weight: bold; }
  .banner { background: #1d70b8; color: #fff; padding: 8px 16px; margin: 0; }
  main { max-width: 40em; padding: 16px; margin: 0 auto; }
  main.wide { max-width: 60em; }
  h1 { font-size: 32px; line-height: 1.2; margin: 16px 0 24px; }
  h2 { font-size: 24px; }
  a { color: #1d70b8; }
  a:focus, input:focus, button:focus, summary:focus { outline: 3px solid #fd0; outline-offset: 0; box-shadow: inset 0 0 0 2px #0b0c0c; }
  .summary { border-top: 1px solid #b1b4b6; margin: 0 0 32px; }
  .summary div { display: flex; flex-wrap: wrap; border-bottom: 1px solid #b1b4b6; padding: 10px 0; }
  .summary dt { font-weight: bold; flex: 0 0 12em; }
  .summary dd { margin: 0; flex: 1 1 12em; }
  .field { margin-bottom: 30px; }
  .field-error { border-left: 5px solid #d4351c; padding-left: 15px; }
  label, legend { display: block; font-weight: bold; margin-bottom: 5px; }
  fieldset { border: 0; margin: 0; padding: 0; }
  legend { font-size: 19px; padding: 0; }
  .hint { color: #505a5f; margin: 0 0 10px; }
  .error-message { color: #d4351c; font-weight: bold; margin: 0 0 10px; }
  input[type=text] { font: inherit; box-sizing: border-box; min-height: 44px; padding: 5px; border: 2px solid #0b0c0c; width: 100%; max-width: 20em; }
  input.short { width: 4.5em; }
  input.invalid { border-color: #d4351c; }
  .date-inputs { display: flex; gap: 20px; }
  .date-inputs label { font-weight: normal; }
  .button { font: inherit; font-weight: bold; min-height: 44px; min-width: 44px; padding: 8px 16px; border: 0; border-bottom: 2px solid #002d18; background: #00703c; color: #fff; cursor: pointer; margin: 0 0 20px; }
  .button.secondary { background: #f3f2f1; color: #0b0c0c; border-bottom-color: #929191; }
  .error-summary { border: 5px solid #d4351c; padding: 15px 20px; margin-bottom: 30px; }
  .error-summary:focus { outline: 3px solid #fd0; }
  .error-summary h2 { margin-top: 0; }
  .error-summary a { color: #d4351c; font-weight: bold; }
  .panel { background: #00703c; color: #fff; padding: 20px; margin-bottom: 20px; }
  .panel.failed { background: #d4351c; }
  .visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .message { border: 1px solid #b1b4b6; padding: 16px; margin-bottom: 24px; }
  .message pre { white-space: pre-wrap; font-family: inherit; margin: 0; }
  .meta { color: #505a5f; margin: 0 0 8px; }
</style>
</head>
<body>
<a href="#main" class="skip-link">Skip to main content</a>
<header><p>{{ service_name }}</p></header>
<p class="banner">{{ banner }}</p>
<main id="main" class="{{ main_class }}">
{{ content }}
</main>
</body>
</html>
"""


def render(content_template: str, *, title: str, service_name: str, banner: str, status: int = 200,
           has_errors: bool = False, main_class: str = "", **values: Any):
    """The page's body from `content_template` (Jinja, autoescaped) inside the layout. Returns (html, status)."""
    content = Markup(render_template_string(content_template, **values))  # already escaped by Jinja
    html = render_template_string(
        LAYOUT, title=title, service_name=service_name, banner=banner, has_errors=has_errors,
        main_class=main_class, content=content,
    )
    return html, status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
