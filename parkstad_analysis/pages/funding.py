"""What the funding page says in words."""

from __future__ import annotations

import pandas as pd

from ..dutch import dutch_list

__all__ = ["participation_explanation"]


def participation_explanation(figures: pd.DataFrame, press_release: pd.DataFrame) -> str:
    """Why the press release's participation figures and the KWB's differ, and which gemeenten lack a KWB figure.

    ``figures`` as :func:`parkstad_analysis.analysis.funding.participation_sources` gives them.
    """
    kwb_years = sorted({s for s in figures["source"] if s.startswith("KWB")})
    explanation = (
        "Het persbericht geeft de netto arbeidsparticipatie van Kerkrade (61,9%), Heerlen (62,5%), Simpelveld (66,4%) en "
        "Voerendaal (68,3%) met één decimaal, zonder tabel of peiljaar. De KWB publiceert per gemeente en jaar een heel "
        f"percentage ({', '.join(kwb_years) or 'geen jaar in de beschikbare bestanden'}): een ander moment, een andere "
        "afronding en mogelijk een andere CBS-statistiek (de KWB rekent met registers per wijk en buurt). Een verschil "
        "tussen de twee is daarom geen verandering; vergelijk alleen cijfers uit dezelfde bron."
    )
    released = list(dict.fromkeys(press_release["gemeente"]))
    without = [g for g in released if g not in set(figures.loc[figures["source"].str.startswith("KWB"), "gemeente"])]
    if without:
        explanation += (f" Voor {dutch_list(without)} staat geen KWB-cijfer in de beschikbare bestanden "
                        "(de CBS-tabellen van die jaren zijn hier niet aanwezig); daar staat alleen het persbericht.")
    return explanation
