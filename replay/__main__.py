"""Serve the bundled SMHI, SCB and Kolada payloads: `python -m replay [--port 8765]`."""

import argparse
import threading

from replay.offline import build_offline_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    offline = build_offline_server(args.host, args.port)
    print("\n".join(f"{name}={url}" for name, url in offline.environment().items()), flush=True)
    offline.server.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        offline.server.stop()


if __name__ == "__main__":
    main()
