"""What every generation step receives: the scale, the seed's random streams, progress."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from pilotage.core.jobs import Progress


@dataclass(frozen=True)
class Scale:
    """How much to generate. ``provinces`` (codes) or ``region`` (a region code) narrows the
    provinces that get communes and schools; neither means all of them."""

    name: str
    communes: int
    schools: int
    provinces: tuple[str, ...] = ()
    region: str = ""
    school_heads: bool = False


SCALES: dict[str, Scale] = {
    # One prefecture, enough to click through every page in seconds.
    "small": Scale("small", communes=8, schools=30, provinces=("MA-TNG",)),
    # Tanger-Tétouan-Al Hoceïma: about a million pupils.
    "region": Scale("region", communes=146, schools=1400, region="MA-01", school_heads=True),
    # The whole country, the order of magnitude of the real public and private network.
    "national": Scale("national", communes=1500, schools=11000, school_heads=True),
}

DEFAULT_SEED = 2026
BATCH_SIZE = 2000


@dataclass
class Context:
    """Passed to every step. ``progress`` is replaced by a fresh one for each step, so a
    step sets its own total and the terminal shows one bar per step."""

    scale: Scale
    seed: int
    progress: Progress = field(default_factory=lambda: Progress(None))
    batch_size: int = BATCH_SIZE
    # Whatever one step finds that a later step needs (e.g. the first school of MA-TNG).
    shared: dict[str, Any] = field(default_factory=dict)

    def rng(self, *keys: object) -> random.Random:
        """An independent random stream for ``keys`` (a step name, a province code…).

        Each step and province draws from its own stream, so adding a step, or a scale
        generating more provinces, does not change what the others produce: Tanger's
        schools are the same in every scale that has the same counts for Tanger.
        A string seed is hashed with SHA-512 by :class:`random.Random`, so the stream is the
        same on every run and every machine, whatever ``PYTHONHASHSEED`` is.
        """
        seed = ":".join(str(k) for k in (self.seed, *keys))
        return random.Random(seed)
