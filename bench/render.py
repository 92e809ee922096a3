"""The directory page in process: what rendering its template costs beside the whole request.

One request through the app (Litestar's test client, no network) captures the page's template
and context; the template is then rendered again and again on its own, and whole requests for
the page and for its JSON are timed, each with the same search terms as bench/load.py.

    uv run python bench/render.py --url <a park built before> [--language zh-Hant]
    uv run python bench/render.py --startups 2000 --engine sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory import park_arguments, park_database  # noqa: E402
from bench.load import COMMON, RARE  # noqa: E402


async def run(url: str, language: str, renders: int, requests: int) -> None:
    os.environ["INCUBATOR_DATABASE_URL"] = url
    os.environ["INCUBATOR_SCHEDULER"] = "0"
    os.environ.setdefault("PICCOLO_CONF", "incubator.piccolo_conf")
    logging.disable(logging.INFO)  # the test client logs every request
    import jinja2
    from litestar.testing import AsyncTestClient

    from incubator.app import create_app

    captured: list = []
    render = jinja2.Template.render

    def capture(template: jinja2.Template, *args: object, **kwargs: object) -> str:
        captured.append((template, args, kwargs))
        return render(template, *args, **kwargs)

    jinja2.Template.render = capture  # type: ignore[method-assign]
    terms = COMMON + RARE
    async with AsyncTestClient(create_app(), cookies={"lang": language}) as client:
        for path in ("/startups", "/api/startups"):
            for term in terms:  # warm: templates compiled, connections open
                assert (await client.get(path, params={"q": term})).status_code == 200
            started = time.perf_counter()
            for n in range(requests):
                response = await client.get(path, params={"q": terms[n % len(terms)]})
                assert response.status_code == 200
            each = (time.perf_counter() - started) / requests * 1000
            print(f"{path:<14} whole request in process: {each:6.2f} ms ({requests} requests)")
    jinja2.Template.render = render  # type: ignore[method-assign]
    template, args, kwargs = captured[-len(terms)]  # the page for the first term
    started = time.perf_counter()
    for _ in range(renders):
        template.render(*args, **kwargs)
    each = (time.perf_counter() - started) / renders * 1000
    print(f"{template.name}: render alone {each:.2f} ms ({renders} renders, q={terms[0]!r})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    park_arguments(parser)
    parser.add_argument("--language", default="en", choices=["en", "zh-Hant"])
    parser.add_argument("--renders", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = asyncio.run(park_database(args.engine, args.startups, args.url))
    asyncio.run(run(url, args.language, args.renders, args.requests))


if __name__ == "__main__":
    main()
