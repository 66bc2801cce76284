"""The words and tables of the evaluation page: the outcome in plain Dutch, the buurten used, the caveats."""

from __future__ import annotations

import pandas as pd

from ..analysis.evaluation import MIN_INHABITANTS, POPULATION, PRE_QUARTERS, Evaluation
from ..analysis.indicators import benefit_rates
from ..dutch import nl_number
from ..vocabulary.areas import get_area

__all__ = ["COMPARISON_WORDS", "KIND_WORDS", "buurten_table", "caveats", "per_quarter", "per_quarter_columns",
           "summary"]

#: How each benefit kind reads in a sentence.
KIND_WORDS = {"bijstand": "personen met bijstand", "ww": "personen met een WW-uitkering",
              "ao": "personen met een arbeidsongeschiktheidsuitkering"}
COMPARISON_WORDS = {"gemeente": "de buurten van dezelfde gemeente buiten alle focusgebieden",
                    "matched": "de helft van die buurten die vóór de start het meest op het focusgebied leek "
                               "(niveau en verloop)"}


def summary(result: Evaluation) -> str:
    """The outcome in plain Dutch: the estimate with its rounding range, how unusual it is, and the pre-trend."""
    area = get_area(result.area)
    direction = "lager" if result.estimate < 0 else "hoger"
    pre, post = result.pre_quarters, result.post_quarters
    text = (f"Vanaf {result.start} ({post[0]}–{post[-1]}) lag het aantal {KIND_WORDS[result.kind]} per 1.000 inwoners "
            f"van 15 jaar en ouder in {area.title} gemiddeld {nl_number(abs(result.estimate), 1)} {direction} ten "
            f"opzichte van {COMPARISON_WORDS[result.comparison]} dan in de {len(pre)} kwartalen ervoor "
            f"({pre[0]}–{pre[-1]}). Door de afronding van CBS ligt die uitkomst tussen "
            f"{nl_number(result.rounding_low, 1)} en {nl_number(result.rounding_high, 1)}. ")
    share = nl_number(100 * result.p_value, 0)
    text += (f"Van {result.placebos} groepen vergelijkingsbuurten die als schijndoel zijn doorgerekend, liet "
             f"{share}% een even groot of groter verschil zien (p = {nl_number(result.p_value, 2)}): ")
    text += ("zo'n verschil komt tussen vergelijkbare buurten zelden voor zonder bijzondere oorzaak."
             if result.p_value < 0.05 else
             "zo'n verschil komt tussen vergelijkbare buurten ook zonder bijzondere oorzaak geregeld voor.")
    if result.pre_trend_flag:
        text += (f" Let op: vóór de start liepen focusgebied en vergelijking niet evenwijdig (het verschil veranderde "
                 f"in {len(pre)} kwartalen al met {nl_number(result.pre_drift, 1)} per 1.000); een deel van de uitkomst "
                 "kan de voortzetting daarvan zijn.")
    return text


def caveats(result: Evaluation) -> list[str]:
    """What the outcome does not say, specific to this evaluation where possible."""
    notes = [
        "Dit is geen bewijs van oorzaak: het laat zien of het focusgebied anders bewoog dan vergelijkbare buurten, "
        "niet waarom. Ander beleid (landelijke regels, de coronasteun van 2020–2021, gemeentelijke projecten) "
        "liep in dezelfde jaren.",
        f"Kleine aantallen: {len(result.target)} buurt(en) in het focusgebied; CBS rondt de aantallen af op tientallen. "
        f"Buurten met minder dan {MIN_INHABITANTS} inwoners van 15 jaar en ouder of met een ontbrekend kwartaal "
        "tellen niet mee.",
        "Buurtgrenzen: de kwartaalcijfers volgen één buurtindeling; waar grenzen in deze jaren veranderden, "
        "kan een buurt verschuiven tussen doel en vergelijking.",
        f"De vergelijking vóór de start beslaat de {PRE_QUARTERS} kwartalen (drie jaar) ervoor; een andere periode "
        "kan een ander getal geven.",
    ]
    if len(result.target) > len(result.comparison_buurten) // 2:
        notes.append("Het focusgebied heeft meer buurten dan de helft van de vergelijking: de schijndoelen zijn kleiner "
                     "dan het focusgebied en dus grilliger, wat de p-waarde aan de voorzichtige kant maakt.")
    return notes


def buurten_table(result: Evaluation, names: pd.Series) -> pd.DataFrame:
    """Every buurt of the evaluation: its role (doel, vergelijking, weggelaten) and why it was left out."""
    rows = [{"rol": "focusgebied", "code": c, "naam": names.get(c, ""), "reden": ""} for c in result.target]
    rows += [{"rol": "vergelijking", "code": c, "naam": names.get(c, ""), "reden": ""} for c in result.comparison_buurten]
    rows += [{"rol": "weggelaten", "code": c, "naam": names.get(c, ""), "reden": why} for c, why in result.left_out.items()]
    return pd.DataFrame.from_records(rows)


def per_quarter(result: Evaluation, benefits: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The evaluation per quarter beside the area's own figure, and one sentence on why the two can differ.

    The evaluation adds up the rounded counts of the buurten it keeps, because it compares buurten; every other
    page shows the area's figure (its own regions, as the profile and the index do: for Hoensbroek its wijken).
    CBS rounds every count to tens, so the two sums can differ a little; the page shows both and says so.
    """
    area = get_area(result.area)
    own = benefit_rates(benefits, area, POPULATION, kinds=[result.kind])  # the trends and profile pages' figure
    table = result.events.merge(own[["period", "value"]].rename(columns={"value": "area_rate"}), on="period",
                                how="left")
    differs = (table["target_rate"].round(1) - table["area_rate"].round(1)).abs()
    if not differs.gt(0).any():
        return table, ""
    widest = table.loc[differs.idxmax()]
    kept = f"de {len(result.target)} buurten die de evaluatie gebruikt"
    return table, (f"De kolom '{area.title}' is het gebiedscijfer dat ook op de profiel-, trend- en overzichtspagina's "
                   f"staat; de evaluatie vergelijkt buurten en telt daarom de aantallen van {kept} op. CBS rondt elk "
                   f"aantal af op tientallen, per buurt en per {area.level} apart, dus de twee sommen verschillen iets: "
                   f"het meest in {widest['period']}, {nl_number(widest['area_rate'], 1)} tegen "
                   f"{nl_number(widest['target_rate'], 1)}. Het effect is berekend op de som van de buurten.")


def per_quarter_columns(result: Evaluation) -> dict[str, tuple[str, int | None]]:
    """The columns of :func:`per_quarter`'s table with their Dutch headers and decimals."""
    title = get_area(result.area).title
    return {"period": ("Kwartaal", None), "area_rate": (title, 1), "target_rate": (f"{title}, som van de buurten", 1),
            "comparison_rate": ("Vergelijking", 1), "gap": ("Verschil", 1),
            "effect": ("Verschil t.o.v. vóór de start", 1), "placebo_low": ("Placebo's 5%", 1),
            "placebo_high": ("Placebo's 95%", 1)}
