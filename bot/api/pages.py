"""The privacy and terms pages (``/integritet``, ``/villkor``), with the texts from the
region's file (``publisher`` in ``regions/<id>.yml``). The Teams app's manifest points at them,
and the chat links the privacy page; they hold no one's data and open without signing in."""

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.regions import Region
from bot.rendering import render_markdown

PRIVACY_PATH = "/integritet"
TERMS_PATH = "/villkor"

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Distansguiden</title>
<link rel="stylesheet" href="/static/chat.css">
</head>
<body class="dg-page">
<main class="dg-chat dg-info">
<h1>{title}</h1>
{content}
<p><a href="/">Till Distansguiden</a></p>
</main>
</body>
</html>
"""


def page(title: str, markdown: str) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=html.escape(title), content=render_markdown(markdown)))


@router.get(PRIVACY_PATH)
def privacy(request: Request) -> HTMLResponse:
    region: Region = request.app.state.region
    controller = (
        f"{region.publisher_name} är personuppgiftsansvarig för behandlingen av dina "
        "personuppgifter i Distansguiden."
    )
    return page("Integritet och personuppgifter", f"{controller}\n\n{region.publisher.privacy}")


@router.get(TERMS_PATH)
def terms_of_use(request: Request) -> HTMLResponse:
    region: Region = request.app.state.region
    return page("Villkor för Distansguiden", region.publisher.terms_of_use)
