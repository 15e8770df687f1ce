"""Settings of the guarantee service, read from ``BIANMIN_GUARANTEE_*`` environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class GuaranteeSettings(ServiceSettings):
    """Where the guarantee service listens and keeps its data, how it signs and where it pushes."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_GUARANTEE_", extra="ignore")

    service_name: str = "guarantee"
    port: int = 8005
    database_url: str = "sqlite+aiosqlite:///var/guarantee.db"
    key_encryption_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Passphrase that encrypts the stored Ed25519 private keys (PKCS#8, AES-256). "
        "When empty, a key derived from the internal secret is used; set it in production.")
    ledger_origin: str = Field(default="bianmin.example/guarantee-ledger",
                               description="The origin line of the ledger's checkpoints (C2SP).")
    push_url: str | None = Field(default=None, description="HTTPS endpoint of the provincial guarantee platform; "
                                 "plain http only to loopback (tests). Unset: deliveries wait.")
    push_timeout_seconds: float = 5.0
    push_poll_seconds: float = 2.0
    push_backoff_base_seconds: float = 2.0
    push_backoff_max_seconds: float = 3600.0
    push_batch_size: int = 20
    witness_keys: list[str] = Field(default_factory=list,
                                    description="C2SP verifier keys of the witnesses allowed to countersign checkpoints.")
    expiry_poll_seconds: float = 300.0
