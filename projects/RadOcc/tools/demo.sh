#!/usr/bin/env bash
# RadOcc on the synthetic driving world, end to end:
# data -> LiDAR + camera teacher -> camera baseline -> RadOcc student
# ("Prob. + Render": voxel KL + RDC + RSC) -> extract the student ->
# evaluate (Occ3D mIoU), benchmark -> one table and a BEV occupancy PNG.
#   bash projects/RadOcc/tools/demo.sh                  # seeds 0 and 1
#   SEEDS=0 bash projects/RadOcc/tools/demo.sh          # one seed
#   VARIANT=radocc bash projects/RadOcc/tools/demo.sh   # Render alone
# Two trainings run at a time, one CPU thread each (two small trainings
# side by side use two cores better than one training with two threads).
set -euo pipefail
cd "$(dirname "$0")/../../.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
PY=${PYTHON:-python}
CFG=projects/RadOcc/configs
WORK=${WORK_DIR:-work_dirs/radocc_demo}
SEEDS=${SEEDS:-0 1}
EPOCHS=6
# The teacher trains twice as long as the students (its config explains).
TEACHER=bevfusion-occ_r18w16_12e_synth-nus-occ3d
TEACHER_CKPT=epoch_12.pth
STUDENT=bevdet-occ_r18w16_${EPOCHS}e_synth-nus-occ3d
VARIANT=${VARIANT:-radocc-prob}
KD=${VARIANT}_bevdet-occ-r18w16_bevfusion-occ-r18w16_${EPOCHS}e_synth-nus-occ3d
CKPT=epoch_${EPOCHS}.pth
mkdir -p "$WORK"

[ -f data/synth-nuscenes/nuscenes_infos_val.pkl ] || {
  $PY tools/create_data.py synth-nuscenes --out data/synth-nuscenes
  $PY tools/create_data.py nuscenes --root data/synth-nuscenes \
    --version v1.0-mini
}

train() {  # name config seed [train.py options]
  local name=$1 config=$2 seed=$3
  shift 3
  $PY tools/train.py "$CFG/$config.py" --work-dir "$WORK/$name" \
    --cfg-options randomness.seed="$seed" "$@" > "$WORK/$name.log" 2>&1 ||
    { tail -n 30 "$WORK/$name.log"; return 1; }
  echo "trained $name"
}

evaluate() {  # row seed config checkpoint
  $PY tools/test.py "$CFG/$3.py" "$4" --work-dir "$WORK/eval_$1_s$2" \
    --out "$WORK/eval_$1_s$2/preds.pkl" > "$WORK/eval_$1_s$2.log" 2>&1 ||
    { tail -n 30 "$WORK/eval_$1_s$2.log"; return 1; }
  grep -h "mIoU" "$WORK/eval_$1_s$2.log" | tail -n 1
}

distill() {  # seed
  train radocc_s$1 "$KD" "$1" \
    model.teacher_ckpt="$WORK/teacher/$TEACHER_CKPT"
  $PY tools/model_converters/extract_student.py \
    "$WORK/radocc_s$1/$CKPT" "$WORK/radocc_s$1/student_$CKPT"
}

# Two lanes: (A) the teacher, then the first seed's RadOcc student;
# (B) every baseline, then the other seeds' RadOcc students (the teacher
# is done by then). Each lane evaluates what it trained.
set -- $SEEDS
first=$1
shift
lane_a() {
  train teacher $TEACHER 0
  touch "$WORK/teacher.done"
  distill "$first"
  evaluate teacher 0 $TEACHER "$WORK/teacher/$TEACHER_CKPT"
  evaluate radocc "$first" $STUDENT "$WORK/radocc_s$first/student_$CKPT"
}
lane_b() {
  for seed in $SEEDS; do
    train baseline_s$seed $STUDENT "$seed"
    evaluate baseline "$seed" $STUDENT "$WORK/baseline_s$seed/$CKPT"
  done
  for seed in "$@"; do
    while [ ! -f "$WORK/teacher.done" ]; do sleep 10; done
    distill "$seed"
    evaluate radocc "$seed" $STUDENT "$WORK/radocc_s$seed/student_$CKPT"
  done
}
rm -f "$WORK/teacher.done"
lane_a & pid_a=$!
lane_b "$@" & pid_b=$!
wait $pid_a
wait $pid_b

$PY tools/analysis_tools/benchmark.py "$CFG/$TEACHER.py" \
  "$WORK/teacher/$TEACHER_CKPT" --device cpu > "$WORK/bench_teacher.txt" 2>&1
$PY tools/analysis_tools/benchmark.py "$CFG/$STUDENT.py" \
  "$WORK/radocc_s$first/student_$CKPT" --device cpu \
  > "$WORK/bench_radocc.txt" 2>&1
$PY tools/analysis_tools/benchmark.py "$CFG/$STUDENT.py" \
  "$WORK/baseline_s$first/$CKPT" --device cpu > "$WORK/bench_baseline.txt" 2>&1
$PY projects/RadOcc/tools/summarize.py "$WORK"
