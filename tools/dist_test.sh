#!/usr/bin/env bash
# bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py options]
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR, PORT. On machines without CUDA
# the GPUS processes run on the CPU with the gloo backend. PYTHON picks the
# interpreter (default: python on PATH).
set -e
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
cd "$(dirname "$0")/.."
PYTHONPATH="$PWD:$PYTHONPATH" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    tools/test.py "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
