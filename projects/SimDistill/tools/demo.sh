#!/usr/bin/env bash
# SimDistill on the synthetic driving world, end to end:
# data -> teachers -> camera baseline (BEVFusion-C) and the rows' students
# without distillation -> distilled students (the rows of Tables 2 / 3 asked
# for) -> extract the students -> evaluate every model (nuScenes mAP / NDS,
# predictions dumped) -> benchmark -> one table and a BEV-box PNG
# (tools/summarize.py: $WORK/table.md, $WORK/bev_boxes.png).
#   bash projects/SimDistill/tools/demo.sh                         # T3 g
#   SEEDS=0 bash projects/SimDistill/tools/demo.sh                 # one seed
#   ROWS="t3b t3c t3d t3e t3f t3g" bash projects/SimDistill/tools/demo.sh
#   ROWS="t2a t2c t2d" bash projects/SimDistill/tools/demo.sh      # Table 2
# (t2b is t3e.) The teachers are trained once (seed 0), every other model
# once per seed in $SEEDS (default "0 1"), as $WORK/<name>_s<seed>.
# Two trainings run at a time, one CPU thread each.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
PY=${PYTHON:-python}
CFG=projects/SimDistill/configs
WORK=${WORK_DIR:-work_dirs/simdistill_demo}
ROWS=${ROWS:-t3g}
SEEDS=${SEEDS:-0 1}
# The LiDAR teachers train 6 epochs, the camera models 12.
T=6e_synth-nus-det
TEACHER_CKPT=epoch_6.pth
S=12e_synth-nus-det
CKPT=epoch_12.pth
declare -A PLAIN=(  # models trained alone
  [teacher]=bevfusion_r18w16_$T
  [teacher-l]=bevfusion-l_pillar_$T
  [baseline]=bevfusion-c_r18w16_$S
  [nokd]=simdistill-nokd_r18w16_$S
  [gcm-nokd]=simdistill-gcm-nokd_r18w16_$S
)
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

teacher_of() {  # row -> the plain model of its teacher
  case ${KD[$1]} in
    *_bevfusion-l-pillar_*) echo teacher-l ;;
    *) echo teacher ;;
  esac
}
student_of() {  # row -> the plain model of its student
  case ${KD[$1]} in
    *_bevfusion-c-r18w16_*) echo baseline ;;
    *_simdistill-gcm-r18w16_*) echo gcm-nokd ;;
    *) echo nokd ;;
  esac
}

train() {  # name config seed [train.py options]
  local name=$1 config=$2 seed=$3
  shift 3
  $PY tools/train.py "$CFG/$config.py" --work-dir "$WORK/$name" \
    --cfg-options randomness.seed="$seed" "$@" > "$WORK/$name.log" 2>&1 ||
    { tail -n 30 "$WORK/$name.log"; touch "$WORK/failed"; return 1; }
  echo "trained $name"
}

evaluate() {  # name seed config checkpoint
  local out=$WORK/eval_$1_s$2
  $PY tools/test.py "$CFG/$3.py" "$4" --work-dir "$out" \
    --out "$out/preds.pkl" > "$out.log" 2>&1 ||
    { tail -n 30 "$out.log"; return 1; }
  echo "evaluated $1_s$2: $(grep -ho 'NuScenes/mAP: [0-9.]*' "$out.log" |
    tail -n 1)"
}

teach() {  # teacher: trained and evaluated once, seed 0
  train "$1" "${PLAIN[$1]}" 0
  touch "$WORK/$1.done"
  evaluate "$1" 0 "${PLAIN[$1]}" "$WORK/$1/$TEACHER_CKPT"
}

plain() {  # name seed
  train "$1_s$2" "${PLAIN[$1]}" "$2"
  evaluate "$1" "$2" "${PLAIN[$1]}" "$WORK/$1_s$2/$CKPT"
}

distill() {  # row seed
  local teacher
  teacher=$(teacher_of "$1")
  while [ ! -f "$WORK/$teacher.done" ]; do
    [ ! -f "$WORK/failed" ] || return 1  # the other lane failed
    sleep 10
  done
  train "$1_s$2" "${KD[$1]}" "$2" \
    model.teacher_ckpt="$WORK/$teacher/$TEACHER_CKPT"
  $PY tools/model_converters/extract_student.py \
    "$WORK/$1_s$2/$CKPT" "$WORK/$1_s$2/student_$CKPT" > /dev/null
  evaluate "$1" "$2" "${PLAIN[$(student_of "$1")]}" \
    "$WORK/$1_s$2/student_$CKPT"
}

# The queue: the plain students of every seed, then the distilled rows of
# every seed. Lane A trains the teachers first; then both lanes walk the
# queue in order, each job run by the lane that claims it first (mkdir is
# atomic), a distilled row waiting for its teacher.
teachers="" students=baseline
for row in $ROWS; do
  [[ " $teachers " == *" $(teacher_of "$row") "* ]] ||
    teachers="$teachers $(teacher_of "$row")"
  [[ " $students " == *" $(student_of "$row") "* ]] ||
    students="$students $(student_of "$row")"
done
queue=()
for seed in $SEEDS; do
  for name in $students; do queue+=("$name $seed"); done
done
for seed in $SEEDS; do
  for row in $ROWS; do queue+=("$row $seed"); done
done
rm -rf "$WORK"/*.done "$WORK/failed" "$WORK/claimed"
mkdir "$WORK/claimed"
lane() {  # [teacher ...]
  local job name seed
  for name in "$@"; do teach "$name"; done
  for job in "${queue[@]}"; do
    [ ! -f "$WORK/failed" ] || return 1  # the other lane failed
    read -r name seed <<< "$job"
    mkdir "$WORK/claimed/${name}_s$seed" 2> /dev/null || continue
    if [ -n "${PLAIN[$name]:-}" ]; then
      plain "$name" "$seed"
    else
      distill "$name" "$seed"
    fi
  done
}
lane $teachers & pid_a=$!
lane & pid_b=$!
wait $pid_a
wait $pid_b

# Parameters, FLOPs and latency of every model (first seed), then the
# table and the PNG.
read -r first _ <<< "$SEEDS"
bench() {  # name config checkpoint
  $PY tools/analysis_tools/benchmark.py "$CFG/$2.py" "$3" --device cpu \
    > "$WORK/bench_$1.txt" 2>&1
}
for name in $teachers; do
  bench "$name" "${PLAIN[$name]}" "$WORK/$name/$TEACHER_CKPT"
done
for name in $students; do
  bench "$name" "${PLAIN[$name]}" "$WORK/${name}_s$first/$CKPT"
done
for row in $ROWS; do
  bench "$row" "${PLAIN[$(student_of "$row")]}" \
    "$WORK/${row}_s$first/student_$CKPT"
done
$PY projects/SimDistill/tools/summarize.py "$WORK"
