"""The indicators app's models, one module per part: facts (what the indicators are computed
from), aggregates (data reported as totals), and what later parts add (targets and action
plans, data quality)."""

from pilotage.indicators.models.actions import (  # noqa: I001
    Action,
    ActionEvidence,
    ActionNote,
    ActionStatus,
    Objective,
)
from pilotage.indicators.models.aggregates import (
    CategoryCombo,
    CategoryOption,
    DataApproval,
    DataElement,
    DataSet,
    DataValue,
    ValueType,
)
from pilotage.indicators.models.custom import CustomIndicator
from pilotage.indicators.models.facts import (
    ClassFact,
    CycleSetting,
    FactDirty,
    PopulationEstimate,
    PupilFact,
    TeacherFact,
)
from pilotage.indicators.models.quality import (
    DataSetReport,
    Importance,
    MissingValues,
    Operator,
    ValidationRule,
    ValidationViolation,
)
from pilotage.indicators.models.targets import Direction, Status, Target

__all__ = [
    "CategoryCombo",
    "CategoryOption",
    "ClassFact",
    "CustomIndicator",
    "CycleSetting",
    "DataApproval",
    "DataElement",
    "DataSet",
    "DataValue",
    "FactDirty",
    "PopulationEstimate",
    "PupilFact",
    "TeacherFact",
    "ValueType",
    "DataSetReport",
    "Importance",
    "MissingValues",
    "Operator",
    "ValidationRule",
    "ValidationViolation",
    "Direction",
    "Status",
    "Target",
    "Action",
    "ActionEvidence",
    "ActionNote",
    "ActionStatus",
    "Objective",
]
