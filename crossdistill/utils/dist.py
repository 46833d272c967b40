"""Distributed runs on machines without CUDA.

MMEngine assumes CUDA for DDP: ``init_dist`` calls ``torch.cuda.set_device``
and the runner passes ``device_ids=[LOCAL_RANK]`` to DDP.  On a CPU machine we
initialise the process group with gloo ourselves (MMEngine then skips its own
initialisation) and wrap the model for CPU DDP (``device_ids=None``).
"""
import torch
import torch.distributed as torch_dist
from mmengine.config import Config


def adapt_cfg_to_device(cfg: Config, launcher: str) -> None:
    """Switch a config to gloo/CPU DDP when CUDA is absent (no-op on GPU)."""
    if torch.cuda.is_available():
        return
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg['backend'] = 'gloo'
    if launcher == 'none':
        return
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} needs CUDA; on CPU machines use '
            'tools/dist_train.sh (torchrun, --launcher pytorch).')
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel',
            device_ids=None,
            broadcast_buffers=False)
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')


def release_process_group() -> None:
    """Destroy the process group once a run has ended successfully.

    A gloo group left alive at interpreter exit can abort the process
    (``terminate called without an active exception``) after a successful
    run, which torchrun then reports as a failure.
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
