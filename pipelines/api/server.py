"""`borlange api` (`make api`): the open-data API under uvicorn on API_HOST:API_PORT (127.0.0.1:8000)."""

from __future__ import annotations

import uvicorn

from pipelines.api.app import create_app
from pipelines.settings import Settings


def main(settings: Settings) -> int:
    app = create_app(settings)
    print(
        f"open-data API on http://{settings.api.host}:{settings.api.port}/docs, serving {settings.serving.dir}",
        flush=True,
    )
    try:
        uvicorn.run(
            app,
            host=settings.api.host,
            port=settings.api.port,
            log_level="warning",
            server_header=False,
        )
    except KeyboardInterrupt:
        pass
    finally:
        app.state.builds.close()
    return 0
