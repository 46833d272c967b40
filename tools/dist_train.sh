#!/usr/bin/env bash
# bash tools/dist_train.sh CONFIG GPUS [train.py options]
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR, PORT. On machines without CUDA
# the GPUS processes run on the CPU with the gloo backend. PYTHON picks the
# interpreter (default: python on PATH).
set -e
CONFIG=$1
GPUS=$2
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
    tools/train.py "$CONFIG" --launcher pytorch "${@:3}"
