"""gunicorn's settings for Backer's web processes (``gunicorn -c config/gunicorn.py``).

Each worker freezes what it holds once the application is loaded
(``gc.freeze()``): Django, DRF, the URL patterns and the models, some 220,000
objects that live as long as the process. Left in the collector's care, every
full collection walked them all: one request in about 1,500 paused for
115–150 ms (``/api/groups/`` in process, 1,000 groups), and every request
queued behind it waited as long. Frozen, the slowest of 1,500 took 13 ms.
What requests allocate is still collected as before.

Bind address and workers are given on the command line (Dockerfile,
docker-compose.yml, the benchmarks).
"""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Called by gunicorn in each worker once it has loaded the application."""
    gc.freeze()
