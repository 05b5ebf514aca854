#!/bin/sh
# A synthetic three-estate landlord, end to end: build the contexts from its files, run one,
# sweep a few strategies over the three estates, and write the comparison report.
# Run from the repository's root:  sh examples/three_estates/run_example.sh   (about 2 minutes on 2 cores)
set -e
HERE=examples/three_estates
OUT=${OUT:-runs/three_estates}
TRANQSIM=${TRANQSIM:-tranqsim}
WORKERS=${WORKERS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}  # the machine's cores

# 1. contexts fitted to the incident log (and the fit report)
$TRANQSIM territory build --register $HERE/register.csv --incidents $HERE/incidents.csv \
    --survey $HERE/survey.csv --mapping $HERE/mapping.yaml --out $OUT/contexts --overwrite

# 2. one estate, one year, under its current staffing
$TRANQSIM run --context $OUT/contexts/Le_Grand_Val.yaml \
    --strategy $OUT/contexts/strategies/Le_Grand_Val_current.yaml --years 1 --no-plots \
    --out $OUT/run_grand_val --overwrite

# 3. every estate under five strategies (the sweep file the build wrote), then the report.
#    A quicker look than the file's 20 parameter sets x 3 years: 10 sets of the calibrated
#    ensemble x 1 replicate x 2 years (150 runs). Sets, not replicates: parameter uncertainty,
#    not seed noise, is what a comparison must carry. The file's own: drop the options, new --out.
$TRANQSIM sweep $OUT/contexts/sweep.yaml --out $OUT/sweep --ensemble shipped:10 --replicates 1 \
    --years 2 --workers $WORKERS
$TRANQSIM report $OUT/sweep --out $OUT/report.html --workers $WORKERS --overwrite
echo "fit report: $OUT/contexts/fit_report.md; strategies report: $OUT/report.html"

# 4. the three estates as one stock: the landlord's totals, and where an extra EUR 200,000 a year would go
$TRANQSIM run --portfolio $OUT/contexts --years 1 --out $OUT/portfolio --overwrite
$TRANQSIM optimise --portfolio $OUT/contexts --budget 200000 --years 1 --seeds 2 --workers 1 --out $OUT/allocation
