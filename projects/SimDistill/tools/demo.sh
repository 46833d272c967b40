#!/usr/bin/env bash
# SimDistill on the synthetic driving world, end to end:
# data -> teachers -> camera baselines -> distilled students (the rows of
# Tables 2 / 3 asked for) -> extract the students -> evaluate every model
# (nuScenes mAP / NDS) -> one table in $WORK/summary.md.
#   bash projects/SimDistill/tools/demo.sh                         # T3 g
#   ROWS="t3b t3c t3d t3e t3f t3g" bash projects/SimDistill/tools/demo.sh
#   ROWS="t2a t2c t2d" bash projects/SimDistill/tools/demo.sh      # Table 2
# (t2b is t3e.) Two trainings run at a time, one CPU thread each.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
PY=${PYTHON:-python}
CFG=projects/SimDistill/configs
WORK=${WORK_DIR:-work_dirs/simdistill_demo}
ROWS=${ROWS:-t3g}
SEED=${SEED:-0}
S=6e_synth-nus-det
CKPT=epoch_6.pth
TEACHER=bevfusion_r18w16_$S
LIDAR_TEACHER=bevfusion-l_pillar_$S
BASELINES="bevfusion-c_r18w16_$S simdistill-nokd_r18w16_$S"
declare -A KD=(
  [t2a]=mmd-f_bevfusion-c-r18w16_bevfusion-r18w16_$S
  [t2c]=cmd-v_bevfusion-c-r18w16_bevfusion-l-pillar_$S
  [t2d]=cmd-v_simdistill-r18w16_bevfusion-l-pillar_$S
  [t3b]=imd_simdistill-r18w16_bevfusion-r18w16_$S
  [t3c]=cmd-v_simdistill-r18w16_bevfusion-r18w16_$S
  [t3d]=cmd_simdistill-gcm-r18w16_bevfusion-r18w16_$S
  [t3e]=mmd-f_simdistill-r18w16_bevfusion-r18w16_$S
  [t3f]=mmd-p_simdistill-r18w16_bevfusion-r18w16_$S
  [t3g]=simdistill_simdistill-gcm-r18w16_bevfusion-r18w16_$S
)
for row in $ROWS; do
  [ -n "${KD[$row]:-}" ] || { echo "unknown row $row (${!KD[*]})"; exit 1; }
done
mkdir -p "$WORK"

[ -f data/synth-nuscenes/nuscenes_infos_val.pkl ] || {
  $PY tools/create_data.py synth-nuscenes --out data/synth-nuscenes
  $PY tools/create_data.py nuscenes --root data/synth-nuscenes \
    --version v1.0-mini
}

teacher_of() {  # distiller config -> its teacher config
  case $1 in
    *_bevfusion-l-pillar_*) echo "$LIDAR_TEACHER" ;;
    *) echo "$TEACHER" ;;
  esac
}
student_of() {  # distiller config -> the plain config of its student
  case $1 in
    *_bevfusion-c-r18w16_*) echo "bevfusion-c_r18w16_$S" ;;
    *_simdistill-gcm-r18w16_*) echo "simdistill-gcm-nokd_r18w16_$S" ;;
    *) echo "simdistill-nokd_r18w16_$S" ;;
  esac
}

train() {  # name config [train.py options]
  local name=$1 config=$2
  shift 2
  $PY tools/train.py "$CFG/$config.py" --work-dir "$WORK/$name" \
    --cfg-options randomness.seed="$SEED" "$@" > "$WORK/$name.log" 2>&1 ||
    { tail -n 30 "$WORK/$name.log"; touch "$WORK/failed"; return 1; }
  echo "trained $name"
}

evaluate() {  # name config checkpoint
  $PY tools/test.py "$CFG/$2.py" "$3" --work-dir "$WORK/eval_$1" \
    > "$WORK/eval_$1.log" 2>&1 ||
    { tail -n 30 "$WORK/eval_$1.log"; return 1; }
  echo "evaluated $1"
}

plain() {  # config: train and evaluate a model alone
  train "$1" "$1"
  touch "$WORK/$1.done"
  evaluate "$1" "$1" "$WORK/$1/$CKPT"
}

distill() {  # row
  local config=${KD[$1]} teacher
  teacher=$(teacher_of "$config")
  while [ ! -f "$WORK/$teacher.done" ]; do
    [ ! -f "$WORK/failed" ] || return 1  # the other lane failed
    sleep 10
  done
  train "$1" "$config" model.teacher_ckpt="$WORK/$teacher/$CKPT"
  $PY tools/model_converters/extract_student.py \
    "$WORK/$1/$CKPT" "$WORK/$1/student_$CKPT" > /dev/null
  evaluate "$1" "$(student_of "$config")" "$WORK/$1/student_$CKPT"
}

# Lane A: the teachers, then every other row; lane B: the baselines, then
# the remaining rows (each row waits for its teacher).
teachers=$TEACHER
for row in $ROWS; do
  case ${KD[$row]} in
    *bevfusion-l-pillar*) teachers="$TEACHER $LIDAR_TEACHER" ;;
  esac
done
set -- $ROWS
rm -f "$WORK"/*.done "$WORK/failed"
lane_a() {
  for config in $teachers; do plain "$config"; done
  for ((i = 1; i <= $#; i += 2)); do distill "${!i}"; done
}
lane_b() {
  for config in $BASELINES; do plain "$config"; done
  for ((i = 2; i <= $#; i += 2)); do distill "${!i}"; done
}
lane_a "$@" & pid_a=$!
lane_b "$@" & pid_b=$!
wait $pid_a
wait $pid_b

score() {  # eval name, key (mAP | NDS): NuScenesMetric's logged value
  grep -ho "NuScenes/$2: [0-9.]*" "$WORK/eval_$1.log" | tail -n 1 |
    cut -d' ' -f2
}
{
  echo "| model | config | mAP | NDS |"
  echo "|---|---|---|---|"
  for name in $teachers $BASELINES; do
    echo "| $name | $name | $(score "$name" mAP) | $(score "$name" NDS) |"
  done
  for row in $ROWS; do
    echo "| $row | ${KD[$row]} | $(score "$row" mAP) | $(score "$row" NDS) |"
  done
} | tee "$WORK/summary.md"
