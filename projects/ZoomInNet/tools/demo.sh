#!/usr/bin/env bash
# ZoomInNet on the synthetic aerial set, end to end:
# data -> TNet (2x image) and SNet (1x) -> SNet + FA and SNet + FA + CSKD
# (the distilled student) -> extract the student -> evaluate, benchmark ->
# one table and a PNG of detections side by side.
#   bash projects/ZoomInNet/tools/demo.sh               # one seed
#   SEEDS="0 1" bash projects/ZoomInNet/tools/demo.sh   # the README's seeds
#   VARIANT=la bash projects/ZoomInNet/tools/demo.sh    # LA instead of FA
# Two trainings run at a time, one CPU thread each (OpenMP threads that
# spin-wait on a shared machine slow training down by 10x or more).
set -euo pipefail
cd "$(dirname "$0")/../../.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
PY=${PYTHON:-python}
CFG=projects/ZoomInNet/configs
WORK=${WORK_DIR:-work_dirs/zoominnet_demo}
SEEDS=${SEEDS:-0}
TNET=retinanet_r18w16_fpn_48e_synth-visdrone-2x
SNET=retinanet_r18w16_fpn_48e_synth-visdrone
VARIANT=${VARIANT:-fa}
ALIGNED=retinanet_r18w16_fpn-${VARIANT}_48e_synth-visdrone
KD=cskd-${VARIANT}_retinanet-r18w16_retinanet-r18w16-2x_48e_synth-visdrone
mkdir -p "$WORK"

[ -f data/synth-visdrone/annotations/visdrone2019_det_val.json ] || {
  $PY tools/create_data.py synth-visdrone --out data/synth-visdrone
  $PY tools/create_data.py visdrone --root data/synth-visdrone
}

train() {  # name config seed [train.py options]
  local name=$1 config=$2 seed=$3
  shift 3
  $PY tools/train.py "$CFG/$config.py" --work-dir "$WORK/$name" \
    --cfg-options randomness.seed="$seed" "$@" > "$WORK/$name.log" 2>&1 ||
    { tail -n 30 "$WORK/$name.log"; return 1; }
  echo "trained $name"
}

# Stage 1: the teacher beside the first seed's SNet; stage 2 per seed: the
# aligned student alone and distilled (and SNet for later seeds) side by
# side.
first=${SEEDS%% *}
train tnet $TNET 0 & pid_t=$!
train snet_s$first $SNET $first & pid_s=$!
wait $pid_t
wait $pid_s
for seed in $SEEDS; do
  pids=()
  [ "$seed" = "$first" ] || { train snet_s$seed $SNET $seed & pids+=($!); }
  train ${VARIANT}_s$seed $ALIGNED $seed & pids+=($!)
  train $VARIANT-cskd_s$seed $KD $seed \
    model.teacher_ckpt=$WORK/tnet/epoch_48.pth
  for pid in "${pids[@]}"; do wait "$pid"; done
  $PY tools/model_converters/extract_student.py \
    $WORK/$VARIANT-cskd_s$seed/epoch_48.pth \
    $WORK/$VARIANT-cskd_s$seed/student_epoch_48.pth
done

evaluate() {  # row seed config checkpoint
  local show=()
  [ "$2" = "$first" ] && show=(--show-dir vis)
  $PY tools/test.py "$CFG/$3.py" "$4" --work-dir "$WORK/eval_$1_s$2" \
    "${show[@]}" > "$WORK/eval_$1_s$2.log" 2>&1 ||
    { tail -n 30 "$WORK/eval_$1_s$2.log"; return 1; }
}
evaluate tnet 0 $TNET $WORK/tnet/epoch_48.pth
for seed in $SEEDS; do
  evaluate snet $seed $SNET $WORK/snet_s$seed/epoch_48.pth
  evaluate $VARIANT $seed $ALIGNED $WORK/${VARIANT}_s$seed/epoch_48.pth
  evaluate $VARIANT-cskd $seed $ALIGNED \
    $WORK/$VARIANT-cskd_s$seed/student_epoch_48.pth
done
for row in "tnet $TNET tnet/epoch_48.pth" "snet $SNET snet_s$first/epoch_48.pth" \
           "$VARIANT $ALIGNED ${VARIANT}_s$first/epoch_48.pth" \
           "$VARIANT-cskd $ALIGNED $VARIANT-cskd_s$first/student_epoch_48.pth"; do
  set -- $row
  $PY tools/analysis_tools/benchmark.py "$CFG/$2.py" "$WORK/$3" \
    --device cpu > "$WORK/bench_$1.txt" 2>&1
done
$PY projects/ZoomInNet/tools/summarize.py "$WORK"
