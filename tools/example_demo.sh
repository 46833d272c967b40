#!/usr/bin/env bash
# The example distillation end to end on a synthetic set it generates:
# data -> teacher -> student baseline -> distilled student -> extract the
# student -> evaluate both students with the student's own config.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLE=configs/example
TEACHER=retinanet_r18-w128_fpn_24e_synth-shapes
STUDENT=retinanet_r18_fpn_24e_synth-shapes
DISTILL=kd_retinanet_r18_retinanet_r18-w128_24e_synth-shapes
WORK=${WORK_DIR:-work_dirs/demo}

[ -f data/synth-shapes/annotations/instances_val.json ] || \
  python tools/create_data.py synth-shapes --out data/synth-shapes
python tools/train.py $EXAMPLE/$TEACHER.py --work-dir $WORK/$TEACHER
python tools/train.py $EXAMPLE/$STUDENT.py --work-dir $WORK/$STUDENT
python tools/train.py $EXAMPLE/$DISTILL.py --work-dir $WORK/$DISTILL \
  --cfg-options model.teacher_ckpt=$WORK/$TEACHER/epoch_24.pth
python tools/model_converters/extract_student.py \
  $WORK/$DISTILL/epoch_24.pth $WORK/$DISTILL/student_epoch_24.pth
python tools/test.py $EXAMPLE/$STUDENT.py $WORK/$STUDENT/epoch_24.pth \
  --work-dir $WORK/eval_baseline | tee $WORK/eval_baseline.log
python tools/test.py $EXAMPLE/$STUDENT.py \
  $WORK/$DISTILL/student_epoch_24.pth \
  --work-dir $WORK/eval_distilled | tee $WORK/eval_distilled.log
python tools/test.py $EXAMPLE/$TEACHER.py $WORK/$TEACHER/epoch_24.pth \
  --work-dir $WORK/eval_teacher | tee $WORK/eval_teacher.log
python tools/analysis_tools/summarize_demo.py $WORK
