"""Demo data: departments, routing rules, a knowledge base and some hundreds of consultations.

Everything goes through the public API with an admin key. Safe to run twice: departments are PUT,
rules and articles are skipped when one with the same keyword or title exists, and consultations
are created only up to ``CONSULTATIONS`` (counted from the API), each with an ``Idempotency-Key``.
Of the consultations, two thirds are answered and half of those rated (one in eight of the ratings
bad, opening a rectification case); a few cannot be routed and wait in triage. Consultations are
sent ``CONCURRENCY`` at a time.
"""

from __future__ import annotations

import asyncio

import httpx

CONSULTATIONS = 240
CONCURRENCY = 6
DEPARTMENTS: dict[str, tuple[str, str | None]] = {
    "DCS": ("区政府督查室", None),
    "SCJ": ("区市场监督管理局", "DCS"),
    "RSJ": ("区人力资源和社会保障局", "DCS"),
    "ZJJ": ("区住房和城乡建设局", "DCS"),
    "GAJ": ("区公安分局", "DCS"),
    "YBJ": ("区医疗保障局", "DCS"),
}
RULES: list[tuple[str, str, int]] = [
    ("营业执照", "SCJ", 10), ("食品经营", "SCJ", 10), ("个体户", "SCJ", 5), ("社保", "RSJ", 10),
    ("失业", "RSJ", 10), ("退休", "RSJ", 5), ("户口", "GAJ", 10), ("居住证", "GAJ", 10),
    ("医保", "YBJ", 10), ("租赁备案", "ZJJ", 10), ("施工许可", "ZJJ", 10),
]
QUESTIONS: list[tuple[str, str, str]] = [
    ("个体户营业执照怎么办理",
     "我想在幸福路开一家早餐店，办个体户营业执照需要准备哪些材料？",
     "请携带身份证和经营场所证明，到区政务服务中心市场监管窗口或在"
     "浙里办网上申请，一般当场办结。"),
    ("食品经营许可证到期延续",
     "我们的食品经营许可证下个月到期，延续要提前多久申请？",
     "应在有效期届满前30个工作日提出延续申请，可网上提交，现场核"
     "查合格后换发新证。"),
    ("社保关系怎么转到便民区",
     "我从外省调到便民区工作，社保关系怎么转移？",
     "新参保地经办机构受理后向原参保地发出联系函，您可在国家社会保"
     "险公共服务平台在线申请。"),
    ("失业保险金申领条件",
     "公司裁员了，我能领失业保险金吗？要带什么？",
     "缴费满一年、非本人意愿中断就业并已办理失业登记的可以申领，携"
     "带身份证和解除劳动合同证明。"),
    ("办理退休需要哪些手续",
     "明年三月满60周岁，退休手续什么时候开始办？",
     "请在达到退休年龄前一个月，由单位或本人向社保窗口提交申请，携"
     "带身份证和档案。"),
    ("户口迁入便民区的条件",
     "在便民区买了房，孩子户口能迁过来吗？",
     "具有合法稳定住所的可申请落户，携带房产证明、户口簿到派出所户"
     "籍窗口办理。"),
    ("居住证办理要多久",
     "来便民区打工半年了，办居住证要多长时间？",
     "居住满半年并有稳定就业的可申领，材料齐全的15个工作日内发证"
     "。"),
    ("异地就医医保备案",
     "父母长期在外地居住，看病医保怎么报销？",
     "可通过国家医保服务平台办理异地长期居住备案，备案后在就医地直"
     "接结算。"),
    ("房屋租赁备案怎么办",
     "出租房屋需要备案吗？在哪里办？",
     "需要。出租人持房产证明、身份证和租赁合同到住建窗口或网上办理"
     "租赁备案。"),
    ("施工许可证办理时限",
     "小型工程的施工许可证多久能办下来？",
     "材料齐全的，承诺3个工作日内办结，可通过工程建设项目审批系统"
     "在线申报。"),
]
UNROUTABLE = ("周末有人值班吗", "请问政务服务中心周六上午能办业务吗？")
LEVELS = ["very_satisfied", "satisfied", "satisfied", "basically_satisfied", "very_satisfied", "satisfied",
          "basically_satisfied", "dissatisfied"]
NAMES = ["王小明", "李红", "张伟", "刘芳", "陈静", "杨洋", "赵磊", "黄丽", "周强", "吴敏"]


async def _ok(response: httpx.Response) -> dict:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json() if response.content else {}


async def _count_consultations(client: httpx.AsyncClient) -> int:
    count, cursor = 0, None
    while True:
        params: dict[str, str | int] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = await _ok(await client.get("/v1/consultations", params=params))
        count += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor or count >= CONSULTATIONS:
            return count


async def _knowledge_base(client: httpx.AsyncClient) -> None:
    existing = {a["title"] for a in (await _ok(await client.get("/v1/kb/articles", params={"limit": 200})))["items"]}
    for n, (title, question, answer) in enumerate(QUESTIONS):
        if title in existing:
            continue
        department = next(code for keyword, code, _ in RULES if keyword in title + question)
        article = await _ok(await client.post("/v1/kb/articles", headers={"Idempotency-Key": f"demo-consult-kb-{n}"},
                                              json={"title": title, "body": f"问：{question}\n\n答：{answer}",
                                                    "department_code": department}))
        if article["status"] == "draft":
            await _ok(await client.post(f"/v1/kb/articles/{article['id']}/publish"))


async def load_demo(client: httpx.AsyncClient) -> None:
    """Load departments, routing rules, the knowledge base and consultations (idempotent)."""
    for code, (name, supervisor) in DEPARTMENTS.items():
        await _ok(await client.put(f"/v1/departments/{code}", json={"name": name, "supervisor_code": supervisor}))
    known = {r["keyword"] for r in await _ok(await client.get("/v1/routing-rules"))}
    for i, (keyword, department, priority) in enumerate(RULES):
        if keyword not in known:
            await _ok(await client.post("/v1/routing-rules", headers={"Idempotency-Key": f"demo-consult-rule-{i}"},
                                        json={"keyword": keyword, "department_code": department, "priority": priority}))
    await _knowledge_base(client)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(n: int) -> None:
        async with gate:
            await _consultation(client, n)

    await asyncio.gather(*(one(n) for n in range(await _count_consultations(client), CONSULTATIONS)))


async def _consultation(client: httpx.AsyncClient, n: int) -> None:
    """Ask demo consultation ``n``; answer and rate it as its number says."""
    title, question, answer = (*UNROUTABLE, "") if n % 25 == 24 else QUESTIONS[n % len(QUESTIONS)]
    receipt = await _ok(await client.post("/v1/consultations", headers={"Idempotency-Key": f"demo-consult-{n}"}, json={
        "title": title, "body": question, "channel": ("web", "app", "kiosk", "phone")[n % 4],
        "contact_name": NAMES[n % len(NAMES)], "contact_phone": f"138{n:08d}", "consent_publish": n % 3 == 0,
        "site_code": f"330199{n % 11:03d}"}))
    if receipt["department_code"] is None or n % 3 == 2:
        return
    await _ok(await client.post(f"/v1/consultations/{receipt['id']}/answer", json={"answer": answer}))
    if n % 2 == 0:
        await _ok(await client.post(f"/v1/consultations/track/{receipt['access_code']}/rating",
                                    json={"level": LEVELS[(n // 2) % len(LEVELS)]}))
