"""The surveys app's tables: a survey and its form versions (``forms.py``), its sample
draws (``sampling.py``), and what is collected — respondents, submissions and their files
(``collection.py``)."""

from pilotage.surveys.models.collection import (
    Attachment,
    Channel,
    Respondent,
    RespondentStatus,
    Submission,
    SubmissionStatus,
)
from pilotage.surveys.models.forms import FormVersion, Survey, SurveyAccess, SurveyStatus
from pilotage.surveys.models.sampling import FrameSource, SampleDraw, SampledUnit

__all__ = [
    "Attachment",
    "Channel",
    "FormVersion",
    "FrameSource",
    "Respondent",
    "RespondentStatus",
    "SampleDraw",
    "SampledUnit",
    "Submission",
    "SubmissionStatus",
    "Survey",
    "SurveyAccess",
    "SurveyStatus",
]
