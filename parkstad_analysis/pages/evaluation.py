"""The words and tables of the evaluation page: the outcome in plain Dutch, the buurten used, the caveats."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.evaluation import MIN_INHABITANTS, POPULATION, PRE_QUARTERS, Evaluation, target_buurten
from ..analysis.indicators import benefit_rates
from ..dutch import dutch_list, nl_number
from ..vocabulary.areas import focus_areas, get_area

__all__ = ["COMPARISON_WORDS", "KIND_WORDS", "buurten_table", "caveats", "comparison_note", "context_notes",
           "per_quarter", "per_quarter_columns", "summary", "verdict"]

#: How each benefit kind reads in a sentence.
KIND_WORDS = {"bijstand": "personen met bijstand", "ww": "personen met een WW-uitkering",
              "ao": "personen met een arbeidsongeschiktheidsuitkering"}
COMPARISON_WORDS = {"gemeente": "de buurten van dezelfde gemeente buiten alle focusgebieden",
                    "matched": "de helft van die buurten die vóór de start het meest op het focusgebied leek "
                               "(niveau en verloop)"}


def _per(value: float) -> str:
    """A change per 1,000 with its sign (-5,5; +1,6): the minus as the tables, chart and CSVs write it, so that the
    verdict's -5,5 is the same text as the chart's and the CSV's."""
    return ("+" if value > 0 else "") + nl_number(value, 1)


def _randomisation(result: Evaluation) -> str:
    """How the p-value was found, in a reader's words: every possible group, or how many random ones."""
    groups = f"groepen van {len(result.target)} buurten uit de {len(result.target) + len(result.comparison_buurten)}"
    if result.exact:
        return f"alle {nl_number(result.placebos, 0)} mogelijke {groups}"
    return (f"{nl_number(result.placebos, 0)} willekeurig gekozen {groups} (van de {nl_number(result.possible, 0)} "
            "mogelijke: te veel om alle door te rekenen)")


def verdict(result: Evaluation) -> str:
    """The answer first, in words: is there evidence that the area moved differently after the start, and is the
    difference more than the trend it already had."""
    area = get_area(result.area).title
    words = KIND_WORDS[result.kind]
    share = nl_number(100 * result.p_value, 0)
    trend = (f" Bovendien was dat verschil vóór de start al ontstaan ({_per(result.pre_drift)} per 1.000 in "
             f"{len(result.pre_quarters)} kwartalen): met die trend doorgetrokken is de uitkomst "
             f"{_per(result.trend_adjusted)}, dus de hele uitkomst kan de voortzetting van die trend zijn."
             if result.trend_explains else "")
    second = _second_opinion(result)
    if result.p_value >= 0.10:
        return (f"Geen aanwijzing dat het aantal {words} in {area} na de start anders bewoog dan in de vergelijking. Het "
                f"verschil ({_per(result.estimate)} per 1.000 inwoners van 15 jaar en ouder) is niet ongewoon: bij "
                f"{share}% van de andere indelingen van dezelfde buurten is het even groot of groter.{trend}{second}")
    direction = "daalde" if result.estimate < 0 else "steeg"
    return (f"Na de start {direction} het aantal {words} in {area} meer dan in de vergelijking "
            f"({_per(result.estimate)} per 1.000 inwoners van 15 jaar en ouder); bij {share}% van de andere "
            f"indelingen van dezelfde buurten is het verschil even groot of groter.{trend}{second} Dat zegt niet dat "
            "de projecten het veroorzaakten.")


def _second_opinion(result: Evaluation) -> str:
    """The synthetic control's answer in one sentence, and whether it agrees with the difference-in-differences."""
    synthetic = result.synthetic
    if synthetic is None:
        return ""
    agrees = (np.sign(synthetic.estimate) == np.sign(result.estimate)
              and (synthetic.p_value < 0.10) == (result.p_value < 0.10))
    text = (f" Een tweede methode, een synthetische controle (een gewogen mix van vergelijkingsbuurten die het gebied "
            f"vóór de start volgde), komt op {_per(synthetic.estimate)} (p = {nl_number(synthetic.p_value, 2)})")
    return text + (": dezelfde conclusie." if agrees else ": de twee methoden komen niet tot dezelfde conclusie, dus "
                   "de uitkomst hangt af van de gekozen methode.")


def summary(result: Evaluation) -> str:
    """The figures behind the verdict: the estimate with its standard error, the randomisation, both rounding
    ranges, the pre-trend and how much it would take to erase the result, and other pre-start windows."""
    area = get_area(result.area)
    pre, post = result.pre_quarters, result.post_quarters
    independent, persistent = result.rounding["independent"], result.rounding["persistent"]
    windows = sorted(result.pre_windows.values())
    text = (f"Vanaf {result.start} ({post[0]}–{post[-1]}) veranderde het aantal {KIND_WORDS[result.kind]} per 1.000 "
            f"inwoners van 15 jaar en ouder in {area.title} met {_per(result.estimate)} ten opzichte van "
            f"{COMPARISON_WORDS[result.comparison]}, vergeleken met de {len(pre)} kwartalen ervoor ({pre[0]}–{pre[-1]}) "
            f"(verschil-in-verschillen met vaste effecten per buurt en kwartaal, buurten gewogen naar hun inwoners van "
            f"15 jaar en ouder; standaardfout {nl_number(result.standard_error, 1)}, geclusterd per buurt). "
            f"Toetsing door herindeling: dezelfde berekening voor {_randomisation(result)} geeft p = "
            f"{nl_number(result.p_value, 2)}. Afronding door CBS: met een afrondingsfout per buurt en kwartaal ligt de "
            f"uitkomst tussen {_per(independent[0])} en {_per(independent[1])}; als de fout per buurt vóór en na de "
            f"start steeds dezelfde is (wanneer het ware aantal nauwelijks beweegt) tussen {_per(persistent[0])} en "
            f"{_per(persistent[1])}. ")
    text += (f"Trend vóór de start: het verschil veranderde met {_per(result.pre_slope)} per kwartaal "
             f"(standaardfout {nl_number(result.pre_slope_error, 2)}); een verschil in trend van "
             f"{_per(result.breakdown_slope)} per kwartaal zou de hele uitkomst verklaren, en met de trend van vóór de "
             f"start doorgetrokken is de uitkomst {_per(result.trend_adjusted)}. ")
    synthetic = result.synthetic
    if synthetic is not None:
        text += (f"Synthetische controle (pysyncon): {len(synthetic.weights)} vergelijkingsbuurten vormen samen een "
                 f"tweeling die vóór de start gemiddeld {nl_number(synthetic.pre_rmspe, 1)} per 1.000 van het gebied "
                 f"afweek; de verandering ten opzichte van die tweeling is {_per(synthetic.estimate)}; elk van de "
                 f"{len(result.comparison_buurten)} vergelijkingsbuurten op dezelfde manier doorgerekend geeft "
                 f"p = {nl_number(synthetic.p_value, 2)}. ")
    if len(windows) > 1:
        text += (f"Met een vergelijkingsperiode van {min(result.pre_windows)} tot {max(result.pre_windows)} kwartalen "
                 f"vóór de start ligt de uitkomst tussen {_per(windows[0])} en {_per(windows[-1])}.")
    return text


def comparison_note(result: Evaluation) -> str:
    """What the comparison is: which buurten, at what level before the start, and why a different level is fine."""
    before = result.events[result.events["quarter_from_start"] < 0]
    area = get_area(result.area).title
    return (f"De vergelijking: {len(result.comparison_buurten)} buurten, {COMPARISON_WORDS[result.comparison]}. "
            f"Vóór de start lag hun gemiddelde op {nl_number(before['comparison_rate'].mean(), 1)} per 1.000, tegen "
            f"{nl_number(before['target_rate'].mean(), 1)} in {area}: de methode vraagt geen gelijk niveau, wel een "
            "gelijk verloop zonder de projecten (evenwijdige trends); de trend vóór de start laat zien hoe goed dat "
            "opging.")


def context_notes(result: Evaluation, projects: pd.DataFrame) -> list[str]:
    """What a reader of this evaluation must know about the others and the projects: the focus areas that overlap
    this one, and the target groups of the projects that act in it."""
    own = set(result.target)
    overlapping = []
    for name in focus_areas():
        other = get_area(name)
        if name == result.area or other.level not in ("buurt", "wijk") or other.gemeente != get_area(result.area).gemeente:
            continue
        shared = own & set(target_buurten(other, sorted(own | set(result.left_out))))
        if shared:
            overlapping.append(f"{other.title} ({len(shared)} buurten gedeeld)")
    notes = []
    if overlapping:
        notes.append(f"Overlap: de buurten van dit gebied vallen ook in {dutch_list(overlapping)}; die evaluaties zijn "
                     "dus niet onafhankelijk van deze, en hun uitkomsten mogen niet bij elkaar worden opgeteld.")
    acting = projects[projects["areas"].fillna("").str.split(";").apply(lambda areas: result.area in
                                                                        [a.strip() for a in areas])]
    if len(acting):
        groups = "; ".join(f"{row.project}: {row.target_group}" for row in acting.itertuples())
        notes.append(f"Doelgroepen van de projecten in dit gebied: {groups}. De uitkomst hier is het aantal "
                     f"{KIND_WORDS[result.kind]} onder alle inwoners van 15 jaar en ouder: een project voor een kleine "
                     "of andere groep kan daarin nauwelijks zichtbaar zijn.")
    return notes


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
                   f"staat; de evaluatie vergelijkt buurten en neemt daarom het gemiddelde van {kept}, elk gewogen "
                   "naar zijn inwoners van 15 jaar en ouder vóór de start. CBS rondt bovendien elk aantal af op "
                   f"tientallen, per buurt en per {area.level} apart, dus de twee verschillen iets: het meest in "
                   f"{widest['period']}, {nl_number(widest['area_rate'], 1)} tegen "
                   f"{nl_number(widest['target_rate'], 1)}. Het effect is berekend op de buurten.")


def per_quarter_columns(result: Evaluation) -> dict[str, tuple[str, int | None]]:
    """The columns of :func:`per_quarter`'s table with their Dutch headers and decimals."""
    title = get_area(result.area).title
    return {"period": ("Kwartaal", None), "area_rate": (title, 1),
            "target_rate": (f"{title}, gewogen gemiddelde van de buurten", 1),
            "comparison_rate": ("Vergelijking", 1), "gap": ("Verschil", 1),
            "effect": ("Verschil t.o.v. vóór de start", 1), "placebo_low": ("Herindelingen 5%", 1),
            "placebo_high": ("Herindelingen 95%", 1)}
