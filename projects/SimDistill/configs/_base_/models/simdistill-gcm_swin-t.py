# The full simulated multi-modal student of SimDistill (Table 1 / Table 3
# row g): simdistill_swin-t.py with geometry compensation in the image
# plane (GC_uv) and in BEV (GC_bev), see gcm_swin-t.py.
_base_ = ['./simdistill_swin-t.py', './gcm_swin-t.py']
model = dict(uv_gcm={{_base_.uv_gcm}}, bev_gcm={{_base_.bev_gcm}})
