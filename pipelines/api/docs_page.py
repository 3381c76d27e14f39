"""The API's documentation page, rendered on the server from its OpenAPI document: plain HTML and
CSS, no script and nothing fetched from elsewhere, so it works offline (the usual Swagger UI and
ReDoc pages load their scripts from a CDN). Each route shows its parameters, its answers with
their media types, and an example body; wide tables scroll in their own box, so the page fits a
375 px phone."""

from __future__ import annotations

import json
from html import escape

STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;"
    "color:#1b1b1b}code,pre{font-family:ui-monospace,monospace;background:#f3f3f3;"
    "padding:0 .2em;overflow-wrap:anywhere}pre{padding:.5rem;overflow-x:auto;white-space:pre}"
    "h2{margin-top:2.5rem;font-size:1.2rem;overflow-wrap:anywhere}"
    ".scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;min-width:100%}"
    "th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    ".method{font-weight:bold;color:#0b5}"
)


def schema_text(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(schema_text(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    if "const" in schema:
        return str(schema["const"])
    text = schema.get("type", "any")
    if "format" in schema:
        text += f" ({schema['format']})"
    limits = [
        f"{key} {schema[key]}"
        for key in ("minimum", "maximum", "maxLength", "pattern")
        if key in schema
    ]
    return text + (f" ({', '.join(limits)})" if limits else "")


def example_of(schema: dict, schemas: dict) -> object | None:
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    examples = schema.get("examples")
    return examples[0] if examples else None


def table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    heads = "".join(f"<th>{h}</th>" for h in head)
    head_row = f"<thead><tr>{heads}</tr></thead>"
    return f"<div class='scroll'><table>{head_row}<tbody>{cells}</tbody></table></div>"


def parameters(operation: dict) -> str:
    rows = []
    for p in operation.get("parameters", []):
        schema = p.get("schema", {})
        examples = p.get("examples") or schema.get("examples") or []
        rows.append(
            [
                f"<code>{escape(p['name'])}</code>{' (required)' if p.get('required') else ''}",
                escape(p.get("in", "")),
                escape(schema_text(schema)),
                escape(str(schema.get("default", ""))),
                escape(p.get("description") or schema.get("description") or "")
                + (f" Example: <code>{escape(str(examples[0]))}</code>" if examples else ""),
            ]
        )
    if not rows:
        return ""
    return table(["parameter", "in", "type", "default", "description"], rows)


def answers(operation: dict, schemas: dict) -> str:
    rows, example = [], None
    for status, response in operation.get("responses", {}).items():
        media = response.get("content", {})
        kinds = ", ".join(
            f"<code>{escape(m)}</code> {escape(schema_text(c.get('schema', {})))}"
            for m, c in media.items()
        )
        rows.append([escape(status), escape(response.get("description", "")), kinds])
        if status == "200" and "application/json" in media:
            example = example_of(media["application/json"].get("schema", {}), schemas)
    text = table(["status", "when", "body"], rows)
    if example is not None:
        shown = json.dumps(example, ensure_ascii=False, indent=1)
        text += f"<p>Example of a 200 body:</p><pre>{escape(shown)}</pre>"
    return text


def render(spec: dict) -> str:
    info = spec.get("info", {})
    schemas = spec.get("components", {}).get("schemas", {})
    title = escape(info.get("title", "API"))
    description = "".join(
        f"<p>{escape(para)}</p>" for para in info.get("description", "").split("\n\n")
    )
    problem = example_of({"$ref": "ProblemDetails"}, schemas)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{title}</title><style>{STYLE}</style></head><body><main><h1>{title}</h1>"
        f"{description}<p>The machine-readable description: <a href='/openapi.json'>"
        "/openapi.json</a> (OpenAPI 3.1). Errors are RFC 9457 problem documents "
        "(<code>application/problem+json</code>) that name the parameter at fault, e.g.:</p>"
        f"<pre>{escape(json.dumps(problem, ensure_ascii=False, indent=1))}</pre>"
    ]
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            if method == "head":
                continue  # one line below each GET says it
            parts.append(
                f"<h2><span class='method'>{escape(method.upper())}</span> "
                f"<code>{escape(path)}</code></h2><p>{escape(operation.get('summary', ''))}"
                f"{' (HEAD too: the same headers, no body.)' if 'head' in operations else ''}</p>"
                + parameters(operation)
                + answers(operation, schemas)
            )
    parts.append("</main></body></html>")
    return "".join(parts)
