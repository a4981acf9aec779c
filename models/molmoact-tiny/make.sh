#!/usr/bin/env bash
# The whole molmoact-tiny recipe, from nothing to the committed model (about 53 minutes on two
# CPU cores, as measured for the committed model). Run from the package folder after
# `npm ci && npm run build` (or `npm run models:molmoact-tiny`).
#
#     bash models/molmoact-tiny/make.sh [OUT]
#
# OUT (default models/molmoact-tiny; relative to the package folder) receives the model files and, under OUT/data, the datasets;
# another folder retrains from scratch beside the committed model, to compare the two.
#
# 1. demonstrations of the scripted expert (seed 1, 800 episodes);
# 2. a first model trained on them;
# 3. DAgger: that model drives 600 more episodes (seed 2; the expert drives 20 % of the steps and
#    labels every frame), so the data covers the states a learned policy gets itself into;
# 4. the final model, trained on both, exported here with its report.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-models/molmoact-tiny}
DATA=$OUT/data
FIRST=$DATA/first-model
PY=/usr/bin/python3
# Two threads, as measured; more threads than cores makes OpenMP training many times slower.
export OMP_NUM_THREADS=2

node dist/src/apps/cli/main.js dataset --out "$DATA/train" --episodes 800 --seed 1
mkdir -p "$FIRST"
$PY models/molmoact-tiny/train.py --data "$DATA/train" --out "$FIRST" --threads 2 --epochs 8
node dist/src/apps/cli/main.js dataset --out "$DATA/dagger" --episodes 600 --seed 2 --every 3 --driver "$FIRST" --expert-share 0.2
$PY models/molmoact-tiny/train.py --data "$DATA/train" --data "$DATA/dagger" --out "$OUT" --threads 2 --epochs 10
