"""Statement lines of one period from the XBRL tags a filer reported for it (docs/importing.md).

Plain lines take the first tag of a fallback list that has a value. Lines whose tags overlap are built from
their components, and every component seen is recorded (`Component`), counted or not, with the reason:

- total_debt   = long-term debt including its current portion + convertible debt outside it
                 + commercial paper + short-term borrowings that are not one of those amounts;
- cash_and_short_term_investments = the reported total, else cash and equivalents + one short-term
                 investments tag (the alternatives overlap, so never two);
- operating_income (EBIT) = OperatingIncomeLoss, else revenue - total costs and expenses, else
                 revenue - cost of revenue - operating expenses; never pre-tax income;
- capital_expenditure = purchases of property, plant and equipment, else of productive assets (which
                 include PP&E, so never both; intangible purchases are not capex: Tesla's 2021 bitcoin).

Two amounts are "the same" when they differ by at most 0.5% (`SAME`): filers round differently in
different parts of a filing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

SAME = 0.005  # relative difference under which two reported amounts are one amount tagged twice
PREMIUM = 0.02  # a carrying amount may exceed the principal by this much (premium) and still fit inside it


@dataclass(frozen=True)
class Reported:
    """One tag's value for one period, and when the filing that carried it was made public. `note` says how
    the value was obtained when not as that filing tagged it (a per-share value restated for a later split,
    splits.py; a balance taken from a 10-Q's comparative column)."""

    val: float
    filed: dt.date
    note: str | None = None


@dataclass(frozen=True)
class Component:
    source: str
    value: float
    counted: bool = True
    note: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"source": self.source, "value": _number(self.value)}
        if not self.counted:
            out["counted"] = False
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Line:
    """A built line: value, the tags it used (for `source`) and its components (for the bundle)."""

    value: float
    tags: list[str]
    components: list[Component] = field(default_factory=list)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME * max(abs(a), abs(b), 1.0)


Values = Mapping[str, Reported]

# line -> fallback tags, first found wins (per period).
DURATION_TAGS: dict[str, dict[str, tuple[str, ...]]] = {
    "income": {
        "revenue": (
            "Revenues",
            "RevenueFromContractWithCustomerExcludingAssessedTax",
            "RevenueFromContractWithCustomerIncludingAssessedTax",
            "SalesRevenueNet",
            "SalesRevenueGoodsNet",
        ),
        "cost_of_revenue": (
            "CostOfRevenue",
            "CostOfGoodsAndServicesSold",
            "CostOfGoodsSold",
            "CostOfGoodsAndServiceExcludingDepreciationDepletionAndAmortization",
        ),
        "gross_profit": ("GrossProfit",),
        "depreciation_amortization": (
            "DepreciationDepletionAndAmortization",
            "DepreciationAndAmortization",
            "DepreciationAmortizationAndAccretionNet",
        ),
        "interest_expense": ("InterestExpense", "InterestExpenseNonoperating", "InterestExpenseDebt"),
        "income_tax": ("IncomeTaxExpenseBenefit",),
        "net_income": ("NetIncomeLoss", "ProfitLoss", "NetIncomeLossAvailableToCommonStockholdersBasic"),
        "eps_diluted": ("EarningsPerShareDiluted",),
        "shares_diluted": ("WeightedAverageNumberOfDilutedSharesOutstanding",),
    },
    "cash_flow": {
        "operating_cash_flow": (
            "NetCashProvidedByUsedInOperatingActivities",
            "NetCashProvidedByUsedInOperatingActivitiesContinuingOperations",
        ),
        "investing_cash_flow": (
            "NetCashProvidedByUsedInInvestingActivities",
            "NetCashProvidedByUsedInInvestingActivitiesContinuingOperations",
        ),
        "financing_cash_flow": (
            "NetCashProvidedByUsedInFinancingActivities",
            "NetCashProvidedByUsedInFinancingActivitiesContinuingOperations",
        ),
        "dividends_paid": ("PaymentsOfDividends", "PaymentsOfDividendsCommonStock"),
    },
}
INSTANT_TAGS: dict[str, tuple[str, ...]] = {
    "total_assets": ("Assets",),
    "current_assets": ("AssetsCurrent",),
    "cash_and_equivalents": ("CashAndCashEquivalentsAtCarryingValue", "Cash"),
    "total_liabilities": ("Liabilities",),
    "current_liabilities": ("LiabilitiesCurrent",),
    "stockholders_equity": (
        "StockholdersEquity",
        "StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest",
    ),
}
EBIT_TAGS = ("OperatingIncomeLoss", "CostsAndExpenses", "OperatingExpenses")
DA_PARTS = ("Depreciation", "AmortizationOfIntangibleAssets")  # D&A in two tags (Alphabet, Tesla, Snowflake)
CAPEX_TAGS = ("PaymentsToAcquirePropertyPlantAndEquipment", "PaymentsToAcquireProductiveAssets")
SHORT_TERM_TAGS = ("ShortTermBorrowings", "OtherShortTermBorrowings")
LEASE_INCLUSIVE = ("LongTermDebtAndCapitalLeaseObligations", "LongTermDebtAndCapitalLeaseObligationsCurrent")
DEBT_TAGS = (
    "LongTermDebt",
    "LongTermDebtNoncurrent",
    "LongTermDebtCurrent",
    "ConvertibleDebtNoncurrent",
    "ConvertibleDebtCurrent",
    "DebtCurrent",
    "CommercialPaper",
    *SHORT_TERM_TAGS,
    "DebtInstrumentCarryingAmount",
    *LEASE_INCLUSIVE,
)
# Current investments, broadest first; alternatives for one balance-sheet line, so never two added
# (audited on the five SEC files: Apple AvailableForSaleSecuritiesCurrent to 2018 then
# MarketableSecuritiesCurrent; NVIDIA MarketableSecuritiesCurrent then DebtSecuritiesCurrent from 2026;
# Alphabet the reported total; Snowflake AvailableForSaleSecuritiesDebtSecuritiesCurrent; Tesla
# MarketableSecuritiesCurrent. Restricted cash and equity securities held long term are not cash-like.)
STI_TAGS = (
    "ShortTermInvestments",
    "MarketableSecuritiesCurrent",
    "AvailableForSaleSecuritiesCurrent",
    "AvailableForSaleSecuritiesDebtSecuritiesCurrent",
    "DebtSecuritiesCurrent",
)
CASH_STI_TOTAL = "CashCashEquivalentsAndShortTermInvestments"
POSITIVE = {"capital_expenditure", "dividends_paid"}  # cash paid, stored as a positive number
PER_SHARE = {"eps_diluted"}


def all_tags() -> set[str]:
    tags = {t for spec in DURATION_TAGS.values() for ts in spec.values() for t in ts}
    tags |= {t for ts in INSTANT_TAGS.values() for t in ts}
    return (
        tags
        | set(EBIT_TAGS)
        | set(CAPEX_TAGS)
        | set(DEBT_TAGS)
        | set(STI_TAGS)
        | set(DA_PARTS)
        | {CASH_STI_TOTAL}
    )


def first_tag(values: Values, tags: tuple[str, ...]) -> tuple[str, float] | None:
    for tag in tags:
        if tag in values:
            return tag, values[tag].val
    return None


def _long_term_debt(v: Mapping[str, float]) -> tuple[list[Component], float | None, bool]:
    """Long-term debt including its current portion: (components, that current portion when known, whether
    convertible current debt is already inside)."""
    nc, c, ltd = v.get("LongTermDebtNoncurrent"), v.get("LongTermDebtCurrent"), v.get("LongTermDebt")
    cnc, cc = v.get("ConvertibleDebtNoncurrent"), v.get("ConvertibleDebtCurrent")
    if nc is not None and c is not None:
        parts = [Component("LongTermDebtNoncurrent", nc), Component("LongTermDebtCurrent", c)]
        if ltd is not None:
            why = (
                "the same total"
                if same(ltd, nc + c)
                else "differs from the balance-sheet split (principal rather than carrying amount)"
            )
            parts.append(
                Component("LongTermDebt", ltd, False, f"not added: {why}; noncurrent + current used")
            )
        return parts, c, False
    if ltd is not None:
        if nc is not None and same(ltd, nc) and ltd != 0:
            parts = [
                Component(
                    "LongTermDebt", ltd, note="equals LongTermDebtNoncurrent: the noncurrent part only"
                ),
                Component("LongTermDebtNoncurrent", nc, False, "not added: the same amount as LongTermDebt"),
            ]
            current = _current_portion_from_debt_current(v)
            return parts + ([current] if current else []), current.value if current else None, False
        if nc is not None and ltd > nc:  # LongTermDebt above the noncurrent part holds the current portion
            return (
                [
                    Component("LongTermDebt", ltd),
                    Component("LongTermDebtNoncurrent", nc, False, "not added: inside LongTermDebt"),
                ],
                ltd - nc,
                False,
            )
        if nc is not None:
            return (
                [
                    Component("LongTermDebtNoncurrent", nc),
                    Component("LongTermDebt", ltd, False, "not added: below the noncurrent part alone"),
                ],
                None,
                False,
            )
        if cnc is not None and cc is not None and same(ltd, cnc):
            return (
                [
                    Component(
                        "LongTermDebt", ltd, note="equals ConvertibleDebtNoncurrent: the noncurrent part"
                    ),
                    Component(
                        "ConvertibleDebtNoncurrent", cnc, False, "not added: the same amount as LongTermDebt"
                    ),
                    Component("ConvertibleDebtCurrent", cc, note="its current portion"),
                ],
                cc,
                True,
            )
        tesla_style = _noncurrent_by_principal(v)
        if tesla_style is not None:
            return tesla_style
        return (
            [Component("LongTermDebt", ltd, note="includes its current portion (us-gaap definition)")],
            c,
            False,
        )
    if nc is not None:
        current = _current_portion_from_debt_current(v)
        return (
            [Component("LongTermDebtNoncurrent", nc), *([current] if current else [])],
            (current.value if current else None),
            False,
        )
    if c is not None:
        return [Component("LongTermDebtCurrent", c)], c, False
    if cnc is not None or cc is not None:
        parts = [
            Component(tag, val)
            for tag, val in (("ConvertibleDebtNoncurrent", cnc), ("ConvertibleDebtCurrent", cc))
            if val is not None
        ]
        return parts, cc, True
    lnc, lc = (v.get(t) for t in LEASE_INCLUSIVE)
    if lnc is not None or lc is not None:
        note = "includes capital (finance) lease obligations: the filer reports no debt-only tag"
        return (
            [
                Component(t, val, note=note)
                for t, val in zip(LEASE_INCLUSIVE, (lnc, lc), strict=True)
                if val is not None
            ],
            lc,
            False,
        )
    return [], None, False


def _current_portion_from_debt_current(v: Mapping[str, float]) -> Component | None:
    """The current portion of long-term debt as DebtCurrent (all current debt) less the short-term debt
    reported under its own tags; None when DebtCurrent is not reported or nothing is left."""
    dc = v.get("DebtCurrent")
    if dc is None:
        return None
    rest = dc - sum(v.get(t) or 0.0 for t in ("CommercialPaper", *SHORT_TERM_TAGS))
    if rest <= SAME * max(abs(dc), 1.0):
        return None
    return Component(
        "DebtCurrent",
        rest,
        note="the current portion: DebtCurrent less commercial paper and "
        "short-term borrowings reported separately",
    )


def _noncurrent_by_principal(v: Mapping[str, float]) -> tuple[list[Component], float | None, bool] | None:
    """LongTermDebt that is only the noncurrent part, shown by the principal of all debt instruments.

    With no current-portion tag but DebtCurrent (all current debt), the two overlap when LongTermDebt
    already holds the current portion. The principal (DebtInstrumentCarryingAmount, before discounts) can
    tell: when LongTermDebt + the current debt still fit inside it, they cannot overlap (Tesla 2016-2021).
    """
    ltd, debt_current, principal = (
        v.get("LongTermDebt"),
        v.get("DebtCurrent"),
        v.get("DebtInstrumentCarryingAmount"),
    )
    if ltd is None or debt_current is None or principal is None or debt_current <= 0:
        return None
    short = sum(v.get(t) or 0.0 for t in ("CommercialPaper", *SHORT_TERM_TAGS))
    current = debt_current - short
    if current <= 0 or ltd + current > principal * (1 + PREMIUM) or ltd >= principal * (1 - PREMIUM):
        return None
    note = (
        f"DebtCurrent less commercial paper and short-term borrowings: LongTermDebt + this fit inside the "
        f"principal {principal:,.0f} (DebtInstrumentCarryingAmount), so LongTermDebt excludes it"
    )
    return (
        [
            Component("LongTermDebt", ltd, note="the noncurrent part only (see the current portion)"),
            Component("DebtCurrent", current, note=note),
        ],
        current,
        True,
    )


def total_debt(values: Values) -> Line | None:
    """Long-term debt with its current portion + convertible debt outside it + commercial paper + short-term
    borrowings that are not the current portion or the commercial paper tagged again."""
    v = {t: values[t].val for t in DEBT_TAGS if t in values}
    parts, current_portion, convertible_inside = _long_term_debt(v)
    seen = {p.source for p in parts}
    long_term = sum(p.value for p in parts if p.counted)
    cc = v.get("ConvertibleDebtCurrent")
    if cc is not None and "ConvertibleDebtCurrent" not in seen and not convertible_inside:
        if current_portion is not None and cc <= current_portion * (1 + SAME):
            parts.append(
                Component(
                    "ConvertibleDebtCurrent",
                    cc,
                    False,
                    "not added: fits inside the current portion of long-term debt",
                )
            )
        else:
            parts.append(
                Component(
                    "ConvertibleDebtCurrent",
                    cc,
                    note="current convertible debt outside the long-term debt's current portion",
                )
            )
    cnc = v.get("ConvertibleDebtNoncurrent")
    if cnc is not None and "ConvertibleDebtNoncurrent" not in seen:
        if cnc <= long_term * (1 + SAME):
            parts.append(
                Component(
                    "ConvertibleDebtNoncurrent",
                    cnc,
                    False,
                    "not added: fits inside long-term debt (whose us-gaap definition includes notes)",
                )
            )
        else:
            parts.append(
                Component(
                    "ConvertibleDebtNoncurrent",
                    cnc,
                    note="more than the long-term debt reported, so not inside it",
                )
            )
    cp = v.get("CommercialPaper")
    if cp is not None:
        parts.append(Component("CommercialPaper", cp))
    short_term: list[float] = []
    for tag in SHORT_TERM_TAGS:
        stb = v.get(tag)
        if stb is None:
            continue
        if stb != 0 and current_portion is not None and same(stb, current_portion):
            parts.append(
                Component(
                    tag,
                    stb,
                    False,
                    "not added: equals the current portion of long-term debt, which is already inside it",
                )
            )
        elif stb != 0 and cp is not None and same(stb, cp):
            parts.append(Component(tag, stb, False, "not added: the same amount as CommercialPaper"))
        else:
            parts.append(Component(tag, stb))
            short_term.append(stb)
    parts += _other_current_debt(v, parts, current_portion, cp, short_term)
    counted = [p for p in parts if p.counted]
    if not counted:
        return None
    return Line(sum(p.value for p in counted), [p.source for p in counted], parts)


def _other_current_debt(
    v: Mapping[str, float],
    parts: list[Component],
    current_portion: float | None,
    cp: float | None,
    short_term: list[float],
) -> list[Component]:
    """DebtCurrent (all current debt) against the current parts counted: a remainder is current debt that no
    other tag names; nothing is added when the current portion of long-term debt is unknown (can't tell)."""
    dc = v.get("DebtCurrent")
    if dc is None or any(p.source == "DebtCurrent" for p in parts):
        return []
    if current_portion is None:
        return [
            Component(
                "DebtCurrent",
                dc,
                False,
                "not added: the current portion of long-term debt is not "
                "reported, so its overlap with the tags above is unknown",
            )
        ]
    known = current_portion + (cp or 0.0) + sum(short_term)
    known += sum(p.value for p in parts if p.counted and p.source == "ConvertibleDebtCurrent")
    if dc - known > SAME * max(abs(dc), 1.0):
        return [
            Component(
                "DebtCurrent",
                dc - known,
                note=f"current debt no other tag names: DebtCurrent {dc:,.0f} less the current parts above",
            )
        ]
    return [Component("DebtCurrent", dc, False, "not added: the total of the current parts counted above")]


def cash_and_short_term_investments(values: Values, cash: float | None) -> Line | None:
    """The reported total, else cash and equivalents + the first short-term investments tag found."""
    if CASH_STI_TOTAL in values:
        note = values[CASH_STI_TOTAL].note
        return Line(
            values[CASH_STI_TOTAL].val,
            [CASH_STI_TOTAL],
            [Component(CASH_STI_TOTAL, values[CASH_STI_TOTAL].val, note=note)] if note else [],
        )
    sti = first_tag(values, STI_TAGS)
    if cash is None or sti is None:
        return None
    parts = [Component("cash_and_equivalents", cash), Component(sti[0], sti[1], note=values[sti[0]].note)]
    parts += [
        Component(t, values[t].val, False, f"not added: an alternative to {sti[0]} (they overlap)")
        for t in STI_TAGS
        if t in values and t != sti[0]
    ]
    return Line(cash + sti[1], [sti[0]], parts)


def operating_income(values: Values, revenue: float | None, cost_of_revenue: float | None) -> Line | None:
    """EBIT: OperatingIncomeLoss, else revenue - CostsAndExpenses, else revenue - cost of revenue - opex."""
    if "OperatingIncomeLoss" in values:
        return Line(values["OperatingIncomeLoss"].val, ["OperatingIncomeLoss"])
    if revenue is not None and "CostsAndExpenses" in values:
        costs = values["CostsAndExpenses"].val
        return Line(
            revenue - costs,
            ["CostsAndExpenses"],
            [Component("revenue", revenue), Component("CostsAndExpenses", -costs, note="subtracted")],
        )
    if revenue is not None and cost_of_revenue is not None and "OperatingExpenses" in values:
        opex = values["OperatingExpenses"].val
        return Line(
            revenue - cost_of_revenue - opex,
            ["OperatingExpenses"],
            [
                Component("revenue", revenue),
                Component("cost_of_revenue", -cost_of_revenue, note="subtracted"),
                Component("OperatingExpenses", -opex, note="subtracted"),
            ],
        )
    return None


def depreciation_amortization(values: Values) -> Line | None:
    """D&A from its parts when no combined tag is reported: Depreciation + AmortizationOfIntangibleAssets
    (depreciation alone when the filer tags no amortization for the period, said in the component)."""
    dep = values.get("Depreciation")
    if dep is None:
        return None
    amort = values.get("AmortizationOfIntangibleAssets")
    if amort is None:
        return Line(
            dep.val,
            ["Depreciation"],
            [
                Component(
                    "Depreciation",
                    dep.val,
                    note="no AmortizationOfIntangibleAssets tagged: depreciation only",
                )
            ],
        )
    return Line(
        dep.val + amort.val,
        ["Depreciation", "AmortizationOfIntangibleAssets"],
        [Component("Depreciation", dep.val), Component("AmortizationOfIntangibleAssets", amort.val)],
    )


def capital_expenditure(values: Values) -> Line | None:
    """PP&E purchases, else productive-asset purchases (a superset of PP&E: never both)."""
    found = first_tag(values, CAPEX_TAGS)
    if found is None:
        return None
    tag, val = found
    parts = [Component(tag, abs(val))]
    parts += [
        Component(t, abs(values[t].val), False, f"not added: overlaps {tag}")
        for t in CAPEX_TAGS
        if t in values and t != tag
    ]
    return Line(abs(val), [tag], parts if len(parts) > 1 else [])
