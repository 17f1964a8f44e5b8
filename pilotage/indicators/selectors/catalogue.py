"""The catalogue as other domains read it: whether an indicator code exists, and its values
for some units and years (the cooperation results framework shows a country's figure from
the school records next to the figures reported by a programme)."""

from pilotage.indicators.custom import indicator_of, indicator_values
from pilotage.indicators.engine import IndicatorError

__all__ = ["IndicatorError", "indicator_of", "indicator_values"]
