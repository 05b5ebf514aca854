"""Regenerate this example's files: a synthetic landlord written by the model itself.

    python examples/three_estates/make_data.py

Three estates with hidden local parameters (listed in hidden.yaml, which `tranqsim territory
build` never reads): a calm one, an ordinary one and a tense one with dealing points. The files
are written as French office software exports them: ';' separators, decimal comma,
Windows-1252, dd/mm/yyyy dates, with a free-text column that the build ignores.
"""

from pathlib import Path

import yaml

from tranqsim.territory.synthetic import HiddenEstate, generate

HERE = Path(__file__).resolve().parent
ESTATES = [HiddenEstate("Les Tilleuls", 14, 0.5, 1.0, 0, caretakers_per_100=0.8, fear_offset=-0.3),
           HiddenEstate("La Roseraie", 22, 1.0, 3.0, 1, caretakers_per_100=1.0, hot_spot_spread=0.6),
           HiddenEstate("Le Grand Val", 30, 1.5, 5.0, 3, caretakers_per_100=1.2, hot_spot_spread=1.0,
                        fear_offset=0.6)]

if __name__ == "__main__":
    hidden = generate(ESTATES, HERE, seed=2026)
    (HERE / "hidden.yaml").write_text(
        "# the parameters that generated the files (for checking the fit; not an input)\n"
        + yaml.safe_dump({k: v.as_dict() for k, v in hidden.items()}, sort_keys=False,
                         allow_unicode=True), encoding="utf-8")
    print("written:", ", ".join(p.name for p in sorted(HERE.glob("*.csv"))), "mapping.yaml, hidden.yaml")
