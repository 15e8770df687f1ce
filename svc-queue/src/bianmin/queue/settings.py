"""Settings of the queue service, read from ``BIANMIN_QUEUE_*`` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class QueueSettings(ServiceSettings):
    """Where the queue service listens and keeps its data, and the rules of its halls."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_QUEUE_", extra="ignore")

    service_name: str = "queue"
    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///var/queue.db"
    max_recalls: int = Field(default=2, ge=0, le=10, description="Recalls before a ticket may be marked no-show.")
    starvation_cap_minutes: int = Field(default=45, ge=1, description="A ticket waiting longer is called before all others.")
    appointment_due_lead_minutes: int = Field(default=5, ge=0, description="An appointment ticket is due this long before its slot.")
    checkin_before_minutes: int = Field(default=30, ge=0, description="Check-in opens this long before the slot.")
    checkin_grace_minutes: int = Field(default=15, ge=0, description="Checking in later than this after the slot joins the walk-in queue.")
    booking_horizon_days: int = Field(default=14, ge=0, description="How many days ahead slots can be booked.")
    per_person_daily_limit: int = Field(default=2, ge=1, description="Appointments one ID number may hold on one day.")
    default_service_minutes: float = Field(default=8.0, gt=0, description="Service time assumed before a line has history.")
    rectification_contact_days: int = Field(default=1, ge=0, description="Working days to contact the citizen after a bad review.")
    rectification_fix_days: int = Field(default=15, ge=1, description="Working days to fix the cause of a bad review.")
    hall_worker_enabled: bool = Field(default=True, description="Run the hall worker (alerts, end-of-day expiry) here.")
    alert_check_seconds: float = Field(default=30.0, gt=0, description="How often the hall worker checks every hall.")
    stream_poll_seconds: float = Field(default=0.5, gt=0, description="How often an SSE stream polls the call log.")
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0, description="Comment heartbeat interval of an SSE stream.")
