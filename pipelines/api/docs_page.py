"""The API's documentation page, rendered on the server from its OpenAPI document: plain HTML and
CSS, no script and nothing fetched from elsewhere, so it works offline (the usual Swagger UI and
ReDoc pages load their scripts from a CDN)."""

from __future__ import annotations

from html import escape

STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code,pre{font-family:ui-monospace,monospace;background:#f3f3f3;padding:0 .2em}h2{margin-top:2.5rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
.method{font-weight:bold;color:#0b5}"""


def schema_text(schema: dict) -> str:
    if "anyOf" in schema:
        return " or ".join(schema_text(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    if "const" in schema:
        return str(schema["const"])
    text = schema.get("type", "any")
    limits = [
        f"{key} {schema[key]}"
        for key in ("minimum", "maximum", "maxLength", "pattern")
        if key in schema
    ]
    return text + (f" ({', '.join(limits)})" if limits else "")


def render(spec: dict) -> str:
    info = spec.get("info", {})
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
        f"content='width=device-width,initial-scale=1'><title>{escape(info.get('title', 'API'))}</title>"
        f"<style>{STYLE}</style></head><body><main><h1>{escape(info.get('title', 'API'))}</h1>"
        f"<p>{escape(info.get('description', ''))}</p><p>The machine-readable description: "
        "<a href='/openapi.json'>/openapi.json</a> (OpenAPI 3). Errors are RFC 9457 problem documents "
        "(<code>application/problem+json</code>) that name the parameter at fault.</p>"
    ]
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            parts.append(
                f"<h2><span class='method'>{escape(method.upper())}</span> <code>{escape(path)}</code></h2>"
                f"<p>{escape(operation.get('summary', ''))}</p>"
            )
            parameters = operation.get("parameters", [])
            if parameters:
                parts.append(
                    "<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>default</th>"
                    "<th>description</th></tr></thead><tbody>"
                )
                for p in parameters:
                    schema = p.get("schema", {})
                    parts.append(
                        f"<tr><td><code>{escape(p['name'])}</code>{' (required)' if p.get('required') else ''}"
                        f"</td><td>{escape(p.get('in', ''))}</td><td>{escape(schema_text(schema))}</td>"
                        f"<td>{escape(str(schema.get('default', '')))}</td>"
                        f"<td>{escape(p.get('description') or schema.get('description') or '')}</td></tr>"
                    )
                parts.append("</tbody></table>")
            codes = ", ".join(escape(code) for code in operation.get("responses", {}))
            parts.append(f"<p>Responses: {codes}</p>")
    parts.append("</main></body></html>")
    return "".join(parts)
