"""Settings of the consult service, read from ``BIANMIN_CONSULT_*`` environment variables.

The deadline and escalation rules are operator-configurable here (working days, day zero = the day
of submission): ``BIANMIN_CONSULT_DEADLINE_DAYS='{"consultation": 3, "complaint": 13}'`` and so on.
"""

from datetime import time

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class ConsultSettings(ServiceSettings):
    """Where the consult service listens and keeps its data, and its deadline rules."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_CONSULT_", extra="ignore")

    service_name: str = "consult"
    port: int = 8003
    database_url: str = "sqlite+aiosqlite:///var/consult.db"
    district_site: str | None = Field(None, description=(
        "The site a question asked without one belongs to when the caller has no site of its own (a deployment "
        "for one district names its district hall's code); unset, such a question must name its site."))
    deadline_days: dict[str, int] = Field(
        default_factory=lambda: {"consultation": 3, "request": 3, "complaint": 13,
                                 "suggestion": 13, "praise": 13},
        description="Working days to answer, per kind of consultation or suggestion-box entry.")
    prewarning_workdays: int = Field(1, ge=0, description="Pre-warn this many working days before the deadline.")
    notice_after_workdays: int = Field(2, ge=1, description="Notice (通报) this many working days overdue.")
    report_after_workdays: int = Field(5, ge=1, description="Report to the supervisor this many working days overdue.")
    default_supervisor: str = Field("DCS", description="Supervising department when a department names none.")
    reopen_window_workdays: int = Field(5, ge=0, description="Working days after an answer in which the asker may reopen.")
    max_extension_workdays: int = Field(10, ge=1, description="Largest extension one request may ask for.")
    rectification_contact_workdays: int = Field(1, ge=0)
    rectification_fix_workdays: int = Field(15, ge=1)
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    escalation_enabled: bool = Field(True, description="Run the deadline worker in this process: the escalation "
                                     "ladders of consultations and of the suggestion box, and the closing of "
                                     "answered consultations after the reopen window.")
    escalation_interval_seconds: float = Field(60.0, gt=0, description="How often the deadline worker looks.")
    day_seconds: float = Field(86400.0, gt=0, le=86400.0, description="Real seconds the escalation ladder counts "
                               "as a day (drills and end-to-end tests); deadlines shown stay real working days.")
