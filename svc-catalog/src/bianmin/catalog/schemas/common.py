"""What the catalog's schemas share: the vocabularies (channels, levels, statuses) and trimmed text.

Request bodies derive from :class:`bianmin.kit.schemas.RequestBody`; the identifiers people,
enterprises and sites are known by use the kit's types (``CreditCode``, ``ResidentId``,
``SiteCode``). Every other string a catalog request carries is :data:`Text`: surrounding blanks are
dropped before its checks, as the catalog has always done, so ``" SCJG "`` names the department
``SCJG`` and a name is stored without the padding a form left around it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

Channel = Literal["online", "window", "kiosk", "mobile_pad", "bank_terminal", "bank_staff"]
SiteLevel = Literal["district", "township", "village", "bank", "terminal"]
# 政银合作 terminals: a self-service machine (自助终端), a bank counter handling items (银行网点代办), a PAD point.
TerminalKind = Literal["self_service", "bank_counter", "pad"]
ItemStatus = Literal["draft", "published", "suspended", "withdrawn"]
ItemType = Literal["licensing", "payment", "confirmation", "adjudication", "reward", "inspection",
                   "public_service", "other"]
TargetGroup = Literal["natural", "legal", "both"]
ExerciseLevel = Literal["district", "township", "village"]
CrossProvinceMode = Literal["full_online", "receive_elsewhere", "joint"]
ApplicationStatus = Literal["submitted", "accepted", "approved", "rejected", "completed", "withdrawn"]
CaseStatus = Literal["open", "contacted", "rectified", "closed", "appealed", "voided"]

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Code = Annotated[Text, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z_-]{1,59}$")]
Name = Annotated[Text, Field(min_length=1, max_length=200)]
ShortText = Annotated[Text, Field(min_length=1, max_length=100)]
Phone = Annotated[Text, Field(pattern=r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$", description="Mobile or landline number.")]
