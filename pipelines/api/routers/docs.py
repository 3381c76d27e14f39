"""GET /docs: the API's documentation page, rendered once from the OpenAPI document."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pipelines.api import docs_page

router = APIRouter(include_in_schema=False)
# Nothing but the page's own inline style; no page may frame it (clickjacking).
CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@router.get("/docs")
def api_docs(request: Request) -> HTMLResponse:
    app = request.app
    if getattr(app.state, "docs_html", None) is None:
        app.state.docs_html = docs_page.render(app.openapi())
    return HTMLResponse(app.state.docs_html, headers={"Content-Security-Policy": CSP})
