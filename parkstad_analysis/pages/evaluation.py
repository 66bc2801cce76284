"""The words and tables of the evaluation page: the outcome in plain Dutch, the buurten used, the caveats."""

from __future__ import annotations

import pandas as pd

from ..analysis.evaluation import MIN_INHABITANTS, PRE_QUARTERS, Evaluation
from ..dutch import nl_number
from ..vocabulary.areas import get_area

__all__ = ["COMPARISON_WORDS", "KIND_WORDS", "buurten_table", "caveats", "summary"]

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
