"""The demo data set's fixed parts: departments, their items, townships, policies (fictitious district 330199)."""

from __future__ import annotations

from typing import Any

# code, name, [(subject, target group, channels extra, fee, township-delegated)]
DEPARTMENTS: list[tuple[str, str, list[tuple[str, str, tuple[str, ...], str, bool]]]] = [
    ("FGJ", "区发展和改革局", [("企业投资项目备案", "legal", (), "0", False), ("固定资产投资项目节能审查", "legal", (), "0", False),
                          ("政府定价收费标准核定", "legal", (), "0", False), ("粮食收购资格认定", "legal", (), "0", False),
                          ("价格认定", "both", (), "0", False)]),
    ("JYJ", "区教育局", [("民办学校办学许可", "legal", (), "0", False), ("教师资格认定", "natural", ("mobile_pad",), "0", False),
                     ("校外培训机构审批", "legal", (), "0", False), ("学生资助申请", "natural", ("mobile_pad",), "0", True),
                     ("义务教育入学登记", "natural", (), "0", True)]),
    ("GAJ", "区公安分局", [("普通护照签发", "natural", (), "120.00", False), ("往来港澳通行证签发", "natural", (), "60.00", False),
                      ("居民身份证换领", "natural", ("kiosk",), "20.00", True), ("户口迁移登记", "natural", (), "0", True),
                      ("机动车驾驶证换证", "natural", ("kiosk",), "10.00", False)]),
    ("MZJ", "区民政局", [("结婚登记", "natural", (), "0", False), ("最低生活保障审核", "natural", ("mobile_pad",), "0", True),
                     ("高龄津贴申领", "natural", ("mobile_pad",), "0", True), ("社会团体成立登记", "legal", (), "0", False),
                     ("残疾人两项补贴申领", "natural", ("mobile_pad",), "0", True)]),
    ("SFJ", "区司法局", [("法律援助申请", "natural", (), "0", True), ("人民调解申请", "both", (), "0", True),
                     ("公证机构执业证书核发", "legal", (), "0", False), ("基层法律服务工作者执业核准", "natural", (), "0", False),
                     ("司法鉴定机构登记", "legal", (), "0", False)]),
    ("CZJ", "区财政局", [("政府采购代理机构登记", "legal", (), "0", False), ("会计代理记账许可", "legal", (), "0", False),
                     ("财政票据领购", "legal", (), "0", False), ("非税收入缴款", "both", ("bank_staff",), "0", False),
                     ("行政事业单位资产处置审批", "legal", (), "0", False)]),
    ("RSJ", "区人力资源和社会保障局", [("失业保险金申领", "natural", ("bank_terminal", "bank_staff"), "0", True),
                             ("社会保障卡申领", "natural", ("bank_terminal", "bank_staff"), "0", True),
                             ("灵活就业人员参保登记", "natural", ("bank_terminal",), "0", True),
                             ("人力资源服务许可", "legal", (), "0", False), ("职业技能等级认定", "natural", (), "0", False)]),
    ("ZRZY", "区自然资源和规划分局", [("建设用地规划许可证核发", "legal", (), "0", False),
                              ("不动产登记", "both", ("bank_staff",), "80.00", False),
                              ("建设工程规划许可证核发", "legal", (), "0", False),
                              ("乡村建设规划许可证核发", "natural", ("mobile_pad",), "0", True),
                              ("测绘资质审批", "legal", (), "0", False)]),
    ("ZJJ", "区住房和城乡建设局", [("建筑工程施工许可证核发", "legal", (), "0", False), ("商品房预售许可", "legal", (), "0", False),
                            ("住房公积金提取", "natural", ("bank_terminal", "bank_staff"), "0", False),
                            ("建筑业企业资质认定", "legal", (), "0", False), ("公共租赁住房申请", "natural", (), "0", True)]),
    ("JTJ", "区交通运输局", [("道路运输经营许可", "legal", (), "0", False), ("出租汽车驾驶员从业资格", "natural", (), "0", False),
                       ("公路超限运输许可", "legal", (), "0", False), ("网约车运输证核发", "natural", (), "0", False),
                       ("港口经营许可", "legal", (), "0", False)]),
    ("NYJ", "区农业农村局", [("农村宅基地审批", "natural", ("mobile_pad",), "0", True), ("兽药经营许可证核发", "legal", (), "0", False),
                       ("农药经营许可证核发", "legal", (), "0", False), ("拖拉机驾驶证核发", "natural", (), "0", True),
                       ("农作物种子生产经营许可", "legal", (), "0", False)]),
    ("SWJ", "区商务局", [("对外贸易经营者备案", "legal", ("bank_staff",), "0", False), ("单用途商业预付卡备案", "legal", (), "0", False),
                     ("成品油零售经营资格审批", "legal", (), "0", False), ("报废机动车回收拆解资质认定", "legal", (), "0", False),
                     ("拍卖企业设立审批", "legal", (), "0", False)]),
    ("WJJ", "区卫生健康局", [("医疗机构执业许可", "legal", (), "0", False), ("出生医学证明签发", "natural", (), "0", True),
                       ("公共场所卫生许可", "legal", (), "0", False), ("医师执业注册", "natural", (), "0", False),
                       ("计划生育家庭特别扶助申请", "natural", ("mobile_pad",), "0", True)]),
    ("SCJG", "区市场监督管理局", [("企业营业执照", "legal", ("bank_terminal", "bank_staff"), "0", False),
                            ("个体工商户营业执照", "natural", ("bank_terminal", "bank_staff"), "0", True),
                            ("食品经营许可证", "legal", ("bank_terminal",), "0", True), ("药品零售许可证", "legal", (), "0", False),
                            ("特种设备使用登记", "legal", (), "0", False)]),
    ("YBJ", "区医疗保障局", [("城乡居民医保参保登记", "natural", ("bank_terminal", "bank_staff"), "0", True),
                       ("异地就医备案", "natural", ("bank_terminal",), "0", True),
                       ("医疗费用手工报销", "natural", (), "0", True), ("门诊慢特病待遇认定", "natural", (), "0", True),
                       ("定点医药机构申请", "legal", (), "0", False)]),
]
ACTIONS = [("核发", "新办", 20, 5), ("变更", "变更", 15, 3), ("注销", "注销", 10, 1)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["晓明", "秀英", "建国", "丽华", "志强", "雅婷", "国平", "海燕", "文博", "思远", "佳怡", "子涵", "永福", "春梅"]
POLICIES: list[dict[str, Any]] = [
    {"code": "ZC-2025-01", "name": "小微企业首次升规奖励", "department_code": "FGJ", "expected_amount": "3000000.00"},
    {"code": "ZC-2025-02", "name": "高新技术企业认定奖励", "department_code": "FGJ", "expected_amount": "5000000.00"},
    {"code": "ZC-2025-03", "name": "稳岗返还", "department_code": "RSJ", "expected_amount": "8000000.00"},
    {"code": "ZC-2025-04", "name": "外贸企业出口信用保险补助", "department_code": "SWJ", "expected_amount": "1200000.00"},
    {"code": "ZC-2025-05", "name": "农业龙头企业贷款贴息", "department_code": "NYJ", "expected_amount": "2000000.00"},
    {"code": "ZC-2025-06", "name": "首次创业一次性补贴", "department_code": "RSJ", "expected_amount": "900000.00"},
]


def item_name(subject: str, action: str, verb: str) -> str:
    """A realistic item name from a subject and an action (许可证核发 / 营业执照变更登记 / 审批注销)."""
    if subject.endswith(("许可证", "营业执照", "执照", "证书", "证")):
        return subject + ({"核发": "核发", "变更": "变更登记", "注销": "注销登记"}[action]
                          if subject.endswith("执照") else {"核发": "核发", "变更": "变更", "注销": "注销"}[action])
    if action == "核发":
        return subject
    return f"{subject}（{verb}）"


def catalog_items() -> list[dict[str, Any]]:
    """Every demo item (15 departments × 5 subjects × 3 actions = 225), in the bulk-import shape."""
    items: list[dict[str, Any]] = []
    for d_index, (dept, dept_name, subjects) in enumerate(DEPARTMENTS, start=1):
        for s_index, (subject, target, extra, fee, delegated) in enumerate(subjects, start=1):
            for a_index, (action, verb, legal, promised) in enumerate(ACTIONS, start=1):
                code = f"330199-{dept}-{s_index:02d}{a_index}"
                channels = ["online", "window", *extra]
                natural = target != "legal"
                identity = "居民身份证" if natural else "营业执照"
                items.append({
                    "code": code, "basic_code": f"{d_index:02d}{s_index:02d}{a_index:02d}00000{d_index % 10}",
                    "name": item_name(subject, action, verb), "status": "published",
                    "aliases": [f"办{subject}"] if a_index == 1 else [],
                    "keywords": [subject, dept_name.removeprefix("区")],
                    "type": "public_service" if natural and fee == "0" else "licensing",
                    "department_code": dept, "target_group": target,
                    "exercise_level": "township" if delegated else "district",
                    "legal_limit_days": legal, "promised_limit_days": promised if a_index != 1 or not delegated else 3,
                    "fee": fee if a_index == 1 else "0", "fee_basis": "按省物价部门核定标准收取" if fee != "0" else "不收费",
                    "materials": [
                        {"name": f"{item_name(subject, action, verb)}申请表", "form": "both", "required": True,
                         "source": "applicant", "e_licence": False},
                        {"name": identity, "form": "electronic", "required": True, "source": "government",
                         "e_licence": True},
                        {"name": "委托书", "form": "paper", "required": False, "source": "applicant", "e_licence": False},
                    ],
                    "channels": channels, "appointment": a_index == 1,
                    "cross_province_mode": "full_online" if d_index % 4 == 0 and natural else None,
                    "cross_province_regions": ["上海市", "江苏省", "安徽省"] if d_index % 4 == 0 and natural else [],
                    "auto_approve": a_index == 3 and delegated,
                })
    return items
