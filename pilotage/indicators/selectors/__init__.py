"""Every read of performance steering that pages, API and exports share, scoped to the
actor. One module per part: values (here), aggregates, targets, quality…"""

from pilotage.indicators.selectors.values import (
    ValuesQuery,
    academic_years,
    unit_for,
    units_below,
    values_for,
)

__all__ = ["ValuesQuery", "academic_years", "unit_for", "units_below", "values_for"]
