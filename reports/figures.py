"""The figures of the two monthly reports: names as printed, groups, and how a county total is made.

Pure: no database. `selectors.py` computes each town's values; this module says what each figure
is (a count, an amount, or a ratio derived from two others), adds the towns into the county row,
checks that the report reconciles and turns values into the JSON form (amounts as strings).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from linggao_pension.money import quantize

COUNT = "count"
MONEY = "money"
AVERAGE = "average"  # money / count, never added across towns


@dataclass(frozen=True)
class Figure:
    name: str  # as printed, and the JSON key
    kind: str = COUNT
    of: tuple[str, str] | None = None  # AVERAGE: (amount figure, count figure)

    @property
    def additive(self) -> bool:
        return self.kind != AVERAGE


@dataclass(frozen=True)
class Group:
    title: str
    figures: tuple[Figure, ...]


def c(name: str) -> Figure:
    return Figure(name, COUNT)


def m(name: str) -> Figure:
    return Figure(name, MONEY)


TERMINATION_REASONS = (("01", "死亡"), ("06", "出外定居"), ("07", "参加职保"), ("99", "其他"))

# Funding items of a contribution year (§2.6), as the ledger's sources name them.
CONTRIBUTION_ITEMS = (
    ("personal", "个人缴费"), ("collective", "集体补助"), ("sponsor", "其他资助"), ("central", "中央财政补贴"),
    ("province", "省级财政补贴"), ("county", "县级财政补贴"), ("township", "镇级财政补贴"),
    ("village", "村级财政补贴"), ("daijiao", "政府代缴"), ("land", "被征地补助"),
)

# The fund's income and expenditure categories (§9.3).
INCOME_CATEGORIES = (
    "个人缴费收入", "集体补助及资助收入", "政府补贴收入", "政府代缴收入", "被征地补助收入",
    "基础养老金补助收入", "利息收入", "转移收入", "其他收入",
)
EXPENDITURE_CATEGORIES = (
    "基础养老金支出", "个人账户养老金支出", "丧葬补助金支出", "转移支出", "退保支出", "其他支出",
)

# Ledger source -> income category.
SOURCE_INCOME = {
    "personal": "个人缴费收入", "collective": "集体补助及资助收入", "sponsor": "集体补助及资助收入",
    "central": "政府补贴收入", "province": "政府补贴收入", "city": "政府补贴收入", "county": "政府补贴收入",
    "township": "政府补贴收入", "village": "政府补贴收入", "daijiao": "政府代缴收入", "land": "被征地补助收入",
    "interest": "利息收入", "transfer_in": "转移收入",
}


def grade_figure_name(grade: Decimal) -> str:
    """"500元档人数" for the grade 500.00."""
    return f"{Decimal(grade).normalize():f}元档人数"


def fund_groups() -> list[Group]:
    return [
        Group("基金收支", (
            m("期初余额"),
            *(m(name) for name in INCOME_CATEGORIES), m("收入合计"),
            *(m(name) for name in EXPENDITURE_CATEGORIES), m("支出合计"),
            m("上缴财政专户"), m("期末余额"),
        )),
        Group("本年累计", (m("本年收入累计"), m("本年支出累计"), m("本年上缴财政专户累计"))),
    ]


def monthly_groups(grades: Sequence[Decimal]) -> list[Group]:
    """The 统计月报 of domain §10.2; the grade columns are the grades of the report's year."""
    return [
        Group("参保情况", (
            c("参保人数"), c("缴费人员"), c("领取人数"), c("暂停领取人数"), c("本月新增参保"),
            *(c(f"本月终止（{label}）") for _, label in TERMINATION_REASONS),
            c("本月转入"), c("本月转出"),
        )),
        Group("本年缴费", (
            c("本年缴费人数"), *(m(label) for _, label in CONTRIBUTION_ITEMS), m("本年缴费合计"),
            *(c(grade_figure_name(grade)) for grade in grades),
        )),
        Group("特殊群体", (c("代缴人数"), m("代缴金额"))),
        Group("本月待遇", (
            c("本月新增领取"), c("应发人数"), c("实发人数"), m("实发基础养老金"), m("实发个人账户养老金"),
            m("实发金额"), Figure("人均待遇", AVERAGE, of=("实发金额", "实发人数")), c("支付失败笔数"),
        )),
        Group("资格认证", (c("本月应认证"), c("本月已认证"), c("未认证暂停"), c("认证后恢复"))),
        Group("待遇追回", (
            c("本月新立案"), m("本月立案金额"), m("本月追回金额"), m("累计追回金额"), c("分期协议数"), m("核销金额"),
        )),
        *fund_groups()[:1],
    ]


def figures_of(groups: Iterable[Group]) -> list[Figure]:
    return [f for g in groups for f in g.figures]


def zero(figure: Figure):
    return 0 if figure.kind == COUNT else Decimal("0.00")


def complete_row(row: dict, figures: Sequence[Figure]) -> dict:
    """Every figure present (0 where a town had none) and the averages derived."""
    out = {f.name: row.get(f.name, zero(f)) for f in figures}
    for f in figures:
        if f.kind == AVERAGE:
            amount, count = (out[f.of[0]], out[f.of[1]])
            out[f.name] = quantize(Decimal(amount) / count) if count else Decimal("0.00")
    return out


def total_row(rows: Iterable[dict], figures: Sequence[Figure]) -> dict:
    """The county row: the sum of the towns for every additive figure, averages re-derived."""
    total = {f.name: zero(f) for f in figures}
    for row in rows:
        for f in figures:
            if f.additive:
                total[f.name] += row[f.name]
    return complete_row(total, figures)


def reconcile(towns: Sequence[dict], total: dict, figures: Sequence[Figure]) -> list[str]:
    """What does not add up, in words (empty when the report reconciles)."""
    problems = []
    for f in figures:
        if f.additive and sum((t[f.name] for t in towns), zero(f)) != total[f.name]:
            problems.append(f"{f.name}：各镇合计与全县不符")
    names = {f.name for f in figures}
    if {"期初余额", "收入合计", "支出合计", "期末余额"} <= names:
        for row in [*towns, total]:
            if row["期初余额"] + row["收入合计"] - row["支出合计"] != row["期末余额"]:
                problems.append(f"{row.get('town', '全县')}：期末余额 ≠ 期初余额 + 收入 − 支出")
    return problems


def to_json_value(figure: Figure, value):
    return value if figure.kind == COUNT else f"{Decimal(value):.2f}"


def from_json_value(figure: Figure, value):
    return int(value) if figure.kind == COUNT else Decimal(value)
